"""Copies of a project that hold every commit: SQLite's online backup, not a file copy.

While a project is open, or after a crash, committed changes can still sit in its ``-wal``
file, so copying the ``.anicurate`` file alone may lose them. :func:`copy_project` reads
through SQLite (which sees the WAL) and writes a complete single file, safe while the app runs.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

from anicurate.core.errors import ProjectError
from anicurate.core.project.catalogue import Project

SIDECARS = ("-wal", "-shm")


def copy_project(source: str | os.PathLike[str], dest: str | os.PathLike[str], *,
                 force: bool = False) -> Path:  # fmt: skip
    """Write a complete copy of the project at ``source`` to ``dest``; returns ``dest``.

    Refuses (ProjectError) an existing ``dest`` unless ``force``, and ``dest`` being the project
    itself. The copy is written beside ``dest`` under a temporary name and renamed when whole.
    """
    with Project.open(source) as project:
        return copy_open_project(project, dest, force=force)


def copy_open_project(project: Project, dest: str | os.PathLike[str], *,
                      force: bool = False) -> Path:  # fmt: skip
    """:func:`copy_project` from a project that is already open (the window's Save a Copy)."""
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        if dest.resolve() == project.path.resolve():
            raise ProjectError(f"{dest} is the project itself; choose another name")
        if not force:
            raise ProjectError(f"{dest} already exists; choose another name (or --force)")
        if dest.is_dir():
            raise ProjectError(f"{dest} is a folder, not a file name")
    tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    _remove_with_sidecars(tmp)
    try:
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            project.connection.backup(target)
            # The copy is a single, self-contained file: no WAL beside it.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        _remove_with_sidecars(dest)  # a stale -wal beside dest would be applied to the copy
        os.replace(tmp, dest)
    except sqlite3.Error as e:
        _remove_with_sidecars(tmp)
        raise ProjectError(f"cannot copy {project.path} to {dest}: {e}") from e
    except OSError as e:
        _remove_with_sidecars(tmp)
        raise ProjectError(f"cannot copy {project.path} to {dest}: {e.strerror or e}") from e
    return dest


def backup_file(path: Path) -> Path:
    """Keep the project file as it is now, with its ``-wal``, as ``<name>.bak-<timestamp>``
    (a raw copy: it works for a damaged file too); returns the backup's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
    try:
        shutil.copy2(path, backup)
        wal = Path(f"{path}-wal")
        if wal.exists():
            shutil.copy2(wal, Path(f"{backup}-wal"))
    except OSError as e:
        raise ProjectError(f"cannot back up {path} to {backup}: {e.strerror or e}") from e
    return backup


def _remove_with_sidecars(path: Path) -> None:
    for p in (path, *(Path(f"{path}{s}") for s in SIDECARS)):
        if p.is_file() or p.is_symlink():
            p.unlink()
