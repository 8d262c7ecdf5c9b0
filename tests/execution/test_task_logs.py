"""What task attempts print and log is kept per attempt: routed to the right node when tasks
run concurrently, one log per retry, bounded, on every executor, and still shown locally."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from typing import Any

import pytest

from slipstream._core.errors import ExecutionFailedError, NotFoundError
from slipstream.entities import Attempt, LogRef, Status
from slipstream.execution.task_logs import HEAD_LIMIT, TAIL_LIMIT, TaskLog
from tests.execution.conftest import local_only
from tests.execution.flows import chatty
from tests.execution.helpers import nodes_by_id, run

STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


def _talk_lines(tag: str, x: int) -> list[str]:
    return [f"out {tag} {x} begins", f"err {tag} {x}", f"WARNING tests.chatty: warn {tag} {x}",
            f"out {tag} {x} ends"]


def _unstamped(text: str) -> list[str]:
    return [re.sub(rf"^{STAMP} ", "", line) for line in text.splitlines()]


def test_prints_and_log_records_reach_the_nodes_log(client: Any, executor: str) -> None:
    outputs, execution = run(client, chatty.talk_then_quiet, executor, tag="a", x=1)
    assert outputs == 4
    text = client.node_logs(execution.id, "n0")
    assert _unstamped(text) == _talk_lines("a", 1)
    assert re.search(rf"^{STAMP} WARNING tests.chatty: warn a 1$", text, re.MULTILINE), text
    nodes = nodes_by_id(client, execution.id)
    (attempt,) = nodes["n0"].attempts
    assert attempt.log is not None and attempt.log.size == len(text.encode())
    assert attempt.log.omitted == 0
    assert client.artifacts.exists(attempt.log.digest)
    # a task that wrote nothing stores nothing
    assert [a.log for a in nodes["n1"].attempts] == [None]
    assert client.node_logs(execution.id, "n1") == ""


@local_only
def test_local_runs_still_print_to_the_terminal(client: Any,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    run(client, chatty.talk_then_quiet, "inline", tag="t", x=2)
    seen = capsys.readouterr()
    assert "out t 2 begins\nout t 2 ends\n" in seen.out
    assert "err t 2\n" in seen.err


@local_only
def test_concurrent_in_process_executions_keep_their_logs_apart(client_factory: Any) -> None:
    tags = ["a", "b", "c", "d"]
    xs = list(range(6))
    executions: dict[str, str] = {}
    errors: list[BaseException] = []

    def execute(tag: str) -> None:
        try:
            _, execution = run(client_factory(), chatty.talk_map, "inline",
                               tags=[tag] * len(xs), xs=xs)
            executions[tag] = execution.id
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=execute, args=(tag,)) for tag in tags]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and set(executions) == set(tags)
    reader = client_factory()
    for tag, execution_id in executions.items():
        for x in xs:
            assert _unstamped(reader.node_logs(execution_id, f"n0[{x}]")) == \
                _talk_lines(tag, x), (tag, x)


def test_each_attempt_of_a_retried_task_has_its_own_log(client: Any, executor: str,
                                                       scratch: str) -> None:
    outputs, execution = run(client, chatty.stumbling, executor, counter_dir=scratch)
    assert outputs == 3
    node = nodes_by_id(client, execution.id)["n0"]
    assert [(a.number, a.status) for a in node.attempts] == [
        (1, Status.FAILED), (2, Status.FAILED), (3, Status.SUCCEEDED)]
    assert len({a.log.digest for a in node.attempts if a.log}) == 3
    for number in (1, 2, 3):
        assert _unstamped(client.node_logs(execution.id, "n0", attempt=number)) == [
            f"attempt {number} starts (call {number})",
            f"INFO slipstream.task.stumble: attempt {number} logs"]
    assert client.node_logs(execution.id, "n0") == client.node_logs(execution.id, "n0", 3)


@local_only
def test_asking_for_what_is_not_there_names_it(client: Any, scratch: str) -> None:
    _, execution = run(client, chatty.stumbling, "inline", counter_dir=scratch)
    with pytest.raises(NotFoundError, match=r"has no attempt 4: it has attempts 1 to 3"):
        client.node_logs(execution.id, "n0", attempt=4)
    with pytest.raises(NotFoundError, match=r"has no node 'n9'; its nodes are n0\."):
        client.node_logs(execution.id, "n9")
    with pytest.raises(NotFoundError, match="Did you mean 'n0'"):
        client.node_logs(execution.id, "n0 ")
    with pytest.raises(NotFoundError, match="nope"):
        client.node_logs("nope", "n0")
    assert client.node_logs(execution.id[:8], "n0").startswith("attempt 3 starts")


@local_only
def test_a_timed_out_attempt_keeps_what_it_wrote(client: Any) -> None:
    """Off the main thread the task runs on a helper thread: it writes to the same log."""
    failures: list[ExecutionFailedError] = []

    def execute() -> None:
        with pytest.raises(ExecutionFailedError) as info:
            client.execute(chatty.overrunning, {"seconds": 3.0})
        failures.append(info.value)

    thread = threading.Thread(target=execute)
    thread.start()
    thread.join(30)
    (failure,) = failures
    (attempt,) = nodes_by_id(client, failure.execution_id)["n0"].attempts
    assert attempt.status is Status.TIMED_OUT
    assert client.node_logs(failure.execution_id, "n0") == "overrun starts\n"


@local_only
def test_a_chatty_task_keeps_its_first_and_last_bytes(client: Any) -> None:
    lines = 20_000  # 100 bytes each: 2 MB
    _, execution = run(client, chatty.flooding, "inline", lines=lines)
    text = client.node_logs(execution.id, "n0")
    (attempt,) = nodes_by_id(client, execution.id)["n0"].attempts
    omitted = lines * 100 - HEAD_LIMIT - TAIL_LIMIT
    assert attempt.log is not None and attempt.log.omitted == omitted
    marker = f"\n... {omitted} bytes omitted ...\n"
    head, tail = text.split(marker)
    assert len(head) == HEAD_LIMIT and len(tail) == TAIL_LIMIT
    assert attempt.log.size == len(text)
    assert head.startswith("000000000 yyy") and tail.endswith(f"{lines - 1:09d} " + "y" * 89 + "\n")


def test_the_bound_holds_for_any_mix_of_writes() -> None:
    log = TaskLog(head_limit=10, tail_limit=20)
    written = "".join(f"<{i}>" for i in range(5000))
    for i in range(5000):
        log.write(f"<{i}>")
    kept = log.close().decode()
    omitted = len(written) - 30
    assert kept == f"{written[:10]}\n... {omitted} bytes omitted ...\n{written[-20:]}"
    log.write("after close")
    assert log.close().decode() == kept
    assert TaskLog().close() == b""


def test_attempts_recorded_before_logs_existed_still_load() -> None:
    old = {"number": 1, "started_at": 1.0, "ended_at": 2.0, "status": "SUCCEEDED",
           "worker": "h:1", "error": None}
    attempt = Attempt.from_json(old)
    assert attempt.log is None and attempt.to_json() == old
    logged = Attempt(2, 1.0, 2.0, Status.FAILED, None, "h:1", LogRef("ab" * 32, 5, 3))
    assert Attempt.from_json(logged.to_json()) == logged


_PLAIN_SCRIPT = """
import logging, sys, tempfile
from pathlib import Path
from slipstream._core.settings import Settings
from slipstream.execution.api import Client
from tests.execution.flows import chatty

home = Path(tempfile.mkdtemp())
client = Client(Settings(home=home, store_url=f"sqlite:///{home}/s.db",
                         artifact_uri=str(home / "artifacts")))
result = client.execute(chatty.talk_then_quiet, {"tag": "p", "x": 5})
print("LOG", repr(client.node_logs(result.execution.id, "n0")))
logging.getLogger("outside").warning("outside any task")
"""


def test_without_logging_configured_warnings_still_reach_stderr() -> None:
    """The capture's root handler must not silence Python's last-resort handler."""
    from tests.cli.helpers import REPO

    proc = subprocess.run([sys.executable, "-c", _PLAIN_SCRIPT], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("out p 5 begins\nout p 5 ends\nLOG ")
    assert "WARNING tests.chatty: warn p 5" in proc.stdout
    assert proc.stderr.splitlines() == ["err p 5", "warn p 5", "outside any task"]
