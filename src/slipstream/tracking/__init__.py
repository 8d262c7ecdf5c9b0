"""Experiment tracking: runs, their metrics, params, tags and datasets, and searching them.

    client.py       `TrackingClient`: the API on an explicit `TrackingStore` (buffered writes)
    buffer.py       `LogBuffer`: per-run queues written in batches by a background thread
    fluent.py       `ss.start_run`, `ss.log_metric`, ...: per-thread active runs on a default
                    client; runs linked to workflow nodes; `end_task_run` for the engine
    system_tags.py  mlflow.user / source / git commit tags, read without a subprocess
    datasets.py     `Dataset` records for `log_input` from DataFrames and arrays
    log_calls.py    the fluent logging calls (`ss.log_param`, `ss.log_artifact`, ...)
    artifacts.py    `RunArtifacts`: a run's files through `artifacts.run_files` repositories
                    (a folder, any fsspec URL, or a server's `mlflow-artifacts:` proxy)

Autologging (`ss.autolog()`) lives in `slipstream.models.autolog`: it logs model folders.
MLflow's filter and order-by language (parser, renderer, evaluator) is `slipstream.protocol.search`,
below `metadata` so the SQL store compiles the same AST. Nothing is imported here, so importing a
tracking submodule stays light.
"""
