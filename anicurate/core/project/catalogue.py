"""The project file: one SQLite connection, typed rows, and the queries the CLI and the UI need."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

from anicurate.core.errors import ProjectError, SchemaTooNew
from anicurate.core.media.info import MediaInfo
from anicurate.core.project import schema
from anicurate.core.project.settings import DEFAULT_PRESET, PRESETS, ProjectSettings

# How long a writer waits for another connection's write lock (an import worker beside the UI).
_BUSY_TIMEOUT_MS = 10_000


class ClipStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Source:
    """One imported file. ``info`` is None and ``error_kind``/``error`` are set when it failed."""

    id: int
    path: str
    size: int
    mtime: float
    hash: str  # blake2b-256 hex of the content; "" while the file could not be read
    info: MediaInfo | None
    error_kind: str | None  # a MediaErrorKind value
    error: str | None
    added_at: float


@dataclass(frozen=True, slots=True)
class Clip:
    """A range of a source's displayed frames (``last_frame`` inclusive) with the user's verdict."""

    id: int
    source_id: int
    first_frame: int
    last_frame: int
    crop: tuple[int, int, int, int] | None  # x, y, w, h in displayed (upright) pixels
    status: ClipStatus
    note: str

    @property
    def frame_count(self) -> int:
        return self.last_frame - self.first_frame + 1

    def label(self, source: Source) -> str:
        """How the clip is named to people: its file's name, plus the frame range when it is
        only part of the file."""
        name = Path(source.path).name
        info = source.info
        if info is not None and (self.first_frame, self.last_frame) != (0, info.frame_count - 1):
            name += f" [{self.first_frame}\u2013{self.last_frame}]"
        return name


_SOURCE_COLUMNS = "s.id, s.path, s.size, s.mtime, s.hash, s.info, s.error_kind, s.error, s.added_at"
_CLIP_COLUMNS = (
    "c.id, c.source_id, c.first_frame, c.last_frame, c.crop_x, c.crop_y, c.crop_w, c.crop_h,"
    " c.status, c.note"
)


def _source(row: sqlite3.Row | tuple[Any, ...]) -> Source:
    info = None
    if row[5] is not None:
        # The row's path is the truth: a relinked file keeps its probe info.
        info = MediaInfo.from_dict({**json.loads(row[5]), "path": row[1]})
    return Source(
        id=row[0], path=row[1], size=row[2], mtime=row[3], hash=row[4], info=info,
        error_kind=row[6], error=row[7], added_at=row[8],
    )  # fmt: skip


def _clip(row: sqlite3.Row | tuple[Any, ...]) -> Clip:
    crop = None if row[4] is None else (row[4], row[5], row[6], row[7])
    return Clip(
        id=row[0], source_id=row[1], first_frame=row[2], last_frame=row[3], crop=crop,
        status=ClipStatus(row[8]), note=row[9],
    )  # fmt: skip


class Project:
    """An open ``.anicurate`` file. One connection, so use one Project per thread.

    Every write runs in :meth:`transaction`, so nothing needs saving and a crash loses only
    the transaction in flight.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        """Use :meth:`open`; this only wraps a connection that open() has checked and migrated."""
        self.path = path
        self._conn = conn
        self.schema_version = schema.user_version(conn)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> Project:
        """Open (with ``create``: make if missing) a project, upgrading an older file in place.

        Raises ProjectError for a missing file, a file that is no anicurate project, or one
        that cannot be written; SchemaTooNew, with the file untouched, for a newer version.
        """
        path = Path(path)
        if path.is_dir():
            raise ProjectError(f"{path} is a folder, not a project file")
        if not create and not path.exists():
            raise ProjectError(f"{path}: no such project")
        try:
            conn = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as e:
            raise ProjectError(f"{path}: cannot open: {e}") from e
        try:
            cls._check_and_upgrade(path, conn, create)
        except sqlite3.Error as e:
            conn.close()
            raise ProjectError(f"{path}: cannot open: {e}") from e
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    @staticmethod
    def _check_and_upgrade(path: Path, conn: sqlite3.Connection, create: bool) -> None:
        """Refuse foreign or newer files before writing a byte, then set up WAL and migrate."""
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = schema.user_version(conn)
            objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise ProjectError(f"{path} is not an anicurate project (not a SQLite database)") from e
        empty = app_id == 0 and version == 0 and objects == 0
        if empty and not create:
            raise ProjectError(f"{path} is not an anicurate project (empty file)")
        if not empty and app_id != schema.APPLICATION_ID:
            raise ProjectError(f"{path} is not an anicurate project (another SQLite database)")
        if version > schema.SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{path} was written by a newer anicurate (schema {version}, this version reads"
                f" up to {schema.SCHEMA_VERSION}); update anicurate to open it"
            )
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
            raise ProjectError(f"{path}: cannot switch the project to WAL mode")
        # In WAL mode NORMAL is safe against a killed process (only power loss can drop the
        # last commits, never corrupt the file) and saves an fsync per imported file.
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < schema.SCHEMA_VERSION:
            schema.migrate(conn)
            if empty:
                with _transaction(path, conn):
                    _write_settings(conn, PRESETS[DEFAULT_PRESET])

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL into the file); safe to call twice."""
        self._conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block of writes atomically (BEGIN IMMEDIATE ... COMMIT, rolled back on error).

        For the package's writers (importer, later analysis and tagging). SQLite failures a
        user can meet (disk full, read-only file, locked) come out as ProjectError.
        """
        with _transaction(self.path, self._conn) as conn:
            yield conn

    @property
    def connection(self) -> sqlite3.Connection:
        """The read connection, for the package's own query modules (analysis, tagging stores).

        Writes go through :meth:`transaction` so they stay atomic and their errors typed.
        """
        return self._conn

    # -- settings ---------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        """A JSON value stored under ``key`` beside the training settings (e.g. thresholds)."""
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under ``key``."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def settings(self) -> ProjectSettings:
        """The training settings stored in the file (defaults for keys an older file lacks)."""
        rows = self._conn.execute("SELECT key, value FROM settings").fetchall()
        return ProjectSettings.from_dict({key: json.loads(value) for key, value in rows})

    def set_settings(self, settings: ProjectSettings) -> None:
        """Store every field of ``settings``."""
        with self.transaction() as conn:
            _write_settings(conn, settings)

    def apply_preset(self, name: str) -> ProjectSettings:
        """Replace the settings with a preset's values; KeyError names the known presets."""
        if name not in PRESETS:
            raise KeyError(f"no preset {name!r}; known: {', '.join(sorted(PRESETS))}")
        self.set_settings(PRESETS[name])
        return PRESETS[name]

    # -- sources and clips ------------------------------------------------------------------

    def sources(self) -> list[Source]:
        """All sources, failed ones included, ordered by path."""
        rows = self._conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM sources s ORDER BY s.path")
        return [_source(r) for r in rows]

    def source(self, source_id: int) -> Source:
        """One source by id; KeyError when there is none."""
        row = self._conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.id = ?", (source_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no source {source_id}")
        return _source(row)

    def source_by_path(self, path: str) -> Source | None:
        """The source stored at exactly this (absolute) path, if any."""
        row = self._conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.path = ?", (path,)
        ).fetchone()
        return None if row is None else _source(row)

    def sources_with_hash(self, digest: str) -> list[Source]:
        """Sources whose content hash is ``digest`` (copies, or a moved file's old entry)."""
        rows = self._conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.hash = ? ORDER BY s.id", (digest,)
        )
        return [_source(r) for r in rows]

    def errors(self) -> list[Source]:
        """Sources whose last import failed, ordered by path, for the error list and the CLI."""
        rows = self._conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources s"
            " WHERE s.error_kind IS NOT NULL ORDER BY s.path"
        )
        return [_source(r) for r in rows]

    def clips(self, source_id: int | None = None) -> list[Clip]:
        """All clips (or one source's), ordered by source path, then first frame."""
        where = "" if source_id is None else "WHERE c.source_id = ?"
        rows = self._conn.execute(
            f"SELECT {_CLIP_COLUMNS} FROM clips c JOIN sources s ON s.id = c.source_id {where}"
            " ORDER BY s.path, c.first_frame, c.id",
            () if source_id is None else (source_id,),
        )
        return [_clip(r) for r in rows]

    def clips_with_sources(self) -> list[tuple[Clip, Source]]:
        """Every clip with its source in one query, ordered by source path, then first frame."""
        rows = self._conn.execute(
            f"SELECT {_CLIP_COLUMNS}, {_SOURCE_COLUMNS} FROM clips c"
            " JOIN sources s ON s.id = c.source_id ORDER BY s.path, c.first_frame, c.id"
        )
        return [(_clip(r[:10]), _source(r[10:])) for r in rows]

    def thumbnail(self, source_id: int) -> bytes | None:
        """The JPEG (max side 256) stored at import, or None for failed sources."""
        row = self._conn.execute(
            "SELECT jpeg FROM thumbnails WHERE source_id = ?", (source_id,)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def counts(self) -> dict[str, int]:
        """Clips per status plus "clips", "sources" and "errors" (failed sources): status bar."""
        result = {status.value: 0 for status in ClipStatus}
        for status, n in self._conn.execute("SELECT status, count(*) FROM clips GROUP BY status"):
            result[status] = n
        result["clips"] = sum(result[s.value] for s in ClipStatus)
        result["sources"], result["errors"] = self._conn.execute(
            "SELECT count(*), count(error_kind) FROM sources"
        ).fetchone()
        return result


@contextmanager
def _transaction(path: Path, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    if conn.in_transaction:  # nested (e.g. a tag edit inside an undoable edit): a savepoint
        yield from _savepoint(conn)
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    except BaseException as e:
        if conn.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
            conn.execute("ROLLBACK")
        if isinstance(e, sqlite3.OperationalError):
            raise ProjectError(f"{path}: cannot write the project: {e}") from e
        raise


def _savepoint(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("SAVEPOINT nested")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK TO nested")
        conn.execute("RELEASE nested")
        raise
    conn.execute("RELEASE nested")


def _write_settings(conn: sqlite3.Connection, settings: ProjectSettings) -> None:
    conn.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [(key, json.dumps(value)) for key, value in settings.to_dict().items()],
    )
