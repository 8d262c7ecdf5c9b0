"""The executions list and an execution's page, in Chromium, over `seed_flow`'s executions."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from typing import Any

import pytest

from tests.ui.conftest import Console, screenshot

pytestmark = pytest.mark.ui


def _api(console: Console, path: str) -> Any:
    with urllib.request.urlopen(console.url + "/api/v1" + path, timeout=10) as response:
        return json.load(response)


def _execution(console: Console, workflow: str, index: int = 0) -> dict[str, Any]:
    """The workflow's executions, newest first, as the API lists them."""
    return _api(console, f"/executions?workflow={workflow}")["executions"][index]


def _duration(seconds: float) -> str:
    """The console's formatDuration for under a minute (ui/src/format.ts)."""
    if seconds < 1:
        return f"{int(seconds * 1000 + 0.5)} ms"  # Math.round
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def test_list_shows_every_execution_and_filters_by_workflow_and_status(
        page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    listed = _api(console, "/executions?limit=1000")["executions"]
    page.goto("/")
    expect(page).to_have_url(console.url + "/executions")
    rows = page.locator("[data-testid=executions] tbody tr[data-row]")
    expect(rows).to_have_count(len(listed))
    failed = _execution(console, "fragile")
    row = page.locator(f"tr[data-row='{failed['id']}']")
    expect(row).to_contain_text("FAILED")
    expect(row).to_contain_text("fragile")
    expect(row).to_contain_text(failed["workflow_version"][:8])
    expect(row.locator("td").nth(5)).to_have_text(_duration(failed["duration"]))
    screenshot(page, "executions")

    page.get_by_label("workflow").select_option("pipeline")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("count")).to_have_text("2 executions")
    assert "workflow=pipeline" in page.url
    page.get_by_label("workflow").select_option("")
    page.get_by_label("status").select_option("FAILED")
    failures = [e for e in listed if e["status"] == "FAILED"]  # fragile and gated
    assert {e["workflow_name"] for e in failures} == {"fragile", "gated"}
    expect(rows).to_have_count(len(failures))
    expect(row).to_be_visible()
    page.get_by_label("since").select_option("1h")  # the seed ran minutes ago
    expect(rows).to_have_count(len(failures))

    row.click()  # the main action: open it
    expect(page).to_have_url(f"{console.url}/executions/{failed['id']}")


def test_failed_execution_shows_the_error_attempts_and_skipped_node(
        page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    failed = _execution(console, "fragile")
    page.goto(f"/executions/{failed['id']}")
    explode = page.locator(".dag-node[data-node=n0]")
    expect(explode).to_have_attribute("data-state", "failed")
    expect(explode).to_contain_text("explode")
    expect(page.locator(".dag-node[data-node=n1]")).to_have_attribute("data-state", "skipped")
    panel = page.get_by_test_id("node-panel")  # the failed node is shown first
    expect(panel.get_by_test_id("node-error")).to_contain_text("ValueError: bad value 3")
    expect(panel.locator(".traceback")).to_contain_text('raise ValueError(f"bad value {x}")')
    expect(panel.get_by_test_id("attempts").locator("tbody tr")).to_have_count(2)
    expect(page.locator("[data-attempt^='n0#']")).to_have_count(2)  # both tries on the timeline
    expect(page.get_by_test_id("execution-error")).to_contain_text("bad value 3")
    expect(panel.get_by_test_id("node-log")).to_contain_text("trying 3")  # the last attempt's
    panel.get_by_label("log attempt").select_option("1")
    expect(panel.get_by_test_id("node-log")).to_contain_text("trying 3")
    screenshot(page, "execution-failed")

    page.locator(".dag-node[data-node=n1]").click()
    expect(panel).to_contain_text("skipped")


def test_cached_node_and_the_run_it_logged(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    second = _execution(console, "pipeline", 0)  # newest: prepare came from the cache
    detail = _api(console, f"/executions/{second['id']}")
    train = next(n for n in detail["nodes"] if n["name"] == "train")
    page.goto(f"/executions/{second['id']}")
    expect(page.locator(".dag-node[data-node=n0]")).to_have_attribute("data-state", "cached")
    expect(page.locator(".dag-node[data-node=n1]")).to_have_attribute("data-state", "succeeded")
    expect(page.get_by_test_id("node-count")).to_have_text("3")
    page.locator(".dag-node[data-node=n0]").click()
    panel = page.get_by_test_id("node-panel")
    expect(panel.get_by_test_id("cache")).to_have_text("hit")
    expect(panel).to_contain_text("list (30 items)")  # the output's preview
    page.locator(".dag-node[data-node=n1]").click()
    expect(panel.locator("table.kv").first).to_contain_text("0.25")  # input lr
    expect(panel).to_contain_text("2.8333")  # its output
    expect(panel.get_by_test_id("node-log")).to_have_text("training on 30 rows with lr=0.25\n")
    screenshot(page, "execution")

    run_id = train["run_ids"][0]
    panel.get_by_role("link", name=run_id[:8]).click()
    expect(page).to_have_url(f"{console.url}/runs/{run_id}")
    expect(page.get_by_test_id("params")).to_contain_text("0.25")
    expect(page.get_by_test_id("chart-loss")).to_have_attribute("data-points", "50")


def test_running_execution_updates_live(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    gate = console.home / "release-waiter"
    waiting = subprocess.Popen([sys.executable, "-m", "tests.ui.seed_flow", "wait", str(gate)],
                               cwd=console.home, env=console.env())
    try:
        page.goto("/executions?workflow=waiter")
        row = page.locator("[data-testid=executions] tbody tr[data-row]")
        expect(row).to_have_count(1, timeout=30_000)
        expect(row).to_contain_text("RUNNING")
        expect(page.get_by_test_id("live")).to_have_text("● live")
        row.click()
        expect(page.locator(".dag-node[data-node=n0]")).to_have_attribute("data-state", "running")
        expect(page.locator(".dag-node[data-node=n1]")).to_have_attribute("data-state", "pending")
        gate.touch()  # no reload from here on: the page polls
        expect(page.locator(".dag-node[data-node=n1]")).to_have_attribute(
            "data-state", "succeeded", timeout=15_000)
        expect(page.locator(".page-head .badge")).to_have_text("SUCCEEDED")
        page.go_back()
        expect(row).to_contain_text("SUCCEEDED")
        expect(page.get_by_test_id("live")).to_have_text("idle")
    finally:
        gate.touch()
        waiting.wait(timeout=60)
    assert waiting.returncode == 0


def test_a_fan_out_expands_into_its_items(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    from tests.ui.seed_flow import FAN_OUT

    mapped = _execution(console, "fan_out")
    page.goto(f"/executions/{mapped['id']}")
    nodes = page.locator(".dag-node")
    expect(nodes).to_have_count(2)  # map_square, total
    expand = page.locator(".dag-node[data-node=n0] .dag-expand")
    expect(expand).to_have_text(f"+{FAN_OUT}")
    expand.click()
    expect(nodes).to_have_count(2 + FAN_OUT)
    expect(page.locator(".dag-node[data-node='n0[3]']")).to_contain_text("square [3]")
    page.locator(".dag-node[data-node='n0[3]']").click()
    expect(page.get_by_test_id("node-panel")).to_contain_text("9")  # 3 squared
    expect(page.locator("[data-attempt^='n0[']")).to_have_count(FAN_OUT)  # on the timeline
    page.locator(".dag-node[data-node=n0] .dag-expand").click()
    expect(nodes).to_have_count(2)


def test_a_sub_workflow_expands_into_its_own_graph(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto(f"/executions/{_execution(console, 'nested')['id']}")
    nodes = page.locator(".dag-node")
    expect(nodes).to_have_count(2)  # inc, inner_steps
    page.locator(".dag-node[data-node=n1] .dag-expand").click()
    expect(nodes).to_have_count(4)
    expect(page.locator(".dag-node[data-node='n1/n1']")).to_contain_text("dbl")
    edges = page.locator(".react-flow__edge")
    expect(edges).to_have_count(3)  # inc -> inner_steps -> its inc -> its dbl
    for edge in ("n0->n1", "n1->n1/n0", "n1/n0->n1/n1"):
        expect(page.get_by_test_id(f"rf__edge-{edge}")).to_have_count(1)


def test_recover_a_failed_execution_and_rerun_with_new_inputs(
        page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    from tests.ui.seed_flow import GATE

    failed = _execution(console, "gated")
    assert failed["status"] == "FAILED"
    (console.home / GATE).touch()  # what made it fail is fixed
    page.goto(f"/executions/{failed['id']}")
    page.get_by_role("button", name="Recover").click()  # the main action
    expect(page).not_to_have_url(f"{console.url}/executions/{failed['id']}", timeout=60_000)
    recovered_id = page.url.rsplit("/", 1)[-1]
    expect(page.locator(".page-head .badge")).to_have_text("SUCCEEDED", timeout=30_000)
    expect(page.get_by_role("link", name=failed["id"][:8])).to_be_visible()  # "recovers"
    expect(page.locator(".dag-node[data-node=n0]")).to_have_attribute("data-state", "cached")
    recovered = _api(console, f"/executions/{recovered_id}")["execution"]
    assert recovered["recovered_from"] == failed["id"]
    assert recovered["outputs"] == {"o0": 41}
    expect(page.get_by_role("button", name="Recover")).to_have_count(0)  # it succeeded

    pipeline = _execution(console, "pipeline")
    page.goto(f"/executions/{pipeline['id']}")
    page.get_by_role("button", name="Re-run…").click()
    form = page.get_by_test_id("rerun-form")
    expect(form.get_by_label("input rows")).to_have_value("30")  # the old values, to edit
    form.get_by_label("input lr").fill("fast")
    expect(form).to_contain_text("lr: a number")
    expect(form.get_by_role("button", name="Run")).to_be_disabled()
    form.get_by_label("input lr").fill("0.75")
    form.get_by_role("button", name="Run").click()
    expect(page).not_to_have_url(f"{console.url}/executions/{pipeline['id']}", timeout=60_000)
    expect(page.locator(".page-head .badge")).to_have_text("SUCCEEDED", timeout=30_000)
    rerun = _api(console, f"/executions/{page.url.rsplit('/', 1)[-1]}")["execution"]
    assert rerun["inputs"] == {"rows": 30, "lr": 0.75}
    expect(page.locator(".dag-node[data-node=n0]")).to_have_attribute("data-state", "cached")


def test_stored_values_are_previewed(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    from tests.ui.seed_flow import FRAME_ROWS

    frames = _execution(console, "frames")
    page.goto(f"/executions/{frames['id']}")
    panel = page.get_by_test_id("node-panel")
    page.locator(".dag-node[data-node=n2]").click()  # table: a DataFrame, as parquet
    table = panel.locator("[data-value=o0] [data-preview=table]")
    expect(table).to_contain_text(f"{FRAME_ROWS} rows \u00d7 2 columns")
    expect(table.locator("th")).to_have_text(["a", "b"])
    expect(table.locator("tbody tr")).to_have_count(20)
    expect(table.locator("tbody tr").nth(3)).to_have_text("3x3")
    screenshot(page, "execution-values")
    page.locator(".dag-node[data-node=n0]").click()  # grid: a numpy array
    expect(panel.locator("[data-preview=array]")).to_contain_text("int64 [3 \u00d7 4]")
    expect(panel.locator("[data-preview=array] pre")).to_have_text(str(list(range(12))).replace(" ", ""))
    page.locator(".dag-node[data-node=n1]").click()  # essay: its output map kept as one blob
    expect(panel.locator("[data-value=o0] pre")).to_contain_text("a line of the essay")
