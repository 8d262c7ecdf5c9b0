"""The system tags MLflow's client sets on a new run: who ran it, from which file, at which git
commit. Read without a subprocess (the commit comes from .git/HEAD and the refs files, read
again only when one of them changed)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

USER_TAG = "mlflow.user"
SOURCE_NAME_TAG = "mlflow.source.name"
SOURCE_TYPE_TAG = "mlflow.source.type"
GIT_COMMIT_TAG = "mlflow.source.git.commit"


def user_name() -> str:
    """The OS user running this process ("unknown" when it cannot be told)."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry, no LOGNAME: still log the run
        return "unknown"


def source_name() -> str:
    """The path of the script being run (`sys.argv[0]`), or "<console>" in an interpreter."""
    main = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if not main or main in ("-c", "-"):
        return "<console>"
    return os.path.abspath(main)


def system_tags() -> dict[str, str]:
    """mlflow.user, mlflow.source.name, mlflow.source.type and, inside a git checkout,
    mlflow.source.git.commit."""
    source = source_name()
    tags = {USER_TAG: user_name(), SOURCE_NAME_TAG: source, SOURCE_TYPE_TAG: "LOCAL"}
    start = Path(source).parent if source != "<console>" else Path.cwd()
    commit = git_commit(start)
    if commit:
        tags[GIT_COMMIT_TAG] = commit
    return tags


#: Where the checkout holding a folder keeps its git files, found once per folder (not
#: searched up every parent folder for each new run).
_git_dirs: dict[str, Path | None] = {}
_MAX_GIT_DIRS = 64
#: The commit last read from a git folder, with the files it came from and their stamps: read
#: again only when one of them changed.
_commits: dict[Path, tuple[tuple[Path, ...], tuple[object, ...], str | None]] = {}


def git_commit(start: Path) -> str | None:
    """The commit HEAD points at in the git checkout holding `start`, or None."""
    key = str(start)
    git_dir = _git_dirs.get(key)
    if git_dir is None or not (git_dir / "HEAD").is_file():  # not known, moved or gone
        git_dir = _find_git_dir(start)
        if git_dir is None:
            return None
        if len(_git_dirs) >= _MAX_GIT_DIRS:
            _git_dirs.clear()
        _git_dirs[key] = git_dir
    cached = _commits.get(git_dir)
    if cached is not None and _stamp(cached[0]) == cached[1]:
        return cached[2]
    files, commit = _read_commit(git_dir)
    stamp = _stamp(files)
    if _read_commit(git_dir) == (files, commit) and _stamp(files) == stamp:  # kept still
        if len(_commits) >= _MAX_GIT_DIRS:
            _commits.clear()
        _commits[git_dir] = (files, stamp, commit)
    return commit


def _read_commit(git_dir: Path) -> tuple[tuple[Path, ...], str | None]:
    """The commit HEAD names, and every file that answer depended on (read or looked for)."""
    files = [git_dir / "HEAD"]
    try:
        head = files[0].read_text().strip()
        if not head.startswith("ref:"):
            return tuple(files), head or None
        ref = head[4:].strip()
        files.append(git_dir / "commondir")
        common = _common_dir(git_dir)
        for folder in (git_dir, common):
            loose = folder / ref
            files.append(loose)
            if loose.is_file():
                return tuple(files), loose.read_text().strip() or None
        packed = common / "packed-refs"
        files.append(packed)
        if packed.is_file():
            for line in packed.read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return tuple(files), parts[0]
    except OSError:
        return tuple(files), None
    return tuple(files), None


def _stamp(files: tuple[Path, ...]) -> tuple[tuple[int, int, int] | None, ...]:
    """What changes when git rewrites any of `files` (it renames new versions into place)."""
    stamps: list[tuple[int, int, int] | None] = []
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            stamps.append(None)
            continue
        stamps.append((st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def _find_git_dir(start: Path) -> Path | None:
    for folder in (start.resolve(), *start.resolve().parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dot_git.read_text().strip()
            if text.startswith("gitdir:"):
                target = Path(text[7:].strip())
                return target if target.is_absolute() else (folder / target).resolve()
    return None


def _common_dir(git_dir: Path) -> Path:
    common = git_dir / "commondir"
    if common.is_file():
        target = Path(common.read_text().strip())
        return target if target.is_absolute() else (git_dir / target).resolve()
    return git_dir
