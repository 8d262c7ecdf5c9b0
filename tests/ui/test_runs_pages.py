"""Experiments, the runs table (sort, the API's filter syntax, param and metric columns) and a
run's page with its metric charts, in Chromium, over `seed_flow`'s sweep."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import Console, screenshot
from tests.ui.seed_flow import LONG_CURVE, SWEEP_RUNS

pytestmark = pytest.mark.ui


def _open_sweep(page: Any) -> Any:
    from playwright.sync_api import expect

    page.goto("/experiments")
    page.get_by_test_id("experiments").get_by_role("link", name="sweep").click()
    rows = page.locator("[data-testid=runs] tbody tr[data-row]")
    expect(rows).to_have_count(SWEEP_RUNS)
    return rows


def test_runs_table_sorts_and_filters_through_the_api(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    rows = _open_sweep(page)
    expect(page.get_by_test_id("count")).to_have_text(f"{SWEEP_RUNS} runs")
    headers = page.locator("[data-testid=runs] thead th")
    for column in ("params.depth", "params.lr", "metrics.acc", "metrics.loss", "tags.family"):
        expect(headers.and_(page.locator(f"[data-column='{column}']"))).to_have_count(1)

    page.locator("th[data-column='metrics.acc']").click()  # descending first
    expect(rows.first).to_contain_text("trial-11")
    expect(rows.first).to_contain_text("0.775")
    page.locator("th[data-column='metrics.acc']").click()
    expect(rows.first).to_contain_text("trial-00")
    assert "sort=metrics.acc" in page.url
    screenshot(page, "runs")

    box = page.get_by_label("filter")
    box.fill("acc > 0.7")  # checked before it is sent: names what is wrong
    expect(page.get_by_test_id("filter-error")).to_contain_text("metrics.acc")
    expect(page.get_by_role("button", name="Apply")).to_be_disabled()
    box.fill("metrics.acc > 0.7")  # acc = 0.5 + i/40: trials 9, 10, 11
    box.press("Enter")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("count")).to_have_text("3 runs")
    box.fill("metrics.acc > 0.7 and tags.family = 'tree'")  # odd i: 9 and 11
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    expect(page.locator("th[data-column='tags.family']")).to_have_text("tag family")
    page.get_by_role("button", name="Clear").click()
    expect(rows).to_have_count(SWEEP_RUNS)
    page.locator("th[data-column='tags.family']").click()  # sorting by a tag, by the API
    expect(rows.first).to_contain_text("tree")
    expect(rows.last).to_contain_text("linear")


def test_run_page_shows_params_metrics_and_charts(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    rows = _open_sweep(page)
    rows.filter(has_text="trial-03").click()
    expect(page.locator("h1")).to_have_text("trial-03")
    params = page.get_by_test_id("params")
    expect(params).to_contain_text("0.04")  # lr = 0.01 * (i + 1)
    expect(params).to_contain_text("depth")
    expect(page.get_by_test_id("metrics")).to_contain_text("0.575")  # acc = 0.5 + 3/40
    loss = page.get_by_test_id("chart-loss")
    expect(loss).to_have_attribute("data-points", "20")
    expect(loss.locator("canvas")).to_have_count(1)
    page.get_by_label("log scale").check()
    page.get_by_label("smoothing").fill("0.6")
    expect(loss.locator(".u-legend")).to_contain_text("loss (raw)")  # the smoothed line joins
    artifacts = page.get_by_test_id("artifacts")
    artifacts.get_by_role("button", name="report.json").click()
    preview = page.get_by_test_id("artifact-preview")
    expect(preview).to_have_attribute("data-kind", "json")
    expect(preview.locator("pre")).to_contain_text('"accuracy": 0.575')
    screenshot(page, "run")
    artifacts.get_by_role("button", name="notes/").click()
    artifacts.get_by_role("button", name="readme.txt").click()
    expect(preview.locator("pre")).to_contain_text("Learning rate 0.04.")
    artifacts.get_by_role("button", name="artifacts").click()
    artifacts.get_by_role("button", name="plots/").click()
    artifacts.get_by_role("button", name="dot.png").click()
    image = preview.locator("img")
    expect(image).to_have_attribute("alt", "plots/dot.png")
    page.wait_for_function("document.querySelector('.artifact-image')?.naturalWidth === 2")
    page.get_by_label("x axis").select_option("time")
    expect(loss.locator(".u-legend")).to_contain_text("seconds")  # the x series


def test_a_long_curve_is_downsampled_by_the_server(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto("/experiments")
    page.get_by_test_id("experiments").get_by_role("link", name="curves").click()
    page.get_by_role("link", name="long").click()
    chart = page.get_by_test_id("chart-wave")
    expect(page.get_by_test_id("points-wave")).to_contain_text(f"of {LONG_CURVE} points")
    drawn = int(chart.get_attribute("data-points"))
    assert 1000 <= drawn <= 2000
    expect(chart.locator("canvas")).to_have_count(1)


def test_compare_runs_params_curves_and_scatter(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    rows = _open_sweep(page)
    compare = page.get_by_role("button", name="Compare (0)")
    expect(compare).to_be_disabled()
    for name in ("trial-01", "trial-05", "trial-09"):  # depth 3, 4, 2; lr .02, .06, .10
        page.get_by_label(f"pick {name}").check()
    expect(rows).to_have_count(SWEEP_RUNS)  # ticking a box does not open the run
    page.get_by_role("button", name="Compare (3)").click()
    expect(page.locator("h1")).to_have_text("Compare 3 runs")
    params = page.get_by_test_id("compare-params")
    expect(params.locator("tr[data-row=lr]")).to_have_class("differs")
    expect(params.locator("tr[data-row=lr] td")).to_have_text(["0.02", "0.06", "0.1"])
    expect(params.locator("tr[data-row='metrics.acc'] td")).to_have_text(["0.525", "0.625", "0.725"])
    expect(page.get_by_test_id("overlay-loss")).to_have_attribute("data-lines", "3")
    expect(page.locator("[data-testid=scatter] [data-point]")).to_have_count(3)
    page.get_by_label("scatter param").select_option("depth")
    page.get_by_label("scatter metric").select_option("acc")
    expect(page.locator("[data-testid=scatter] [data-point]")).to_have_count(3)
    screenshot(page, "compare")

    page.goto("/compare?runs=only-one")
    expect(page.get_by_test_id("compare-error")).to_contain_text("at least 2")
