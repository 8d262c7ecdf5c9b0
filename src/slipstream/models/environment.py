"""The environment a model was saved in: `requirements.txt` (the flavor's packages, numpy and
cloudpickle pinned to the installed versions, or the user's own list) and `python_env.yaml`
(the Python version and build tools, as MLflow's virtualenv environment manager reads it)."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from slipstream._core.errors import InvalidInputError

REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
_ALWAYS = ("numpy", "cloudpickle")
_BUILD = ("pip", "setuptools", "wheel")


def installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def pinned(distributions: Sequence[str]) -> list[str]:
    """`name==version` for each installed distribution (uninstalled ones are left out),
    without duplicates, in order."""
    lines: list[str] = []
    for name in dict.fromkeys(distributions):
        version = installed_version(name)
        if version is not None:
            lines.append(f"{name}=={version.split('+')[0]}")
    return lines


def requirements(flavor_packages: Sequence[str],
                 pip_requirements: Sequence[str] | None = None) -> list[str]:
    """The lines of `requirements.txt`: the user's list when given, else the flavor's packages
    plus numpy and cloudpickle, pinned."""
    if pip_requirements is None:
        return pinned([*flavor_packages, *_ALWAYS])
    if isinstance(pip_requirements, str):
        raise InvalidInputError("pip_requirements is a list of requirement lines, e.g. "
                                "['scikit-learn==1.5.0'], not one string")
    lines = [str(line).strip() for line in pip_requirements]
    bad = [line for line in lines if not line or "\n" in line]
    if bad:
        raise InvalidInputError(f"pip_requirements has empty or multi-line entries: {bad!r}")
    return lines


def write_environment(folder: Path, lines: Sequence[str]) -> dict[str, str]:
    """Write both files; the descriptor's `python_function.env` entry."""
    (folder / REQUIREMENTS_FILE).write_text("".join(f"{line}\n" for line in lines),
                                            encoding="utf-8")
    build = "".join(f"- {line}\n" for line in pinned(_BUILD))
    (folder / PYTHON_ENV_FILE).write_text(
        f"python: {platform.python_version()}\nbuild_dependencies:\n{build}"
        f"dependencies:\n- -r {REQUIREMENTS_FILE}\n", encoding="utf-8")
    return {"virtualenv": PYTHON_ENV_FILE}


def read_requirements(folder: Path) -> list[str]:
    path = folder / REQUIREMENTS_FILE
    if not path.is_file():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
