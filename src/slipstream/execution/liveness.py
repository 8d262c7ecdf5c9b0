"""Is the process that runs an execution still alive? The runner's identity is recorded on the
execution: `host` and `pid`, and its start (`created_at`); a live process with that pid that
started after the execution was created is another process that reused the pid, so the
runner is dead.

`runner_state(record)` is "alive", "dead" or "unknown" (recorded on another host: only that
host can tell). `mark_runner_lost` records a dead runner's execution ABORTED and its RUNNING
nodes and attempts FAILED with error type `RunnerLost`, so they are not left RUNNING forever.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from typing import Literal

from slipstream._core.ids import hostname, now
from slipstream.entities import (
    TERMINAL_STATUSES,
    ErrorInfo,
    ExecutionRecord,
    NodeExecutionRecord,
    Status,
)
from slipstream.metadata import ExecutionStore

RunnerState = Literal["alive", "dead", "unknown"]

#: A pid's process must have started at most this long after the execution was created to be
#: its runner (/proc start times are rounded to clock ticks, boot time to whole seconds).
START_SLACK = 2.0


def runner_state(record: ExecutionRecord) -> RunnerState:
    """Whether the runner that recorded `record` still runs; "unknown" on another host."""
    if record.host != hostname():
        return "unknown"
    if not record.pid:
        return "dead"
    if record.pid == os.getpid():
        return "alive"
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return "dead"
    except PermissionError:
        pass
    state, started = _proc_stat(record.pid)
    if state in ("Z", "X"):
        return "dead"  # killed, not yet reaped by its parent
    if started is not None and started > record.created_at + START_SLACK:
        return "dead"  # the pid was reused by a newer process
    return "alive"


def process_start_time(pid: int) -> float | None:
    """When process `pid` started (epoch seconds), from /proc; None where /proc is missing."""
    return _proc_stat(pid)[1]


def _proc_stat(pid: int) -> tuple[str, float | None]:
    """Process `pid`'s state letter (R, S, Z...) and start time, from /proc ("", None
    where /proc is missing)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
        with open("/proc/stat", "rb") as f:
            boot = next(float(line.split()[1]) for line in f.read().decode().splitlines()
                        if line.startswith("btime "))
    except (OSError, StopIteration, ValueError, IndexError):
        return "", None
    fields = stat[stat.rfind(")") + 2:].split()  # after "pid (comm) "; comm may hold spaces
    try:  # fields 3 (state) and 22 (starttime, in clock ticks after boot) of proc(5)
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError):
        return "", None


def runner_lost_error(record: ExecutionRecord) -> ErrorInfo:
    return ErrorInfo("system", "RunnerLost",
                     f"the runner (pid {record.pid} on {record.host}) stopped without finishing")


def lost_nodes(record: ExecutionRecord, nodes: Iterable[NodeExecutionRecord]
               ) -> list[NodeExecutionRecord]:
    """The nodes of a dead runner's execution to rewrite: those not finished, FAILED, and any
    attempt left RUNNING (also in finished nodes), FAILED, all with a RunnerLost error."""
    error = runner_lost_error(record)
    ended = now()
    changed = []
    for node in nodes:
        attempts = tuple(dataclasses.replace(a, status=Status.FAILED, ended_at=ended, error=error)
                         if a.status not in TERMINAL_STATUSES else a for a in node.attempts)
        if node.status not in TERMINAL_STATUSES:
            changed.append(dataclasses.replace(node, status=Status.FAILED, ended_at=ended,
                                               error=error, attempts=attempts))
        elif attempts != node.attempts:
            changed.append(dataclasses.replace(node, attempts=attempts))
    return changed


def mark_runner_lost(store: ExecutionStore, record: ExecutionRecord) -> ExecutionRecord:
    """Record a dead runner's execution ABORTED and what it left running FAILED (one
    transaction); the execution as now recorded."""
    error = runner_lost_error(record)
    aborted = dataclasses.replace(record, status=Status.ABORTED, ended_at=now(), error=error)
    store.record(executions=[aborted], nodes=lost_nodes(record, store.list_nodes(record.id)))
    return aborted
