"""Models (versions, aliases, lineage; moving an alias), studies (history, importance, parallel
coordinates, trials) and deployments (traffic, promote, roll back), in Chromium, over
`seed_flow`'s `churn` model, `sweep-study` and `churn-svc`."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.ui.conftest import Console, screenshot
from tests.ui.seed_flow import BAD_REQUESTS, GOOD_REQUESTS, STUDY_TRIALS

pytestmark = pytest.mark.ui


def _api(console: Console, path: str) -> Any:
    with urllib.request.urlopen(console.url + "/api/v1" + path, timeout=10) as response:
        return json.load(response)


def test_model_versions_lineage_and_moving_an_alias(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto("/models")
    row = page.locator("[data-testid=models] tr[data-row=churn]")
    expect(row).to_contain_text("v2")
    expect(row).to_contain_text("@champion → v2")
    row.get_by_role("link", name="churn").click()
    versions = page.locator("[data-testid=versions] tbody tr")
    expect(versions).to_have_count(2)
    v2 = _api(console, "/registered-models/churn/versions/2")
    lineage = page.get_by_test_id("lineage")  # of the newest version
    expect(lineage.locator("[data-lineage=dataset]")).to_contain_text("churn-train")
    expect(lineage.locator("[data-lineage=run]")).to_contain_text(v2["run_id"][:8])
    expect(lineage.locator("[data-lineage=execution]")).to_contain_text(v2["execution_id"][:8])
    expect(lineage.locator("[data-lineage=deployment]")).to_contain_text("primary 80%")  # via @champion
    history = page.locator("[data-testid=alias-history] tbody tr")
    expect(history).to_have_count(2)
    screenshot(page, "model")

    page.get_by_label("alias version").select_option("1")  # the main action: move champion back
    page.get_by_role("button", name="Set alias").click()
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("v2")
    expect(page.get_by_test_id("aliases")).to_have_text("@champion → v1")
    assert _api(console, "/registered-models/churn")["aliases"] == {"champion": 1}
    page.locator("[data-testid=versions] tr[data-row='1']").click()  # champion and /1 name v1
    targets = _api(console, "/deployments/churn-svc")["targets"]
    named = [f"{t['label']} {t['traffic_percent']:g}%" for t in targets
             if t["model_uri"] in ("models:/churn/1", "models:/churn@champion")]
    expect(lineage.locator("[data-lineage=deployment]")).to_contain_text(", ".join(named))


def test_study_history_importance_and_trials(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    detail = _api(console, "/studies/sweep-study")
    best = detail["best_trial"]
    page.goto("/studies")
    page.locator("[data-testid=studies]").get_by_role("link", name="sweep-study").click()
    expect(page.get_by_test_id("trial-counts")).to_have_text(f"{STUDY_TRIALS} COMPLETE")
    expect(page.get_by_test_id("best-trial")).to_contain_text(f"trial {best['number']}")
    expect(page.locator("[data-testid=trials] tbody tr")).to_have_count(STUDY_TRIALS)
    expect(page.get_by_test_id("history-chart")).to_have_attribute("data-points", str(STUDY_TRIALS))
    expect(page.locator("[data-testid=parallel] polyline")).to_have_count(STUDY_TRIALS)
    importance = _api(console, "/studies/sweep-study/importance")["importances"]
    top = max(importance, key=importance.get)
    expect(page.locator(f"[data-testid=importance] [data-param={top}]")).to_contain_text(
        f"{100 * importance[top]:.1f}%")
    screenshot(page, "study")
    page.locator(f"[data-testid=trials] tr[data-row='{best['number']}']").get_by_role("link").click()
    expect(page).to_have_url(f"{console.url}/runs/{best['run_id']}")


def test_deployment_traffic_promote_and_rollback(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto("/deployments")
    row = page.locator("[data-testid=deployments] tr[data-row=churn-svc]")
    expect(row.locator("[data-label=canary]")).to_have_text("canary 20%")
    row.get_by_role("link", name="churn-svc").click()
    revision = page.get_by_test_id("revision")
    expect(revision).to_have_text("1")
    figures = _api(console, "/deployments/churn-svc/stats")["versions"]
    assert sum(v["requests"] for v in figures) == GOOD_REQUESTS + BAD_REQUESTS
    assert sum(v["errors"] for v in figures) == BAD_REQUESTS
    stats = page.locator("[data-testid=stats] tbody tr")
    expect(stats).to_have_count(len(figures))
    for i, v in enumerate(figures):
        expect(stats.nth(i).locator("td")).to_contain_text(
            [v["label"], v["model_version"], str(v["requests"]), str(v["errors"])])
    page.get_by_label("canary percent").fill("50")
    page.get_by_role("button", name="Set traffic").click()
    expect(revision).to_have_text("2")
    expect(page.locator("[data-testid=traffic] [data-label=canary]")).to_have_text("canary 50%")
    screenshot(page, "deployment")

    page.get_by_role("button", name="Promote canary").click()
    expect(revision).to_have_text("3")
    after = _api(console, "/deployments/churn-svc")
    expect(page.locator("[data-testid=targets] tbody tr")).to_have_count(len(after["targets"]))
    expect(page.get_by_test_id("deployment-status")).to_have_text(after["status"])
    assert all(t["label"] != "canary" for t in after["targets"])
    page.get_by_role("button", name="Roll back").click()
    expect(revision).to_have_text("4")
    expect(page.locator("[data-testid=history] tbody tr")).to_have_count(4)
    rolled = _api(console, "/deployments/churn-svc")
    expect(page.locator("[data-testid=targets] tbody tr")).to_have_count(len(rolled["targets"]))
