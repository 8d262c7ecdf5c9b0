"""Webhook notifications: when a plan's execution ends, POST a JSON payload to the plan's
webhook URL, with a timeout per attempt and a few retries (backing off). A notification that
cannot be delivered is logged and dropped: it never fails the execution or the scheduler."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

from slipstream.metadata.schedules import Notify

log = logging.getLogger("slipstream.scheduling")
USER_AGENT = "slipstream-scheduler"


def payload(plan: Any, launch: Any, record: Any | None, error: str = "") -> dict[str, Any]:
    """What a webhook receives about a finished launch (`record` the ExecutionRecord, None
    when the execution never started)."""
    status = str(record.status) if record is not None else "FAILED"
    return {
        "event": f"execution.{status.lower()}",
        "launch_plan": plan.name,
        "workflow": {"name": plan.workflow_name, "version": plan.workflow_version},
        "execution_id": record.id if record is not None else None,
        "status": status,
        "launch": {"kind": str(launch.kind), "tick_at": launch.tick_at,
                   "reason": launch.reason},
        "started_at": getattr(record, "started_at", None),
        "ended_at": getattr(record, "ended_at", None),
        "error": error or _error_text(record),
    }


def send(notify: Notify, body: dict[str, Any], *, sleep: Any = time.sleep) -> bool:
    """POST `body` to the webhook; True once it answered 2xx, False (logged) when every
    attempt failed. 4xx answers other than 408 and 429 are not retried."""
    data = json.dumps(body, separators=(",", ":")).encode()
    delay = 0.2
    attempts = notify.retries + 1
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            notify.url, data=data, method="POST",
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=notify.timeout_seconds) as answer:
                answer.read()
            return True
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                attempts = attempt  # the receiver refused it: not worth retrying
        except (OSError, ValueError) as exc:
            problem = str(getattr(exc, "reason", exc)) or type(exc).__name__
        if attempt >= attempts:
            log.warning("could not notify %s about launch plan %s (%s after %d attempt(s))",
                        notify.url, body.get("launch_plan"), problem, attempt)
            return False
        sleep(delay)
        delay = min(delay * 2, 5.0)
    return False


def _error_text(record: Any | None) -> str:
    error = getattr(record, "error", None)
    if error is None:
        return ""
    return f"{getattr(error, 'type', '')}: {getattr(error, 'message', error)}".strip(": ")
