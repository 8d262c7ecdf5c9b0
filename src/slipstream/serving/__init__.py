"""Model serving: the inference server (Open Inference Protocol v2, KServe v1, MLflow's
/invocations), micro-batching, metrics, hot swap, and deployments with canary rollouts."""
