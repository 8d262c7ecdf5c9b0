"""The Slipstream server: one FastAPI app over the stores, speaking MLflow's REST API.

    app.py                    `create_app(settings)`: stores opened once and injected, errors mapped once
    errors.py                 Slipstream errors -> MLflow's `{"error_code", "message"}` responses
    routes/mlflow_tracking.py /api/2.0/mlflow experiments, runs, metrics (parse, one store call, serialise)
    routes/mlflow_wire.py     the MLflow JSON shapes of entities, and of request bodies

FastAPI and uvicorn come with the `server` extra; nothing outside this package imports them.
"""
