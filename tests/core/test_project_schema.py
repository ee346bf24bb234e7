"""The project file: schema, migrations, WAL and foreign keys, and refusing what it cannot open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from anicurate.core.errors import ProjectError, SchemaTooNew
from anicurate.core.project import SCHEMA_VERSION, ClipStatus, Project
from anicurate.core.project.schema import APPLICATION_ID, MIGRATIONS, migrate

# A project as version 1 wrote it, frozen here on purpose: later schema changes must keep
# upgrading files like this one, so this text is never edited to follow the current schema.
V1_PROJECT = f"""
PRAGMA application_id = {APPLICATION_ID};
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    hash TEXT NOT NULL,
    kind TEXT,
    info TEXT,
    error_kind TEXT,
    error TEXT,
    added_at REAL NOT NULL,
    CHECK ((error_kind IS NULL) = (error IS NULL))
);
CREATE INDEX sources_hash ON sources (hash);
CREATE TABLE clips (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    first_frame INTEGER NOT NULL CHECK (first_frame >= 0),
    last_frame INTEGER NOT NULL,
    crop_x INTEGER,
    crop_y INTEGER,
    crop_w INTEGER,
    crop_h INTEGER,
    status TEXT NOT NULL DEFAULT 'unreviewed'
        CHECK (status IN ('unreviewed', 'accepted', 'rejected')),
    note TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    CHECK (last_frame >= first_frame),
    CHECK (CASE WHEN crop_x IS NULL
                THEN crop_y IS NULL AND crop_w IS NULL AND crop_h IS NULL
                ELSE crop_y IS NOT NULL AND crop_w IS NOT NULL AND crop_h IS NOT NULL
                     AND crop_x >= 0 AND crop_y >= 0 AND crop_w > 0 AND crop_h > 0 END)
);
CREATE INDEX clips_source ON clips (source_id, first_frame);
CREATE INDEX clips_status ON clips (status);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    clip_id INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    score REAL,
    origin TEXT NOT NULL CHECK (origin IN ('auto', 'manual')),
    UNIQUE (clip_id, tag)
);
CREATE INDEX tags_tag ON tags (tag);
CREATE TABLE captions (
    id INTEGER PRIMARY KEY,
    clip_id INTEGER NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('auto', 'manual')),
    UNIQUE (clip_id, origin)
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO sources VALUES (1, '/media/a.mp4', 1000, 1700000000.5, 'abc', 'video',
    '{{"path": "/media/a.mp4", "kind": "video", "container": "mov,mp4,m4a,3gp,3g2,mj2",
      "codec": "h264", "width": 64, "height": 48, "rotation": 0, "sample_aspect": "1/1",
      "frame_count": 12, "fps": "24/1", "duration": 0.5, "vfr": false, "has_audio": false}}',
    NULL, NULL, 1700000001.0);
INSERT INTO sources VALUES (2, '/media/bad.gif', 10, 1700000000.0, 'def', NULL, NULL,
    'truncated', 'truncated: ends inside frame 3', 1700000001.0);
INSERT INTO clips VALUES (1, 1, 2, 9, 0, 0, 48, 48, 'accepted', 'keep', 1.0, 2.0);
INSERT INTO tags VALUES (1, 1, 'smile', 0.9, 'auto'), (2, 1, 'waving', NULL, 'manual');
INSERT INTO captions VALUES (1, 1, 'anime, smile, waving', 'manual');
INSERT INTO settings VALUES ('train_width', '512'), ('trigger_tag', '"anime"');
PRAGMA user_version = 1;
"""

TABLES = {
    "sources", "clips", "tags", "captions", "settings", "thumbnails", "analysis",
    "removed_tags", "clip_tagging", "edits", "sentences", "clip_thumbnails", "samples",
    "clip_fixes",
}  # fmt: skip


def make_db(path: Path, script: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()
    return path


def schema_of(path: Path) -> list[tuple[str, str, str]]:
    """Every table and index with its SQL, whitespace normalised (indentation is no schema)."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    conn.close()
    return [(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows]


def test_new_project_has_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "p.anicurate"
    with Project.open(path, create=True) as project:
        assert project.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        assert project.sources() == [] and project.clips() == []
        assert project.counts() == {
            "unreviewed": 0, "accepted": 0, "rejected": 0, "clips": 0, "sources": 0, "errors": 0
        }  # fmt: skip
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == TABLES
    conn.close()


def test_open_without_create_needs_an_existing_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project"):
        Project.open(tmp_path / "missing.anicurate")
    assert not (tmp_path / "missing.anicurate").exists()
    with pytest.raises(ProjectError, match="is a folder"):
        Project.open(tmp_path, create=True)
    Project.open(tmp_path / "p.anicurate", create=True).close()
    with Project.open(tmp_path / "p.anicurate") as project:
        assert project.schema_version == SCHEMA_VERSION


def test_foreign_keys_enforced_and_deleting_a_source_cascades(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.anicurate", create=True) as project:
        with project.transaction() as conn:
            assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), project.transaction() as c:
            c.execute("INSERT INTO clips (source_id, first_frame, last_frame, created_at,"
                      " updated_at) VALUES (99, 0, 1, 0, 0)")  # fmt: skip
        with project.transaction() as conn:
            conn.execute("INSERT INTO sources (id, path, size, mtime, hash, added_at)"
                         " VALUES (1, '/a.mp4', 1, 0, 'h', 0)")  # fmt: skip
            conn.execute("INSERT INTO clips (id, source_id, first_frame, last_frame, created_at,"
                         " updated_at) VALUES (1, 1, 0, 9, 0, 0)")  # fmt: skip
            conn.execute(
                "INSERT INTO tags (clip_id, tag, score, origin) VALUES (1, 'x', 1, 'auto')"
            )
            conn.execute("INSERT INTO captions (clip_id, text, origin) VALUES (1, 'x', 'auto')")
            conn.execute("INSERT INTO thumbnails VALUES (1, x'ffd8', 1, 1)")
            conn.execute("INSERT INTO analysis (source_id, analyser, version, created_at)"
                         " VALUES (1, 'cuts', 1, 0)")  # fmt: skip
        assert project.counts()["unreviewed"] == 1
        assert project.thumbnail(1) == b"\xff\xd8"
        with project.transaction() as conn:
            conn.execute("DELETE FROM sources WHERE id = 1")
            left = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("clips", "tags", "captions", "thumbnails", "analysis")]  # fmt: skip
        assert left == [0, 0, 0, 0, 0]


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.anicurate", create=True) as project:
        with pytest.raises(RuntimeError), project.transaction() as conn:
            conn.execute("INSERT INTO sources (path, size, mtime, hash, added_at)"
                         " VALUES ('/a.mp4', 1, 0, 'h', 0)")  # fmt: skip
            raise RuntimeError("stop")
        assert project.sources() == []


@pytest.mark.parametrize(
    "crop",
    [(0, 0, None, 10), (None, 0, 10, 10), (-1, 0, 10, 10), (0, 0, 0, 10)],
)
def test_a_crop_is_all_or_nothing_and_positive(
    tmp_path: Path, crop: tuple[int | None, ...]
) -> None:
    with Project.open(tmp_path / "p.anicurate", create=True) as project:
        with project.transaction() as conn:
            conn.execute("INSERT INTO sources (id, path, size, mtime, hash, added_at)"
                         " VALUES (1, '/a.mp4', 1, 0, 'h', 0)")  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"), project.transaction() as conn:
            conn.execute(
                "INSERT INTO clips (source_id, first_frame, last_frame, crop_x, crop_y, crop_w,"
                " crop_h, created_at, updated_at) VALUES (1, 0, 1, ?, ?, ?, ?, 0, 0)",
                crop,
            )


def test_version_1_file_is_migrated_with_its_data(tmp_path: Path) -> None:
    old = make_db(tmp_path / "old.anicurate", V1_PROJECT)
    with Project.open(old) as project:
        assert project.schema_version == SCHEMA_VERSION
        a, bad = project.sources()
        assert (a.id, a.path, a.size) == (1, "/media/a.mp4", 1000)
        assert (a.mtime, a.hash) == (1700000000.5, "abc")
        assert a.info is not None and (a.info.frame_count, a.info.width) == (12, 64)
        assert (bad.info, bad.error_kind) == (None, "truncated")
        assert bad.error == "truncated: ends inside frame 3"
        [(clip, source)] = project.clips_with_sources()
        assert source == a
        assert (clip.first_frame, clip.last_frame, clip.crop) == (2, 9, (0, 0, 48, 48))
        assert (clip.status, clip.note) == (ClipStatus.ACCEPTED, "keep")
        assert project.thumbnail(1) is None  # the v2 table exists, empty
        st = project.settings()
        assert (st.train_width, st.train_height, st.trigger_tag) == (512, 384, "anime")
        with project.transaction() as conn:
            assert conn.execute("SELECT tag, score, origin FROM tags ORDER BY id").fetchall() == [
                ("smile", 0.9, "auto"), ("waving", None, "manual")
            ]  # fmt: skip
    fresh = tmp_path / "fresh.anicurate"
    Project.open(fresh, create=True).close()
    assert schema_of(old) == schema_of(fresh)


def test_a_failing_migration_rolls_back_to_the_old_version(tmp_path: Path) -> None:
    old = make_db(tmp_path / "old.anicurate", V1_PROJECT)
    conn = sqlite3.connect(old, isolation_level=None)
    broken = [MIGRATIONS[0], ("CREATE TABLE extra (a)", "ALTER TABLE nowhere ADD b")]
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        migrate(conn, broken)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchall() == []
    assert migrate(conn, MIGRATIONS[:1]) == 1  # already there: nothing to do
    conn.close()


def test_newer_schema_is_refused_and_the_file_stays_byte_identical(tmp_path: Path) -> None:
    path = make_db(
        tmp_path / "future.anicurate",
        f"PRAGMA journal_mode = WAL; PRAGMA application_id = {APPLICATION_ID};"
        f" CREATE TABLE sources (id INTEGER PRIMARY KEY, future TEXT);"
        f" INSERT INTO sources VALUES (1, 'x'); PRAGMA user_version = {SCHEMA_VERSION + 1};",
    )
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew, match=f"schema {SCHEMA_VERSION + 1}.*update anicurate"):
        Project.open(path)
    with pytest.raises(SchemaTooNew):
        Project.open(path, create=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.anicurate"]


def test_files_that_are_not_projects_give_a_clear_error_and_stay_untouched(tmp_path: Path) -> None:
    text = tmp_path / "notes.anicurate"
    text.write_text("shopping list: milk, eggs\n" * 40)
    other = make_db(tmp_path / "other.db", "CREATE TABLE t (a); INSERT INTO t VALUES (1);")
    empty = tmp_path / "empty.anicurate"
    empty.touch()
    before = {p: p.read_bytes() for p in (text, other, empty)}
    with pytest.raises(ProjectError, match="not an anicurate project \\(not a SQLite database\\)"):
        Project.open(text, create=True)
    with pytest.raises(ProjectError, match="another SQLite database"):
        Project.open(other, create=True)
    with pytest.raises(ProjectError, match="empty file"):
        Project.open(empty)
    assert {p: p.read_bytes() for p in before} == before
    with Project.open(empty, create=True) as project:  # an empty file may become a project
        assert project.schema_version == SCHEMA_VERSION


def test_two_connections_see_each_others_commits(tmp_path: Path) -> None:
    path = tmp_path / "p.anicurate"
    with Project.open(path, create=True) as writer, Project.open(path) as reader:
        with writer.transaction() as conn:
            conn.execute("INSERT INTO sources (path, size, mtime, hash, added_at)"
                         " VALUES ('/a.mp4', 1, 0, 'h', 0)")  # fmt: skip
        assert [s.path for s in reader.sources()] == ["/a.mp4"]


def test_reads_in_a_snapshot_see_one_state(tmp_path: Path) -> None:
    """A browser's rows are read in several queries while an import may commit: inside a
    snapshot every query sees the file as the first one did."""
    path = tmp_path / "p.anicurate"

    def add(project: Project, name: str) -> None:
        with project.transaction() as conn:
            cur = conn.execute("INSERT INTO sources (path, size, mtime, hash, added_at)"
                               " VALUES (?, 1, 0, 'h', 0)", (name,))  # fmt: skip
            conn.execute("INSERT INTO clips (source_id, first_frame, last_frame, status,"
                         " note, created_at, updated_at) VALUES (?, 0, 0, 'unreviewed', '', 0, 0)",
                         (cur.lastrowid,))  # fmt: skip

    with Project.open(path, create=True) as writer, Project.open(path) as reader:
        add(writer, "/a.mp4")
        with reader.snapshot():
            assert [s.path for s in reader.sources()] == ["/a.mp4"]
            add(writer, "/b.mp4")  # committed by the other connection meanwhile
            assert [s.path for s in reader.sources()] == ["/a.mp4"]
            assert len(reader.scan().clips) == 1
            with reader.snapshot():  # nested: part of the same one
                assert len(reader.clips()) == 1
        assert not reader.connection.in_transaction
        assert [s.path for s in reader.sources()] == ["/a.mp4", "/b.mp4"]
        assert len(reader.scan().clips) == 2
    with pytest.raises(ProjectError, match="cannot read the project"), reader.snapshot():
        pass  # closed: said as every read says it


def test_a_project_another_process_creates_while_this_one_checks_it_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check reads the file's id, version and tables as one snapshot: read one by one, a
    project created in between (another `anicurate import` into the same new project) showed
    tables without its id and was refused as "another SQLite database"."""
    path = tmp_path / "p.anicurate"
    real_connect = sqlite3.connect
    opened: list[str] = []

    class Read:
        """The rows a finished statement read."""

        def __init__(self, rows: list[tuple[object, ...]]) -> None:
            self.rows = rows

        def fetchone(self) -> tuple[object, ...] | None:
            return self.rows[0] if self.rows else None

        def fetchall(self) -> list[tuple[object, ...]]:
            return self.rows

    class CreatedAfterFirstRead:
        """This process's connection; the other process creates the project right after this
        one's first statement."""

        def __init__(self, conn: sqlite3.Connection) -> None:
            self._conn = conn

        def execute(self, *args: object) -> object:
            if opened:
                return self._conn.execute(*args)  # type: ignore[arg-type]
            rows = self._conn.execute(*args).fetchall()  # type: ignore[arg-type]  # read done
            opened.append("other")
            Project.open(path, create=True).close()  # its own, plain connection
            return Read(rows)

        def __getattr__(self, name: str) -> object:
            return getattr(self._conn, name)

    def connect(*args: object, **kwargs: object) -> object:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        return conn if opened else CreatedAfterFirstRead(conn)

    monkeypatch.setattr(sqlite3, "connect", connect)
    with Project.open(path, create=True) as project:
        assert opened == ["other"]
        assert project.settings().train_width == 384  # the defaults, written once or twice
        assert project.sources() == []
    monkeypatch.undo()
    with Project.open(path) as again:
        assert again.read("PRAGMA application_id") == [(APPLICATION_ID,)]
        assert again.read("PRAGMA user_version") == [(SCHEMA_VERSION,)]
