"""The tuner link's server: a Unix socket for workers on this machine, TCP at a given address
for workers on other machines (the Ray test runs one from a Ray worker node); either way only
a client with the key is served."""

from __future__ import annotations

import re
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client

import pytest

from slipstream._core.errors import InvalidInputError
from slipstream.tuning.link import LinkServer, TunerLink, link_for


class Recorded(TunerLink):
    def __init__(self) -> None:
        self.started_runs: list[tuple[int, str]] = []
        self.reports: list[tuple[int, int, float]] = []

    def started(self, number: int, run_id: str) -> None:
        self.started_runs.append((number, run_id))

    def report(self, number: int, step: int, value: float) -> bool:
        self.reports.append((number, step, value))
        return value > 1.0


@pytest.mark.parametrize("host", [None, "127.0.0.1"])
def test_a_trial_reports_over_the_link(host: str | None) -> None:
    tuner = Recorded()
    server = LinkServer(tuner, host)
    try:
        if host is None:
            assert isinstance(server.address, str)  # a Unix socket's path
        else:
            assert server.address[0] == host and server.address[1] > 0
        link = link_for("a tuner in another process", server.address, server.key)
        link.started(3, "run-3")
        assert [link.report(3, step, step * 0.75) for step in range(3)] == [False, False, True]
        assert tuner.started_runs == [(3, "run-3")]
        assert tuner.reports == [(3, 0, 0.0), (3, 1, 0.75), (3, 2, 1.5)]
    finally:
        server.close()


def test_a_client_without_the_key_is_refused_and_the_link_keeps_serving() -> None:
    tuner = Recorded()
    server = LinkServer(tuner, "127.0.0.1")
    try:
        with pytest.raises(AuthenticationError):
            Client(server.address, authkey=b"a guessed key")
        assert link_for("elsewhere", server.address, server.key).report(1, 0, 2.0) is True
    finally:
        server.close()


def test_an_address_of_another_machine_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match=re.escape("cannot listen for its trials on "
                                                          "'203.0.113.250'")):
        LinkServer(Recorded(), "203.0.113.250")  # TEST-NET-3: no interface of this machine
