"""Workflows: their versions, typed inputs, and the graph and source diff between two
versions, in Chromium, over `seed_flow`'s two versions of `evolving` (a node added) and of
`reworked` (a task's source changed)."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest

from tests.ui.conftest import Console, screenshot

pytestmark = pytest.mark.ui


def test_versions_inputs_and_graph_diff(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    with urllib.request.urlopen(console.url + "/api/v1/workflows?name=evolving") as response:
        versions = json.load(response)["workflows"]
    assert len(versions) == 2
    page.goto("/workflows")
    row = page.locator("[data-testid=workflows] tr[data-row=evolving]")
    expect(row.locator("td").nth(1)).to_have_text("2")
    row.get_by_role("link", name="evolving").click()
    expect(page.locator("[data-testid=workflow-versions] tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("workflow-inputs")).to_contain_text("x")
    expect(page.get_by_test_id("workflow-inputs")).to_contain_text("int = 1")
    graph = page.get_by_test_id("diff-graph")  # older -> newer: one inc added after dbl
    expect(graph.locator("[data-diff=added]")).to_have_count(1)
    expect(graph.locator("[data-key='inc#1']")).to_have_attribute("data-diff", "added")
    expect(graph.locator("[data-diff=same]")).to_have_count(2)
    expect(page.get_by_test_id("diff-summary")).to_contain_text("1 added")
    screenshot(page, "workflow-diff")

    page.get_by_label("diff from").select_option(versions[0]["version"])  # newer -> older
    page.get_by_label("diff to").select_option(versions[1]["version"])
    expect(graph.locator("[data-key='inc#1']")).to_have_attribute("data-diff", "removed")


def test_source_diff_between_versions(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto("/workflows/reworked")
    expect(page.locator("[data-testid=workflow-versions] tbody tr")).to_have_count(2)
    graph = page.get_by_test_id("diff-graph")  # same graph, the task's code version moved
    expect(graph.locator("[data-key='scale#0']")).to_have_attribute("data-diff", "changed")
    source = page.get_by_test_id("source-diff")
    changed = source.locator("[data-source=scale]")
    expect(changed).to_have_attribute("data-diff", "changed")
    expect(changed.get_by_test_id("source-counts")).to_have_text("+1 \u22121")
    expect(changed.locator("[data-line=del]")).to_have_text(re.compile(r"return x \* 2$"))
    expect(changed.locator("[data-line=add]")).to_have_text(re.compile(r"return x \* 3$"))
    expect(changed.locator("[data-line=same]")).to_have_text(
        [re.compile(r"^1\s*1\s*@task$"), re.compile(r"def scale\(x: int\) -> int:$")])
    expect(source.get_by_test_id("same-sources")).to_have_text("Unchanged: reworked")
    screenshot(page, "workflow-source-diff")

    page.get_by_label("diff from").select_option(index=0)  # one version against itself
    expect(source).to_contain_text("The sources are the same.")
    expect(source.get_by_test_id("same-sources")).to_have_text("Unchanged: reworked, scale")


def test_launch_form_from_the_typed_inputs(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto("/workflows/pipeline")
    form = page.get_by_test_id("launch-form")
    expect(form.get_by_label("input rows")).to_have_value("30")  # the defaults
    expect(form.get_by_label("input lr")).to_have_value("0.5")
    form.get_by_label("input rows").fill("1.5")
    expect(form).to_contain_text("rows: a whole number")
    form.get_by_label("input rows").fill("12")
    form.get_by_label("input lr").fill("0.1")
    form.get_by_role("button", name="Run").click()  # the main action
    expect(page).to_have_url(re.compile(r"/executions/[0-9a-f]+$"), timeout=60_000)
    expect(page.locator(".page-head .badge")).to_have_text("SUCCEEDED", timeout=30_000)
    launched = page.url.rsplit("/", 1)[-1]
    with urllib.request.urlopen(f"{console.url}/api/v1/executions/{launched}") as response:
        assert json.load(response)["execution"]["inputs"] == {"rows": 12, "lr": 0.1}

    page.goto("/workflows/evolving")  # defined inside a function: no code to load by name
    page.get_by_test_id("launch-form").get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("launch-form").get_by_role("alert")).to_contain_text("evolving")
