"""The `MLmodel` descriptor file of a model folder: YAML, as MLflow writes it.

We write block mappings whose leaves are JSON values (JSON is valid YAML); we read ours and
MLflow's (`yaml.safe_dump` output) without a YAML library (`yaml_subset`), and fall back to
PyYAML, when installed, for anything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.models import yaml_subset

DESCRIPTOR_FILE = "MLmodel"


def to_yaml(value: dict[str, Any], indent: int = 0) -> str:
    """Nested dicts as a YAML block mapping; every other value is written as JSON."""
    lines: list[str] = []
    pad = "  " * indent
    for key, item in value.items():
        if isinstance(item, dict) and item:
            lines.append(f"{pad}{key}:")
            lines.append(to_yaml(item, indent + 1).rstrip("\n"))
        else:
            lines.append(f"{pad}{key}: {json.dumps(item, default=str)}")
    return "\n".join(lines) + "\n"


def from_yaml(text: str) -> dict[str, Any]:
    """Read a descriptor: ours, or MLflow's as `yaml.safe_dump` writes it, with the small
    reader in `yaml_subset`; anything beyond that subset with PyYAML when it is installed."""
    try:
        return yaml_subset.load(text)
    except ValueError:
        pass
    try:
        import yaml
    except ImportError:
        raise InvalidInputError("This MLmodel file uses YAML beyond what Slipstream reads by "
                                "itself; reading it needs PyYAML (pip install pyyaml)") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"The MLmodel file is not valid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise InvalidInputError("The MLmodel file is not a YAML mapping")
    return loaded


def write_descriptor(folder: Path, descriptor: dict[str, Any]) -> None:
    (folder / DESCRIPTOR_FILE).write_text(to_yaml(descriptor), encoding="utf-8")


def read_descriptor(folder: str | Path) -> dict[str, Any]:
    """The parsed `MLmodel` of a local model folder; NotFoundError naming the folder when it
    is not one."""
    path = Path(folder) / DESCRIPTOR_FILE
    if not path.is_file():
        raise NotFoundError(f"{str(folder)!r} is not a model folder: it has no {DESCRIPTOR_FILE} "
                            "file")
    descriptor = from_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(descriptor.get("flavors"), dict) or not descriptor["flavors"]:
        raise InvalidInputError(f"The {DESCRIPTOR_FILE} file in {str(folder)!r} names no flavors")
    return descriptor
