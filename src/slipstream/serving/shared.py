"""Metrics across worker processes: with `--workers N` each worker writes a snapshot of its
metrics to a folder the server creates (`<pid>.json`, replaced atomically, about once a second
and at exit), and the worker that answers /metrics adds the others' snapshots to its own live
numbers (as prometheus_client's multiprocess mode does), so the other workers' part is at most
about PUBLISH_INTERVAL_S old. Snapshots of workers that are gone are deleted when read (their
counts leave the totals)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from slipstream.serving.metrics import Metrics

log = logging.getLogger("slipstream.serving")

#: Seconds between a worker's snapshots.
PUBLISH_INTERVAL_S = 0.5


class SharedMetrics:
    """One worker's view of the server's metrics folder."""

    def __init__(self, folder: str | Path, metrics: Metrics, pid: int | None = None) -> None:
        self.folder = Path(folder)
        self.metrics = metrics
        self.pid = pid or os.getpid()
        self._path = self.folder / f"{self.pid}.json"
        self._seen: set[int] = set()  # pids of other workers whose snapshots were found

    def publish(self) -> None:
        """Write this worker's snapshot (atomically: readers never see half a file)."""
        data = json.dumps({"pid": self.pid, "metrics": self.metrics.snapshot()})
        partial = self._path.with_suffix(".tmp")
        try:
            partial.write_text(data)
            os.replace(partial, self._path)
        except OSError as exc:  # the folder went away (the server is stopping)
            log.debug("could not write the metrics snapshot: %s", exc)

    def others(self) -> list[dict[str, list[Any]]]:
        """The snapshots of the other live workers (those of dead ones are deleted). Workers
        seen before are read by name too: a directory listing may miss a file being replaced."""
        for path in self.folder.glob("*.json"):
            if path.stem.isdigit():
                self._seen.add(int(path.stem))
        self._seen.discard(self.pid)
        out = []
        for pid in sorted(self._seen):
            path = self.folder / f"{pid}.json"
            if not _alive(pid):
                path.unlink(missing_ok=True)
                self._seen.discard(pid)
                continue
            for _ in range(3):  # a read between unlink and rename of a replace: try again
                try:
                    out.append(json.loads(path.read_text())["metrics"])
                    break
                except (OSError, ValueError, KeyError):
                    continue
        return out

    def render(self) -> str:
        """/metrics for the whole server: this worker's live numbers plus the others'."""
        return self.metrics.render(self.others())

    def close(self) -> None:
        """Remove this worker's snapshot."""
        self._path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
