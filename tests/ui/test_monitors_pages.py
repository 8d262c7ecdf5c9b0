"""Drift monitors: the list, a report's per-feature tests, the reports over time, in Chromium,
over `seed_flow`'s `churn-data` (a report without drift, then one with)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import Console, screenshot

pytestmark = pytest.mark.ui


def test_monitor_reports_and_features(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto("/monitors")
    row = page.locator("[data-testid=monitors] tr[data-row=churn-data]")
    expect(row).to_contain_text("dataset")
    row.get_by_role("link", name="churn-data").click()
    report = page.get_by_test_id("report")  # the newest: shifted data
    expect(report.get_by_test_id("verdict")).to_have_text("DRIFT")
    expect(report.get_by_test_id("drifted-share")).to_have_text("100%")
    features = report.locator("[data-testid=features] tbody tr")
    expect(features).to_have_count(4)  # tenure: psi, ks; plan: psi, chi2
    expect(report.locator("tr[data-feature=tenure]").first).to_contain_text("numeric")
    expect(report.locator("tr[data-feature=plan]").last).to_contain_text("chi2")
    expect(page.locator("[data-testid=reports] tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("drift-chart")).to_have_attribute("data-points", "2")
    screenshot(page, "monitor")

    page.locator("[data-testid=reports] tbody tr").last.click()  # the first: like the reference
    expect(report.get_by_test_id("verdict")).to_have_text("NO DRIFT")
    expect(report.get_by_test_id("drifted-share")).to_have_text("0%")
