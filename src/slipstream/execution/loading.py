"""Finding workflow code again: `path/to/file.py:name` or `package.module:name`."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError, NotFoundError, did_you_mean


def load_entity(ref: str) -> Any:
    """Import the object `ref` names. A `.py` path is imported as a module named after the file,
    with its folder put on sys.path (so process-pool workers can import it too)."""
    target, sep, name = ref.rpartition(":")
    if not sep or not target or not name:
        raise InvalidInputError(
            f"{ref!r} does not name a workflow: use path/to/file.py:workflow_name or "
            "package.module:workflow_name")
    if target.endswith(".py"):
        module = _import_path(Path(target))
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise NotFoundError(f"cannot import module {target!r}: {exc}") from None
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            names = [n for n in dir(module) if not n.startswith("_")]
            raise NotFoundError(f"{target} has no {name!r}.{did_you_mean(part, names)}")
        obj = getattr(obj, part)
    return obj


def _import_path(path: Path) -> Any:
    if not path.is_file():
        raise NotFoundError(f"no such file: {path}")
    path = path.resolve()
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = path.stem
    existing = sys.modules.get(name)
    if existing is not None and Path(getattr(existing, "__file__", "") or "").resolve() == path:
        return existing
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidInputError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def source_ref_of(entity: Any) -> str:
    """A reference `load_entity` can resolve later (the file path for scripts)."""
    module = sys.modules.get(entity.fn.__module__)
    file = getattr(module, "__file__", None)
    by_path = entity.fn.__module__ == "__main__" or (
        file and entity.fn.__module__ == Path(file).stem and str(Path(file).parent) in sys.path)
    if by_path and file:
        return f"{Path(file).resolve()}:{entity.fn.__qualname__}"
    return f"{entity.fn.__module__}:{entity.fn.__qualname__}"
