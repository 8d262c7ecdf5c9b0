"""`slipstream monitor …`: drift monitors: define one, run it (or compare two data sets once),
list monitors, and show their reports with each feature's figures.

    slipstream monitor create churn --deployment churn-api --plan retrain --input c=0.5
    slipstream monitor run churn                 # compare, store, track, fire the trigger
    slipstream monitor run --reference train.parquet --current 'batches/*.csv'
    slipstream monitor list
    slipstream monitor reports churn [--report ID]
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.table import Table

from slipstream._core.errors import InvalidInputError
from slipstream.cli.main import State, console
from slipstream.entities.monitoring import DriftReport

monitor_app = typer.Typer(help="Drift monitors: compare current data with the training data, "
                               "store and chart reports, trigger retraining.",
                          no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="Monitor name")]


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")


def _monitoring() -> Any:
    from slipstream._core.settings import Settings
    from slipstream.monitor.service import Monitoring

    return Monitoring.from_settings(Settings.load(**State.overrides))


def _pairs(items: list[str] | None, what: str) -> dict[str, Any]:
    """`key=value` options; values read as JSON when they parse (numbers, true, lists)."""
    values: dict[str, Any] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"{what} {item!r} must be KEY=VALUE")
        try:
            values[key] = json.loads(text)
        except ValueError:
            values[key] = text
    return values


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@monitor_app.command("create")
def create(
    name: Name,
    deployment: Annotated[str | None, typer.Option(help="Watch this deployment's sampled "
                                                   "requests")] = None,
    dataset: Annotated[str | None, typer.Option(help="Watch this data set: a file, folder or "
                                                "glob (any fsspec URL)")] = None,
    reference: Annotated[str, typer.Option(help="Reference: a path, or models:/NAME/N (its "
                                           "training data from lineage); default for a "
                                           "deployment: its model version's")] = "",
    plan: Annotated[str, typer.Option(help="Launch plan to launch on drift")] = "",
    input_: Annotated[list[str] | None, typer.Option("--input", help="A plan input KEY=VALUE "
                                                     "(repeat)")] = None,
    cooldown: Annotated[float, typer.Option(help="Seconds between two firings")] = 3600.0,
    threshold: Annotated[list[str] | None, typer.Option(help="A threshold KEY=VALUE: alpha, "
                                                        "psi, drift_share, quality_drop, "
                                                        "decide_by... (repeat)")] = None,
    column: Annotated[list[str] | None, typer.Option(help="Compare only these features "
                                                     "(repeat)")] = None,
    categorical: Annotated[list[str] | None, typer.Option(help="Compare as categories "
                                                          "(repeat)")] = None,
    label: Annotated[str | None, typer.Option(help="Label column (quality decay)")] = None,
    prediction: Annotated[str | None, typer.Option(help="Prediction column")] = None,
    model: Annotated[str | None, typer.Option(help="Model URI or folder scoring both samples "
                                              "(with --label: its accuracy drop)")] = None,
    window: Annotated[float | None, typer.Option(help="Seconds of a deployment's requests "
                                                 "read per run (default 3600)")] = None,
) -> None:
    """Define a monitor (it has no schedule: run it with `monitor run` or a launch plan)."""
    options = {k: v for k, v in (("columns", column), ("categorical", categorical),
                                 ("label", label), ("prediction", prediction),
                                 ("model", model), ("window_seconds", window)) if v}
    with _monitoring() as monitoring:
        made = monitoring.create(name, deployment=deployment, dataset=dataset,
                                 reference=reference, plan=plan,
                                 plan_inputs=_pairs(input_, "--input"),
                                 thresholds=_pairs(threshold, "--threshold"),
                                 cooldown_seconds=cooldown, **options)
    trigger = f", launching {made.plan} on drift (cool-down {made.cooldown_seconds:g} s)" \
        if made.plan else ""
    _print(f"Created monitor {made.name} watching {made.target_kind} {made.target}{trigger}")


@monitor_app.command("run")
def run(
    name: Annotated[str | None, typer.Argument(help="Monitor to run (omit to compare "
                                               "--reference with --current once)")] = None,
    current: Annotated[list[str] | None, typer.Option(help="Current data instead of the "
                                                      "monitor's: file, folder or glob "
                                                      "(repeat)")] = None,
    reference: Annotated[str | None, typer.Option(help="Reference for a one-off comparison: "
                                                  "a path or models:/NAME/N")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Run a monitor once: compare, store the report, chart it, fire its trigger on drift.
    Exits 0 either way; the verdict is printed (and in --json's `drifted`)."""
    with _monitoring() as monitoring:
        if name is not None:
            if reference is not None:
                raise InvalidInputError("--reference is for a one-off comparison; a monitor "
                                        "has its own (give no NAME to compare once)")
            outcome = monitoring.run(name, current)
            report, firing = outcome.report, outcome.firing
        else:
            report, firing = _once(monitoring, reference, current), None
    if as_json:
        from slipstream.metadata.monitors import report_to_dict

        data = report_to_dict(report)
        data["firing"] = None if firing is None else {"firing_id": firing.firing_id,
                                                      "plan": firing.plan,
                                                      "execution_id": firing.execution_id,
                                                      "error": firing.error}
        console.print_json(json.dumps(data))
        return
    _show(report)
    if firing is not None:
        launched = f"execution {firing.execution_id}" if firing.execution_id else \
            f"nothing ({firing.error})"
        _print(f"Trigger fired: launch plan {firing.plan} -> {launched}")


def _once(monitoring: Any, reference: str | None, current: list[str] | None) -> DriftReport:
    from slipstream.monitor import sources
    from slipstream.monitor.stats import compare

    if not reference or not current:
        raise InvalidInputError("give a monitor NAME, or both --reference and --current for a "
                                "one-off comparison")
    if reference.startswith(("models:", "runs:")):
        ref, ref_name = sources.training_reference(reference, monitoring.registry)
    else:
        ref, ref_name = sources.read_data(reference, "reference")
    cur, cur_name = sources.read_data(current, "current")
    return monitoring.store.add_report(compare(ref, cur, reference_name=ref_name,
                                               current_name=cur_name))


@monitor_app.command("list")
def list_monitors() -> None:
    """Every monitor: what it watches, its trigger, its last report's verdict."""
    with _monitoring() as monitoring:
        rows = [(m, monitoring.store.list_reports(m.name, limit=1))
                for m in monitoring.store.list_monitors()]
    if not rows:
        _print("No monitors.")
        return
    table = Table("name", "watches", "reference", "trigger", "last report")
    for monitor, latest in rows:
        last = "-" if not latest else \
            f"{_when(latest[0].created_at)} {'DRIFT' if latest[0].drifted else 'ok'}"
        trigger = f"{monitor.plan} (cool-down {monitor.cooldown_seconds:g} s)" if monitor.plan \
            else "-"
        table.add_row(monitor.name, f"{monitor.target_kind} {monitor.target}",
                      monitor.reference or "lineage", trigger, last)
    console.print(table)


@monitor_app.command("reports")
def reports(
    name: Annotated[str | None, typer.Argument(help="Monitor (omit for every report)")] = None,
    report_id: Annotated[str | None, typer.Option("--report", help="Show this report's "
                                                  "features")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first")] = 20,
    drifted: Annotated[bool, typer.Option(help="Only reports that found drift")] = False,
) -> None:
    """A monitor's reports, newest first; --report ID shows one with each feature's tests."""
    with _monitoring() as monitoring:
        if report_id is not None:
            _show(monitoring.store.get_report(report_id))
            return
        found = monitoring.store.list_reports(name, drifted=True if drifted else None,
                                              limit=limit)
    if not found:
        _print("No drift reports.")
        return
    table = Table("report", "time", "monitor", "verdict", "drifted features", "rows (ref/cur)")
    for report in found:
        table.add_row(report.report_id, _when(report.created_at), report.monitor or "-",
                      "DRIFT" if report.drifted else "ok",
                      ", ".join(report.drifted_features) or "-",
                      f"{report.reference_size}/{report.current_size}")
    console.print(table)


def _show(report: DriftReport) -> None:
    verdict = "DRIFT" if report.drifted else "no drift"
    _print(f"Report {report.report_id}: {verdict} ({report.drifted_share:.0%} of features "
           f"drifted)")
    _print(f"  reference: {report.reference}; {report.reference_size} rows")
    _print(f"  current:   {report.current}; {report.current_size} rows")
    table = Table("feature", "kind", "psi", "test", "statistic", "p-value", "threshold",
                  "drifted")
    for feature in report.features:
        index, test = feature.tests[0], feature.tests[1]
        table.add_row(feature.feature, feature.kind, f"{index.statistic:.4f}", test.name,
                      f"{test.statistic:.4f}", f"{test.p_value:.3g}", f"{test.threshold:.3g}",
                      "yes" if feature.drifted else "no")
    console.print(table)
    quality = report.quality
    if quality is not None:
        _print(f"  {quality.metric}: {quality.reference:.4f} -> {quality.current:.4f} "
               f"(drop {quality.drop:+.4f}, threshold {quality.threshold:g}"
               f"{', DECAYED' if quality.decayed else ''})")
