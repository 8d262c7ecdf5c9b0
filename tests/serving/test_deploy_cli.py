"""`slipstream deploy …` through the real console script: create, list, show, traffic, promote,
rollback, delete and predictions, on SQLite and on PostgreSQL; bad input is one line on stderr,
exit 1, and nothing recorded."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from slipstream.entities.deployments import PredictionRecord, VersionStats
from slipstream.metadata.factory import open_deployment_store
from tests.cli.helpers import Result, slipstream

Deploy = Callable[..., Result]


@pytest.fixture
def url(store_urls: tuple[str, str]) -> str:
    return store_urls[0]


@pytest.fixture
def deploy(url: str, isolated_home: Path) -> Deploy:
    """`slipstream --store URL deploy ARGS` on the backend under test."""

    def run(*args: str) -> Result:
        return slipstream("--store", url, "deploy", *args, home=isolated_home)

    return run


def _ok(result: Result) -> str:
    assert (result.code, result.err) == (0, ""), result.err
    return result.out


def _row(text: str, *cells: str) -> bool:
    """Whether `text` has a table row of exactly these cells."""
    pattern = r"^ *" + r" +".join(map(re.escape, cells)) + r" *$"
    return re.search(pattern, text, re.MULTILINE) is not None


def test_a_rollout_from_the_command_line(deploy: Deploy, url: str) -> None:
    created = _ok(deploy("create", "churn", "--model", "models:/churn/1", "--canary",
                         "models:/churn/2", "--traffic", "10", "--description", "churn v2"))
    assert created == ("Created churn (revision 1): primary models:/churn/1 90%, canary "
                       "models:/churn/2 10%\n")
    assert _ok(deploy("traffic", "churn", "--canary", "50")).startswith(
        "Traffic set in churn (revision 2): primary models:/churn/1 50%, canary")
    assert "(revision 3)" in _ok(deploy("set-traffic", "churn", "--canary", "25"))
    listed = _ok(deploy("list"))
    assert re.search(r"^ *churn +CANARY +3 +primary models:/churn/1 75%, canary "
                     r"models:/churn/2 25% ", listed, re.MULTILINE), listed

    store = open_deployment_store(url)
    try:
        store.log_predictions([], [
            VersionStats("churn", "primary", "churn/1", 300, 3, 600.0, 9.5, 1000, 2000),
            VersionStats("churn", "canary", "churn/2", 100, 0, 150.0, 4.25, 1000, 2000)])
    finally:
        store.close()  # type: ignore[attr-defined]
    shown = _ok(deploy("show", "churn"))
    assert shown.splitlines()[:2] == [
        re.match(r"churn  CANARY  revision 3  created [\d\- :]+ by \S+", shown)[0],  # type: ignore[index]
        "churn v2"]
    assert _row(shown, "primary", "models:/churn/1", "75%")
    assert _row(shown, "canary", "models:/churn/2", "25%")
    assert _row(shown, "label", "version", "requests", "errors", "error rate", "mean ms",
                "max ms")
    assert _row(shown, "primary", "churn/1", "300", "3", "1.00%", "2.00", "9.50")
    assert _row(shown, "canary", "churn/2", "100", "0", "0.00%", "1.50", "4.25")
    assert re.search(r"^ *1 +[\d\- :]+ +CREATED +\S+ +primary models:/churn/1 90%, canary "
                     r"models:/churn/2 10% *$", shown, re.MULTILINE), shown
    assert re.search(r"^ *3 +[\d\- :]+ +TRAFFIC_CHANGED ", shown, re.MULTILINE)

    assert _ok(deploy("promote", "churn")) == (
        "Promoted churn (revision 4): primary models:/churn/2 100%\n")
    assert _ok(deploy("canary", "churn", "--model", "models:/churn@challenger",
                      "--traffic", "5")) == (
        "Canary started in churn (revision 5): primary models:/churn/2 95%, canary "
        "models:/churn@challenger 5%\n")
    assert _ok(deploy("rollback", "churn")) == (
        "Rolled back churn (revision 6): primary models:/churn/2 100%\n")
    assert _ok(deploy("rollback", "churn")) == (  # undoes the promote
        "Rolled back churn (revision 7): primary models:/churn/1 100%\n")
    assert _ok(deploy("delete", "churn")) == "Deleted churn\n"
    assert _ok(deploy("list")) == "no deployments\n"


@pytest.mark.parametrize(("args", "message"), [
    (("create", "churn", "--model", "models:/churn"), "Invalid model URI 'models:/churn'"),
    (("create", "churn", "--model", "models:/churn/1", "--canary", "models:/churn/2"),
     "--canary and --traffic go together"),
    (("create", "churn", "--model", "models:/churn/1", "--canary", "models:/churn/2",
      "--traffic", "120"), "number from 0 to 100"),
    (("create", "no/slash", "--model", "models:/churn/1"), "Invalid deployment name"),
    (("traffic", "nope", "--canary", "5"), "No deployment named 'nope'"),
    (("show", "nope"), "No deployment named 'nope'"),
])
def test_bad_input_is_one_line_and_writes_nothing(deploy: Deploy, args: tuple[str, ...],
                                                  message: str) -> None:
    result = deploy(*args)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("error: ") and message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert _ok(deploy("list")) == "no deployments\n"


def test_refused_changes_leave_the_deployment_as_it_was(deploy: Deploy) -> None:
    _ok(deploy("create", "churn", "--model", "models:/churn/1"))
    for args, message in [(("promote", "churn"), "has no canary to promote"),
                          (("traffic", "churn", "--canary", "10"), "has no canary"),
                          (("rollback", "churn"), "Nothing to roll back")]:
        result = deploy(*args)
        assert (result.code, result.out) == (1, ""), result.out
        assert message in result.err
    assert re.search(r"^ *churn +STABLE +1 +primary models:/churn/1 100% ",
                     _ok(deploy("list")), re.MULTILINE)


def test_predictions_lists_the_logged_samples(deploy: Deploy, url: str) -> None:
    _ok(deploy("create", "churn", "--model", "models:/churn/1"))
    assert _ok(deploy("predictions", "churn")) == "no predictions logged\n"
    store = open_deployment_store(url)
    try:
        store.log_predictions([
            PredictionRecord("churn", "primary", "churn/1", f"req-{n}", 1_700_000_000_000 + n,
                             {"dataframe_split": {"columns": ["x"], "data": [[n]]}},
                             [[0.25, 0.75]], 1.5, 200) for n in range(3)])
    finally:
        store.close()  # type: ignore[attr-defined]
    table = _ok(deploy("predictions", "churn", "--limit", "2"))
    assert _row(table, "time", "label", "version", "status", "ms", "request", "inputs",
                "outputs")
    rows = [line for line in table.splitlines() if "req-" in line]
    assert [re.search(r"req-\d", line)[0] for line in rows] == ["req-2", "req-1"]  # type: ignore[index]
    assert '{"dataframe_split": {"columns": ["x"], "data": [[2]]}}' in rows[0]
    assert "[[0.25, 0.75]]" in rows[0]
    lines = _ok(deploy("predictions", "churn", "--json")).splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == ["req-2", "req-1", "req-0"]
    assert json.loads(lines[0])["inputs"] == {"dataframe_split": {"columns": ["x"],
                                                                  "data": [[2]]}}
