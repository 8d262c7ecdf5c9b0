"""`slipstream models …`: the model registry from the shell — list, show, register, versions,
aliases (and their history), lineage, descriptions, tags, delete.

The registry is the settings' tracking store (SLIPSTREAM_TRACKING_URI, else the store URL);
lineage also reads the execution store. A VERSION is a number, `latest` or an alias.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from slipstream.cli.main import State, console

if TYPE_CHECKING:
    from slipstream.entities import Dataset, ModelVersion
    from slipstream.registry import RegistryClient

models_app = typer.Typer(help="Registered models: versions, aliases, lineage.",
                         no_args_is_help=True)
alias_app = typer.Typer(help="Point aliases at versions; see who moved them.",
                        no_args_is_help=True)
tag_app = typer.Typer(help="Tags of a model or of one version.", no_args_is_help=True)
models_app.add_typer(alias_app, name="alias")
models_app.add_typer(tag_app, name="tag")

VersionOption = Annotated[str | None, typer.Option(
    "--version", "-v", help="A version (number, 'latest' or alias) instead of the model")]


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")


@contextmanager
def _registry() -> Iterator[RegistryClient]:
    from slipstream._core.settings import Settings
    from slipstream.registry import RegistryClient

    with RegistryClient.from_settings(Settings.load(**State.overrides)) as registry:
        yield registry


def _when(ms: int | None) -> str:
    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S") if ms else ""


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False)


def _tags_text(tags: object) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(dict(tags).items()))  # type: ignore[call-overload]


def _key_value(text: str) -> tuple[str, str]:
    from slipstream._core.errors import InvalidInputError

    key, sep, value = text.partition("=")
    if not sep or not key:
        raise InvalidInputError(f"Invalid tag {text!r}: write KEY=VALUE.")
    return key, value


# -- models -----------------------------------------------------------------------------------

@models_app.command("list")
def list_models(
    filter_string: Annotated[str | None, typer.Option(
        "--filter", help="An MLflow filter, e.g. \"name LIKE 'churn%'\" or \"tags.team = 'ml'\"")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, by name")] = 100,
) -> None:
    """Registered models by name, with their newest version and aliases."""
    with _registry() as registry:
        found = registry.search_registered_models(filter_string, max_results=limit)
    if not found:
        _print("no registered models")
        return
    table = Table(box=None)
    for column in ("name", "latest", "aliases", "updated", "description"):
        table.add_column(column)
    for m in found:
        latest = str(m.latest_versions[0].version) if m.latest_versions else ""
        aliases = ", ".join(f"{a}={v}" for a, v in m.aliases.items())
        table.add_row(m.name, latest, aliases, _when(m.last_updated_timestamp),
                      m.description.splitlines()[0] if m.description else "")
    console.print(table)


@models_app.command("show")
def show_model(name: Annotated[str, typer.Argument(help="Registered model name")]) -> None:
    """One model: description, tags, aliases and every version."""
    with _registry() as registry:
        model = registry.get_registered_model(name)
        versions = registry.list_model_versions(name)
    _print(f"{model.name}  created {_when(model.creation_timestamp)}, updated "
           f"{_when(model.last_updated_timestamp)}")
    if model.description:
        _print(f"description: {model.description}")
    if model.tags:
        _print(f"tags: {_tags_text(model.tags)}")
    if model.aliases:
        _print("aliases: " + ", ".join(f"{a} -> {v}" for a, v in model.aliases.items()))
    _versions_table(versions)


@models_app.command("versions")
def list_versions(name: Annotated[str, typer.Argument(help="Registered model name")]) -> None:
    """Every version of a model, newest first, with where it came from."""
    with _registry() as registry:
        versions = registry.list_model_versions(name)
    _versions_table(versions)


def _versions_table(versions: list[ModelVersion]) -> None:
    if not versions:
        _print("no versions")
        return
    table = Table(box=None)
    for column in ("version", "aliases", "created", "by", "run", "execution", "node",
                   "source"):
        table.add_column(column)
    for v in versions:
        table.add_row(str(v.version), ", ".join(v.aliases), _when(v.creation_timestamp),
                      v.user_id, v.run_id or "", v.execution_id or "", v.node_id or "",
                      v.source)
    console.print(table)


@models_app.command("register")
def register_model(
    source: Annotated[str, typer.Argument(
        help="runs:/RUN_ID/PATH, models:/m-<id>, models:/NAME/VERSION or a folder URL")],
    name: Annotated[str, typer.Option("--name", "-n", help="Registered model name")],
    description: Annotated[str | None, typer.Option(help="The version's description")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="KEY=VALUE (repeatable)")] = None,
) -> None:
    """A new version of NAME from SOURCE (the model is created if new)."""
    tags = dict(_key_value(t) for t in tag or [])
    with _registry() as registry:
        version = registry.register(source, name, tags, description)
    _print(f"Registered {version.name} version {version.version} from {version.source}")
    if version.execution_id:
        _print(f"trained by execution {version.execution_id} node {version.node_id}")


@models_app.command("describe")
def describe(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    words: Annotated[list[str], typer.Argument(
        help="[VERSION] TEXT: describe one version, else the model", metavar="[VERSION] TEXT")],
) -> None:
    """Set the description of a model, or of one of its versions."""
    from slipstream._core.errors import InvalidInputError

    if len(words) not in (1, 2):
        raise InvalidInputError("models describe takes NAME [VERSION] TEXT (quote the text).")
    with _registry() as registry:
        if len(words) == 1:
            registry.update_registered_model(name, words[0])
            _print(f"Described {name}")
        else:
            version = registry.resolve_version(name, words[0])
            registry.update_model_version(name, version.version, words[1])
            _print(f"Described {name} version {version.version}")


@models_app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    version: Annotated[str | None, typer.Option(
        "--version", "-v", help="Delete only this version (a number)")] = None,
) -> None:
    """Delete a model with all its versions, or one version (its aliases go with it)."""
    from slipstream.metadata.registry import check_version

    with _registry() as registry:
        if version is None:
            registry.delete_registered_model(name)
            _print(f"Deleted {name}")
        else:
            number = check_version(version)
            registry.delete_model_version(name, number)
            _print(f"Deleted {name} version {number}")


# -- lineage ----------------------------------------------------------------------------------

@models_app.command("lineage")
def lineage(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    version: Annotated[str, typer.Argument(help="A number, 'latest' or an alias")],
) -> None:
    """Where a version came from and goes: data -> node -> run -> version -> deployment."""
    with _registry() as registry:
        found = registry.lineage(name, version)
    _print(f"{found.name} version {found.version}  {found.source}")
    if found.workflow_name or found.workflow_version:
        _print(f"workflow:  {found.workflow_name or '?'} (version "
               f"{found.workflow_version or '?'})")
    _print(f"execution: {found.execution_id or '-'}")
    _print(f"node:      {found.node_id or '-'}")
    _print(f"run:       {found.run_id or '-'}")
    if found.model_id:
        _print(f"logged model: {found.model_id}")
    if found.datasets:
        table = Table(box=None, title=None)
        for column in ("dataset", "digest", "source type", "source"):
            table.add_column(column)
        for d in found.datasets:
            table.add_row(d.name, d.digest, d.source_type, _source_text(d))
        _print("datasets:")
        console.print(table)
    else:
        _print("datasets:  -")
    _print("deployed:  " + (", ".join(
        f"{d.deployment} ({d.label} {d.traffic_percent:g}% via {d.model_uri})"
        for d in found.deployments) or "-"))


def _source_text(dataset: Dataset) -> str:
    try:
        parsed = json.loads(dataset.source)
    except ValueError:
        return dataset.source
    if isinstance(parsed, dict) and isinstance(parsed.get("uri"), str):
        return str(parsed["uri"])
    tags = parsed.get("tags") if isinstance(parsed, dict) else None
    if isinstance(tags, dict) and isinstance(tags.get("mlflow.source.name"), str):
        return str(tags["mlflow.source.name"])  # a "code" source: the script that logged it
    return dataset.source


# -- aliases ----------------------------------------------------------------------------------

@alias_app.command("set")
def set_alias(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    alias: Annotated[str, typer.Argument(help="Alias, e.g. champion")],
    version: Annotated[str, typer.Argument(help="A version number")],
) -> None:
    """Point ALIAS at VERSION (moving it if set)."""
    with _registry() as registry:
        before = registry.get_registered_model(name).aliases.get(alias)
        registry.set_registered_model_alias(name, alias, version)
        now = registry.get_model_version_by_alias(name, alias).version
    moved = f" (was {before})" if before is not None and before != now else ""
    _print(f"{name}@{alias} -> version {now}{moved}")


@alias_app.command("delete")
def delete_alias(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    alias: Annotated[str, typer.Argument(help="Alias to remove")],
) -> None:
    """Remove ALIAS from the model."""
    with _registry() as registry:
        registry.delete_registered_model_alias(name, alias)
    _print(f"Deleted alias {name}@{alias}")


@alias_app.command("history")
def alias_history(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    alias: Annotated[str | None, typer.Argument(help="Only this alias")] = None,
) -> None:
    """Every move of the model's aliases (or of one), oldest first, with who moved it."""
    with _registry() as registry:
        events = registry.get_alias_history(name, alias)
    if not events:
        _print("no alias moves")
        return
    table = Table(box=None)
    for column in ("when", "alias", "from", "to", "by"):
        table.add_column(column)
    for e in events:
        table.add_row(_when(e.timestamp), e.alias,
                      "" if e.from_version is None else str(e.from_version),
                      "(deleted)" if e.to_version is None else str(e.to_version), e.user_id)
    console.print(table)


# -- tags -------------------------------------------------------------------------------------

@tag_app.command("set")
def set_tag(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    key: Annotated[str, typer.Argument(help="Tag key")],
    value: Annotated[str, typer.Argument(help="Tag value")],
    version: VersionOption = None,
) -> None:
    """Set a tag of the model, or of one version with --version."""
    with _registry() as registry:
        if version is None:
            registry.set_registered_model_tag(name, key, value)
            _print(f"Tagged {name}: {key}={value}")
        else:
            number = registry.resolve_version(name, version).version
            registry.set_model_version_tag(name, number, key, value)
            _print(f"Tagged {name} version {number}: {key}={value}")


@tag_app.command("delete")
def delete_tag(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    key: Annotated[str, typer.Argument(help="Tag key")],
    version: VersionOption = None,
) -> None:
    """Remove a tag of the model, or of one version with --version."""
    with _registry() as registry:
        if version is None:
            registry.delete_registered_model_tag(name, key)
            _print(f"Removed tag {key} of {name}")
        else:
            number = registry.resolve_version(name, version).version
            registry.delete_model_version_tag(name, number, key)
            _print(f"Removed tag {key} of {name} version {number}")
