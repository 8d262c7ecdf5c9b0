"""The `Flavor` interface: how one kind of model is written into a model folder, read back,
and called by `PyFuncModel.predict`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar


@dataclass(frozen=True)
class SavedFlavor:
    """What `Flavor.save` wrote: the descriptor's `flavors.<name>` entry and the
    `flavors.python_function` entry (loader module and its files)."""

    conf: dict[str, Any]
    pyfunc: dict[str, Any] = field(default_factory=dict)


class Flavor(ABC):
    """One model format. `accepts` must not import the model's library unless the caller's
    code already did (check `sys.modules`)."""

    name: ClassVar[str]
    #: pip distributions the folder's requirements.txt pins (numpy and cloudpickle are added).
    packages: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def accepts(self, model: Any) -> bool:
        """Whether `model` is of this flavor's kind."""

    @abstractmethod
    def save(self, model: Any, folder: Path) -> SavedFlavor:
        """Write the model's files into `folder` (which exists and is empty)."""

    @abstractmethod
    def load(self, folder: Path, conf: dict[str, Any]) -> Any:
        """The native model saved in `folder` (`conf`: the descriptor's entry for the flavor)."""

    @abstractmethod
    def predict(self, model: Any, data: Any) -> Any:
        """Call the native model on converted input (see `PyFuncModel.prepare`)."""
