"""Schedules: launch plans with their schedules and next fire times, a plan's launches linked
to their executions, pause / resume and run now, in Chromium, over `seed_flow`'s plans
`nightly-report` (cron in Europe/Paris, launched once) and `quarter-hourly` (paused)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.ui.conftest import Console, screenshot

pytestmark = pytest.mark.ui


def get(console: Console, path: str) -> Any:
    with urllib.request.urlopen(console.url + "/api/v1" + path) as response:
        return json.load(response)


def test_plans_next_fires_and_run_now(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    plan = get(console, "/launch-plans/nightly-report")["launch_plan"]
    assert len(plan["next_fire_times"]) == 5
    page.goto("/schedules")
    row = page.locator("[data-testid=launch-plans] tr[data-row=nightly-report]")
    expect(row).to_contain_text("cron 0 3 * * * (Europe/Paris)")
    expect(row).to_contain_text("ACTIVE")
    expect(row).to_contain_text("batch_report")
    first = page.evaluate("t => new Date(t * 1000).getHours()", plan["next_fire_times"][0])
    expect(row.get_by_test_id("next-fire")).to_contain_text(f" {first:02d}:00:00")
    paused = page.locator("[data-testid=launch-plans] tr[data-row=quarter-hourly]")
    expect(paused).to_contain_text("PAUSED")
    expect(paused).to_contain_text("every 15m")
    expect(paused.get_by_test_id("next-fire")).to_have_text("—")

    row.get_by_role("link", name="nightly-report").click()
    expect(page.get_by_test_id("next-fires").locator("li")).to_have_count(5)
    expect(page.get_by_test_id("zoned").first).to_contain_text("03:00 Europe/Paris")
    expect(page.get_by_test_id("fixed-inputs")).to_have_text('{"region":"eu"}')
    launches = page.locator("[data-testid=launches] tbody tr")
    expect(launches).to_have_count(1)  # the seed's
    expect(launches.first).to_contain_text("manual")
    expect(launches.first).to_contain_text("SUCCEEDED")
    expect(launches.first).to_contain_text('{"rows":5}')

    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("PAUSED")
    expect(page.get_by_test_id("next-fires")).to_contain_text("Paused")
    assert get(console, "/launch-plans/nightly-report")["launch_plan"]["state"] == "PAUSED"
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("ACTIVE")
    expect(page.get_by_test_id("next-fires").locator("li")).to_have_count(5)

    page.get_by_role("button", name="Run now").click()  # the main action
    expect(page.get_by_test_id("started")).to_be_visible(timeout=60_000)
    started = page.get_by_test_id("started").get_by_role("link").get_attribute("href")
    execution_id = started.rsplit("/", 1)[-1]
    newest = page.locator(f"[data-testid=launches] tbody tr[data-execution='{execution_id}']")
    expect(newest).to_contain_text("SUCCEEDED", timeout=30_000)
    expect(launches).to_have_count(2)
    screenshot(page, "schedule")
    record = get(console, f"/executions/{execution_id}")["execution"]
    assert record["workflow_name"] == "batch_report"
    assert record["inputs"] == {"rows": 20, "region": "eu"}  # the plan's default and fixed

    newest.get_by_role("link").click()
    expect(page).to_have_url(f"{console.url}/executions/{execution_id}")
    expect(page.locator(".page-head .badge")).to_have_text("SUCCEEDED")
