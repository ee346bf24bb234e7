"""Damaged projects: a bad row is quarantined, never fatal; ``check`` names it, ``--repair``
fixes it; a file that is no database, a read-only folder and copies after a kill."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anicurate.cli import main
from anicurate.core.captions.sentences import sentences
from anicurate.core.errors import DamagedProject, NotAProject, ProjectError
from anicurate.core.media.writer import write_animation, write_video
from anicurate.core.project import Project, ProjectSettings
from anicurate.core.project.catalogue import _source, checked_clip
from anicurate.core.project.rows import DAMAGED_KIND
from anicurate.core.project.thumbnails import clip_thumbnail
from anicurate.core.samples import samples
from tests.helpers.tagger_samples import make_tiny_tagger

CLI = [sys.executable, "-m", "anicurate"]


def frames(n: int, shade: int, w: int = 64, h: int = 48) -> list[np.ndarray]:
    return [np.full((h, w, 3), (shade + i * 9) % 256, np.uint8) for i in range(n)]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real project: three imported files, analysed, every clip accepted, closed cleanly."""
    root = tmp_path_factory.mktemp("damage")
    media = root / "in"
    media.mkdir()
    write_video(media / "a.mp4", frames(12, 0), 24)
    write_video(media / "b.mp4", frames(10, 100), 24)
    write_animation(media / "c.gif", frames(4, 50), [100, 50, 200, 50])
    project = root / "base.anicurate"
    assert main(["import", "-q", str(project), str(media)]) == 0
    assert main(["analyze", "-q", "--project", str(project)]) == 0
    with Project.open(project) as p, p.transaction() as conn:
        conn.execute("UPDATE clips SET status = 'accepted'")
    make_tiny_tagger(root / "tagger")
    return project


@pytest.fixture
def project(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "p.anicurate"
    shutil.copy(base, copy)  # the base was closed, so the file alone is complete
    return copy


def raw(path: Path, *sql: str) -> None:
    """Write straight into the file, as another tool or a bad disk would."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for statement in sql:
        conn.execute(statement)
    conn.close()


def row_id(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def null_path(path: Path) -> None:
    """A NULL path: the NOT NULL constraint is edited out of the schema first (writable_schema)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, 'path TEXT NOT NULL UNIQUE',"
        " 'path TEXT UNIQUE') WHERE name = 'sources'"
    )
    conn.close()
    raw(path, "UPDATE sources SET path = NULL WHERE path LIKE '%b.mp4'")


def null_sentence_text(path: Path) -> None:
    """A sentence with NULL text: its NOT NULL constraint is edited out of the schema first."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, 'text TEXT NOT NULL', 'text TEXT')"
        " WHERE name = 'sentences'"
    )
    conn.close()
    raw(path, "INSERT INTO sentences (id, clip_id, frame, text, origin, detail, created_at)"
              f" VALUES (7, ({CLIP_A}), NULL, NULL, 'imported', 'blip2.json', 1.0)")  # fmt: skip


SOURCE_A = "SELECT id FROM sources WHERE path LIKE '%a.mp4'"
CLIP_A = "SELECT c.id FROM clips c JOIN sources s ON s.id = c.source_id WHERE s.path LIKE '%a.mp4'"

# name -> (corrupt the file, the row's id query or None, what check must say)
CORRUPTIONS: dict[str, tuple[Callable[[Path], None], str | None, str]] = {
    "source info not JSON": (
        lambda p: raw(p, "UPDATE sources SET info = '{not json' WHERE path LIKE '%a.mp4'"),
        SOURCE_A,
        "sources row {id}: damaged row: info is not JSON",
    ),
    "source info wrong shape": (
        lambda p: raw(p, "UPDATE sources SET info = '[1, 2]' WHERE path LIKE '%a.mp4'"),
        SOURCE_A,
        "sources row {id}: damaged row: info is not a JSON object",
    ),
    "train_width not a number": (
        lambda p: raw(p, "UPDATE settings SET value = '\"wide\"' WHERE key = 'train_width'"),
        None,
        "setting 'train_width': damaged row: train_width must be a positive integer, not 'wide'",
    ),
    "unknown status": (
        lambda p: raw(p, f"UPDATE clips SET status = 'maybe' WHERE id = ({CLIP_A})"),
        CLIP_A,
        "clips row {id} ({path}): damaged row: status 'maybe' is unknown",
    ),
    "thresholds not JSON": (
        lambda p: raw(p, "INSERT OR REPLACE INTO settings VALUES ('thresholds', '{\"blur\": ')"),
        None,
        "setting 'thresholds': damaged row: value is not JSON",
    ),
    "NULL path": (null_path, None, "damaged row: path is missing"),
    "half a crop": (
        lambda p: raw(p, f"UPDATE clips SET crop_x = 4 WHERE id = ({CLIP_A})"),
        CLIP_A,
        "clips row {id} ({path}): damaged row: crop_y is not a whole number (None)",
    ),
    "truncated signals": (
        lambda p: raw(
            p,
            "UPDATE analysis SET data = substr(data, 1, 10)"
            f" WHERE analyser = 'signals' AND source_id = ({SOURCE_A})",
        ),
        None,
        "damaged row: signals blob of 10 bytes does not hold",
    ),
    "tag score not a number": (
        lambda p: raw(
            p,
            "INSERT INTO tags (clip_id, tag, score, origin)"
            f" VALUES (({CLIP_A}), 'smile', 'high', 'auto')",
        ),
        None,
        "damaged row: score 'high' is not a number",
    ),
    "sentence with an unknown origin": (
        lambda p: raw(
            p,
            "INSERT INTO sentences (id, clip_id, frame, text, origin, detail, created_at)"
            f" VALUES (5, ({CLIP_A}), NULL, 'a girl runs', 'guessed', '', 1.0)",
        ),
        "SELECT 5",
        "sentences row {id}: damaged row: origin 'guessed' is unknown",
    ),
    "sentence with NULL text": (
        null_sentence_text,
        "SELECT 7",
        "sentences row {id}: damaged row: text is missing",
    ),
    "clip thumbnail not a JPEG": (
        lambda p: raw(
            p,
            "INSERT INTO clip_thumbnails VALUES"
            f" (({CLIP_A}), 0, 5, 'h', x'89504e470d0a1a0a', 64, 48)",
        ),
        CLIP_A,
        "clip_thumbnails row {id}: damaged row: jpeg is not a JPEG",
    ),
    "sample with an unknown verdict": (
        lambda p: raw(
            p,
            "INSERT INTO samples (id, run, step, prompt, path, verdict, note, added_at)"
            " VALUES (3, 'base', 100, 'anime, 1girl', '/x/100_s.mp4', 'meh', '', 1.0)",
        ),
        "SELECT 3",
        "samples row {id}: damaged row: verdict 'meh' is unknown",
    ),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_a_damaged_row_is_quarantined_reported_and_repaired(
    name: str, project: Path, base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt, id_query, expected = CORRUPTIONS[name]
    rid = row_id(project, id_query) if id_query else 0
    a_path = str(base.parent / "in" / "a.mp4")
    pristine = tmp_path / "pristine.anicurate"
    shutil.copy(project, pristine)
    corrupt(project)
    capsys.readouterr()

    assert main(["check", str(project)]) == 1
    report = capsys.readouterr().out
    assert expected.format(id=rid, path=a_path) in report, report

    # Every command runs to its end with one-line messages, never a traceback.
    out = project.parent / "out"
    tagger = base.parent / "tagger"
    for argv in (
        ["info", str(project)],
        ["info", "--json", str(project)],
        ["analyze", "-q", "--project", str(project)],
        ["tag", "-q", "--project", str(project), "--model", str(tagger)],
        ["export", "-q", "--project", str(project), "--format", "t2v-json", "--out", str(out)],
    ):
        assert main(argv) in (0, 1), argv
        err = capsys.readouterr().err
        assert "Traceback" not in err, (argv, err)
    # The rest of the project still works: the undamaged clips were exported.
    assert json.loads((out / "train.json").read_text()), "nothing exported"
    assert main(["check", "--repair", str(project)]) == 0
    assert main(["check", str(project)]) == 0

    # The repair alone (no command ran in between) fixes it and says what it changed.
    shutil.copy(pristine, project)
    corrupt(project)
    capsys.readouterr()
    assert main(["check", "--repair", str(project)]) == 0
    repaired = capsys.readouterr().out
    assert "backup kept as" in repaired and "repaired: " in repaired, repaired
    backups = [b for b in project.parent.glob("p.anicurate.bak-*") if not b.name.endswith("-wal")]
    assert backups
    assert main(["check", str(project)]) == 0
    assert capsys.readouterr().out.strip() == f"{project}: ok"


def test_damaged_sentences_thumbnails_and_samples_are_named_dropped_and_left_out(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line per damaged row of the newer tables, exactly; the app's readers leave those
    rows out (the grid shows the source's picture); --repair drops them and says so."""
    clip_a = row_id(project, CLIP_A)
    source_a = row_id(project, SOURCE_A)
    raw(
        project,
        f"UPDATE clips SET last_frame = 5 WHERE id = {clip_a}",  # no longer the whole source
        "INSERT INTO sentences (id, clip_id, frame, text, origin, detail, created_at) VALUES"
        f" (1, {clip_a}, NULL, 'a girl runs in the rain', 'imported', 'b.json', 1.0),"
        f" (2, {clip_a}, 4, 'she stops', 'guessed', 'b.json', 2.0)",
        "INSERT INTO clip_thumbnails SELECT c.id, c.first_frame, c.last_frame, s.hash,"
        " x'89504e470d0a1a0a', 64, 48 FROM clips c JOIN sources s ON s.id = c.source_id"
        f" WHERE c.id = {clip_a}",
        "INSERT INTO samples (id, run, step, prompt, path, verdict, note, added_at) VALUES"
        " (1, 'base', 100, 'anime, 1girl', '/x/100_a.mp4', 'good', '', 1.0),"
        " (2, 'base', 200, 'anime, 1girl', '/x/200_a.mp4', 'meh', '', 1.0)",
    )
    capsys.readouterr()
    assert main(["check", str(project)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{project}: clip_thumbnails row {clip_a}: damaged row: jpeg is not a JPEG",
        f"{project}: sentences row 2: damaged row: origin 'guessed' is unknown",
        f"{project}: samples row 2: damaged row: verdict 'meh' is unknown",
        f"{project}: 3 problem(s); `anicurate check --repair {project}` fixes them",
    ]

    with Project.open(project) as p:
        clip, source = next((c, s) for c, s in p.clips_with_sources() if c.id == clip_a)
        assert clip_thumbnail(p, clip, source) == p.thumbnail(source_a) is not None
        assert [s.text for s in sentences(p, clip_a)] == ["a girl runs in the rain"]
        assert [(s.id, s.verdict) for s in samples(p)] == [(1, "good")]

    assert main(["check", "--repair", str(project)]) == 0
    repaired = [line for line in capsys.readouterr().out.splitlines() if ": repaired: " in line]
    assert repaired == [
        f"{project}: repaired: clip_thumbnails row {clip_a}: damaged row: jpeg is not a JPEG"
        " -> dropped (a cache: made again when the clip is shown)",
        f"{project}: repaired: sentences row 2: damaged row: origin 'guessed' is unknown"
        " -> dropped (the sentence is lost: import or type it again)",
        f"{project}: repaired: samples row 2: damaged row: verdict 'meh' is unknown"
        " -> dropped (the sample and its verdict are lost: import the folder again)",
    ]
    assert main(["check", str(project)]) == 0
    assert capsys.readouterr().out.strip() == f"{project}: ok"
    with Project.open(project) as p:
        assert p.read("SELECT id FROM sentences") == [(1,)]
        assert p.read("SELECT id FROM samples") == [(1,)]
        assert p.read("SELECT count(*) FROM clip_thumbnails") == [(0,)]


def test_quarantined_rows_are_named_and_the_rest_reads(project: Path, base: Path) -> None:
    raw(
        project,
        "UPDATE sources SET info = 'nope' WHERE path LIKE '%a.mp4'",
        "UPDATE clips SET status = 'maybe' WHERE source_id = (SELECT id FROM sources"
        " WHERE path LIKE '%b.mp4')",
        "UPDATE settings SET value = '12' WHERE key = 'train_height'",  # not a multiple of 8
    )
    with Project.open(project) as p:
        damaged = {Path(s.path).name: s for s in p.errors()}
        assert set(damaged) == {"a.mp4"}
        assert damaged["a.mp4"].error_kind == DAMAGED_KIND
        assert damaged["a.mp4"].error == "damaged row: info is not JSON"
        # Only c.gif's clip is readable: a.mp4's source and b.mp4's clip are quarantined.
        assert [Path(s.path).name for _c, s in p.clips_with_sources()] == ["c.gif"]
        assert p.settings().train_height == 384  # the default, per key
        assert p.settings().train_width == 384
        reasons = sorted(d.describe() for d in p.damage())
        assert len(reasons) == 2
        assert (
            reasons[1]
            == "setting 'train_height': damaged row: train_height 12 must be a multiple of 8"
        )
        assert reasons[0].endswith("b.mp4): damaged row: status 'maybe' is unknown")
        # One scan (each source row parsed once) reads exactly what the three reads do.
        scan = p.scan()
        assert scan.clips == p.clips_with_sources()
        assert scan.errors == p.errors()
        assert scan.damage == p.damage()
        # Reading clips by id leaves out the same ones; any number of ids, in any order.
        ids = [r[0] for r in p.read("SELECT id FROM clips ORDER BY id DESC")]
        assert len(ids) == 3
        assert p.clips_by_id([*ids, ids[0], 10**6]) == p.clips_with_sources()
        assert p.clips_by_id(range(-5000, 5000)) == p.clips_with_sources()
        assert p.clips_by_id([]) == []


def test_repair_reads_a_damaged_source_again_from_its_file(project: Path) -> None:
    before = row_id(project, "SELECT count(*) FROM clips")
    raw(project, "UPDATE sources SET info = 'nope' WHERE path LIKE '%a.mp4'")
    assert main(["check", "--repair", str(project)]) == 0
    with Project.open(project) as p:
        assert p.errors() == []
        assert len(p.clips()) == before
        a = next(s for s in p.sources() if s.path.endswith("a.mp4"))
        assert a.info is not None and a.info.frame_count == 12


def test_random_bytes_are_not_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "noise.anicurate"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 8192, np.uint8).tobytes())
    with pytest.raises(NotAProject, match="not an anicurate project"):
        Project.open(path)
    assert main(["info", str(path)]) == 1
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "not an anicurate project (not a SQLite database)" in err and "Traceback" not in err


def test_random_bytes_inside_a_project_are_a_damaged_database(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(project.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    # Overwrite every page but the first (the header and schema survive, the tables do not).
    noise = np.random.default_rng(2).integers(0, 256, len(data) - page, np.uint8).tobytes()
    data[page:] = noise
    project.write_bytes(bytes(data))
    with pytest.raises(DamagedProject, match="damaged database"), Project.open(project) as p:
        p.sources()
    capsys.readouterr()
    assert main(["info", str(project)]) == 1
    err = capsys.readouterr().err
    assert "damaged database" in err and "Traceback" not in err
    assert main(["check", str(project)]) == 1
    assert "damaged database" in capsys.readouterr().out
    main(["check", "--repair", str(project)])
    out = capsys.readouterr().out
    assert "backup kept as" in out
    assert main(["check", str(project)]) == 0, capsys.readouterr().out
    with Project.open(project) as p:
        p.sources()  # readable again (what survived)


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root ignores file permissions, so a read-only "
    "folder is writable for root; this runs as an ordinary user",
)
def test_a_read_only_folder_gets_its_true_reason(project: Path) -> None:
    folder = project.parent
    folder.chmod(0o555)
    try:
        with pytest.raises(ProjectError, match="is read-only") as err:
            Project.open(project)
        assert "not a SQLite database" not in str(err.value)
    finally:
        folder.chmod(0o755)


def test_the_read_only_reason_as_root_via_a_non_root_child(project: Path) -> None:
    """Root bypasses permissions; where the tests run as root, a child drops to nobody."""
    if os.geteuid() != 0:
        pytest.skip("runs as an ordinary user: covered by the chmod test above")
    folder = Path(tempfile.mkdtemp(prefix="anicurate-ro-", dir="/tmp"))
    project = Path(shutil.copy(project, folder / "p.anicurate"))
    if not os.stat("/tmp").st_mode & 0o001:
        pytest.skip("/tmp cannot be entered by nobody, so the child cannot reach the project")
    folder.chmod(0o555)
    project.chmod(0o644)
    code = (
        "import os, sys; os.setgid(65534); os.setuid(65534);"
        "from anicurate.core.project import Project;"
        "from anicurate.core.errors import ProjectError\n"
        "try: Project.open(sys.argv[1])\n"
        "except ProjectError as e: print(e)\n"
    )
    try:
        child = subprocess.run(
            [sys.executable, "-c", code, str(project)], capture_output=True, text=True, check=False
        )
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
    if child.returncode:
        pytest.skip(
            f"nobody cannot run this interpreter or import anicurate: {child.stderr[-200:]}"
        )
    out = child.stdout
    assert "is read-only" in out and "not a SQLite database" not in out, out


def test_close_checkpoints_so_the_file_alone_is_complete(project: Path, tmp_path: Path) -> None:
    p = Project.open(project)
    with p.transaction() as conn:
        conn.execute("UPDATE clips SET note = 'kept'")
    wal = Path(f"{project}-wal")
    assert wal.stat().st_size > 0  # committed, and still only in the WAL
    p.close()
    assert not wal.exists() or wal.stat().st_size == 0
    alone = tmp_path / "alone.anicurate"
    shutil.copy(project, alone)  # the file only: no -wal beside the copy
    with Project.open(alone) as p:
        assert {c.note for c in p.clips()} == {"kept"}


KILLED_WRITER = """
import os, sys, time
from anicurate.core.project import Project
p = Project.open(sys.argv[1])
p.connection.execute("PRAGMA wal_autocheckpoint = 0")  # as during a long job
for i in range(200):
    with p.transaction() as conn:
        conn.execute(
            "INSERT INTO sources (path, size, mtime, hash, error_kind, error, added_at)"
            " VALUES (?, 0, 0, '', 'not found', 'x', 0)", (f"/gone/{i}.mp4",))
os._exit(9)  # killed: no close, no checkpoint
"""


def test_copy_after_a_kill_keeps_every_committed_row(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(project)], check=False)
    assert Path(f"{project}-wal").stat().st_size > 0  # the commits are still in the WAL
    plain = tmp_path / "plain.anicurate"
    shutil.copy(project, plain)  # what "copy the file" did before
    with Project.open(plain) as p:
        lost = 200 - sum(s.path.startswith("/gone/") for s in p.sources())
    assert lost > 0  # the plain copy misses committed rows
    dest = tmp_path / "copy.anicurate"
    assert main(["copy", str(project), str(dest)]) == 0
    assert not Path(f"{dest}-wal").exists()
    with Project.open(dest) as p:
        assert sum(s.path.startswith("/gone/") for s in p.sources()) == 200
    # Never over an existing file without --force.
    capsys.readouterr()
    assert main(["copy", str(project), str(dest)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["copy", "--force", str(project), str(dest)]) == 0
    assert main(["copy", "--force", str(project), str(project)]) == 1


# -- property tests ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
stored = st.none() | st.integers() | st.floats() | st.text(max_size=30) | st.binary(max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "train_width",
                "train_height",
                "n_sample_frames",
                "fps",
                "frame_step",
                "trigger_tag",
                "use_bucketing",
                "preset",
                "other",
            ]
        ),
        json_values,
    )
)
def test_settings_from_any_json_fall_back_per_key(values: dict[str, object]) -> None:
    settings_, bad = ProjectSettings.from_stored(values)
    assert isinstance(settings_, ProjectSettings)
    for key in values:
        if key != "other" and key not in bad:
            assert getattr(settings_, key) == values[key]


@settings(max_examples=300, deadline=None)
@given(st.tuples(*[stored] * 9), json_values)
def test_any_source_row_reads_or_is_quarantined(row: tuple[object, ...], info: object) -> None:
    for candidate in (row, (*row[:5], json.dumps(info), *row[6:])):
        source = _source(candidate)
        assert source.damaged or source.path == candidate[1]


@settings(max_examples=300, deadline=None)
@given(st.tuples(*[stored | st.sampled_from(["accepted", "rejected"])] * 10))
def test_any_clip_row_reads_or_raises_damaged_row(row: tuple[object, ...]) -> None:
    from anicurate.core.project.rows import DamagedRow

    try:
        clip = checked_clip(row)
    except DamagedRow:
        return
    assert clip.last_frame >= clip.first_frame >= 0


def test_open_error_names_a_read_only_folder_not_a_bad_database(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What SQLite says in a read-only folder ('unable to open database file') is mapped by
    looking at the folder; as root this simulates the permission the kernel would refuse."""
    from anicurate.core.project.catalogue import open_error

    folder = str(project.parent)
    real = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode: False if str(p) == folder and mode & os.W_OK else real(p, mode),
    )
    err = open_error(project, sqlite3.OperationalError("unable to open database file"))
    assert f"the folder {folder} is read-only" in str(err)
    assert "not a SQLite database" not in str(err)
