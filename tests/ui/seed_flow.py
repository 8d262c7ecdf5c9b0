"""Data for the console's browser tests, made through the public Python API: run with
SLIPSTREAM_HOME set to a fresh folder (`python -m tests.ui.seed_flow`).

* `pipeline` (twice: the second run hits the cache for `prepare`), whose `train` logs a run
  with params and a 50-step loss curve;
* `fragile`, whose `explode` fails after one retry (2 attempts) and skips `report`;
* experiment `sweep` with 12 runs (params lr, depth; metrics acc, loss; tag family); trial-03
  also has artifacts report.json, notes/readme.txt and plots/dot.png (a 2x2 PNG);
* experiment `curves` with run `long`, whose `wave` metric has LONG_CURVE points;
* `fan_out`: `square` mapped over FAN_OUT values (node executions n0[0]..n0[4] under n0);
* `frames`: a 50-row DataFrame (a parquet blob), a 3x4 array (npy) and a 100 KB text (its
  output map kept as one JSON blob), for the value previews;
* `gated`, failed: its `check` raises until the file GATE (in the seed's folder) exists;
* `evolving`, in two versions: the second adds an `inc` after `dbl`;
* `fit_model` (twice): registers versions 1 and 2 of model `churn` (lineage: dataset, run,
  execution); alias `champion` set to 1 then moved to 2;
* deployment `churn-svc` (by the CLI): primary models:/churn@champion, canary models:/churn/1
  at 20 %, served by `slipstream deploy serve` for GOOD_REQUESTS good and BAD_REQUESTS bad
  requests (the per-version figures);
* study `sweep-study`: STUDY_TRIALS random-search trials of a quadratic, minimised;
* launch plans on `batch_report`: `nightly-report` (cron 0 3 * * * in Europe/Paris, fixed
  region, default rows; launched once by hand) and `quarter-hourly` (every 15 minutes, paused);
* `nested`: `inc` into sub-workflow `inner_steps` (`inc` then `dbl`, nodes n1/n0 and n1/n1);
* `reworked`, in two versions whose task `scale` differs in its source only (x * 2, x * 3);
* drift monitor `churn-data` over two parquet files: run once on data like the reference (no
  drift), then on shifted data (tenure and plan drift).

`waiter` (run by `python -m tests.ui.seed_flow wait PATH`) stays RUNNING until PATH exists.
"""

from __future__ import annotations

import contextlib
import json
import math
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

import slipstream as ss
from slipstream import map_task, task, workflow
from slipstream._core.errors import ExecutionFailedError

SWEEP_RUNS = 12
LONG_CURVE = 20_000
STUDY_TRIALS = 8
FAN_OUT = 5
GOOD_REQUESTS = 20
BAD_REQUESTS = 2


@task(cache=True, cache_version="1")
def prepare(rows: int) -> list[float]:
    return [float(i % 7) for i in range(rows)]


@task
def train(data: list[float], lr: float) -> float:
    print(f"training on {len(data)} rows with lr={lr}")
    ss.log_params({"lr": lr, "rows": len(data)})
    for step in range(50):
        ss.log_metric("loss", 1.0 / (1.0 + lr * step), step=step)
    return round(sum(data) / len(data), 4)


@task
def summarize(score: float) -> str:
    return f"score={score}"


@workflow
def pipeline(rows: int = 30, lr: float = 0.5) -> str:
    return summarize(score=train(data=prepare(rows=rows), lr=lr))


@task(retries=1)
def explode(x: int) -> int:
    print(f"trying {x}")
    raise ValueError(f"bad value {x}")


@task
def report(y: int) -> str:
    return str(y)


@workflow
def fragile(x: int = 3) -> str:
    return report(y=explode(x=x))


@task
def wait_for(path: str) -> str:
    deadline = time.monotonic() + 120
    while not Path(path).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.05)
    return "released"


@task
def after(note: str) -> str:
    return note.upper()


@workflow
def waiter(path: str) -> str:
    return after(note=wait_for(path=path))


@task
def square(x: int) -> int:
    return x * x


@task
def total(values: list[int]) -> int:
    return sum(values)


@workflow
def fan_out(xs: list[int]) -> int:
    return total(values=map_task(square)(x=xs))


GATE = "gate-open"
FRAME_ROWS = 50


@task
def table(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"a": range(rows), "b": [f"x{i}" for i in range(rows)]})


@task
def count(df: pd.DataFrame) -> int:
    return len(df)


@task
def grid() -> np.ndarray:
    return np.arange(12).reshape(3, 4)


@task
def essay(lines: int) -> str:
    return "a line of the essay\n" * lines


@workflow
def frames(rows: int = FRAME_ROWS) -> int:
    grid()
    essay(lines=5000)
    return count(df=table(rows=rows))


@task
def prep(n: int) -> int:
    return n * 10


@task
def check(value: int, gate: str) -> int:
    if not Path(gate).exists():
        raise RuntimeError(f"the gate {gate} is closed")
    return value + 1


@workflow
def gated(gate: str, n: int = 4) -> int:
    return check(value=prep(n=n), gate=gate)


@task
def inc(x: int) -> int:
    return x + 1


@task
def dbl(x: int) -> int:
    return x * 2


@workflow
def inner_steps(x: int) -> int:
    return dbl(x=inc(x=x))


@workflow
def nested(x: int = 1) -> int:
    return inner_steps(x=inc(x=x))


def evolving_v1() -> None:
    @workflow
    def evolving(x: int = 1) -> int:
        return dbl(x=inc(x=x))

    evolving(x=1)


def evolving_v2() -> None:
    @workflow
    def evolving(x: int = 1) -> int:
        return inc(x=dbl(x=inc(x=x)))

    evolving(x=1)


@task
def tally(rows: int, region: str) -> str:
    return f"{rows} rows from {region}"


@workflow
def batch_report(rows: int = 10, region: str = "eu") -> str:
    return tally(rows=rows, region=region)


def reworked_v1() -> None:
    @task
    def scale(x: int) -> int:
        return x * 2

    @workflow
    def reworked(x: int = 2) -> int:
        return scale(x=x)

    reworked(x=2)


def reworked_v2() -> None:
    @task
    def scale(x: int) -> int:
        return x * 3

    @workflow
    def reworked(x: int = 2) -> int:
        return scale(x=x)

    reworked(x=2)


def seed_plans() -> None:
    from slipstream.scheduling import cron, every, launch

    ss.LaunchPlan.get_or_create(batch_report, "nightly-report", fixed_inputs={"region": "eu"},
                                default_inputs={"rows": 20},
                                schedule=cron("0 3 * * *", timezone="Europe/Paris"),
                                description="the nightly batch report")
    ss.LaunchPlan.get_or_create(batch_report, "quarter-hourly", schedule=every(minutes=15),
                                active=False)
    launch("nightly-report", {"rows": 5}, reason="seeded")


@task
def fit(flip: bool) -> float:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(60, 2)), columns=["tenure", "charges"])
    frame["churned"] = ((-1 if flip else 1) * frame["tenure"] > 0).astype(int)
    ss.log_input(frame, context="training", name="churn-train")
    model = LogisticRegression().fit(frame[["tenure", "charges"]], frame["churned"])
    ss.models.log_model(model, registered_model_name="churn")
    return float(model.score(frame[["tenure", "charges"]], frame["churned"]))


@workflow
def fit_model(flip: bool = False) -> float:
    return fit(flip=flip)


def quadratic(x: float, y: int) -> float:
    return (x - 1.0) ** 2 + y


def seed_monitor() -> None:
    from slipstream import monitor

    rng = np.random.default_rng(3)
    def frame(loc: float, share_a: float) -> pd.DataFrame:
        return pd.DataFrame({"tenure": rng.normal(loc=loc, size=400),
                             "plan": rng.choice(["a", "b"], 400, p=[share_a, 1 - share_a])})

    frame(0.0, 0.5).to_parquet("reference.parquet")
    frame(0.0, 0.5).to_parquet("current.parquet")
    with monitor.Monitoring.from_settings() as monitoring:
        monitoring.create("churn-data", dataset=str(Path("current.parquet").resolve()),
                          reference=str(Path("reference.parquet").resolve()))
        monitoring.run("churn-data")
        monitoring.run("churn-data", current=frame(1.5, 0.9))


def serve_traffic(slipstream: Path) -> None:
    """Serve churn-svc on a free port for a few requests, then stop it (its log is flushed)."""
    import signal
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(slipstream), "deploy", "serve", "churn-svc", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def call(columns: list[str]) -> int:
        body = json.dumps({"dataframe_split": {"columns": columns, "data": [[0.5] * len(columns)]}})
        request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", body.encode(),
                                         {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    try:
        deadline = time.monotonic() + 60
        while True:  # until the model has loaded and answers
            try:
                if call(["tenure", "charges"]) == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("slipstream deploy serve did not answer")
            time.sleep(0.1)
        for _ in range(GOOD_REQUESTS - 1):
            call(["tenure", "charges"])
        for _ in range(BAD_REQUESTS):
            call(["nope"])
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def seed_models() -> None:
    fit_model(flip=False)
    fit_model(flip=True)
    ss.models.set_alias("churn", "champion", 1)
    ss.models.set_alias("churn", "champion", 2)
    slipstream = Path(sys.executable).with_name("slipstream")
    subprocess.run([str(slipstream), "deploy", "create", "churn-svc", "--model",
                    "models:/churn@champion", "--canary", "models:/churn/1", "--traffic", "20"],
                   check=True, capture_output=True)
    serve_traffic(slipstream)
    ss.tune(quadratic, space={"x": ss.uniform(-3.0, 3.0), "y": ss.intrange(0, 3)},
            objective="objective", goal="minimize", algorithm="random",
            max_trials=STUDY_TRIALS, name="sweep-study", seed=0)


def tiny_png() -> bytes:
    """A 2x2 RGB PNG (red, green / blue, white), written by hand: no imaging library needed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"\x00\xff\x00\x00\x00\xff\x00" + b"\x00\x00\x00\xff\xff\xff\xff"
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def seed() -> None:
    pipeline(rows=30, lr=0.5)
    pipeline(rows=30, lr=0.25)
    with contextlib.suppress(ExecutionFailedError):  # the failure is the data we want
        fragile(x=3)
    ss.set_experiment("sweep")
    for i in range(SWEEP_RUNS):
        with ss.start_run(run_name=f"trial-{i:02d}"):
            ss.log_params({"lr": 0.01 * (i + 1), "depth": 2 + i % 3})
            for step in range(20):
                ss.log_metric("loss", 1.0 / (1 + step * (i + 1)), step=step)
            ss.log_metric("acc", 0.5 + i / 40)
            ss.set_tag("family", "tree" if i % 2 else "linear")
            if i == 3:
                ss.log_dict({"accuracy": 0.575, "classes": ["stay", "churn"]}, "report.json")
                ss.log_text("Trial three.\nLearning rate 0.04.\n", "notes/readme.txt")
                png = Path("dot.png")  # the seed runs in a scratch folder
                png.write_bytes(tiny_png())
                ss.log_artifact(png, "plots")
    ss.set_experiment("curves")
    with ss.start_run(run_name="long"):
        for step in range(LONG_CURVE):
            ss.log_metric("wave", math.sin(step / 400) + (3.0 if step == 12_345 else 0.0), step=step)
    fan_out(xs=list(range(FAN_OUT)))
    frames()
    with contextlib.suppress(ExecutionFailedError):
        gated(gate=str(Path(GATE).resolve()))
    evolving_v1()
    evolving_v2()
    nested(x=1)
    reworked_v1()
    reworked_v2()
    seed_plans()
    seed_models()
    seed_monitor()


if __name__ == "__main__":
    if sys.argv[1:2] == ["wait"]:
        waiter(path=sys.argv[2])
    else:
        seed()
