"""The one settings object: defaults < slipstream.toml < environment < explicit overrides (CLI flags).

Read in one place (`Settings.load`); everything else receives a `Settings` instance.

    SLIPSTREAM_HOME           folder for the embedded defaults (default ~/.slipstream)
    SLIPSTREAM_STORE_URL      metadata store URL (executions, and tracking unless set below);
                              default sqlite under HOME
    SLIPSTREAM_TRACKING_URI   where tracking goes: a store URL, or a Slipstream server's
                              http(s):// URL (the REST store). A SQL URL here also names the
                              store of executions when SLIPSTREAM_STORE_URL is unset; a server
                              URL does not (executions stay in the local store).
    SLIPSTREAM_ARTIFACT_URI   artifact store root (any fsspec URL); default HOME/artifacts
    SLIPSTREAM_EXECUTOR       inline | process[:N] (default inline)
    SLIPSTREAM_MAX_UPLOAD_BYTES  largest artifact file the server accepts in one upload
                              (default 5 GiB; 0 for no limit)
    SLIPSTREAM_CONFIG         path of a slipstream.toml (default ./slipstream.toml, then HOME/slipstream.toml)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from slipstream._core.errors import InvalidInputError

_ENV = {
    "home": ("SLIPSTREAM_HOME",),
    "store_url": ("SLIPSTREAM_STORE_URL",),
    "tracking_uri": ("SLIPSTREAM_TRACKING_URI",),
    "artifact_uri": ("SLIPSTREAM_ARTIFACT_URI",),
    "executor": ("SLIPSTREAM_EXECUTOR",),
    "max_upload_bytes": ("SLIPSTREAM_MAX_UPLOAD_BYTES",),
}
#: The server's default limit on one artifact upload.
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024**3


@dataclass(frozen=True)
class Settings:
    """Where metadata and artifacts live and how tasks execute."""

    home: Path
    store_url: str
    artifact_uri: str
    executor: str = "inline"
    #: Where tracking goes when it is not `store_url`: a store URL or a server's http(s):// URL.
    tracking_uri: str | None = None
    #: The largest artifact upload the server accepts, in bytes (0: no limit).
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES

    @property
    def tracking_store_url(self) -> str:
        """The tracking store's URL: `tracking_uri` when set, else `store_url`."""
        return self.tracking_uri or self.store_url

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Resolve settings from defaults, slipstream.toml, environment, then `overrides`."""
        values: dict[str, Any] = {}
        values.update(_read_toml())
        for name, env_names in _ENV.items():
            for env_name in env_names:
                if os.environ.get(env_name):
                    values[name] = os.environ[env_name]
                    break
        tracking_uri = values.get("tracking_uri")
        if tracking_uri and not values.get("store_url") and not _is_server(tracking_uri):
            values["store_url"] = values.pop("tracking_uri")  # one SQL store for both
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidInputError(f"Unknown setting(s) {sorted(unknown)}; known: {sorted(_ENV)}")
        home = Path(values.get("home") or Path.home() / ".slipstream").expanduser()
        return cls(
            home=home,
            store_url=values.get("store_url") or f"sqlite:///{home / 'slipstream.db'}",
            tracking_uri=values.get("tracking_uri") or None,
            artifact_uri=str(values.get("artifact_uri") or home / "artifacts"),
            executor=values.get("executor") or "inline",
            max_upload_bytes=_byte_count(values.get("max_upload_bytes", DEFAULT_MAX_UPLOAD_BYTES)),
        )

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the non-None overrides applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _byte_count(value: Any) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if count < 0:
        raise InvalidInputError(f"max_upload_bytes (SLIPSTREAM_MAX_UPLOAD_BYTES) must be a whole "
                                f"number of bytes, 0 for no limit; got {value!r}")
    return count


def _is_server(url: str) -> bool:
    return url.split(":", 1)[0].lower() in ("http", "https")


def _read_toml() -> dict[str, Any]:
    explicit = os.environ.get("SLIPSTREAM_CONFIG")
    home = os.environ.get("SLIPSTREAM_HOME")
    candidates = [Path(explicit)] if explicit else [Path("slipstream.toml")]
    if not explicit and home:
        candidates.append(Path(home) / "slipstream.toml")
    for path in candidates:
        if path.is_file():
            import tomllib

            try:
                data = tomllib.loads(path.read_text())
            except tomllib.TOMLDecodeError as exc:
                raise InvalidInputError(f"{path}: not valid TOML ({exc})") from None
            section = data.get("slipstream", data)
            return {k.replace("-", "_"): v for k, v in section.items()}
        if explicit:
            raise InvalidInputError(f"SLIPSTREAM_CONFIG names {path}, which does not exist")
    return {}
