"""A reader for the YAML that `yaml.safe_dump` writes for MLmodel files, so descriptors MLflow
wrote load without PyYAML: block mappings and `- item` lists, plain scalars (null, booleans,
numbers, strings), and single- or double-quoted strings, which PyYAML folds over several lines.
Anything else raises ValueError (the caller then needs PyYAML)."""

from __future__ import annotations

import json
import re
from typing import Any

_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")


def load(text: str) -> dict[str, Any]:
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip()) for raw in text.splitlines()
             if raw.strip() and not raw.lstrip().startswith("#")]
    value, end = _block(_join_quoted(lines), 0, 0)
    if end != len(_join_quoted(lines)) or not isinstance(value, dict):
        raise ValueError("not a YAML mapping")
    return value


def _join_quoted(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Fold the continuation lines of quoted scalars into their first line."""
    out: list[tuple[int, str]] = []
    for indent, text in lines:
        if out and _open_quote(out[-1][1]):
            out[-1] = (out[-1][0], f"{out[-1][1]} {text}")
        else:
            out.append((indent, text))
    if out and _open_quote(out[-1][1]):
        raise ValueError("unterminated quoted scalar")
    return out


def _open_quote(line: str) -> bool:
    value = line[2:] if line.startswith("- ") else line.partition(": ")[2]
    value = value.strip()
    if value.startswith("'"):
        body = value[1:].replace("''", "")
        return "'" not in body
    if value.startswith('"'):
        body = re.sub(r'\\.', "", value[1:])
        return '"' not in body
    return False


def _block(lines: list[tuple[int, str]], start: int, indent: int) -> tuple[Any, int]:
    if start < len(lines) and lines[start][1].startswith("- "):
        items: list[Any] = []
        i = start
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            items.append(_scalar(lines[i][1][2:]))
            i += 1
        return items, i
    mapping: dict[str, Any] = {}
    i = start
    while i < len(lines) and lines[i][0] == indent:
        key, sep, rest = lines[i][1].partition(":")
        if not sep or (rest and not rest.startswith(" ")):
            raise ValueError(f"not a mapping line: {lines[i][1]!r}")
        rest = rest.strip()
        i += 1
        if rest:
            mapping[_scalar(key) if key[:1] in "'\"" else key] = _scalar(rest)
        elif i < len(lines) and (lines[i][0] > indent or (
                lines[i][0] == indent and lines[i][1].startswith("- "))):
            mapping[key], i = _block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    if i < len(lines) and lines[i][0] > indent:
        raise ValueError("unexpected indentation")
    return mapping, i


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if text.startswith('"') or text.startswith(("[", "{")):
        return json.loads(text)
    if text in ("null", "~", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text[:1] in "&*!|>%@`" or ": " in text or text.endswith(":") or " #" in text:
        raise ValueError(f"unsupported YAML scalar {text!r}")
    return text
