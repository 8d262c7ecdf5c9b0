"""Start an execution in a process of its own, for callers that must not import or run
workflow code (the server's recover, re-run, launch and run-now).

The parent, `spawn(settings, module, request, what=...)`, runs `python -m MODULE ANNOUNCE_FILE
REQUEST_JSON` in a new session (stopping the parent does not stop it) with the settings in its
SLIPSTREAM_* environment, in the parent's working folder (so a module importable there loads),
and waits until the child writes the new execution's id to ANNOUNCE_FILE, or `error: <message>`
when it cannot start (unknown input, nothing to recover, code that does not load): that is an
InvalidInputError in the parent. The child's output goes to `<home>/launches/<id>.log`.

The child, MODULE's `__main__`, calls `serve(sys.argv[1:], start)`: `start(request, say)`
starts the execution and either calls `say(execution_id)` as soon as it has started (e.g.
through `Announce`, a node hook) or returns the id; `serve` announces it and reports errors
raised before that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings
from slipstream.execution.hooks import NodeHook

#: How long the parent waits for the child to start the execution (imports of user code).
START_TIMEOUT = 60.0
_ENV = {"home": "SLIPSTREAM_HOME", "store_url": "SLIPSTREAM_STORE_URL",
        "artifact_uri": "SLIPSTREAM_ARTIFACT_URI", "tracking_uri": "SLIPSTREAM_TRACKING_URI",
        "executor": "SLIPSTREAM_EXECUTOR"}

Say = Callable[[str], None]


def settings_env(settings: Settings) -> dict[str, str]:
    """This process's environment with `settings` in SLIPSTREAM_* variables, for a child."""
    return {**os.environ, **{var: str(getattr(settings, field)) for field, var in _ENV.items()
                             if getattr(settings, field, None)}}


def spawn(settings: Settings, module: str, request: Mapping[str, Any], *, what: str,
          timeout: float = START_TIMEOUT) -> str:
    """Run `module` on `request` (JSON) in a child process; the new execution's id once it
    has started. `what` names the action in errors ("the recover of 1a2b...")."""
    folder = Path(settings.home) / "launches"
    folder.mkdir(parents=True, exist_ok=True)
    announce = folder / f"{uuid.uuid4().hex}.start"
    log = folder / f"{announce.stem}.log"
    args = [sys.executable, "-m", module, str(announce), json.dumps(dict(request))]
    with log.open("wb") as out:
        child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, env=settings_env(settings),
                                 start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        said = announce.read_text() if announce.exists() else ""
        if said.endswith("\n"):
            announce.unlink()
            said = said.strip()
            if said.startswith("error: "):
                log.unlink(missing_ok=True)
                raise InvalidInputError(said.removeprefix("error: "))
            log.rename(folder / f"{said}.log")
            return said
        if child.poll() is not None and not announce.exists():
            tail = log.read_text(errors="replace")[-2000:]
            log.unlink(missing_ok=True)
            raise InvalidInputError(f"{what} stopped before it started (exit "
                                    f"{child.returncode}): {tail}")
        time.sleep(0.02)
    raise InvalidInputError(f"{what} did not start within {timeout:.0f} s; see {log}")


def serve(argv: Sequence[str], start: Callable[[dict[str, Any], Say], str | None]) -> int:
    """The child's side: `argv` is ANNOUNCE_FILE REQUEST_JSON; run `start(request, say)` and
    announce the execution it started (its exit status: 0, or 1 when it could not start)."""
    from slipstream._core.errors import UserError

    announce, request = Path(argv[0]), json.loads(argv[1])
    told = False

    def say(text: str) -> None:
        nonlocal told
        if not told:  # once: later errors are the execution's own, recorded with it
            told = True
            announce.write_text(text + "\n")

    try:
        started = start(request, say)
    except UserError as exc:
        say(f"error: {exc}")
        return 1
    except Exception as exc:
        say(f"error: {type(exc).__name__}: {exc}")
        raise
    if started is None and not told:
        say("error: the execution could not start")
        return 1
    if started is not None:
        say(started)
    return 0


class Announce(NodeHook):
    """A node hook that says the execution's id as soon as the execution or a node starts."""

    def __init__(self, say: Say) -> None:
        self.say = say

    def on_node(self, *, record: Any) -> None:
        self.say(record.execution_id)

    def on_execution(self, *, record: Any) -> None:
        self.say(record.id)
