"""Kill the runner of `flows.crashable` with SIGKILL at a random point, recover it with
`slipstream recover`, and check what re-ran and the store's integrity.

One `kill_and_recover` is one fresh store: the runner (`slipstream run`, in a session of its
own so its process-pool workers die with it) is killed `delay` seconds after its first task
call, as `flows.calls` records them. Delays come from a seeded RNG over the duration of an
uninterrupted run (`measure`), so kills land anywhere from the first call to the end.
Shared by tests/reliability and benchmarks/reliability/crash_safety.py.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability.flows import calls, expected

FLOWS = Path(__file__).resolve().with_name("flows.py")
SLIPSTREAM = Path(sys.executable).with_name("slipstream")
REPO = Path(__file__).resolve().parents[2]
RUN_KINDS = ("task", "map_item")  # the nodes that run user code


@dataclass
class Outcome:
    """What one kill did and what recovering it re-ran."""

    executor: str
    delay: float
    state: str  # "killed" (mid-run), "finished" (before the kill), "unstarted" (no record)
    nodes: int = 0  # task and map-item nodes of the workflow
    rerun: int = 0  # of those, how many ran again in the recovery
    dead_runner_found: bool = False  # the check saw the killed execution's dead runner
    problems_after: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what went wrong (empty: survived)

    @property
    def survived(self) -> bool:
        return not self.errors and not self.problems_after


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLIPSTREAM_")}
    env["SLIPSTREAM_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH"))
                                        if p)
    env.pop("COLUMNS", None)
    return env


def _start(home: Path, folder: Path, executor: str, n: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(SLIPSTREAM), "run", f"{FLOWS}:crashable", "--n", str(n), "--folder", str(folder),
         "--executor", executor], cwd=REPO, env=_env(home), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _first_call(proc: subprocess.Popen[bytes], folder: Path, timeout: float = 60) -> float:
    """Wait for the first task call (or the runner's exit); the monotonic time it was seen."""
    deadline = time.monotonic() + timeout
    marker = folder / "calls"
    while not marker.exists() and proc.poll() is None:
        if time.monotonic() > deadline:
            raise TimeoutError("the runner made no task call within 60 s")
        time.sleep(0.001)
    return time.monotonic()


def measure(root: Path, executor: str, n: int) -> float:
    """Seconds from an uninterrupted run's first task call to its last (plus a few ms, for
    the final recording): the span kills are drawn from."""
    home, folder = root / "home", root / "folder"
    folder.mkdir(parents=True)
    proc = _start(home, folder, executor, n)
    seen = _first_call(proc, folder)
    last = seen
    while proc.poll() is None and "join" not in calls(str(folder)):
        time.sleep(0.001)
        last = time.monotonic()
    _, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"the uninterrupted run failed: {err.decode(errors='replace')}")
    return last - seen + 0.01


def delays(seed: int, count: int, duration: float) -> list[float]:
    """`count` kill points in [0, duration), from a seeded RNG."""
    rng = random.Random(seed)
    return [rng.uniform(0, duration) for _ in range(count)]


def kill_and_recover(root: Path, executor: str, n: int, delay: float) -> Outcome:
    """Run, SIGKILL the runner `delay` s after its first call, check, recover, check."""
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client
    from slipstream.execution.integrity import check_store

    home, folder = root / "home", root / "folder"
    folder.mkdir(parents=True)
    proc = _start(home, folder, executor, n)
    seen = _first_call(proc, folder)
    time.sleep(max(0.0, seen + delay - time.monotonic()))
    with contextlib.suppress(ProcessLookupError):  # it may have finished already
        os.killpg(proc.pid, signal.SIGKILL)  # the runner and any pool workers
    proc.communicate(timeout=30)
    killed_calls = len(calls(str(folder)))
    outcome = Outcome(executor, delay, "killed")
    client = Client(Settings.load(home=home))
    try:
        executions = client.store.list_executions()
        if not executions:
            outcome.state = "unstarted"
            return outcome
        [old] = executions
        if old.status.value == "SUCCEEDED":
            outcome.state = "finished"
            outcome.problems_after = [str(p) for p in check_store(client.store, client.artifacts
                                                                  ).problems]
            return outcome
        before = check_store(client.store, client.artifacts)
        outcome.dead_runner_found = any(p.kind == "dead-runner" and p.execution_id == old.id
                                        for p in before.problems)
        if not outcome.dead_runner_found:
            outcome.errors.append(f"the check missed the dead runner: {before.problems}")
        durable = {node.node_id for node in client.store.list_nodes(old.id)
                   if node.status.value == "SUCCEEDED"}
        recovered = subprocess.run([str(SLIPSTREAM), "recover", old.id], cwd=REPO,
                                   env=_env(home), capture_output=True, text=True, timeout=120)
        if recovered.returncode != 0:
            outcome.errors.append(f"recover exited {recovered.returncode}: {recovered.stderr}")
            return outcome
        _compare(client, old.id, durable, calls(str(folder))[killed_calls:], n, outcome)
        outcome.problems_after = [str(p) for p in check_store(client.store, client.artifacts
                                                              ).problems]
        return outcome
    finally:
        client.close()


def _compare(client: object, old_id: str, durable: set[str], later_calls: list[str], n: int,
             outcome: Outcome) -> None:
    """The recovery reused exactly the nodes that were durable, ran the others, and the calls
    made after the kill are exactly the attempts it recorded."""
    store = client.store  # type: ignore[attr-defined]
    [new] = [e for e in store.list_executions() if e.recovered_from == old_id]
    if new.status.value != "SUCCEEDED" or new.outputs != {"o0": expected(n)}:
        outcome.errors.append(f"recovery ended {new.status} with {new.outputs}")
    ran: Counter[str] = Counter()
    nodes = [node for node in store.list_nodes(new.id) if node.kind in RUN_KINDS]
    for node in nodes:
        reused = node.cache_status == "recovered"
        if reused != (node.node_id in durable):
            outcome.errors.append(f"node {node.node_id} ({node.name}) was "
                                  f"{'reused' if reused else 're-run'} but was "
                                  f"{'' if node.node_id in durable else 'not '}durable")
        if node.cache_status in ("off", "miss"):
            ran[node.name] += len(node.attempts)
    outcome.nodes, outcome.rerun = len(nodes), sum(n.cache_status != "recovered" for n in nodes)
    if Counter(later_calls) != ran:
        outcome.errors.append(f"calls after the kill {dict(Counter(later_calls))} differ from "
                              f"the attempts recovery recorded {dict(ran)}")
