"""The Ray executor on a real two-node cluster (a head and a worker node process on this machine,
one CPU each): spreading, a large map, impossible requests, a node killed mid-run (its
interruptible tasks retried, the lost attempts recorded; a task that may not be re-run failing
by name), the tuner's link over TCP, and the cache and recovery contracts of the local
executors."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slipstream._core.errors import ExecutionFailedError
from slipstream.entities import Status
from slipstream.tuning.link import TunerLink
from tests.execution import test_caching, test_recovery
from tests.execution.conftest import local_only
from tests.execution.flows import fanout, spread
from tests.execution.helpers import nodes_by_id, run
from tests.execution.ray_cluster import Node, RayCluster, start_cluster
from tests.execution.test_fanout import _intervals, _max_concurrent

if importlib.util.find_spec("ray") is None:
    pytest.skip("needs the ray extra: pip install 'slipstream[ray]'", allow_module_level=True)

pytestmark = [pytest.mark.ray, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[RayCluster]:
    """A head and one worker node; this test process joins it as the driver (Ray is imported
    only once the cluster's token is in the environment: it reads the auth mode at import)."""
    started = time.monotonic()
    cluster = start_cluster()
    print(f"ray cluster of 2 nodes up in {time.monotonic() - started:.1f} s")
    try:
        with pytest.MonkeyPatch.context() as env:
            for name, value in cluster.auth_env.items():
                env.setenv(name, value)
            import ray

            yield cluster
            ray.shutdown()
    finally:
        cluster.stop()


def node_ids() -> set[str]:
    import ray

    return {node["NodeID"] for node in ray.nodes() if node["Alive"]}


def workers_of(client: Any, execution_id: str) -> set[str]:
    return {attempt.worker for node in client.store.list_nodes(execution_id)
            for attempt in node.attempts}


@local_only
def test_parallel_branches_run_on_both_nodes(client: Any, cluster: RayCluster) -> None:
    outputs, execution = run(client, spread.two_branches, cluster.executor, x=3, y=4,
                           seconds=1.5)
    assert outputs == 6 + 8
    assert execution.executor == cluster.executor
    nodes = nodes_by_id(client, execution.id)
    branch_workers = {nodes[n].attempts[0].worker for n in ("n0", "n1")}
    # each attempt names its Ray node; two one-CPU nodes, two overlapping one-CPU tasks
    assert {w.rsplit(" ", 1)[1] for w in branch_workers} == {n[:16] for n in node_ids()}
    assert all(" ray-node " in w for w in branch_workers)


@local_only
def test_map_over_a_thousand_items(client: Any, cluster: RayCluster) -> None:
    xs = list(range(1000))[::-1]
    outputs, execution = run(client, fanout.squares, cluster.executor, xs=xs)
    assert outputs == [x * x for x in xs]
    nodes = nodes_by_id(client, execution.id)
    items = [n for n in nodes.values() if n.kind == "map_item"]
    assert len(items) == 1000 and all(n.status is Status.SUCCEEDED for n in items)
    assert nodes["n0[999]"].inputs == {"x": 0} and nodes["n0[0]"].outputs == {"o0": 999 ** 2}


@local_only
@pytest.mark.parametrize(("concurrency", "expected_peak"), [(1, 1), (0, 2)])
def test_a_maps_concurrency_limit_holds_across_the_cluster(client: Any, cluster: RayCluster,
                                                           tmp_path: Path, concurrency: int,
                                                           expected_peak: int) -> None:
    """Six 0.25 s items: with concurrency=1 never two at once on the two 1-CPU nodes; without
    a limit both nodes work at once."""
    log_dir = tmp_path / "stamps"
    log_dir.mkdir()
    outputs, _ = run(client, fanout.capped, cluster.executor, n=6, log_dir=str(log_dir),
                     concurrency=concurrency)
    assert outputs == list(range(6))
    spans = _intervals(log_dir)
    assert len(spans) == 6 and _max_concurrent(spans) == expected_peak


@local_only
@pytest.mark.parametrize(("workflow", "asked"), [(spread.too_big, "CPU=64"),
                                                 (spread.exotic, "tpu=1")])
def test_a_request_no_node_can_satisfy_fails_fast(client: Any, cluster: RayCluster,
                                                 workflow: Any, asked: str) -> None:
    started = time.monotonic()
    with pytest.raises(ExecutionFailedError) as info:
        client.execute(workflow, {"x": 1}, executor=cluster.executor)
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert "ResourcesUnavailable" in message and "cannot run on the Ray cluster" in message
    assert asked in message and "no node of the cluster has that much" in message
    assert info.value.node_id == "n0"


def kill_when_busy(victim: Node, log: Path) -> tuple[threading.Thread, threading.Event]:
    """A thread that SIGKILLs `victim`'s raylet (the node and its workers die mid-task) as soon
    as a task has touched `log/<item>.<victim's node id>`."""
    victim_id = victim.node_id()
    killed = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.suffix == f".{victim_id}" for p in log.iterdir()):
                victim.raylet().kill()
                killed.set()
                return
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread, killed


def replace_node(cluster: RayCluster, victim: Node) -> None:
    """The cluster is whole again for the tests after this one."""
    victim.stop()
    cluster.workers.remove(victim)
    cluster.add_worker()


@local_only
def test_killing_a_node_retries_its_interruptible_tasks(client: Any, cluster: RayCluster,
                                                        scratch: str) -> None:
    victim = cluster.workers[-1]
    victim_id = victim.node_id()
    log = Path(scratch)
    killer, killed = kill_when_busy(victim, log)
    try:
        xs = list(range(12))
        outputs, execution = run(client, spread.interruptible_squares, cluster.executor,
                                 xs=xs, log_dirs=[scratch] * len(xs))
        killer.join(5)
        assert killed.is_set(), "no task ever started on the worker node"
        assert outputs == [x * x for x in xs]
        assert execution.status is Status.SUCCEEDED
        nodes = nodes_by_id(client, execution.id)
        assert all(nodes[f"n0[{i}]"].outputs == {"o0": i * i} for i in xs)
        # every item finally ran on a live node; some had started on the killed one, and their
        # records show that lost Ray attempt, naming the node, before the retry that succeeded
        finals = [nodes[f"n0[{i}]"].attempts[-1] for i in xs]
        assert all(a.status is Status.SUCCEEDED and victim_id[:16] not in a.worker
                   for a in finals)
        started_on_victim = {int(p.stem) for p in log.iterdir() if p.suffix == f".{victim_id}"}
        assert started_on_victim
        for i in started_on_victim:
            lost, *_, final = nodes[f"n0[{i}]"].attempts
            assert lost.number == 1 and final.number >= 2
            assert lost.status is Status.FAILED and lost.error is not None
            assert lost.error.type == "WorkerLost" and victim_id[:16] in lost.worker
            assert "Ray re-ran the task" in lost.error.message
    finally:
        replace_node(cluster, victim)


@local_only
def test_killing_the_node_of_a_task_that_may_not_be_rerun_fails_it(
        client: Any, cluster: RayCluster, scratch: str) -> None:
    """Not interruptible: Ray does not re-run it; the node fails at once (no hang), naming the
    lost node, and so does the execution."""
    victim = cluster.workers[-1]
    victim_id = victim.node_id()
    log = Path(scratch)
    killer, killed = kill_when_busy(victim, log)
    started = time.monotonic()
    try:
        xs = list(range(4))
        with pytest.raises(ExecutionFailedError) as info:
            client.execute(spread.fragile_squares, {"xs": xs, "log_dirs": [scratch] * len(xs)},
                           executor=cluster.executor)
        killer.join(5)
        assert killed.is_set(), "no task ever started on the worker node"
        assert time.monotonic() - started < 60
        message = str(info.value)
        assert "WorkerLost: the Ray worker or node running this task on " in message
        assert victim_id[:16] in message and "interruptible=True" in message
        (execution,) = [e for e in client.store.list_executions(limit=5)
                        if e.id == info.value.execution_id]
        assert execution.status is Status.FAILED
        nodes = nodes_by_id(client, execution.id)
        assert info.value.node_id == "n0" and nodes["n0"].status is Status.FAILED
        on_victim = {int(p.stem) for p in log.iterdir() if p.suffix == f".{victim_id}"}
        assert on_victim
        for i in on_victim:  # the item that was on the killed node, and its one Ray attempt
            item = nodes[f"n0[{i}]"]
            assert item.status is Status.FAILED and item.error is not None
            assert item.error.type == "WorkerLost" and victim_id[:16] in item.error.message
            (attempt,) = item.attempts
            assert attempt.status is Status.FAILED and victim_id[:16] in attempt.worker
    finally:
        replace_node(cluster, victim)


def test_a_second_run_hits_the_cache(client: Any, cluster: RayCluster, scratch: str) -> None:
    test_caching.test_second_execution_reuses_cached_outputs(client, cluster.executor, scratch)


@local_only
def test_recovery_reuses_finished_nodes(client_factory: Any, cluster: RayCluster,
                                        scratch: str) -> None:
    test_recovery.test_recover_after_a_failure_reuses_finished_nodes(
        client_factory, cluster.executor, scratch)


@local_only
def test_tracking_calls_in_remote_tasks_reach_the_store(client: Any, cluster: RayCluster,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import slipstream as ss
    from slipstream.tracking.fluent import default_tracking_client
    from tests.tracking.flows import logged

    # the fluent API's default client (here and in the Ray workers) reads these settings
    monkeypatch.setenv("SLIPSTREAM_STORE_URL", client.settings.store_url)
    monkeypatch.setenv("SLIPSTREAM_ARTIFACT_URI", client.settings.artifact_uri)
    _, execution = run(client, logged.fit, cluster.executor, epochs=5)
    store = default_tracking_client().store
    deadline = time.monotonic() + 30
    while True:  # a worker's tracking writes are buffered and flushed in the background
        runs = {r.info.run_name: r for r in store.list_runs_for_execution(execution.id)}
        if all(runs.get(n) and runs[n].info.status == "FINISHED" for n in ("train", "evaluate")):
            break
        assert time.monotonic() < deadline, f"the runs never ended: {runs}"
        time.sleep(0.1)
    assert runs["train"].info.node_id == "n0" and runs["evaluate"].info.node_id == "n1"
    assert len(ss.get_metric_history(runs["train"].info.run_id, "loss")) == 5
    assert runs["evaluate"].data.metric_values == {"acc": 0.5}


def test_tuning_trials_run_on_the_cluster(cluster: RayCluster) -> None:
    from slipstream.tracking.fluent import close_default_clients
    from slipstream.tuning.api import close_study_stores
    from tests.tuning import test_pruning

    try:  # one trial at a time, each a Ray task that asks the tuner's pruner over its link
        test_pruning.test_median_pruner_prunes_the_worse_curves(cluster.executor)
    finally:
        close_default_clients()
        close_study_stores()


class _Recorded(TunerLink):
    def __init__(self) -> None:
        self.reports: list[tuple[int, int, float]] = []

    def started(self, number: int, run_id: str) -> None:
        pass

    def report(self, number: int, step: int, value: float) -> bool:
        self.reports.append((number, step, value))
        return step >= 1


def test_a_trial_on_another_node_reaches_its_tuner_over_tcp(cluster: RayCluster) -> None:
    """On Ray the tuner's link listens on TCP at the address the cluster reaches this machine
    at (a Unix socket cannot be reached from another machine), and answers a Ray task on
    the worker node that knows the key; a wrong key is refused."""
    from multiprocessing import AuthenticationError

    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from slipstream.execution.ray_executor import RayExecutor
    from slipstream.tuning.link import LinkServer, link_for

    host = RayExecutor(cluster.address).callback_host()
    tuner = _Recorded()
    server = LinkServer(tuner, host)
    try:
        assert server.address[0] == host and isinstance(server.address[1], int)

        def trial(address: Any, key: bytes) -> list[bool]:
            link = link_for("not-in-this-process", address, key)
            return [link.report(7, step, step / 2) for step in range(3)]

        on_worker = NodeAffinitySchedulingStrategy(cluster.workers[-1].node_id(), soft=False)
        remote = ray.remote(trial).options(scheduling_strategy=on_worker, num_cpus=0)
        assert ray.get(remote.remote(server.address, server.key), timeout=60) == [
            False, True, True]
        assert tuner.reports == [(7, 0, 0.0), (7, 1, 0.5), (7, 2, 1.0)]

        def intruder(address: Any) -> None:
            from multiprocessing.connection import Client

            Client(address, authkey=b"a guessed key")

        with pytest.raises(AuthenticationError):
            ray.get(ray.remote(intruder).options(scheduling_strategy=on_worker, num_cpus=0)
                    .remote(server.address), timeout=60)
        # the server still serves the trials after refusing it
        assert ray.get(remote.remote(server.address, server.key), timeout=60) == [
            False, True, True]
    finally:
        server.close()


def _raylets_under(folder: str) -> list[int]:
    """Raylets whose command line names `folder` (their session lives there)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "raylet" and folder in " ".join(proc.info["cmdline"] or ()):
            found.append(proc.pid)
    return found


def test_the_cli_on_a_local_instance_chosen_by_setting(isolated_home: Path) -> None:
    """SLIPSTREAM_EXECUTOR=ray with no address: the command starts its own Ray instance (not
    the cluster of the other tests), runs on it and leaves nothing running."""
    from tests.cli.helpers import flow, slipstream

    # its own temp root (short: Ray's socket paths must fit), so only its raylet is looked
    # for afterwards, whatever other Ray instances come and go on the machine meanwhile
    ray_tmp = tempfile.mkdtemp(prefix="ray-cli-", dir="/tmp")
    result = slipstream("run", flow("typed"), "--n-rows", "3", "--weights", "[1]",
                        home=isolated_home, timeout=120,
                        env={"SLIPSTREAM_EXECUTOR": "ray", "RAY_TMPDIR": ray_tmp})
    assert result.code == 0, result.err
    assert "SUCCEEDED in " in result.out and "n_rows=3 ratio=0.5" in result.out
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client

    client = Client(Settings.load(home=isolated_home))
    try:
        (execution,) = client.store.list_executions(limit=10)
        assert execution.executor == "ray" and execution.status is Status.SUCCEEDED
        (node,) = client.store.list_nodes(execution.id)
        assert " ray-node " in node.attempts[0].worker
    finally:
        client.close()
    assert any(Path(ray_tmp).glob("ray/session_*")), "the run did not use its own Ray temp root"
    assert _raylets_under(ray_tmp) == []
    shutil.rmtree(ray_tmp, ignore_errors=True)


_CLIENT_RUN = """
import sys
from slipstream._core.settings import Settings
from slipstream.execution.api import Client
from tests.execution.flows import fanout

client = Client(Settings.load(home=sys.argv[1]))
result = client.execute(fanout.squares, {"xs": list(range(100))}, executor=sys.argv[2])
workers = {a.worker for n in client.store.list_nodes(result.execution.id) for a in n.attempts}
print(sum(client.outputs(fanout.squares, result)), result.execution.executor, sorted(workers))
"""


def test_a_run_through_the_ray_client(cluster: RayCluster, isolated_home: Path) -> None:
    """`ray://` in a process of its own (this one is connected to the cluster directly)."""
    import subprocess
    import sys

    from tests.cli.helpers import REPO

    address = f"ray://127.0.0.1:{cluster.client_port}"
    proc = subprocess.run([sys.executable, "-c", _CLIENT_RUN, str(isolated_home), address],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    total, executor, workers = proc.stdout.strip().splitlines()[-1].split(" ", 2)
    assert int(total) == sum(x * x for x in range(100)) and executor == f"ray:{address}"
    assert " ray-node " in workers


@local_only
def test_a_remote_tasks_prints_reach_its_node_log(client: Any, cluster: RayCluster) -> None:
    from tests.execution.flows import chatty

    _, execution = run(client, chatty.talk_then_quiet, cluster.executor, tag="ray", x=1)
    text = client.node_logs(execution.id, "n0")
    assert "out ray 1 begins\nerr ray 1\n" in text and text.endswith("out ray 1 ends\n")
    assert "WARNING tests.chatty: warn ray 1" in text
    (attempt,) = nodes_by_id(client, execution.id)["n0"].attempts
    assert attempt.log is not None and " ray-node " in attempt.worker
    assert attempt.worker.rsplit(" ", 1)[1] in {n[:16] for n in node_ids()}
    assert client.node_logs(execution.id, "n1") == ""
