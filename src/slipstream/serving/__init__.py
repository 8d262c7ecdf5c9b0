"""Model serving: the inference server (Open Inference Protocol v2, KServe v1, MLflow's
/invocations), micro-batching, metrics, hot swap, and deployments with canary rollouts.

    targets.py     ServingTarget, TargetSource, StaticTargets: what a server serves
    sink.py        PredictionRecord, VersionStats, PredictionSink: what it reports
    config.py      ServingConfig (batching, load shedding, polling, sampling)
    app.py         create_serving_app: the routes and handlers (transport-neutral)
    protocols.py   request bodies of each protocol -> Inputs; inputs.py: checked against the
                   signature; outputs.py: predictions -> each protocol's answer
    batching.py    the per-version micro-batcher (503 when full); fastpath.py: numpy for sklearn
    routing.py     Served versions, the percentage Router, the TargetWatcher (hot swap)
    metrics.py     Prometheus text; shared.py: one /metrics for all workers
    reporter.py    the sink's background thread
    http.py        the HTTP/1.1 server (httptools, asyncio): requests straight to handlers
    run.py         serve(): that server on one socket, in-process or N worker processes
    deployments.py, store_sink.py   a deployment's targets and sink on the deployment store
"""
