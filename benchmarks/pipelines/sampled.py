"""Run one pipeline process while _sampler.py samples its process tree. Stdlib only (run.py runs
under any Python; the sampler runs in the tool's venv, which has psutil).

The measured process gets the same environment as run.py's `run_json` (fresh HOME and
SLIPSTREAM_HOME, one BLAS thread, ...) plus BENCH_MARKS, the file its tasks mark (_bench.py).
Its CPU time is the kernel's: `os.wait4` returns the user + system time of the process and of
every descendant it waited for (kfp's component subprocesses included).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SAMPLER = Path(__file__).resolve().parent / "_sampler.py"
INTERVAL_S = 0.02


class SampledRunFailed(RuntimeError):
    pass


def bench_env(base: str, marks: str) -> dict[str, str]:
    """The environment of run.py's run_json, with BENCH_MARKS."""
    env = {
        **os.environ,
        "HOME": base,
        "SLIPSTREAM_HOME": str(Path(base) / "slipstream"),
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "BENCH_MARKS": marks,
    }
    for key in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


def _start_sampler(python: Path) -> subprocess.Popen[str]:
    sampler = subprocess.Popen(
        [str(python), str(SAMPLER), "--interval", str(INTERVAL_S)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert sampler.stdout is not None
    if sampler.stdout.readline().strip() != "ready":
        sampler.kill()
        sampler.wait()
        raise SampledRunFailed("the psutil sampler did not start (is psutil in the venv?)")
    return sampler


def run_sampled(python: Path, argv: list[str], timeout: float) -> dict[str, Any]:
    """The JSON line of `python argv...` plus wall_s, cpu_s, avg_cores and the sampler's figures
    (tree_peak_mb, tree_avg_mb, peak_cores, samples). Raises SampledRunFailed."""
    with tempfile.TemporaryDirectory(prefix="slipstream-bench-") as tmp:
        marks = str(Path(tmp) / "marks.txt")
        sampler = _start_sampler(python)
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        timed_out = threading.Event()
        with open(out_path, "w") as out, open(err_path, "w") as err:
            start = time.perf_counter()
            assert sampler.stdin is not None
            try:
                proc = subprocess.Popen(
                    [str(python), *argv],
                    stdout=out,
                    stderr=err,
                    env=bench_env(tmp, marks),
                    cwd=tmp,
                    start_new_session=True,
                )
            except OSError as exc:
                sampler.stdin.close()  # an empty line: the sampler exits
                sampler.wait()
                raise SampledRunFailed(f"could not start: {exc}") from exc
            sampler.stdin.write(f"{proc.pid}\n")
            sampler.stdin.flush()

            def kill() -> None:
                timed_out.set()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        sampled_out, _ = sampler.communicate(timeout=30)
        stdout, stderr = out_path.read_text(), err_path.read_text()
    if timed_out.is_set():
        raise SampledRunFailed(f"timed out after {timeout:.0f} s")
    # As in run_json: the record is the last line holding `{"tool": ...}`.
    lines = [ln[ln.index('{"tool":') :] for ln in stdout.splitlines() if '{"tool":' in ln]
    if proc.returncode != 0 or not lines:
        tail = (stderr.strip() or stdout.strip()).splitlines()[-4:]
        what = f"exit {proc.returncode}" if proc.returncode else "exit 0 but no result line"
        raise SampledRunFailed(f"{what}: " + " | ".join(t.strip() for t in tail))
    record = json.loads(lines[-1])
    cpu = usage.ru_utime + usage.ru_stime
    record["wall_s"] = round(wall, 4)
    record["cpu_s"] = round(cpu, 3)
    record["avg_cores"] = round(cpu / wall, 3) if wall > 0 else None
    sample = json.loads(sampled_out.strip().splitlines()[-1]) if sampled_out.strip() else {}
    record["tree_peak_mb"] = sample.get("peak_mb")
    record["tree_avg_mb"] = sample.get("avg_mb")
    record["peak_cores"] = sample.get("peak_cores")
    record["samples"] = sample.get("samples")
    return record
