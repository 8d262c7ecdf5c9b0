"""The Slipstream server: one FastAPI app over the stores, speaking MLflow's REST API and its own.

    app.py                    `create_app(settings)`: stores opened once and injected, errors mapped once
    errors.py                 Slipstream errors -> MLflow's `{"error_code", "message"}` responses
    routes/mlflow_tracking.py /api/2.0/mlflow experiments, runs, metrics (parse, one store call, serialise)
    routes/mlflow_wire.py     the MLflow JSON shapes of entities, and of request bodies
    routes/native/            Slipstream's own API under /api/v1 (documented at /docs): tracking,
                              logged models, run artifacts, workflow executions

FastAPI and uvicorn come with the `server` extra; nothing outside this package imports them.
"""
