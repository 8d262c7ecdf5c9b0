"""How long `slipstream server` takes to answer its first request, over N fresh starts.

    python benchmarks/server/start_time.py                 # 5 starts, this repo's .venv
    python benchmarks/server/start_time.py --runs 10 --bindir /path/to/venv/bin

Each start is `serve.start`'s (the `--only server` group's): a new temporary SLIPSTREAM_HOME and
SQLite store, a free loopback port, `Popen` to the first 200 of
`GET /api/2.0/mlflow/experiments/get?experiment_id=0` polled every 10 ms. Prints each start,
the median and the spread, and the machine's load average (stdlib only). Also the server's CPU
time (user + system) up to its first answer, read from /proc on Linux: on a busy machine the
wall time swings with other processes' load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import serve

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bindir", type=Path, default=ROOT / ".venv" / "bin")
    args = parser.parse_args()
    times, cpus = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="slipstream-start-") as tmp:
            folder = Path(tmp)
            env = {**os.environ, "SLIPSTREAM_HOME": str(folder / "home"), "HOME": tmp}
            served = serve.start("slipstream", args.bindir, folder, env)
            cpu = _cpu_s(served.proc.pid)
            serve.stop(served)
            times.append(served.start_s)
            cpus.extend([cpu] if cpu is not None else [])
            print(f"start {served.start_s:.3f} s" + (f" (cpu {cpu:.3f} s)" if cpu else ""),
                  flush=True)
    print(f"median {statistics.median(times):.3f} s, min {min(times):.3f}, max {max(times):.3f}"
          f" over {len(times)} starts; load average {os.getloadavg()[0]:.2f}")
    if cpus:
        print(f"cpu to first answer: median {statistics.median(cpus):.3f} s, min {min(cpus):.3f},"
              f" max {max(cpus):.3f}")


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` so far (Linux /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
