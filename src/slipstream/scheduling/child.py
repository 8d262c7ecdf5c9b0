"""A launch-plan launch in a process of its own, for callers that must not import workflow
code (the server's run-now), over `execution.detached`: `spawn(settings, plan, inputs,
reason)` runs `python -m slipstream.scheduling.child` and returns the execution id once it has
started (an InvalidInputError when the launch is refused: a fixed or unknown input, a workflow
whose code moved on). The child then runs the execution to its end, recording the launch and
notifying as any launch does; its output goes to `<home>/launches/<id>.log`.
"""

from __future__ import annotations

import sys
from typing import Any

from slipstream._core.settings import Settings
from slipstream.execution.detached import START_TIMEOUT, Say, serve
from slipstream.execution.detached import spawn as spawn_detached


def spawn(settings: Settings, plan: str, inputs: dict[str, Any] | None = None,
          reason: str = "run now", timeout: float = START_TIMEOUT) -> str:
    """Launch `plan` in a child process; the execution's id once it has started."""
    return spawn_detached(settings, "slipstream.scheduling.child",
                          {"plan": plan, "inputs": inputs or {}, "reason": reason},
                          what=f"the launch of plan {plan!r}", timeout=timeout)


def _start(request: dict[str, Any], say: Say) -> str:
    """The child: start the launch, announce it, wait for it (and the launches it starts)."""
    from slipstream._core.errors import InvalidInputError
    from slipstream.scheduling.launcher import join_launches
    from slipstream.scheduling.plans import Plans

    plan = request["plan"]
    execution_id = Plans(Settings.load()).launch(plan, request["inputs"],
                                                 reason=request["reason"], wait=False)
    if execution_id is None:
        raise InvalidInputError(f"launch plan {plan!r} could not start (see its launches)")
    say(execution_id)
    join_launches()
    return execution_id


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:], _start))
