"""Train the benchmark model and log it with mlflow into a local SQLite store (mlflow's venv).

    python mlflow_model.py --out RECORD.json --store DIR

`mlflow.sklearn.log_model(model, name="model", input_example=...)` in a run, the signature
inferred from the example (mlflow's defaults otherwise: it also infers the pip requirements);
the call is timed (the store's schema is created before, by `start_run`). mlflow 3 refuses
its file store unless MLFLOW_ALLOW_FILE_STORE is set, so this uses its default backend,
`sqlite:///DIR/mlflow.db`, with artifacts in DIR/mlruns. The record (see _data.write_record)
names the model URI `mlflow models serve` takes, with MLFLOW_TRACKING_URI set to the store.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import _data

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", required=True)
parser.add_argument("--store", required=True, help="folder of the store (created)")
args = parser.parse_args()

import mlflow  # noqa: E402
import mlflow.sklearn  # noqa: E402

store = Path(args.store).resolve()
store.mkdir(parents=True, exist_ok=True)
tracking_uri = f"sqlite:///{store / 'mlflow.db'}"
mlflow.set_tracking_uri(tracking_uri)
# created here, untimed, with its artifacts under DIR
mlflow.create_experiment("serving-bench", artifact_location=(store / "mlruns").as_uri())
mlflow.set_experiment("serving-bench")
model, x = _data.train()
with mlflow.start_run():
    info, seconds = _data.timed(
        lambda: mlflow.sklearn.log_model(model, name="model", input_example=x.head(5)))
_data.write_record(Path(args.out), info.model_uri, seconds, model, tracking_uri=tracking_uri,
                   flavor="mlflow.sklearn")
print(json.dumps({"tool": "mlflow", "log_model_s": round(seconds, 4), "uri": info.model_uri}))
