"""A canary rollout end to end through the real console script: two versions of a scikit-learn
model logged and registered through `ss.models`, `deploy create` with the canary at 10%,
`deploy serve` on a loopback port, 2,000 requests split within 3 points of 10%; `deploy traffic`
to 50 while it runs and the split follows; `deploy rollback` and every request goes to the
primary; no request fails throughout; every request logged (sample rate 1.0) and counted per
version in `deploy show`. Then on two worker processes: `deploy promote` and the rollback of
that promote, followed by both."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slipstream.metadata.factory import open_deployment_store
from tests.cli.helpers import SLIPSTREAM, slipstream

COLUMNS = ["tenure", "charges"]


def _register_versions() -> None:
    """churn/1 and churn/2: logistic regressions fitted on different data, logged from a run
    and registered (one through log_model's registered_model_name, one through
    register_model) in the default stores under SLIPSTREAM_HOME."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import slipstream as ss
    from tests.models.conftest import close_default_clients

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 2)), columns=COLUMNS)
    try:
        with ss.start_run():
            first = ss.models.log_model(
                LogisticRegression().fit(frame, (frame["tenure"] > 0).astype(int)),
                input_example=frame.head(3), registered_model_name="churn")
            second = ss.models.log_model(
                LogisticRegression().fit(frame, (frame["tenure"] < 0).astype(int)),
                input_example=frame.head(3))
        assert first.registered_model_version == 1
        assert ss.models.register_model(second.model_uri, "churn").version == 2
    finally:
        close_default_clients()


class Server:
    """`slipstream deploy serve NAME` in a subprocess on a free loopback port."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "SLIPSTREAM_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([str(SLIPSTREAM), "deploy", "serve", *args, "--port", "0"],
                                     cwd=home, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        seen: list[str] = []
        found = None
        while found is None:  # blocks until ready (or the process ends)
            line = self.proc.stdout.readline()
            if not line:
                pytest.fail(f"deploy serve did not start: {seen!r}\n{self.stop()}")
            seen.append(line)
            found = re.search(r"^Serving deployment .* on http://127\.0\.0\.1:(\d+)$",
                              line.strip())
        self.banner = line
        self.conn = http.client.HTTPConnection("127.0.0.1", int(found.group(1)), timeout=30)
        self.statuses: Counter[int] = Counter()

    def predict(self, n: int) -> tuple[str, str]:
        """One single-row request to /invocations: (X-Slipstream-Target, X-Model-Version)."""
        body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": [[n % 7 - 3, 0.5]]}})
        self.conn.request("POST", "/invocations", body,
                          {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        payload = response.read()
        self.statuses[response.status] += 1
        assert response.status == 200, payload
        assert len(json.loads(payload)["predictions"]) == 1
        return response.getheader("X-Slipstream-Target", ""), response.getheader(
            "X-Model-Version", "")

    def split(self, count: int) -> Counter[tuple[str, str]]:
        return Counter(self.predict(n) for n in range(count))

    def fresh_split(self, count: int) -> Counter[tuple[str, str]]:
        """`split` over a new connection (with several workers, maybe another one)."""
        self.conn.close()
        return self.split(count)

    def settle(self, expected: tuple[str, str], deadline_s: float = 60.0) -> None:
        """Send batches of 20 requests, each on a new connection, until five in a row are all
        answered by `expected` (every worker picked the change up); each has to succeed."""
        deadline, in_a_row = time.monotonic() + deadline_s, 0
        while in_a_row < 5:
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not settle on {expected} within {deadline_s} s")
            in_a_row = in_a_row + 1 if set(self.fresh_split(20)) == {expected} else 0

    def wait_for(self, canary_at_least: int, canary_at_most: int,
                 deadline_s: float = 60.0) -> None:
        """Send batches of 20 requests until one has this many canary answers (the server
        picks changes up within its poll interval); every request still has to succeed."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            canary = sum(label == "canary" for label, _ in self.split(20).elements())
            if canary_at_least <= canary <= canary_at_most:
                return
        pytest.fail(f"the server did not follow the deployment within {deadline_s} s")

    def stop(self) -> str:
        """SIGINT, as Ctrl-C: the server flushes its last report and exits."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


@pytest.fixture
def served(isolated_home: Path) -> Iterator[Server]:
    _register_versions()
    created = slipstream("deploy", "create", "churn", "--model", "models:/churn/1",
                         "--canary", "models:/churn/2", "--traffic", "10", home=isolated_home)
    assert created.code == 0, created.err
    server = Server(isolated_home, "churn", "--sample-rate", "1.0", "--poll-interval", "0.2")
    try:
        yield server
    finally:
        server.stop()


def _share(split: Counter[tuple[str, str]], label: str) -> float:
    return 100.0 * sum(n for (lab, _), n in split.items() if lab == label) / sum(
        split.values())


def test_canary_rollout_while_serving(served: Server, isolated_home: Path) -> None:
    assert "Serving deployment churn (revision 1: primary models:/churn/1 90%, canary " \
           "models:/churn/2 10%)" in served.banner
    first = served.split(2000)
    assert set(first) == {("primary", "churn/1"), ("canary", "churn/2")}
    assert abs(_share(first, "canary") - 10.0) <= 3.0, first

    moved = slipstream("deploy", "traffic", "churn", "--canary", "50", home=isolated_home)
    assert moved.code == 0, moved.err
    served.wait_for(canary_at_least=7, canary_at_most=13)
    second = served.split(2000)
    assert abs(_share(second, "canary") - 50.0) <= 3.0, second

    rolled = slipstream("deploy", "rollback", "churn", home=isolated_home)
    assert rolled.code == 0, rolled.err
    served.wait_for(canary_at_least=0, canary_at_most=0)
    third = served.split(2000)
    assert third == Counter({("primary", "churn/1"): 2000})

    total = sum(served.statuses.values())
    assert served.statuses == Counter({200: total})  # no request failed throughout
    served.stop()

    store = open_deployment_store(f"sqlite:///{isolated_home / 'slipstream.db'}")
    try:
        logged = store.search_predictions("churn", limit=10_000)
        stats = {(s.label, s.model_version): s for s in store.get_version_stats("churn")}
    finally:
        store.close()  # type: ignore[attr-defined]
    assert len(logged) == total  # sample rate 1.0: every request
    assert {r.status for r in logged} == {200}
    sample: Any = logged[0]
    assert (sample.label, sample.model_version) == ("primary", "churn/1")
    assert sample.inputs == {"tenure": [sample.inputs["tenure"][0]], "charges": [0.5]}
    assert len(sample.outputs) == 1
    assert sum(s.requests for s in stats.values()) == total
    assert sum(s.errors for s in stats.values()) == 0
    canary_answers = first[("canary", "churn/2")] + second[("canary", "churn/2")]
    assert stats[("canary", "churn/2")].requests >= canary_answers

    shown = slipstream("deploy", "show", "churn", home=isolated_home)
    assert shown.code == 0, shown.err
    primary = stats[("primary", "churn/1")]
    assert re.search(rf"^ *primary +churn/1 +{primary.requests} +0 +0\.00% +[\d.]+ +[\d.]+ *$",
                     shown.out, re.MULTILINE), shown.out
    assert re.search(r"^ *3 +[\d\- :]+ +ROLLED_BACK ", shown.out, re.MULTILINE), shown.out


def test_promote_and_its_rollback_on_two_workers(isolated_home: Path) -> None:
    _register_versions()
    created = slipstream("deploy", "create", "churn", "--model", "models:/churn/1",
                         "--canary", "models:/churn/2", "--traffic", "10", home=isolated_home)
    assert created.code == 0, created.err
    server = Server(isolated_home, "churn", "--workers", "2", "--poll-interval", "0.2")
    try:
        assert set(server.fresh_split(100)) == {("primary", "churn/1"), ("canary", "churn/2")}
        promoted = slipstream("deploy", "promote", "churn", home=isolated_home)
        assert promoted.code == 0, promoted.err
        server.settle(("primary", "churn/2"))
        assert sum((server.fresh_split(50) for _ in range(4)), Counter()) == Counter(
            {("primary", "churn/2"): 200})
        rolled = slipstream("deploy", "rollback", "churn", home=isolated_home)  # the promote
        assert rolled.code == 0 and "primary models:/churn/1 100%" in rolled.out, rolled.err
        server.settle(("primary", "churn/1"))
        assert sum((server.fresh_split(50) for _ in range(4)), Counter()) == Counter(
            {("primary", "churn/1"): 200})
    finally:
        server.stop()
    total = sum(server.statuses.values())
    assert server.statuses == Counter({200: total})
    store = open_deployment_store(f"sqlite:///{isolated_home / 'slipstream.db'}")
    try:
        counted = sum(s.requests for s in store.get_version_stats("churn"))
    finally:
        store.close()  # type: ignore[attr-defined]
    assert counted == total  # both workers' statistics, every request
