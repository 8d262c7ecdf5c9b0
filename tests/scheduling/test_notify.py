"""Webhook notifications against a real local HTTP receiver: a JSON payload on success and on
failure, retries after errors, and a webhook that cannot be reached never failing anything."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from slipstream.metadata.schedules import LaunchStatus, Notify
from slipstream.scheduling import Scheduler, every
from slipstream.scheduling.notify import send
from slipstream.scheduling.plans import Plans
from tests.scheduling import flows
from tests.scheduling.conftest import Clock


class Receiver:
    """A loopback HTTP server recording what is POSTed; answers `fail_first` requests 500."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail_first = 0
        self.status = 200
        self.got = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.headers.append(dict(self.headers))
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    self.send_response(500)
                else:
                    receiver.bodies.append(json.loads(data))
                    self.send_response(receiver.status)
                self.end_headers()
                receiver.got.set()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/slipstream"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def no_sleep(_: float) -> None:
    return None


def test_success_and_failure_are_posted_as_json(plans: Plans, clock: Clock,
                                                receiver: Receiver) -> None:
    plans.create("ok", flows.scaled, fixed_inputs={"n": 2}, notify=receiver.url,
                 schedule=every(minutes=1))
    plans.create("boom", flows.failing, notify=Notify(receiver.url, on=("FAILED",)))
    clock.advance(60)
    [tick] = Scheduler(plans, background=False).tick()
    failed_id = plans.launch("boom", reason="try it")
    ok, failed = receiver.bodies
    [launch] = plans.launches("ok")
    assert ok == {
        "event": "execution.succeeded", "launch_plan": "ok",
        "workflow": {"name": "scaled", "version": flows.scaled.version},
        "execution_id": launch.execution_id, "status": "SUCCEEDED",
        "launch": {"kind": "schedule", "tick_at": tick.tick_at, "reason": "schedule"},
        "started_at": ok["started_at"], "ended_at": ok["ended_at"], "error": ""}
    assert ok["ended_at"] >= ok["started_at"] > 0
    assert failed["event"] == "execution.failed" and failed["execution_id"] == failed_id
    assert failed["launch"]["reason"] == "try it" and "boom at 1" in failed["error"]
    assert receiver.headers[0]["Content-Type"] == "application/json"


def test_only_the_statuses_asked_for_are_posted(plans: Plans, receiver: Receiver) -> None:
    plans.create("quiet", flows.scaled, default_inputs={"n": 1},
                 notify=Notify(receiver.url, on=("FAILED",)))
    plans.launch("quiet")
    assert receiver.bodies == []


def test_a_failing_receiver_is_retried(receiver: Receiver) -> None:
    receiver.fail_first = 2
    assert send(Notify(receiver.url, retries=3), {"launch_plan": "p"}, sleep=no_sleep)
    assert len(receiver.headers) == 3 and receiver.bodies == [{"launch_plan": "p"}]
    receiver.fail_first = 5
    assert not send(Notify(receiver.url, retries=2), {"launch_plan": "p"}, sleep=no_sleep)
    assert len(receiver.headers) == 6  # 3 more attempts, then it gave up


def test_a_refusing_receiver_is_not_retried(receiver: Receiver) -> None:
    receiver.status = 404
    assert not send(Notify(receiver.url, retries=3), {"launch_plan": "p"}, sleep=no_sleep)
    assert len(receiver.headers) == 1


def test_an_unreachable_webhook_is_logged_and_never_fails_the_execution(
        plans: Plans, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    plans.create("lonely", flows.scaled, default_inputs={"n": 1},
                 notify=Notify(url, retries=1, timeout_seconds=0.5))
    with caplog.at_level(logging.WARNING, logger="slipstream.scheduling"):
        execution_id = plans.launch("lonely")
    assert plans.client.store.get_execution(execution_id).status == "SUCCEEDED"
    [launch] = plans.launches("lonely")
    assert launch.status == LaunchStatus.SUCCEEDED
    assert f"could not notify {url} about launch plan lonely" in caplog.text
    assert "after 2 attempt(s)" in caplog.text
