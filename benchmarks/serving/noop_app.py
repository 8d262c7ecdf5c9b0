"""A no-op ASGI app: reads the request body, answers a fixed one-prediction JSON body.

Served by uvicorn with the HTTP settings `slipstream serve` uses (httptools, asyncio loop, no
access log), it measures the HTTP stack's own cost per request on this machine: a floor under
any server built on it (serving_group's "HTTP floor" line).
"""

from __future__ import annotations

from typing import Any

BODY = b'{"predictions": [0]}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
