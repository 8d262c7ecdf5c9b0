"""`slipstream monitor create|run|list|reports` as a subprocess against a real store: a data-set
monitor over files with a model's lineage as reference, a one-off comparison, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from slipstream._core.settings import Settings
from tests.cli.helpers import slipstream
from tests.monitor.helpers import frame, train_and_register


def test_create_run_list_and_reports(isolated_home: Path, tmp_path: Path) -> None:
    home = isolated_home
    train_and_register(Settings.load(home=home), tmp_path)
    batches = tmp_path / "batches"
    batches.mkdir()
    frame(200, shift=1.0, seed=8).to_csv(batches / "day1.csv", index=False)

    made = slipstream("monitor", "create", "daily", "--dataset", str(batches / "*.csv"),
                      "--reference", "models:/churn/1", "--threshold", "alpha=0.05",
                      "--cooldown", "60", home=home)
    assert made.code == 0, made.err
    assert "Created monitor daily watching dataset" in made.out

    ran = slipstream("monitor", "run", "daily", home=home)
    assert ran.code == 0, ran.err
    assert "DRIFT (33% of features drifted)" in ran.out
    assert "training data of model churn version 1" in ran.out
    x1 = next(line for line in ran.out.splitlines() if " x1 " in line)
    assert [c.strip() for c in x1.split("│")[1:-1]][3::4] == ["ks", "yes"]

    as_json = slipstream("monitor", "run", "daily", "--json", home=home)
    report = json.loads(as_json.out)
    assert report["drifted"] and report["thresholds"]["alpha"] == 0.05
    assert report["firing"] is None  # no plan

    listed = slipstream("monitor", "list", home=home)
    assert "daily" in listed.out and "DRIFT" in listed.out

    reports = slipstream("monitor", "reports", "daily", home=home)
    assert reports.out.count("DRIFT") == 2 and report["report_id"] in reports.out
    one = slipstream("monitor", "reports", "--report", report["report_id"], home=home)
    assert "segment" in one.out and "chi2" in one.out


def test_one_off_comparison_and_bad_input(isolated_home: Path, tmp_path: Path) -> None:
    home = isolated_home
    frame(100, seed=1).to_parquet(tmp_path / "ref.parquet")
    frame(100, seed=2).to_parquet(tmp_path / "cur.parquet")
    once = slipstream("monitor", "run", "--reference", str(tmp_path / "ref.parquet"),
                      "--current", str(tmp_path / "cur.parquet"), home=home)
    assert once.code == 0, once.err
    assert "no drift" in once.out

    missing = slipstream("monitor", "run", home=home)
    assert missing.code == 1
    assert "give a monitor NAME, or both --reference and --current" in missing.err
    unknown = slipstream("monitor", "run", "ghost", home=home)
    assert unknown.code == 1 and "No monitor named 'ghost'" in unknown.err
    bad = slipstream("monitor", "create", "m", "--dataset", "x.csv", "--reference", "y.csv",
                     "--threshold", "alpha", home=home)
    assert bad.code == 1 and "--threshold 'alpha' must be KEY=VALUE" in bad.err
    both = slipstream("monitor", "create", "m", home=home)
    assert both.code == 1 and "exactly one of deployment= or dataset=" in both.err
    assert "Traceback" not in bad.err + both.err + unknown.err
