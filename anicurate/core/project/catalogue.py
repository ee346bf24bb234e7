"""The project file: one SQLite connection, typed rows, and the queries the CLI and the UI need."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

from anicurate.core.errors import DamagedProject, NotAProject, ProjectError, SchemaTooNew
from anicurate.core.media.info import MediaInfo
from anicurate.core.project import schema
from anicurate.core.project.rows import (
    DAMAGED_KIND,
    Damage,
    DamagedRow,
    need_int,
    need_real,
    need_text,
    optional_text,
    parse_json,
)
from anicurate.core.project.settings import DEFAULT_PRESET, PRESETS, ProjectSettings

log = logging.getLogger(__name__)

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

    @property
    def damaged(self) -> bool:
        """True for a quarantined row: its stored values could not be read (see ``error``)."""
        return self.error_kind == DAMAGED_KIND


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


@dataclass(frozen=True, slots=True)
class Scan:
    """What a browser shows of the catalogue, read at once (see :meth:`Project.scan`)."""

    clips: list[tuple[Clip, Source]]  # as clips_with_sources()
    errors: list[Source]  # as errors()
    damage: list[Damage]  # as damage()


_SOURCE_COLUMNS = "s.id, s.path, s.size, s.mtime, s.hash, s.info, s.error_kind, s.error, s.added_at"
_CLIP_COLUMNS = (
    "c.id, c.source_id, c.first_frame, c.last_frame, c.crop_x, c.crop_y, c.crop_w, c.crop_h,"
    " c.status, c.note"
)


def _source(row: sqlite3.Row | tuple[Any, ...]) -> Source:
    """A source row, or a quarantined Source (no info, ``error_kind`` DAMAGED_KIND, the reason
    in ``error``) when a stored value cannot be read."""
    try:
        return checked_source(row)
    except DamagedRow as e:
        rowid = row[0] if type(row[0]) is int else -1
        path = row[1] if isinstance(row[1], str) and row[1] else f"<source {rowid}: no path>"
        return Source(
            id=rowid, path=path, size=0, mtime=0.0, hash="", info=None,
            error_kind=DAMAGED_KIND, error=f"damaged row: {e}", added_at=0.0,
        )  # fmt: skip


def checked_source(row: sqlite3.Row | tuple[Any, ...]) -> Source:
    """A source row as stored; DamagedRow names the first value that cannot be used."""
    source_id = need_int(row[0], "id")
    path = need_text(row[1], "path", empty=False)
    info = None
    if row[5] is not None:
        info = media_info(row[5], path)
    error_kind, error = optional_text(row[6], "error_kind"), optional_text(row[7], "error")
    if (error_kind is None) != (error is None):
        raise DamagedRow("error_kind and error must be set together")
    return Source(
        id=source_id, path=path, size=need_int(row[2], "size", 0), mtime=need_real(row[3], "mtime"),
        hash=need_text(row[4], "hash"), info=info, error_kind=error_kind, error=error,
        added_at=need_real(row[8], "added_at"),
    )  # fmt: skip


def media_info(text: Any, path: str) -> MediaInfo:
    """Probe info stored as JSON; DamagedRow when it is not JSON or not a usable MediaInfo."""
    data = parse_json(text, "info")
    if not isinstance(data, dict):
        raise DamagedRow("info is not a JSON object")
    try:
        # The row's path is the truth: a relinked file keeps its probe info.
        info = MediaInfo.from_dict({**data, "path": path})
    except (KeyError, TypeError, ValueError, ArithmeticError) as e:
        raise DamagedRow(f"info is not valid probe info ({type(e).__name__}: {e})") from e
    if info.width < 1 or info.height < 1 or info.frame_count < 1 or info.fps < 0:
        raise DamagedRow(
            f"info has an impossible size, frame count or rate ({info.width}x{info.height},"
            f" {info.frame_count} frames, {info.fps} fps)"
        )
    return info


def _clip_pairs(
    rows: Iterable[tuple[tuple[Any, ...], Source | None]],
) -> tuple[list[tuple[Clip, Source]], list[Damage]]:
    """Clip rows with their parsed sources: the readable ones, and the damaged ones as Damage.
    A clip of a damaged source is neither: the source's row is reported in errors() and its
    clips wait with it."""
    good: list[tuple[Clip, Source]] = []
    bad: list[Damage] = []
    for r, source in rows:
        if source is None or source.damaged:
            continue
        try:
            good.append((checked_clip(r), source))
        except DamagedRow as e:
            bad.append(Damage("clips", r[0] if type(r[0]) is int else None, str(e),
                              path=source.path))  # fmt: skip
    return good, bad


def checked_clip(row: sqlite3.Row | tuple[Any, ...]) -> Clip:
    """A clip row as stored; DamagedRow names the first value that cannot be used."""
    first = need_int(row[2], "first_frame", 0)
    last = need_int(row[3], "last_frame", first)
    crop_values = tuple(row[4:8])
    crop: tuple[int, int, int, int] | None = None
    if any(v is not None for v in crop_values):
        crop = (
            need_int(crop_values[0], "crop_x", 0),
            need_int(crop_values[1], "crop_y", 0),
            need_int(crop_values[2], "crop_w", 1),
            need_int(crop_values[3], "crop_h", 1),
        )
    try:
        status = ClipStatus(row[8])
    except ValueError:
        raise DamagedRow(f"status {row[8]!r:.40} is unknown") from None
    return Clip(
        id=need_int(row[0], "id"), source_id=need_int(row[1], "source_id"), first_frame=first,
        last_frame=last, crop=crop, status=status, note=need_text(row[9], "note"),
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
            raise open_error(path, e) from e
        try:
            cls._set_up(path, conn, create)
        except sqlite3.Error as e:
            conn.close()
            raise open_error(path, e) from e
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    @classmethod
    def _set_up(cls, path: Path, conn: sqlite3.Connection, create: bool) -> None:
        """Check and upgrade, again while another process holds the lock it needs.

        Two processes creating one project at once race for the locks that switching to WAL
        and the first migration take; SQLite answers some of those at once with "database is
        locked" instead of waiting, so the loser waits here and checks again (each step is
        idempotent: the migration re-reads the version under its write lock).
        """
        deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                cls._check_and_upgrade(path, conn, create)
                return
            except sqlite3.OperationalError as e:
                busy = "locked" in str(e) or "busy" in str(e)
                if not busy or time.monotonic() > deadline:
                    raise
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                time.sleep(0.05)

    @staticmethod
    def _check_and_upgrade(path: Path, conn: sqlite3.Connection, create: bool) -> None:
        """Refuse foreign or newer files before writing a byte, then set up WAL and migrate."""
        # Errors here (a file that is no database, a read-only folder) are told apart by
        # open_error(): an unreadable file is not "not a database".
        # One statement, so one snapshot: read apart, another process creating the project could
        # commit in between, and its tables would be seen without its application id.
        app_id, version, objects = conn.execute(
            "SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_master)"
            " FROM pragma_application_id() AS a, pragma_user_version() AS v"
        ).fetchone()
        empty = app_id == 0 and version == 0 and objects == 0
        if empty and not create:
            raise NotAProject(f"{path} is not an anicurate project (empty file)")
        if not empty and app_id != schema.APPLICATION_ID:
            raise NotAProject(f"{path} is not an anicurate project (another SQLite database)")
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
        """Fold the WAL into the file, then close; safe to call twice.

        After a normal close the ``.anicurate`` file alone holds every commit, so it can be
        copied like any file. (SQLite checkpoints on the last close too, but silently skips
        that when another connection is open; TRUNCATE also empties the -wal file.)
        """
        try:
            self.checkpoint()
        except ProjectError as err:  # e.g. a reader elsewhere: its close will checkpoint
            log.info("no checkpoint on close: %s", err)
        self._conn.close()

    def checkpoint(self) -> bool:
        """Copy committed pages from the -wal file into the project file and empty the WAL;
        True when all of it was copied (False while another connection still reads it).

        Long jobs call this at their end, so copying the file after a later crash loses little.
        """
        try:
            busy, _log, _done = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.ProgrammingError:  # already closed
            return False
        except sqlite3.Error as e:
            raise ProjectError(f"{self.path}: cannot checkpoint the project: {e}") from e
        return bool(busy == 0)

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
        """A JSON value stored under ``key`` beside the training settings (e.g. thresholds);
        ``default`` when missing or damaged (logged; ``anicurate check`` reports it)."""
        rows = self.read("SELECT value FROM settings WHERE key = ?", (key,))
        if not rows:
            return default
        try:
            return parse_json(rows[0][0], "value")
        except DamagedRow as e:
            log.warning("%s: setting %r: %s; using the default", self.path, key, e)
            return default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under ``key``."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def settings(self) -> ProjectSettings:
        """The training settings stored in the file: the default preset's value for a key an
        older file lacks or a damaged one (logged; :meth:`damage` lists it)."""
        settings, bad = self._settings_read()
        for damage in bad:
            log.warning("%s: %s; using the default", self.path, damage.describe())
        return settings

    def _settings_read(self) -> tuple[ProjectSettings, list[Damage]]:
        values: dict[str, Any] = {}
        bad: list[Damage] = []
        for key, value in self.read("SELECT key, value FROM settings ORDER BY key"):
            try:
                values[key] = parse_json(value, "value")
            except DamagedRow as e:
                bad.append(Damage("settings", None, str(e), key=str(key)))
        settings, problems = ProjectSettings.from_stored(values)
        bad += [Damage("settings", None, reason, key=key) for key, reason in problems.items()]
        return settings, bad

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
        rows = self.read(f"SELECT {_SOURCE_COLUMNS} FROM sources s ORDER BY s.path")
        return [_source(r) for r in rows]

    def source(self, source_id: int) -> Source:
        """One source by id; KeyError when there is none."""
        rows = self.read(f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.id = ?", (source_id,))
        if not rows:
            raise KeyError(f"no source {source_id}")
        return _source(rows[0])

    def source_by_path(self, path: str) -> Source | None:
        """The source stored at exactly this (absolute) path, if any."""
        rows = self.read(f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.path = ?", (path,))
        return _source(rows[0]) if rows else None

    def sources_with_hash(self, digest: str) -> list[Source]:
        """Sources whose content hash is ``digest`` (copies, or a moved file's old entry)."""
        rows = self.read(
            f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE s.hash = ? ORDER BY s.id", (digest,)
        )
        return [s for s in map(_source, rows) if not s.damaged]

    def errors(self) -> list[Source]:
        """Sources whose last import failed, and quarantined (damaged) ones, ordered by path,
        for the error list and the CLI."""
        # Every row is read: which ones are damaged only shows once they are parsed.
        rows = self.read(f"SELECT {_SOURCE_COLUMNS} FROM sources s ORDER BY s.path")
        return [s for s in map(_source, rows) if s.error_kind is not None]

    def clips(self, source_id: int | None = None) -> list[Clip]:
        """All readable clips (or one source's), ordered by source path, then first frame.

        Damaged clips, and clips of damaged sources, are left out (:meth:`damage` names them).
        """
        where, args = ("", ()) if source_id is None else ("WHERE c.source_id = ?", (source_id,))
        return [clip for clip, _source in self._clip_scan(where, args)[0]]

    def clips_by_id(self, clip_ids: Iterable[int]) -> list[tuple[Clip, Source]]:
        """The readable clips among ``clip_ids`` with their sources, in catalogue order: what an
        edit of some clips reads (reading every clip made each edit cost what the project
        holds). Ids that name no readable clip are left out, as in :meth:`clips`."""
        ids = json.dumps(sorted({int(i) for i in clip_ids}))
        where = "WHERE c.id IN (SELECT value FROM json_each(?))"  # any number of ids, one value
        return self._clip_scan(where, (ids,))[0]

    def clips_with_sources(self) -> list[tuple[Clip, Source]]:
        """Every readable clip with its source in one query, ordered by source path, then first
        frame; damaged ones are left out as in :meth:`clips`."""
        return self._clip_scan()[0]

    def damage(self) -> list[Damage]:
        """Quarantined clip rows and damaged settings, for the Problems list (damaged sources
        are in :meth:`errors`; ``anicurate check`` reads every table)."""
        return self._clip_scan()[1] + self._settings_read()[1]

    def scan(self) -> Scan:
        """:meth:`clips_with_sources`, :meth:`errors` and :meth:`damage` from one read, each
        source row parsed once: a browser shows all three and reads them again after every
        edit, and parsing the sources' stored probe info was most of that (10,000 clips: three
        parses of each source took 0.5 s of the 0.7 s a refresh cost)."""
        with self.snapshot():  # two queries, one state: the clips' sources are all there
            sources = list(map(_source, self.read(f"SELECT {_SOURCE_COLUMNS} FROM sources s "
                                                  "ORDER BY s.path")))  # fmt: skip
            rows = self.read(
                f"SELECT {_CLIP_COLUMNS} FROM clips c JOIN sources s ON s.id = c.source_id"
                " ORDER BY s.path, c.first_frame, c.id"
            )
            settings_damage = self._settings_read()[1]
        by_id = {s.id: s for s in sources}
        clips, damage = _clip_pairs((r, by_id.get(r[1])) for r in rows)
        errors = [s for s in sources if s.error_kind is not None]
        return Scan(clips, errors, damage + settings_damage)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads in the block see one state of the file (a read transaction): what another
        process commits meanwhile shows at the next read, never half of it. Inside a
        transaction already, the block is part of that one."""
        conn = self._conn
        try:
            nested = conn.in_transaction
            if not nested:
                conn.execute("BEGIN")  # deferred: the first read takes the snapshot
        except sqlite3.DatabaseError as e:  # as read() reports it (a closed project, too)
            raise read_error(self.path, conn, e) from e
        if nested:
            yield
            return
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # nothing was written: this only ends the read

    def _clip_scan(
        self, where: str = "", args: tuple[Any, ...] = ()
    ) -> tuple[list[tuple[Clip, Source]], list[Damage]]:
        rows = self.read(
            f"SELECT {_CLIP_COLUMNS}, {_SOURCE_COLUMNS} FROM clips c"
            f" JOIN sources s ON s.id = c.source_id {where} ORDER BY s.path, c.first_frame, c.id",
            args,
        )
        return _clip_pairs((r[:10], _source(r[10:])) for r in rows)

    def thumbnail(self, source_id: int) -> bytes | None:
        """The JPEG (max side 256) stored at import, or None for failed sources."""
        rows = self.read("SELECT jpeg FROM thumbnails WHERE source_id = ?", (source_id,))
        if not rows or not isinstance(rows[0][0], bytes):
            return None
        return bytes(rows[0][0])

    def counts(self) -> dict[str, int]:
        """Clips per status plus "clips", "sources" and "errors" (failed sources): status bar."""
        result = {status.value: 0 for status in ClipStatus}
        for status, n in self.read("SELECT status, count(*) FROM clips GROUP BY status"):
            if status in result:  # an unknown status is a damaged row: not counted
                result[status] = n
        result["clips"] = sum(result[s.value] for s in ClipStatus)
        result["sources"], result["errors"] = self.read(
            "SELECT count(*), count(error_kind) FROM sources"
        )[0]
        return result

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Every row of a query, for this package's readers: a damaged file or a lost disk
        comes out as a ProjectError naming the project, never as a raw sqlite3 error."""
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as e:
            raise read_error(self.path, self._conn, e) from e


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
        if isinstance(e, sqlite3.DatabaseError) and _is_corruption(e):
            raise read_error(path, conn, e) from e
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


def _is_corruption(e: sqlite3.Error) -> bool:
    return getattr(e, "sqlite_errorcode", None) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def open_error(path: Path, e: sqlite3.Error) -> ProjectError:
    """The true reason a project could not be opened: a file that is no database, a damaged
    one, or one that cannot be read or written (a read-only file, folder or disk)."""
    if _is_corruption(e):
        if getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            return NotAProject(f"{path} is not an anicurate project (not a SQLite database)")
        return DamagedProject(
            f"{path}: damaged database ({e}); `anicurate check --repair {path}` may recover it"
        )
    folder = path.parent
    if path.exists() and not os.access(path, os.R_OK):
        return ProjectError(f"{path}: permission denied: you may not read this file")
    if not os.access(folder, os.W_OK | os.X_OK):
        return ProjectError(
            f"{path}: the folder {folder} is read-only (or you may not write there); a project"
            " needs to write its -wal and -shm files beside it: copy it to a writable folder"
        )
    if path.exists() and not os.access(path, os.W_OK):
        return ProjectError(f"{path}: the file is read-only; make it writable to open it")
    return ProjectError(f"{path}: cannot open: {e}")


def read_error(path: Path, conn: sqlite3.Connection, e: sqlite3.DatabaseError) -> ProjectError:
    """A failed read as a ProjectError; for damaged pages, with SQLite's own check's words."""
    if not _is_corruption(e):
        return ProjectError(f"{path}: cannot read the project: {e}")
    try:
        found = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.Error as again:
        found = [str(again)]
    return DamagedProject(
        f"{path}: damaged database (sqlite integrity_check says: {'; '.join(found)});"
        f" `anicurate check --repair {path}` may recover it"
    )
