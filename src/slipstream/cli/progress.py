"""Live progress of an execution in the terminal: a table that updates as nodes change state
(on a TTY), or one line per finished node (in logs and CI)."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from slipstream.entities import ExecutionRecord, NodeExecutionRecord, Status
from slipstream.execution.hooks import NodeHook

STYLES = {
    Status.RUNNING: "yellow", Status.SUCCEEDED: "green", Status.FAILED: "red",
    Status.TIMED_OUT: "red", Status.SKIPPED: "dim", Status.ABORTED: "red", Status.QUEUED: "dim",
}


def status_text(status: Status, cache_status: str = "off") -> str:
    label = status.value
    if status is Status.SUCCEEDED and cache_status in ("hit", "recovered"):
        label = "CACHED" if cache_status == "hit" else "RECOVERED"
    return f"[{STYLES.get(status, 'white')}]{label}[/]"


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


class ProgressHook(NodeHook):
    """Collects node states; `live()` renders them while the execution runs."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.nodes: dict[str, NodeExecutionRecord] = {}
        self.items: dict[str, list[int]] = {}
        self.execution: ExecutionRecord | None = None
        self.lock = threading.Lock()
        self.interactive = console.is_terminal

    def on_node(self, *, record: NodeExecutionRecord) -> None:
        if record.kind == "map_item":
            with self.lock:
                counts = self.items.setdefault(record.parent_id or "", [0, 0])
                counts[0 if record.status is Status.SUCCEEDED else 1] += 1
            return
        with self.lock:
            self.nodes[record.node_id] = record
        if not self.interactive and record.status is not Status.RUNNING:
            self.console.print(f"  {record.node_id:<14} {record.name:<28} "
                               f"{status_text(record.status, record.cache_status)} "
                               f"{duration_text(record.duration)}", highlight=False)

    def on_execution(self, *, record: ExecutionRecord) -> None:
        self.execution = record

    def table(self) -> Table:
        table = Table(box=None, pad_edge=False, show_edge=False)
        for column in ("node", "task", "status", "time", ""):
            table.add_column(column)
        now = time.time()
        with self.lock:
            records = list(self.nodes.values())
            items = dict(self.items)
        for record in records:
            seconds = record.duration
            if record.status is Status.RUNNING and record.started_at:
                seconds = now - record.started_at
            note = ""
            if record.kind == "map":
                done, failed = items.get(record.node_id, [0, 0])
                total = record.detail.get("items", "?")
                note = f"{done}/{total} items" + (f", {failed} failed" if failed else "")
            elif record.attempts and len(record.attempts) > 1:
                note = f"{len(record.attempts)} attempts"
            table.add_row(record.node_id, record.name, status_text(record.status,
                                                                     record.cache_status),
                          duration_text(seconds), note)
        return table

    def live(self) -> Any:
        if not self.interactive:
            return _NoLive()
        return Live(get_renderable=self.table, console=self.console, refresh_per_second=8,
                    transient=False)


class _NoLive:
    def __enter__(self) -> _NoLive:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
