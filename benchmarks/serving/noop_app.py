"""A no-op handler on Slipstream's HTTP layer: answers every request (its body read) with a fixed
one-prediction JSON body.

    python noop_app.py --port P

Served by `slipstream.serving.http.HttpServer` on a socket from `serving.run.bind`, on the event
loop `slipstream serve` uses, it measures the HTTP stack's own cost per
request on this machine: a floor under the server built on it (serving_group's "HTTP floor").
"""

from __future__ import annotations

import argparse
import signal

from slipstream.serving.http import HttpServer, Request, Response, new_event_loop
from slipstream.serving.run import bind

ANSWER = Response(200, b'{"predictions": [0]}')


def handle(request: Request) -> Response:
    return ANSWER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    loop = new_event_loop()
    server = HttpServer(handle, max_body_bytes=64 * 1024 * 1024)
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, server.shutdown)
    loop.run_until_complete(server.serve(bind(args.host, args.port)))


if __name__ == "__main__":
    main()
