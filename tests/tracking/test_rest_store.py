"""The Python tracking API through a Slipstream server: SLIPSTREAM_TRACKING_URI=http://... makes
the fluent API and TrackingClient use the REST store; workflow executions stay in their store.

The server runs over SQLite and over PostgreSQL (a schema of SLIPSTREAM_TEST_POSTGRES_URL).
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import slipstream as ss
from slipstream._core.errors import InvalidInputError, StoreUnavailableError
from slipstream._core.settings import Settings
from slipstream.metadata import open_tracking_store
from slipstream.metadata.rest.tracking import RestTrackingStore
from slipstream.tracking.fluent import default_tracking_client
from tests.live_server import serve

pytest.importorskip("fastapi")


@dataclass(frozen=True)
class Stack:
    url: str
    settings: Settings


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stack(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A server (create_app, as `slipstream server` builds it) over a fresh store."""
    from slipstream.server.app import create_app
    from tests.metadata.conftest import postgres_schema

    folder: Path = tmp_path_factory.mktemp("served")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            store_url = f"sqlite:///{folder / 'server.db'}"
        else:
            store_url = stack.enter_context(postgres_schema())
        settings = Settings(home=folder, store_url=store_url,
                            artifact_uri=str(folder / "server-artifacts"))
        url = stack.enter_context(serve(create_app(settings)))
        yield Stack(url, settings)


@pytest.fixture
def remote(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The fluent API of this test tracks to the server."""
    monkeypatch.setenv("SLIPSTREAM_TRACKING_URI", stack.url)
    return stack


def _name() -> str:
    return f"exp-{uuid.uuid4().hex[:8]}"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_settings_send_tracking_to_the_server_and_keep_executions_local(remote: Stack) -> None:
    settings = Settings.load()
    assert settings.tracking_uri == remote.url == settings.tracking_store_url
    assert settings.store_url.startswith("sqlite:///") and "slipstream.db" in settings.store_url
    client = default_tracking_client()
    assert isinstance(client.store, RestTrackingStore)
    assert client.store.url == client.store.tracking_server_url == remote.url


def test_fluent_run_end_to_end(remote: Stack) -> None:
    experiment = ss.set_experiment(_name())
    with ss.start_run(run_name="lr-baseline") as run:
        ss.log_params({"C": 1.0, "penalty": "l2"})
        for step in range(100):
            ss.log_metric("loss", 1.0 / (step + 1), step=step)
        ss.log_metric("acc", 0.93)
        ss.set_tag("team", "core")
        with ss.start_run(run_name="child", nested=True) as child:
            ss.log_metric("acc", 0.5)
    with ss.start_run(run_name="other"):
        ss.log_params({"C": 2.0})
        ss.log_metric("acc", 0.8)

    # read back through the server, and straight from the server's store: the same records
    stored = open_tracking_store(remote.settings.store_url, remote.settings.artifact_uri)
    try:
        direct = stored.get_run(run.run_id)
    finally:
        stored.close()
    fetched = ss.get_run(run.run_id)
    assert fetched.info.status == direct.info.status == "FINISHED"
    assert fetched.data == direct.data and fetched.info.end_time == direct.info.end_time
    assert fetched.data.params == {"C": "1.0", "penalty": "l2"}
    assert fetched.data.tags["team"] == "core"
    assert [m.value for m in ss.get_metric_history(run.run_id, "loss")][:2] == [1.0, 0.5]
    assert ss.get_run(child.run_id).info.parent_run_id == run.run_id

    frame = ss.search_runs(experiment_names=[experiment.name],
                           filter_string="metrics.acc > 0.6 and params.C = '1.0'",
                           order_by=["metrics.acc DESC"])
    assert list(frame["run_id"]) == [run.run_id]
    assert frame.loc[0, "metrics.acc"] == 0.93 and frame.loc[0, "params.penalty"] == "l2"
    ordered = ss.search_runs(experiment_names=[experiment.name], order_by=["metrics.acc ASC"])
    assert list(ordered["metrics.acc"]) == [0.5, 0.8, 0.93]


def test_exception_in_with_block_marks_failed_and_still_flushes(remote: Stack) -> None:
    ss.set_experiment(_name())
    with pytest.raises(ZeroDivisionError), ss.start_run() as run:
        for step in range(2500):  # several log-batch requests of at most 1,000 metrics
            ss.log_metric("m", float(step), step=step)
        ss.log_params({f"p{i}": i for i in range(250)})  # at most 100 params per request
        ss.log_metric("special", float("nan"), step=0)
        ss.log_metric("special", float("inf"), step=1)
        ss.log_metric("special", float("-inf"), step=2)
        1 / 0  # noqa: B018
    got = ss.get_run(run.run_id)
    assert got.info.status == "FAILED" and got.info.end_time is not None
    assert len(got.data.params) == 250
    assert len(ss.get_metric_history(run.run_id, "m")) == 2500
    special = [m.value for m in ss.get_metric_history(run.run_id, "special")]
    assert math.isnan(special[0]) and special[1:] == [math.inf, -math.inf]


def test_bad_input_is_refused_with_the_servers_message(remote: Stack) -> None:
    ss.set_experiment(_name())
    with ss.start_run() as run:
        ss.log_param("C", "1")
        default_tracking_client().flush()
        store = default_tracking_client().store
        with pytest.raises(InvalidInputError, match="Changing param values"):
            store.log_param(run.run_id, "C", "2")
        with pytest.raises(InvalidInputError, match="Invalid metric name"):
            ss.log_metric("../up", 1.0)
        with pytest.raises(InvalidInputError, match=r"Error parsing|filter"):
            ss.search_runs(filter_string="metrics.acc >>> 1")


def test_artifacts_go_through_the_server(remote: Stack, tmp_path: Path) -> None:
    ss.set_experiment(_name())
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    with ss.start_run() as run:
        ss.log_artifact(str(source), "docs")
        ss.log_dict({"acc": 0.9}, "report.json")
    info = ss.get_run(run.run_id).info
    assert info.artifact_uri.startswith("mlflow-artifacts:/")
    # the server wrote them under its own artifact root
    experiment_id = info.experiment_id
    root = Path(remote.settings.artifact_uri) / experiment_id / run.run_id / "artifacts"
    if remote.settings.store_url.startswith("sqlite"):
        assert (root / "docs" / "notes.txt").read_text() == "hello"
    listing = _get(f"{remote.url}/api/v1/runs/{run.run_id}/artifacts")
    assert {f["path"] for f in listing["files"]} == {"docs", "report.json"}
    assert [f.path for f in ss.list_artifacts(run.run_id, "docs")] == ["docs/notes.txt"]
    local = ss.download_artifacts(run.run_id, "docs", tmp_path / "back")
    assert (Path(local) / "notes.txt").read_text() == "hello"
    with urllib.request.urlopen(f"{remote.url}/api/v1/runs/{run.run_id}/artifacts/report.json",
                                timeout=10) as response:
        assert json.loads(response.read()) == {"acc": 0.9}


def test_inputs_tags_and_run_lifecycle_through_the_server(remote: Stack) -> None:
    from slipstream.entities import Dataset
    from slipstream.tracking.fluent import delete_run

    ss.set_experiment(_name())
    dataset = Dataset("iris", "d41d8", "local", '{"uri": "/data/iris.csv"}', '{"cols": []}')
    with ss.start_run() as run:
        ss.log_input(dataset, context="training")
        ss.set_tags({"keep": "1", "drop": "2"})
        ss.delete_tag("drop")
    got = ss.get_run(run.run_id)
    (used,) = got.inputs
    assert used.dataset == dataset and used.tags == {"mlflow.data.context": "training"}
    assert got.data.tags["keep"] == "1" and "drop" not in got.data.tags
    found = ss.search_runs(filter_string="datasets.name = 'iris'", output_format="list")
    assert [r.info.run_id for r in found] == [run.run_id]  # type: ignore[union-attr]
    with ss.start_run(run_id=run.run_id):  # resumed: RUNNING again, then FINISHED
        assert ss.get_run(run.run_id).info.status == "RUNNING"
        ss.log_metric("resumed", 1.0)
    assert ss.get_run(run.run_id).data.metric_values == {"resumed": 1.0}
    delete_run(run.run_id)
    assert ss.get_run(run.run_id).info.lifecycle_stage == "deleted"
    assert ss.search_runs(output_format="list") == []


def test_task_runs_are_linked_to_executions_the_server_can_show(
        stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Executions recorded in the server's store (SLIPSTREAM_STORE_URL), runs logged through
    the server: the server shows each node with its runs."""
    from slipstream.execution.api import Client
    from tests.execution.helpers import run
    from tests.tracking.flows import logged

    monkeypatch.setenv("SLIPSTREAM_TRACKING_URI", stack.url)
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", stack.settings.store_url)
    client = Client(Settings.load())
    try:
        output, execution = run(client, logged.fit, epochs=3)
    finally:
        client.close()
    assert output == 0.5
    detail = _get(f"{stack.url}/api/v1/executions/{execution.id}")
    assert detail["execution"]["status"] == "SUCCEEDED"
    nodes = {n["node_id"]: n for n in detail["nodes"]}
    assert nodes["n0"]["attempts"][0]["status"] == "SUCCEEDED"
    runs = _get(f"{stack.url}/api/v1/executions/{execution.id}/runs")["runs"]
    by_node = {r["info"]["node_id"]: r for r in runs}
    assert set(by_node) == {"n0", "n1"}
    assert nodes["n0"]["run_ids"] == [by_node["n0"]["info"]["run_id"]]
    assert by_node["n0"]["data"]["params"] == {"epochs": "3"}
    listed = _get(f"{stack.url}/api/v1/executions?workflow={execution.workflow_name}"
                  "&status=SUCCEEDED")
    assert execution.id in [e["id"] for e in listed["executions"]]
    versions = _get(f"{stack.url}/api/v1/workflows?name={execution.workflow_name}")
    assert [w["version"] for w in versions["workflows"]] == [execution.workflow_version]
    assert versions["workflows"][0]["spec"] is None
    workflow = _get(f"{stack.url}/api/v1/workflows/{execution.workflow_name}")
    assert workflow["version"] == execution.workflow_version and workflow["spec"]


def test_unreachable_server_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(StoreUnavailableError, match=f"cannot reach the Slipstream server at "
                                                    f"{url}"):
        open_tracking_store(url)
    monkeypatch.setenv("SLIPSTREAM_TRACKING_URI", url)
    with pytest.raises(StoreUnavailableError, match="cannot reach the Slipstream server"):
        ss.start_run()


def test_a_server_that_is_not_slipstream_is_named(tmp_path: Path) -> None:
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(StoreUnavailableError, match="does not look like a Slipstream server"):
            open_tracking_store(f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_closed_keep_alive_connection_is_reopened(tmp_path: Path) -> None:
    """The server drops idle connections; the next call reconnects instead of failing."""
    import time

    from slipstream.server.app import create_app

    settings = Settings(home=tmp_path, store_url=f"sqlite:///{tmp_path / 's.db'}",
                        artifact_uri=str(tmp_path / "a"))
    with serve(create_app(settings), timeout_keep_alive=0.1) as url:
        store = RestTrackingStore(url)
        try:
            eid = store.create_experiment("idle")
            time.sleep(0.5)  # the server has closed the kept-alive connection by now
            assert store.get_experiment(eid).name == "idle"
            run = store.create_run(eid, "me", 1, "r")
            time.sleep(0.5)
            store.log_metric(run.info.run_id, "m", 1.0, 1)
            assert store.get_run(run.info.run_id).data.metric_values == {"m": 1.0}
        finally:
            store.close()


@pytest.mark.parametrize(("env", "store_url", "tracking_url"), [
    ({}, "sqlite:///{home}/slipstream.db", "sqlite:///{home}/slipstream.db"),
    ({"SLIPSTREAM_TRACKING_URI": "sqlite:///t.db"}, "sqlite:///t.db", "sqlite:///t.db"),
    ({"SLIPSTREAM_TRACKING_URI": "http://h:5000"}, "sqlite:///{home}/slipstream.db",
     "http://h:5000"),
    ({"SLIPSTREAM_TRACKING_URI": "https://h", "SLIPSTREAM_STORE_URL": "sqlite:///s.db"},
     "sqlite:///s.db", "https://h"),
    ({"SLIPSTREAM_TRACKING_URI": "sqlite:///t.db", "SLIPSTREAM_STORE_URL": "sqlite:///s.db"},
     "sqlite:///s.db", "sqlite:///t.db"),
])
def test_where_settings_send_tracking_and_executions(
        env: dict[str, str], store_url: str, tracking_url: str, isolated_home: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.load()
    assert settings.store_url == store_url.format(home=isolated_home)
    assert settings.tracking_store_url == tracking_url.format(home=isolated_home)
    # a command-line --store overrides where executions go; a server URL keeps tracking
    moved = Settings.load(store_url="sqlite:///cli.db")
    assert moved.store_url == "sqlite:///cli.db"
    if tracking_url.startswith("http") or "SLIPSTREAM_STORE_URL" in env:
        assert moved.tracking_store_url == settings.tracking_store_url
    else:
        assert moved.tracking_store_url == "sqlite:///cli.db"


def test_executions_refuse_a_server_url() -> None:
    from slipstream.metadata import open_execution_store

    with pytest.raises(InvalidInputError, match="SLIPSTREAM_STORE_URL"):
        open_execution_store("http://127.0.0.1:5000")


def test_each_thread_has_its_own_connection_and_ended_threads_release_theirs(
        stack: Stack) -> None:
    import threading

    store = RestTrackingStore(stack.url)
    try:
        def work() -> None:
            store.get_experiment("0")

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        last = threading.Thread(target=work)  # opens one, closing the ended threads' ones
        last.start()
        last.join()
        assert [t for t, _ in store._http._all] == [threading.current_thread(), last]
    finally:
        store.close()
    assert store._http._all == []


def test_a_forked_child_uses_its_own_connection(stack: Stack) -> None:
    import multiprocessing

    store = RestTrackingStore(stack.url)
    try:
        eid = store.create_experiment(_name())  # the parent's connection is open now
        context = multiprocessing.get_context("fork")
        child = context.Process(target=_log_from_child, args=(store, eid))
        child.start()
        child.join(30)
        assert child.exitcode == 0
        (run,), _ = store.search_runs([eid])
        assert run.info.run_name == "from-child" and run.data.metric_values == {"m": 1.0}
    finally:
        store.close()


def _log_from_child(store: RestTrackingStore, experiment_id: str) -> None:
    import sys

    # Hold the inherited connection object itself: comparing ids could match a new
    # connection allocated where the dropped one was.
    inherited = store._http._local.conn
    run = store.create_run(experiment_id, "me", 1, "from-child")
    store.log_metric(run.info.run_id, "m", 1.0, 1)
    sys.exit(3 if store._http._local.conn is inherited else 0)


def test_logging_calls_do_not_wait_for_the_server(stack: Stack) -> None:
    """Metrics and params queue in the client's buffer; nothing reaches the server until the
    flush, which then writes them all in batches within the server's limits."""
    from slipstream.tracking.client import TrackingClient

    client = TrackingClient(RestTrackingStore(stack.url), flush_interval=3600)
    stored = open_tracking_store(stack.settings.store_url, stack.settings.artifact_uri)
    try:
        run = client.create_run(client.create_experiment(_name()))
        rid = run.info.run_id
        for step in range(2500):
            client.log_metric(rid, "m", step * 0.5, step=step)
        client.log_params(rid, {f"p{i}": i for i in range(150)})
        client.set_tags(rid, {f"t{i}": "v" for i in range(150)})
        assert stored.get_run(rid).data.params == {}  # still queued
        client.end_run(rid)
        done = stored.get_run(rid)
        assert len(done.data.params) == 150 and done.info.status == "FINISHED"
        assert sum(k.startswith("t") for k in done.data.tags) == 150
        history, _ = stored.get_metric_history(rid, "m")
        assert [m.value for m in history] == [step * 0.5 for step in range(2500)]
    finally:
        client.close()
        stored.close()


def test_a_server_that_does_not_answer_times_out_clearly() -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(StoreUnavailableError, match=r"no answer within 0\.3 s"):
            RestTrackingStore(url, timeout=0.3)
