"""A launch in a process of its own, for callers that must not import workflow code (the
server's run-now): `spawn(settings, plan, inputs, reason)` starts `python -m
slipstream.scheduling.child PLAN ANNOUNCE_FILE INPUTS_JSON REASON` in a new session with the
settings in its environment and waits until the child writes the execution id to
ANNOUNCE_FILE (or `error: <message>` when the launch is refused: a fixed or unknown input, a
workflow whose code moved on). The child then runs the execution to its end, recording the
launch and notifying as any launch does; its output goes to `<home>/launches/<id>.log`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError
from slipstream._core.settings import Settings

START_TIMEOUT = 60.0
_ENV = {"home": "SLIPSTREAM_HOME", "store_url": "SLIPSTREAM_STORE_URL",
        "artifact_uri": "SLIPSTREAM_ARTIFACT_URI", "tracking_uri": "SLIPSTREAM_TRACKING_URI",
        "executor": "SLIPSTREAM_EXECUTOR"}


def spawn(settings: Settings, plan: str, inputs: dict[str, Any] | None = None,
          reason: str = "run now", timeout: float = START_TIMEOUT) -> str:
    """Launch `plan` in a child process; the execution's id once it has started."""
    folder = Path(settings.home) / "launches"
    folder.mkdir(parents=True, exist_ok=True)
    announce = folder / f"{uuid.uuid4().hex}.start"
    log = folder / f"{announce.stem}.log"
    env = settings_env(settings)
    args = [sys.executable, "-m", "slipstream.scheduling.child", plan, str(announce),
            json.dumps(inputs or {}), reason]
    with log.open("wb") as out:
        child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, env=env, start_new_session=True)
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
            raise InvalidInputError(f"the launch of plan {plan!r} stopped before it started "
                                    f"(exit {child.returncode}): {tail}")
        time.sleep(0.02)
    raise InvalidInputError(f"the launch of plan {plan!r} did not start within {timeout:.0f} s; "
                            f"see {log}")


def settings_env(settings: Settings) -> dict[str, str]:
    """This process's environment with `settings` in SLIPSTREAM_* variables, for a child."""
    return {**os.environ, **{var: str(getattr(settings, field)) for field, var in _ENV.items()
                             if getattr(settings, field, None)}}


def _child(plan: str, announce: Path, inputs: dict[str, Any], reason: str) -> int:
    from slipstream._core.errors import UserError
    from slipstream.scheduling.launcher import join_launches
    from slipstream.scheduling.plans import Plans

    def say(text: str) -> None:
        announce.write_text(text + "\n")

    try:
        execution_id = Plans(Settings.load()).launch(plan, inputs, reason=reason, wait=False)
    except UserError as exc:
        say(f"error: {exc}")
        return 1
    except Exception as exc:
        say(f"error: {type(exc).__name__}: {exc}")
        raise
    if execution_id is None:
        say(f"error: launch plan {plan!r} could not start (see its launches)")
        return 1
    say(execution_id)
    join_launches()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]))
