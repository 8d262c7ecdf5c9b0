"""The REST implementation of the metadata interfaces: the same calls against a Slipstream
server's native API (`/api/v1`), stdlib only (`http.client` + `json`).

    codec.py     entities <-> the API's JSON (also what the server serialises with)
    http.py      `JsonHttp`: keep-alive connection per thread, timeouts, errors mapped back
    tracking.py  `RestTrackingStore`: every `TrackingStore` method as one request
    logged_models.py  its `LoggedModelStore` methods (MLflow 3 logged models)
    registry.py  its `ModelRegistryStore` methods (registered models, versions, aliases)
"""
