"""Running one launch of a plan: load the workflow's code, check it is still the version the
plan binds, merge the inputs, run the execution (the plan's executor, else the configured one)
and keep the launch row in step: RUNNING with its execution id as soon as the execution is
recorded, then SUCCEEDED or FAILED, or ERROR when it could not start. Then the webhook.

`start` returns the execution id once the execution exists; with `wait` it returns after the
execution ended (a failed execution is recorded, not raised: the id says where to look).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from slipstream._core.errors import ExecutionFailedError, InvalidInputError, SlipstreamError
from slipstream._core.ids import now
from slipstream.execution.hooks import NodeHook
from slipstream.metadata.schedules import Launch, LaunchPlanRecord, LaunchStatus, ScheduleStore
from slipstream.scheduling import notify as webhooks
from slipstream.scheduling.inputs import launch_values

log = logging.getLogger("slipstream.scheduling")
#: The name of every thread a launch without waiting runs on.
THREAD_PREFIX = "slipstream-launch-"


class _Started(NodeHook):
    """Records the launch as RUNNING with its execution id when the execution first appears."""

    def __init__(self, store: ScheduleStore, launch: Launch) -> None:
        self.store, self.launch = store, launch
        self.execution_id: str | None = None
        self.started = threading.Event()

    def on_node(self, *, record: Any) -> None:
        return None

    def on_execution(self, *, record: Any) -> None:
        if self.execution_id is None:
            self.execution_id = record.id
            try:
                self.launch = self.store.update_launch(self.launch, status=LaunchStatus.RUNNING,
                                                       execution_id=record.id)
            finally:
                self.started.set()


class Launcher:
    """Starts launches with an execution `client` (slipstream.execution.api.Client) and
    records them in `store`."""

    def __init__(self, client: Any, store: ScheduleStore) -> None:
        self.client, self.store = client, store

    def load(self, plan: LaunchPlanRecord) -> Any:
        """The plan's workflow object; InvalidInputError when its code moved on."""
        from slipstream.execution.loading import load_entity

        workflow = load_entity(plan.source_ref)
        if getattr(workflow, "version", None) != plan.workflow_version:
            raise InvalidInputError(
                f"launch plan {plan.name!r} binds workflow {plan.workflow_name!r} version "
                f"{plan.workflow_version[:12]}, but the code at {plan.source_ref} is now version "
                f"{str(getattr(workflow, 'version', '?'))[:12]}: re-create the plan "
                "(replace=True) to bind the new version")
        return workflow

    def prepare(self, plan: LaunchPlanRecord,
                overrides: Mapping[str, Any] | None) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """(workflow, input values, override literals); raises before anything is recorded."""
        workflow = self.load(plan)
        values, given = launch_values(plan, workflow, overrides, self.client.engine,
                                      self.client.ctx)
        return workflow, values, given

    def start(self, plan: LaunchPlanRecord, launch: Launch, prepared: tuple[Any, Any, Any] | None
              = None, *, wait: bool = True) -> str | None:
        """Run `launch` (already claimed or added); its execution id (None when it could not
        start: the launch is then ERROR, and notified as failed)."""
        hook = _Started(self.store, launch)
        if wait:
            self._run(plan, hook, prepared)
            return hook.execution_id
        thread = threading.Thread(target=self._run, args=(plan, hook, prepared), daemon=True,
                                  name=f"{THREAD_PREFIX}{plan.name}")
        thread.start()
        while not hook.started.wait(0.05):
            if not thread.is_alive():
                break
        if hook.execution_id is not None:
            self._until_recorded(hook.execution_id, thread)
        return hook.execution_id

    def _until_recorded(self, execution_id: str, thread: threading.Thread) -> None:
        """Wait until the execution's row is readable (the runner writes it just after telling
        its hooks), so a caller can look up the id it is given at once."""
        from slipstream._core.errors import NotFoundError

        for _ in range(1000):
            try:
                self.client.store.get_execution(execution_id)
                return
            except NotFoundError:
                if not thread.is_alive():
                    return
                threading.Event().wait(0.01)

    def _run(self, plan: LaunchPlanRecord, hook: _Started,
             prepared: tuple[Any, Any, Any] | None) -> None:
        record, error = None, ""
        try:
            workflow, values, _ = prepared or self.prepare(plan, None)
            result = self.client.execute_values(workflow, values, executor=plan.executor or None,
                                                hooks=[hook])
            record = result.execution
        except ExecutionFailedError as exc:
            record = self._execution(exc.execution_id)
            error = str(exc)
        except Exception as exc:  # the launch must end recorded, whatever went wrong
            error = str(exc) if isinstance(exc, SlipstreamError) else f"{type(exc).__name__}: {exc}"
            log.warning("launch plan %s: the launch failed: %s", plan.name, error)
        finally:
            hook.started.set()
        self._finish(plan, hook, record, error)

    def _finish(self, plan: LaunchPlanRecord, hook: _Started, record: Any, error: str) -> None:
        if record is None:
            status = LaunchStatus.ERROR
        elif str(record.status) == "SUCCEEDED":
            status = LaunchStatus.SUCCEEDED
        else:
            status = LaunchStatus.FAILED
        try:
            hook.launch = self.store.update_launch(
                hook.launch, status=status, execution_id=getattr(record, "id", None),
                error=error[:100_000], ended_at=now())
        except SlipstreamError as exc:
            log.warning("launch plan %s: could not record the launch's end: %s", plan.name, exc)
        outcome = "SUCCEEDED" if status == LaunchStatus.SUCCEEDED else "FAILED"
        if plan.notify is not None and outcome in plan.notify.on:
            webhooks.send(plan.notify, webhooks.payload(plan, hook.launch, record, error))

    def _execution(self, execution_id: str | None) -> Any:
        if not execution_id:
            return None
        try:
            return self.client.store.get_execution(execution_id)
        except SlipstreamError:
            return None


def join_launches(timeout: float | None = None) -> int:
    """Wait for the launches this process started without waiting (`wait=False`, e.g. a
    trigger inside a task): a process about to exit calls it, or they would die with it.
    How many there were."""
    threads = [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)
               and t is not threading.current_thread()]
    for thread in threads:
        thread.join(timeout)
    return len(threads)
