"""`TunerLink`: what a running trial tells the tuner that drives its study, wherever it runs.

The study's Optuna study (sampler state, pruner state such as successive halving's rungs)
lives in the tuner's process, so pruning decisions are made there, exactly as Optuna makes
them. A trial running in that process (the inline executor) reaches the tuner directly; a
trial in a process-pool worker reaches it over a local socket (`LinkServer`, one connection
per worker, kept open): a report is one short round trip, no store read. When trials may run
on other machines (a Ray cluster), the server listens on TCP at the address of this machine
the executor names instead; either way a connection must answer the server's HMAC challenge
with the link's random key before it is served.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from typing import Any

from slipstream._core.errors import InvalidInputError


class TunerLink(ABC):
    """One tiny interface: a trial started (its run), a trial reported a value."""

    @abstractmethod
    def started(self, number: int, run_id: str) -> None:
        """Trial `number` logs to run `run_id`."""

    @abstractmethod
    def report(self, number: int, step: int, value: float) -> bool:
        """Record trial `number`'s value at `step`; True when the pruner stops the trial."""


_local: dict[str, TunerLink] = {}  # tuners driving a study in this process, by link token
_remote: dict[Any, _RemoteLink] = {}  # connections of this (worker) process, by address
_lock = threading.Lock()


def register(token: str, link: TunerLink) -> None:
    with _lock:
        _local[token] = link


def unregister(token: str) -> None:
    with _lock:
        _local.pop(token, None)


def link_for(token: str, address: Any, key: bytes) -> TunerLink:
    """The tuner with `token`: in this process, else through its server at `address`."""
    with _lock:
        link = _local.get(token)
        if link is not None:
            return link
        if address is None:
            raise InvalidInputError("this trial runs away from its tuner, which has no link "
                                    "server (internal: the executor shares no memory)")
        remote = _remote.get(address)
        if remote is None:
            remote = _remote[address] = _RemoteLink(address, key)
        return remote


class _RemoteLink(TunerLink):
    def __init__(self, address: Any, key: bytes) -> None:
        from multiprocessing.connection import Client

        self._conn = Client(address, authkey=key)
        self._lock = threading.Lock()

    def started(self, number: int, run_id: str) -> None:
        with self._lock:
            self._conn.send(("started", number, run_id))

    def report(self, number: int, step: int, value: float) -> bool:
        with self._lock:
            self._conn.send(("report", number, step, value))
            return bool(self._conn.recv())


class LinkServer:
    """Serves a `TunerLink` to trials in other processes: on a local socket, or with `host`
    (an address of this machine the trials' workers can reach) on TCP at a free port."""

    def __init__(self, link: TunerLink, host: str | None = None) -> None:
        import os
        from multiprocessing.connection import Listener

        self.key = os.urandom(16)
        self._link = link
        if host is None:
            self._listener = Listener(authkey=self.key)
        else:
            try:
                self._listener = Listener((host, 0), "AF_INET", authkey=self.key)
            except OSError as exc:
                raise InvalidInputError(f"the tuner cannot listen for its trials on {host!r}: "
                                        f"{exc}; the address must belong to this machine") from None
        self.address = self._listener.address
        self._closed = False
        self._connections: list[Any] = []
        threading.Thread(target=self._accept, name="slipstream-tuner-link", daemon=True).start()

    def _accept(self) -> None:
        from multiprocessing import AuthenticationError

        while not self._closed:
            try:
                conn = self._listener.accept()
            except (OSError, EOFError, AuthenticationError):
                if self._closed:
                    return
                continue  # a client that failed authentication (or hung up during it)
            self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True,
                             name="slipstream-tuner-link-conn").start()

    def _serve(self, conn: Any) -> None:
        with contextlib.suppress(EOFError, OSError):
            while True:
                message = conn.recv()
                if message[0] == "report":
                    try:
                        answer = self._link.report(*message[1:])
                    except Exception:
                        answer = False  # the trial goes on; the tuner records its own error
                    conn.send(answer)
                else:
                    self._link.started(*message[1:])

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()
        for conn in self._connections:
            with contextlib.suppress(OSError):
                conn.close()
