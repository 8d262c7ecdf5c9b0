"""`--executor` and the global options `--home`, `--store`, `--artifacts`, which override the
environment."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.helpers import flow, slipstream


def test_process_executor(isolated_home: Path, tmp_path: Path) -> None:
    result = slipstream("run", flow("squares"), "--xs", "[1, 2, 3, 4]", "--executor",
                        "process:2", home=isolated_home)
    assert result.code == 0, result.err
    assert re.search(r"^SUCCEEDED in [\d.]+ m?s: 30$", result.out, re.MULTILINE)
    shown = slipstream("executions", "show", result.execution_id(), "--items",
                       home=isolated_home)
    assert "executor process:2" in shown.out
    assert len(re.findall(r"^ *n0\[\d\] +square +map_item +SUCCEEDED ", shown.out,
                          re.MULTILINE)) == 4

    (tmp_path / "broken").touch()
    failed = slipstream("run", flow("switchable"), "--x", "2", "--folder", str(tmp_path),
                        "--executor", "process:2", home=isolated_home)
    assert failed.code == 1 and "failed at node n2 (gate)" in failed.err
    old_id = re.search(r"Execution (\w+) of workflow", failed.err).group(1)
    (tmp_path / "broken").unlink()
    recovered = slipstream("recover", old_id, "--executor", "process:2", home=isolated_home)
    assert recovered.code == 0, recovered.err
    assert re.search(r"^SUCCEEDED in [\d.]+ m?s: 41$", recovered.out, re.MULTILINE)
    assert [status for _, _, status in recovered.node_lines()] == [
        "RECOVERED", "RECOVERED", "SUCCEEDED", "SUCCEEDED"]


def test_global_options_override_the_environment(isolated_home: Path, tmp_path: Path) -> None:
    env_store = tmp_path / "env" / "env.db"
    env = {"SLIPSTREAM_STORE_URL": f"sqlite:///{env_store}",
           "SLIPSTREAM_ARTIFACT_URI": str(tmp_path / "env-artifacts")}
    flag_store = tmp_path / "flag" / "flag.db"
    flag_artifacts = tmp_path / "flag-artifacts"
    options = ["--store", f"sqlite:///{flag_store}", "--artifacts", str(flag_artifacts)]

    result = slipstream(*options, "run", flow("padded"), home=isolated_home, env=env)
    assert result.code == 0, result.err
    assert f"in sqlite:///{flag_store} " in result.out
    assert flag_store.is_file()
    # the 100 kB output went to the artifact store the option names
    assert sum(f.stat().st_size for f in flag_artifacts.rglob("*") if f.is_file()) >= 100_000
    assert not env_store.exists() and not (tmp_path / "env-artifacts").exists()
    assert not (isolated_home / "slipstream.db").exists()

    execution_id = result.execution_id()
    assert execution_id in slipstream(*options, "executions", "list", home=isolated_home,
                                      env=env).out
    from_env = slipstream("executions", "list", home=isolated_home, env=env)
    assert from_env.out.strip() == "no executions" and env_store.is_file()

    other_home = tmp_path / "other-home"
    by_home = slipstream("--home", str(other_home), "run", flow("padded"), "--n", "5",
                         home=isolated_home)
    assert by_home.code == 0, by_home.err
    assert f"in sqlite:///{other_home / 'slipstream.db'} " in by_home.out
    assert (other_home / "slipstream.db").is_file()
    assert not (isolated_home / "slipstream.db").exists()
