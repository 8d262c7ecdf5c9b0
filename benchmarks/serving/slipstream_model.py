"""The benchmark model on Slipstream's side (Slipstream's venv).

    python slipstream_model.py log --out RECORD.json
    python slipstream_model.py predict --uri URI --sizes 1,16,17 [--budget-s 0.4]

log: train the model (_data.train) and time `slipstream.models.log_model(model, name="model",
input_example=...)` in a run (`ss.start_run()`, untimed, so the store exists first), the
signature inferred from the example, into the default store under SLIPSTREAM_HOME (the group
serves the model from the same home). predict: `slipstream.models.load_pyfunc(uri)`, then for
each batch size the time per call of `.predict(DataFrame of that many rows)` called back to back
for --budget-s in this process (what a user calls in-process), wall and CPU; and the native
sklearn `predict` on the same rows as a 2-D numpy array, its feature-name warning silenced (the
floor: what the server's numpy path for sklearn pays per batch).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import _data


def log(out: Path) -> None:
    import slipstream as ss
    import slipstream.models

    model, x = _data.train()
    ss.set_experiment("serving-bench")
    with ss.start_run():
        info, seconds = _data.timed(
            lambda: slipstream.models.log_model(model, name="model", input_example=x.head(5)))
    _data.write_record(out, info.model_uri, seconds, model, flavor="slipstream sklearn")
    print(json.dumps({"tool": "slipstream", "log_model_s": round(seconds, 4),
                      "uri": info.model_uri}))


def per_call(call: Any, budget_s: float, at_most: int = 20_000) -> tuple[float, float]:
    """(wall seconds, CPU seconds) per `call()`, called back to back for about budget_s after
    a few untimed calls: a throughput, so time the process lost to others on the machine
    counts, as it does for a server measured over a window."""
    for _ in range(5):
        call()
    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    end = t0 + budget_s
    while n < 15 or (time.perf_counter() < end and n < at_most):
        call()
        n += 1
    return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n


def predict(uri: str, sizes: list[int], budget_s: float) -> None:
    import slipstream.models

    warnings.simplefilter("ignore", UserWarning)  # "X does not have valid feature names"
    pyfunc = slipstream.models.load_pyfunc(uri)
    native = pyfunc.raw
    rows, _ = _data.queries()
    big = _data.frame(max(sizes), 4)
    per_size = {}
    for size in sizes:
        batch = big.head(size) if size > len(rows) else rows.head(size)
        wall, cpu = per_call(lambda b=batch: pyfunc.predict(b), budget_s)
        matrix = batch.to_numpy()
        native_wall, _ = per_call(lambda m=matrix: native.predict(m), budget_s)
        per_size[str(size)] = {"pyfunc_s": wall, "pyfunc_cpu_s": cpu, "native_s": native_wall}
    print(json.dumps({"tool": "slipstream", "bench": "inprocess", "sizes": per_size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["log", "predict"])
    parser.add_argument("--out")
    parser.add_argument("--uri")
    parser.add_argument("--sizes", default="1")
    parser.add_argument("--budget-s", type=float, default=1.0)
    args = parser.parse_args()
    if args.what == "log":
        log(Path(args.out))
    else:
        predict(args.uri, [int(s) for s in args.sizes.split(",")], args.budget_s)


if __name__ == "__main__":
    main()
