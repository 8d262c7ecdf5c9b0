"""The Slipstream server: one FastAPI app over the stores, speaking MLflow's REST API and its own.

    app.py                    `create_app(settings)`: stores opened once and injected, errors mapped once
    errors.py                 Slipstream errors -> MLflow's `{"error_code", "message"}` responses
    deferred_routes.py        routes imported and built on their first request (the native API)
    routes/mlflow_tracking.py /api/2.0/mlflow runs, metrics (parse, one store call, serialise); beside
                              it mlflow_experiments, mlflow_models, mlflow_registry, mlflow_artifacts
    routes/mlflow_body.py     MLflow request bodies and query strings, read by hand
    routes/mlflow_wire.py     the MLflow JSON shapes of entities
    routes/native/            Slipstream's own API under /api/v1 (documented at /docs): tracking,
                              logged models, registry, run artifacts, workflow executions, studies

FastAPI and uvicorn come with the `server` extra; nothing outside this package imports them.
"""
