"""One virtualenv per benchmarked tool, under benchmarks/.venvs/ (gitignored).

    python benchmarks/envs.py                 # create / reuse all of them (in parallel)
    python benchmarks/envs.py flytekit kfp    # just these

A venv is reused when the hash of its requirements (plus the interpreter version, plus
pyproject.toml for the editable Slipstream install) matches the one recorded in it; otherwise it
is rebuilt from scratch. Each install logs to benchmarks/.venvs/<name>.log.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENVS = BENCH / ".venvs"
HASH_FILE = ".slipstream-bench-reqs"

# name -> (pip install arguments, a check that must import for the env to count as usable)
ENVS: dict[str, tuple[list[str], str]] = {
    "plain": (
        ["numpy", "pandas", "scikit-learn", "psutil"],
        "import numpy, pandas, sklearn, psutil",
    ),
    # the server and serving extras: the server and serving benchmarks run `slipstream server`
    # and `slipstream serve` from this venv; tuning: `ss.tune` needs optuna
    "slipstream": (
        ["-e", f"{REPO}[tabular,examples,server,serving,tuning]", "psutil"],
        "import pandas, sklearn, psutil, fastapi, uvicorn, optuna, cmaes",
    ),
    "flytekit": (
        ["flytekit", "pandas", "scikit-learn", "pyarrow", "psutil"],
        "import flytekit, pandas, sklearn, pyarrow, psutil",
    ),
    "kfp": (
        ["kfp", "pandas", "scikit-learn", "pyarrow", "psutil"],
        "import kfp, kfp.local, pandas, sklearn, psutil",
    ),
    # the tracking benchmarks' anchor (benchmarks/tracking/mlflow_tracking.py)
    "mlflow": (["mlflow", "psutil"], "import mlflow, mlflow.tracking, pandas, psutil"),
    # the tuning benchmarks' anchor (benchmarks/tuning/optuna_tuning.py); cmaes for Optuna's
    # CmaEsSampler, scikit-learn for the quality benchmark's objective (optuna_quality.py)
    "optuna": (
        ["optuna>=5", "cmaes>=0.10", "scikit-learn", "psutil"],
        "import optuna, optuna.storages, cmaes, sklearn, psutil",
    ),
}


class EnvError(RuntimeError):
    """A venv could not be created or installed; the message says why."""


def base_python() -> str:
    """The machine's Python 3.11 (never a venv's interpreter)."""
    if sys.version_info[:2] == (3, 11):
        return getattr(sys, "_base_executable", sys.executable)
    found = shutil.which("python3.11")
    if not found:
        raise EnvError("no python3.11 on PATH")
    out = subprocess.run(
        [found, "-c", "import sys; print(sys.executable)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def venv_dir(name: str) -> Path:
    return VENVS / name


def venv_python(name: str) -> Path:
    return venv_dir(name) / "bin" / "python"


def requirements_hash(name: str) -> str:
    args, check = ENVS[name]
    h = hashlib.sha256()
    h.update(json.dumps([args, check, sys.version_info[:2]]).encode())
    if name == "slipstream":
        h.update((REPO / "pyproject.toml").read_bytes())
    return h.hexdigest()[:16]


def is_ready(name: str) -> bool:
    marker = venv_dir(name) / HASH_FILE
    return (
        venv_python(name).exists()
        and marker.exists()
        and marker.read_text().strip() == requirements_hash(name)
    )


def ensure(name: str, quiet: bool = False) -> Path:
    """Create (or reuse) the venv `name`; return its python. Raises EnvError with a reason."""
    if is_ready(name):
        return venv_python(name)
    args, check = ENVS[name]
    VENVS.mkdir(parents=True, exist_ok=True)
    log_path = VENVS / f"{name}.log"
    target = venv_dir(name)
    if target.exists():
        shutil.rmtree(target)
    if not quiet:
        print(f"[envs] creating {name} venv (log: {log_path.relative_to(REPO)})", flush=True)
    with log_path.open("w") as log:
        steps = [
            [base_python(), "-m", "venv", str(target)],
            [str(venv_python(name)), "-m", "pip", "install", "--upgrade", "pip"],
            [str(venv_python(name)), "-m", "pip", "install", *args],
            [str(venv_python(name)), "-c", check],
        ]
        for step in steps:
            log.write(f"$ {' '.join(step)}\n")
            log.flush()
            rc = subprocess.run(
                step,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
            ).returncode
            if rc != 0:
                tail = log_path.read_text().strip().splitlines()[-3:]
                raise EnvError(
                    f"`{' '.join(step[1:4])} ...` failed (rc={rc}): " + " | ".join(t.strip() for t in tail)
                )
    (target / HASH_FILE).write_text(requirements_hash(name) + "\n")
    if not quiet:
        print(f"[envs] {name} venv ready", flush=True)
    return venv_python(name)


def ensure_all(names: list[str]) -> dict[str, Path | EnvError]:
    """Create the venvs in parallel; map each name to its python or the error."""

    def one(name: str) -> Path | EnvError:
        try:
            return ensure(name)
        except EnvError as exc:
            return exc
        except Exception as exc:  # report, never crash the harness
            return EnvError(f"{type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(max_workers=len(names) or 1) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))


def main(argv: list[str]) -> int:
    names = argv or list(ENVS)
    unknown = [n for n in names if n not in ENVS]
    if unknown:
        print(f"unknown env(s): {unknown}; known: {list(ENVS)}", file=sys.stderr)
        return 2
    failed = 0
    for name, result in ensure_all(names).items():
        if isinstance(result, EnvError):
            failed += 1
            print(f"{name}: FAILED ({result})")
        else:
            print(f"{name}: {result}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
