"""`slipstream models …` through the real console script: register a version from a workflow
task's run, list and show it, move aliases and read their history, print lineage, describe, tag
and delete; user errors print one line and exit 1."""

from __future__ import annotations

import getpass
import re
from pathlib import Path

from tests.cli.helpers import slipstream
from tests.registry.flows import trained


def _train(home: Path) -> tuple[str, str]:
    """(run id, execution id) of the `trained.fit` workflow run on the default store."""
    from slipstream._core.settings import Settings
    from slipstream.execution.api import Client

    client = Client(Settings.load(home=home))
    try:
        result = client.execute(trained.fit, {"rows": 5})
        return client.outputs(trained.fit, result), result.execution.id
    finally:
        client.close()


def _ok(*args: str, home: Path) -> str:
    result = slipstream("models", *args, home=home)
    assert result.code == 0, (args, result.out, result.err)
    assert result.err == ""
    return result.out


def test_register_alias_lineage_and_delete(isolated_home: Path) -> None:
    home = isolated_home
    run_id, execution_id = _train(home)
    assert _ok("list", home=home).strip() == "no registered models"

    out = _ok("register", f"runs:/{run_id}/model", "--name", "churn", "--tag", "team=ml",
              home=home)
    assert out.splitlines()[0].startswith("Registered churn version 1 from ")
    assert f"trained by execution {execution_id} node n0" in out
    _ok("register", str(home / "exported"), "--name", "churn", "--description", "by hand",
        home=home)

    _ok("alias", "set", "churn", "champion", "1", home=home)
    assert _ok("alias", "set", "churn", "champion", "2", home=home).strip() == (
        "churn@champion -> version 2 (was 1)")
    _ok("alias", "set", "churn", "challenger", "1", home=home)
    _ok("alias", "delete", "churn", "challenger", home=home)
    history = _ok("alias", "history", "churn", home=home)
    user = re.escape(getpass.getuser())
    rows = [line.split() for line in history.splitlines()[1:]]
    assert [row[2:] for row in rows] == [
        ["champion", "1", getpass.getuser()], ["champion", "1", "2", getpass.getuser()],
        ["challenger", "1", getpass.getuser()], ["challenger", "1", "(deleted)",
                                                 getpass.getuser()]]
    assert len(_ok("alias", "history", "churn", "champion", home=home).splitlines()) == 3

    listed = _ok("list", "--filter", "name LIKE 'ch%'", home=home)
    assert re.search(r"^ *churn +2 +champion=2 ", listed, re.MULTILINE), listed
    assert _ok("list", "--filter", "name = 'other'", home=home).strip() == "no registered models"

    _ok("describe", "churn", "predicts churn", home=home)
    _ok("describe", "churn", "champion", "the best so far", home=home)
    _ok("tag", "set", "churn", "stage", "prod", "--version", "1", home=home)
    _ok("tag", "set", "churn", "owner", "ann", home=home)
    shown = _ok("show", "churn", home=home)
    assert "description: predicts churn" in shown
    assert "tags: owner=ann, team=ml" not in shown  # team=ml was a version tag
    assert "tags: owner=ann" in shown and "aliases: champion -> 2" in shown
    assert re.search(rf"^ *1 +\S+ \S+ +{user} +{run_id} +{execution_id} +n0 +\S+/model *$",
                     shown, re.MULTILINE), shown
    versions = _ok("versions", "churn", home=home)
    assert [line.split()[0] for line in versions.splitlines()[1:]] == ["2", "1"]

    lineage = _ok("lineage", "churn", "1", home=home)
    assert lineage.splitlines()[0].startswith("churn version 1  ")
    assert re.search(r"^workflow: +\S*fit \(version [0-9a-f]+\)$", lineage, re.MULTILINE)
    assert f"execution: {execution_id}" in lineage and f"run:       {run_id}" in lineage
    assert "node:      n0" in lineage
    assert re.search(rf"^ *{trained.TRAIN.name} +{trained.TRAIN.digest} +s3 +"
                     r"s3://data/churn/train.parquet *$", lineage, re.MULTILINE), lineage
    assert trained.EVAL.name not in lineage
    assert "deployed:  -" in lineage
    plain = _ok("lineage", "churn", "champion", home=home)
    assert "execution: -" in plain and "datasets:  -" in plain
    deployed = slipstream("deploy", "create", "prod", "--model", "models:/churn@champion",
                          home=home)
    assert deployed.code == 0, deployed.err
    assert "deployed:  prod (primary 100% via models:/churn@champion)" in _ok(
        "lineage", "churn", "2", home=home)
    assert slipstream("deploy", "delete", "prod", home=home).code == 0

    _ok("tag", "delete", "churn", "stage", "--version", "1", home=home)
    assert _ok("delete", "churn", "--version", "2", home=home).strip() == (
        "Deleted churn version 2")
    assert "aliases: " not in _ok("show", "churn", home=home)  # champion went with version 2
    _ok("delete", "churn", home=home)
    assert _ok("list", home=home).strip() == "no registered models"


def test_user_errors_print_one_line(isolated_home: Path) -> None:
    home = isolated_home
    _ok("register", str(home / "m"), "--name", "m", home=home)
    for args, message in [
        (("show", "nope"), "not found"),
        (("lineage", "m", "7"), "version=7"),
        (("lineage", "m", "champion"), "alias champion not found"),
        (("alias", "set", "m", "v1", "1"), "cannot look like a version"),
        (("alias", "delete", "m", "champion"), "alias champion not found"),
        (("register", "runs:/" + "0" * 32 + "/model", "--name", "m"), "not found"),
        (("register", "models:/a/b/c", "--name", "m"), "Invalid models URI"),
        (("register", "x", "--name", "a/b"), "path separators"),
        (("register", "x", "--name", "m", "--tag", "novalue"), "KEY=VALUE"),
        (("describe", "m", "1", "2", "3"), "NAME [VERSION] TEXT"),
        (("delete", "m", "--version", "one"), "positive integer"),
        (("tag", "delete", "m", "nope"), "No tag"),
    ]:
        result = slipstream("models", *args, home=home)
        assert result.code == 1, (args, result.out, result.err)
        assert len(result.err.strip().splitlines()) == 1, (args, result.err)
        assert result.err.startswith("error: ") and message in result.err, (args, result.err)
    assert "Traceback" not in slipstream("models", "show", "nope", home=home).err
    assert [line.split()[0] for line in _ok("versions", "m", home=home).splitlines()[1:]] == [
        "1"]
