"""`slipstream launch-plans …` and `slipstream scheduler`.

    slipstream launch-plans create NAME path/flow.py:wf --fixed n=3 --default factor=2.0 \\
        --cron "0 3 * * *" --timezone Europe/Paris --catch-up all --webhook http://…/hook
    slipstream launch-plans list | show NAME | pause NAME | resume NAME | delete NAME
    slipstream launch-plans launch NAME --input n=5 --reason "by hand"     # run now
    slipstream scheduler [--poll 1] [--once]     # fire due plans until Ctrl-C

Input values are read as `slipstream run` reads options (by the input's type). A plan's
workflow is a `path.py:workflow` / `module:workflow` target (registered as it is now) or the
name of a registered workflow, `name` or `name@version`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import typer
from rich.table import Table

from slipstream._core.errors import InvalidInputError
from slipstream.cli.main import State, console

plans_app = typer.Typer(no_args_is_help=True, help="Launch plans: a workflow bound to fixed "
                        "and default inputs, optionally on a schedule (cron or fixed rate).")
NameArg = Annotated[str, typer.Argument(help="Launch plan name")]
_RATE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def register(app: typer.Typer) -> None:
    app.add_typer(plans_app, name="launch-plans")
    app.command(help="Fire the due ticks of every active launch plan until stopped "
                     "(any number of schedulers may share a store: each tick fires once).")(
        scheduler)


def _plans() -> Any:
    from slipstream._core.settings import Settings
    from slipstream.scheduling.plans import Plans

    return Plans(Settings.load(**State.overrides))


def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else ""


def parse_rate(text: str) -> float:
    """"90", "90s", "5m", "2h", "1d" -> seconds."""
    found = _RATE.match(text.strip())
    if not found:
        raise InvalidInputError(f"--every {text!r} is not a rate: use seconds or a number with "
                                "s, m, h or d, e.g. 30s, 5m, 1h")
    return float(found.group(1)) * _UNITS[found.group(2)]


def _values(pairs: list[str] | None, workflow: Any, option: str, engine: Any,
            ctx: Any) -> dict[str, Any]:
    """NAME=VALUE pairs read by each input's type."""
    from slipstream._core.errors import ValueConversionError, did_you_mean

    params = workflow.interface.inputs
    out: dict[str, Any] = {}
    for pair in pairs or []:
        name, sep, text = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise InvalidInputError(f"{option} {pair!r}: use NAME=VALUE")
        if name not in params:
            raise InvalidInputError(f"{option} {pair!r}: workflow {workflow.name!r} has no input "
                                    f"{name!r}; inputs are {list(params)}."
                                    f"{did_you_mean(name, params)}")
        try:
            out[name] = engine.from_string(text, params[name].tp, ctx)
        except (ValueConversionError, ValueError) as exc:
            raise InvalidInputError(f"{option} {pair!r}: {exc}") from None
    return out


@plans_app.command("create")
def create(
    name: NameArg,
    workflow: Annotated[str, typer.Argument(help="path/flow.py:workflow, module:workflow, or a "
                                            "registered workflow's name[@version]")],
    fixed: Annotated[list[str] | None, typer.Option(help="NAME=VALUE, an input launches "
                                                    "cannot change (repeatable)")] = None,
    default: Annotated[list[str] | None, typer.Option(help="NAME=VALUE, an input launches may "
                                                      "override (repeatable)")] = None,
    cron: Annotated[str | None, typer.Option(help="Cron expression, e.g. '0 3 * * *'")] = None,
    timezone: Annotated[str, typer.Option(help="The cron expression's time zone")] = "UTC",
    every: Annotated[str | None, typer.Option(help="Fixed rate: 30s, 5m, 1h, 1d")] = None,
    catch_up: Annotated[str, typer.Option(help="Missed ticks: skip (fire the latest only) or "
                                          "all (each, at most 100)")] = "skip",
    webhook: Annotated[str | None, typer.Option(help="POST a JSON payload here when an "
                                                "execution ends")] = None,
    executor: Annotated[str | None, typer.Option(help="inline, process[:N], ray, …")] = None,
    description: Annotated[str, typer.Option(help="What the plan is for")] = "",
    paused: Annotated[bool, typer.Option(help="Create it paused")] = False,
    replace: Annotated[bool, typer.Option(help="Update the plan if it exists")] = False,
) -> None:
    """Create a launch plan (checked against the workflow's typed inputs)."""
    from slipstream.scheduling import ticks

    if cron and every:
        raise InvalidInputError("give --cron or --every, not both")
    schedule = (ticks.cron(cron, timezone) if cron else
                ticks.every(seconds=parse_rate(every)) if every else None)
    plans = _plans()
    wf = _workflow_object(plans, workflow)
    engine, ctx = plans.client.engine, plans.client.ctx
    plan = plans.create(name, wf if wf is not None else workflow,
                        fixed_inputs=_values(fixed, _interface_of(plans, wf, workflow), "--fixed",
                                             engine, ctx),
                        default_inputs=_values(default, _interface_of(plans, wf, workflow),
                                               "--default", engine, ctx),
                        schedule=schedule, catch_up=catch_up, notify=webhook,
                        executor=executor, description=description, active=not paused,
                        replace=replace)
    console.print(f"Launch plan [bold]{plan.name}[/] -> {plan.workflow_name} (version "
                  f"{plan.workflow_version[:12]}), {_schedule_text(plan)}", highlight=False)


def _workflow_object(plans: Any, target: str) -> Any:
    """The @workflow a `path.py:wf` / `module:wf` target names (None for a registered name)."""
    if ":" not in target:
        return None
    from slipstream.execution.loading import load_entity
    from slipstream.sdk.workflow import Workflow

    wf = load_entity(target)
    if not isinstance(wf, Workflow):
        raise InvalidInputError(f"{target} is not a @workflow (got an object of type "
                                f"{type(wf).__name__})")
    return wf


def _interface_of(plans: Any, wf: Any, target: str) -> Any:
    if wf is not None:
        return wf
    from slipstream.execution.loading import load_entity

    name, _, version = target.partition("@")
    return load_entity(plans.client.store.get_workflow(name, version or None).source_ref)


@plans_app.command("list")
def list_plans() -> None:
    """Every launch plan with its schedule, state and latest launch."""
    plans = _plans()
    records = plans.list()
    table = Table(box=None)
    for column in ("name", "workflow", "schedule", "state", "last launch", "status"):
        table.add_column(column)
    for plan in records:
        latest = plans.launches(plan.name, limit=1)
        table.add_row(plan.name, plan.workflow_name, _schedule_text(plan), plan.state,
                      _when(latest[0].claimed_at) if latest else "",
                      latest[0].status if latest else "")
    console.print(table if records else "no launch plans")


@plans_app.command("show")
def show(name: NameArg,
         limit: Annotated[int, typer.Option(help="How many launches, newest first")] = 20,
         ) -> None:
    """One plan: workflow, inputs, schedule, webhook and its recent launches."""
    from slipstream.scheduling.ticks import next_tick

    plans = _plans()
    plan = plans.get(name)
    console.print(f"[bold]{plan.name}[/]  {plan.workflow_name} (version "
                  f"{plan.workflow_version[:12]})  {plan.state}", highlight=False)
    if plan.description:
        console.print(plan.description, highlight=False, markup=False)
    console.print(f"fixed inputs:   {plan.fixed_inputs}", highlight=False, markup=False)
    console.print(f"default inputs: {plan.default_inputs}", highlight=False, markup=False)
    text = _schedule_text(plan)
    if plan.schedule is not None and plan.state == "ACTIVE":
        after = plan.last_tick if plan.last_tick is not None else plan.created_at
        text += f"; next tick {_when(next_tick(plan.schedule, after))}"
    console.print(f"schedule:       {text}", highlight=False, markup=False)
    if plan.notify is not None:
        console.print(f"webhook:        {plan.notify.url} on {', '.join(plan.notify.on)}",
                      highlight=False, markup=False)
    launches = plans.launches(name, limit=limit)
    table = Table(box=None)
    for column in ("kind", "tick", "status", "execution", "reason", "by"):
        table.add_column(column)
    for launch in launches:
        table.add_row(launch.kind, _when(launch.tick_at), launch.status,
                      launch.execution_id or "", launch.reason, launch.claimed_by)
    console.print(table if launches else "no launches yet")


@plans_app.command("launch")
def launch(
    name: NameArg,
    input: Annotated[list[str] | None, typer.Option(help="NAME=VALUE overriding a default "
                                                    "input (repeatable)")] = None,
    reason: Annotated[str, typer.Option(help="Recorded with the launch")] = "run now",
) -> None:
    """Run the plan now (a paused plan too) and wait for its execution."""
    plans = _plans()
    plan = plans.get(name)
    workflow = plans.launcher.load(plan)
    inputs = _values(input, workflow, "--input", plans.client.engine, plans.client.ctx)
    execution_id = plans.launch(name, inputs, reason=reason)
    if execution_id is None:
        [latest] = plans.launches(name, limit=1)
        raise InvalidInputError(f"launch plan {name!r} could not start: {latest.error}")
    _join_launches()
    status = plans.client.store.get_execution(execution_id).status
    console.print(f"Launched {name}: execution [bold]{execution_id}[/] {status} (see "
                  f"`slipstream executions show {execution_id}`)", highlight=False)
    if status != "SUCCEEDED":
        raise typer.Exit(1)


@plans_app.command("pause")
def pause(name: NameArg) -> None:
    """Stop firing the plan's schedule (run-now still works)."""
    console.print(f"{_plans().pause(name).name} paused", highlight=False)


@plans_app.command("resume")
def resume(name: NameArg) -> None:
    """Fire the schedule again from now on (ticks missed while paused never fire)."""
    console.print(f"{_plans().resume(name).name} resumed", highlight=False)


@plans_app.command("delete")
def delete(name: NameArg) -> None:
    """Delete the plan and its launch records (the executions stay)."""
    _plans().delete(name)
    console.print(f"{name} deleted", highlight=False)


def scheduler(
    poll: Annotated[float, typer.Option(help="Seconds between polls")] = 1.0,
    once: Annotated[bool, typer.Option(help="Poll once, run what is due, then exit")] = False,
) -> None:
    import logging

    from slipstream.scheduling import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    plans = _plans()
    if once:
        fired = Scheduler(plans, background=False).tick()
        console.print(f"fired {len(fired)} tick(s)", highlight=False)
        _join_launches()
        return
    console.print(f"Scheduler {plans.settings.store_url} polling every {poll:g} s (Ctrl-C "
                  "stops it)", highlight=False, markup=False)
    Scheduler(plans).run(poll_seconds=poll)


def _join_launches() -> None:
    """Wait for launches the executions started without waiting (triggers), before exiting."""
    from slipstream.scheduling.launcher import join_launches

    if join_launches(timeout=0):
        console.print("waiting for the launches it started…", highlight=False)
        join_launches()


def _schedule_text(plan: Any) -> str:
    if plan.schedule is None:
        return "no schedule"
    return f"{plan.schedule.describe()}, catch-up {plan.catch_up}"


def start_scheduler_process(settings: Any, poll_seconds: float = 1.0) -> Any:
    """`slipstream server --schedules`: a scheduler in a process of its own (the server never
    runs workflow code), on the server's settings, logging to HOME/scheduler.log; it stops when
    terminated or when the server is gone."""
    import subprocess
    import sys
    from pathlib import Path

    from slipstream.execution.detached import settings_env

    log = Path(settings.home) / "scheduler.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "slipstream.scheduling.scheduler",
                                 str(poll_seconds)], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=settings_env(settings))
