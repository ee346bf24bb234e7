"""Import into a project: exact rows for good and bad files, re-import, moves, cancel and kill."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import anicurate
from anicurate.core.jobs import Progress
from anicurate.core.media.writer import write_animation, write_still, write_video
from anicurate.core.project import ClipStatus, ImportSummary, Project, import_paths
from anicurate.core.project import importer as importer_module

REPO = Path(anicurate.__file__).resolve().parent.parent

# Good files the `media` fixture writes, with their frame counts, in import order.
GOOD = {"a.mp4": 12, "sub/b.gif": 4, "sub/c.png": 1, "sub/deeper/d.apng": 3}
# Bad files with the error kind each must be stored with.
BAD = {
    "corrupt.gif": "corrupt",
    "text.mp4": "not media",
    "truncated.mp4": "truncated",
    "unknown_codec.mp4": "unsupported codec",
    "zero.mp4": "zero length",
}
# Depth first in name order: a folder's files, then its subfolders.
ORDER = ["a.mp4", *BAD, "sub/b.gif", "sub/c.png", "sub/deeper/d.apng"]


def frames(n: int, w: int = 64, h: int = 48, seed: int = 0) -> list[np.ndarray]:
    """Distinct frames: a flat colour per frame with a white square that moves."""
    out = []
    for i in range(n):
        f = np.full((h, w, 3), ((i * 37 + seed) % 200, 80, 160), np.uint8)
        f[4:12, 2 + 3 * i : 10 + 3 * i] = 255
        out.append(f)
    return out


def write_good(folder: Path) -> None:
    (folder / "sub" / "deeper").mkdir(parents=True, exist_ok=True)
    write_video(folder / "a.mp4", frames(12), 24)
    write_animation(folder / "sub" / "b.gif", frames(4), [100, 50, 200, 50])
    write_still(folder / "sub" / "c.png", frames(1, 40, 30)[0])
    write_animation(folder / "sub" / "deeper" / "d.apng", frames(3), [40, 40, 80])


def write_bad(folder: Path) -> None:
    (folder / "zero.mp4").touch()
    (folder / "text.mp4").write_text("not a video, just words\n" * 20)
    whole = write_video(folder / "whole.mp4", frames(24), 24).read_bytes()
    (folder / "whole.mp4").unlink()
    (folder / "truncated.mp4").write_bytes(whole[: len(whole) // 2])
    gif = write_animation(folder / "corrupt.gif", frames(4), [100] * 4).read_bytes()
    noise = np.random.default_rng(1).bytes(len(gif) - 41)  # keeps header and trailer: complete
    (folder / "corrupt.gif").write_bytes(gif[:40] + noise + gif[-1:])
    good = write_video(folder / "unknown_codec.mp4", frames(6), 24).read_bytes()
    (folder / "unknown_codec.mp4").write_bytes(good.replace(b"avc1", b"zzzz"))


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write_good(folder)
    write_bad(folder)
    (folder / "notes.txt").write_text("skipped silently")
    write_video(folder / ".hidden.mp4", frames(3), 24)
    (folder / ".cache").mkdir()
    write_video(folder / ".cache" / "x.mp4", frames(3), 24)
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return tmp_path / "p.anicurate"


def run(project: Path, *paths: Path) -> tuple[list[Progress], ImportSummary]:
    gen = import_paths(project, list(paths))
    steps: list[Progress] = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value


def names(folder: Path, paths: list[str]) -> list[str]:
    return [Path(p).relative_to(folder).as_posix() for p in paths]


def by_name(project: Path, folder: Path) -> dict[str, Any]:
    with Project.open(project) as p:
        return {Path(s.path).relative_to(folder).as_posix(): s for s in p.sources()}


def clip_rows(project: Path) -> list[tuple[str, int, int, ClipStatus]]:
    with Project.open(project) as p:
        return [
            (Path(s.path).name, c.first_frame, c.last_frame, c.status)
            for c, s in p.clips_with_sources()
        ]


def sql(project: Path, statement: str, *args: object) -> list[tuple[Any, ...]]:
    with Project.open(project) as p, p.transaction() as conn:
        return conn.execute(statement, args).fetchall()


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime (ns) of every file under ``folder``."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Record the file each call of importer.<name> gets, calling through to the real one."""
    calls: list[str] = []
    real: Callable[..., Any] = getattr(importer_module, name)

    def wrapper(path: Path, *args: Any, **kwargs: Any) -> Any:
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(importer_module, name, wrapper)
    return calls


def test_folder_import_gives_exact_rows(media: Path, project: Path) -> None:
    steps, summary = run(project, media)
    assert [s.done for s in steps] == list(range(1, 10))
    assert {s.total for s in steps} == {9}
    assert names(media, [s.item for s in steps]) == ORDER
    failed = [(s.item, s.error) for s in steps if s.error is not None]
    assert summary == ImportSummary(added=4, failed=failed)  # type: ignore[arg-type]
    assert {Path(p).name: m.split(":")[0] for p, m in summary.failed} == BAD

    sources = by_name(project, media)
    assert set(sources) == set(GOOD) | set(BAD)
    for name, count in GOOD.items():
        s = sources[name]
        assert (s.error_kind, s.error) == (None, None)
        assert (s.info.frame_count, s.info.path) == (count, str(media / name))
        assert (s.size, s.mtime) == ((media / name).stat().st_size, (media / name).stat().st_mtime)
        assert len(s.hash) == 64
    for name, kind in BAD.items():
        s = sources[name]
        assert (s.info, s.error_kind) == (None, kind)
        assert s.error == dict(summary.failed)[str(media / name)]
        assert s.error.startswith(kind)
    assert clip_rows(project) == [
        ("a.mp4", 0, 11, "unreviewed"), ("b.gif", 0, 3, "unreviewed"),
        ("c.png", 0, 0, "unreviewed"), ("d.apng", 0, 2, "unreviewed"),
    ]  # fmt: skip
    with Project.open(project) as p:
        assert all(c.crop is None and c.note == "" for c in p.clips())
        assert [Path(s.path).name for s in p.errors()] == sorted(BAD)
        assert p.counts() == {
            "unreviewed": 4, "accepted": 0, "rejected": 0, "clips": 4, "sources": 9, "errors": 5
        }  # fmt: skip
        assert all(p.thumbnail(sources[name].id) is None for name in BAD)


def test_thumbnail_is_a_jpeg_with_max_side_256(tmp_path: Path, project: Path) -> None:
    big = frames(5, 640, 360)
    write_video(tmp_path / "big.mp4", big, 24)
    write_still(tmp_path / "small.png", frames(1, 40, 30)[0])
    run(project, tmp_path / "big.mp4", tmp_path / "small.png")
    with Project.open(project) as p:
        big_id, small_id = (s.id for s in p.sources())
        jpegs = {i: p.thumbnail(i) for i in (big_id, small_id)}
        sizes = sql(project, "SELECT source_id, width, height FROM thumbnails ORDER BY source_id")
    shapes = {}
    for i, jpeg in jpegs.items():
        assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
        shapes[i] = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape
    assert shapes[big_id] == (144, 256, 3)
    assert max(shapes[small_id][:2]) <= 256 and shapes[small_id][1] * 3 == shapes[small_id][0] * 4
    assert sizes == [(big_id, 256, 144), (small_id, shapes[small_id][1], shapes[small_id][0])]


def test_reimport_adds_only_new_files_and_hashes_only_what_changed(
    media: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(project, media)
    before = by_name(project, media)
    write_video(media / "sub" / "e.mp4", frames(7, seed=5), 24)
    hashed = counting(monkeypatch, "hash_file")
    opened = counting(monkeypatch, "open_media")

    _, summary = run(project, media)
    assert summary.added == 1 and summary.unchanged == 4 and len(summary.failed) == 5
    assert (summary.relinked, summary.updated) == (0, 0)
    # known good files are skipped on size and mtime; failed ones are always retried
    assert sorted(hashed) == sorted(["e.mp4", *(Path(n).name for n in BAD)])
    assert "a.mp4" not in opened and "e.mp4" in opened
    after = by_name(project, media)
    assert {n: after[n] for n in before} == before
    assert after["sub/e.mp4"].info.frame_count == 7
    assert len(clip_rows(project)) == 5


def test_touched_file_with_same_content_is_not_probed_again(
    media: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(project, media / "a.mp4")
    os.utime(media / "a.mp4", (1_600_000_000, 1_600_000_000))
    opened = counting(monkeypatch, "open_media")
    _, summary = run(project, media / "a.mp4")
    assert (summary.unchanged, opened) == (1, [])
    assert by_name(project, media)["a.mp4"].mtime == 1_600_000_000


def test_changed_content_updates_info_and_fits_the_clips(media: Path, project: Path) -> None:
    run(project, media)
    a = by_name(project, media)["a.mp4"]
    sql(project, "UPDATE clips SET first_frame = 2, last_frame = 10, status = 'accepted',"
        " crop_x = 0, crop_y = 0, crop_w = 48, crop_h = 48 WHERE source_id = ?", a.id)  # fmt: skip
    sql(project, "INSERT INTO clips (source_id, first_frame, last_frame, created_at, updated_at)"
        " VALUES (?, 8, 11, 0, 0)", a.id)  # fmt: skip
    sql(project, "INSERT INTO tags (clip_id, tag, origin) SELECT id, 'smile', 'manual' FROM clips"
        " WHERE source_id = ? AND first_frame = 2", a.id)  # fmt: skip
    sql(project, "INSERT INTO analysis (source_id, analyser, version, created_at)"
        " VALUES (?, 'cuts', 1, 0)", a.id)  # fmt: skip
    old_thumb = sql(project, "SELECT jpeg FROM thumbnails WHERE source_id = ?", a.id)

    write_video(media / "a.mp4", frames(6, 32, 24, seed=99), 24)  # fewer, smaller frames
    _, summary = run(project, media)
    assert (summary.updated, summary.unchanged, summary.added) == (1, 3, 0)
    changed = by_name(project, media)["a.mp4"]
    assert changed.id == a.id and changed.hash != a.hash
    assert (changed.info.frame_count, changed.info.width) == (6, 32)
    # the clip from 8 is past the new end; the other is clamped, uncropped (48 > 32) and unreviewed
    assert sql(project, "SELECT first_frame, last_frame, crop_x, status FROM clips"
               " WHERE source_id = ?", a.id) == [(2, 5, None, "unreviewed")]  # fmt: skip
    assert sql(project, "SELECT tag FROM tags") == [("smile",)]
    assert sql(project, "SELECT count(*) FROM analysis") == [(0,)]
    assert sql(project, "SELECT jpeg FROM thumbnails WHERE source_id = ?", a.id) != old_thumb


def test_moved_file_is_relinked_and_keeps_clips_and_tags(media: Path, project: Path) -> None:
    run(project, media)
    a = by_name(project, media)["a.mp4"]
    sql(project, "UPDATE clips SET status = 'accepted', note = 'good walk'"
        " WHERE source_id = ?", a.id)  # fmt: skip
    sql(project, "INSERT INTO tags (clip_id, tag, score, origin) SELECT id, 'walking', 0.8, 'auto'"
        " FROM clips WHERE source_id = ?", a.id)  # fmt: skip
    (media / "moved").mkdir()
    shutil.move(media / "a.mp4", media / "moved" / "renamed.mp4")

    steps, summary = run(project, media)
    assert (summary.relinked, summary.added, summary.unchanged) == (1, 0, 3)
    assert "moved/renamed.mp4" in names(media, [s.item for s in steps])
    sources = by_name(project, media)
    assert "a.mp4" not in sources and len(sources) == 9
    moved = sources["moved/renamed.mp4"]
    assert (moved.id, moved.hash, moved.added_at) == (a.id, a.hash, a.added_at)
    assert moved.info.path == str(media / "moved" / "renamed.mp4")
    with Project.open(project) as p:
        [clip] = p.clips(moved.id)
        assert (clip.first_frame, clip.last_frame, clip.status, clip.note) == (
            0, 11, ClipStatus.ACCEPTED, "good walk")  # fmt: skip
        assert p.thumbnail(moved.id) is not None
    assert sql(project, "SELECT tag, score FROM tags") == [("walking", 0.8)]


def test_a_copy_at_a_second_path_is_a_source_of_its_own(media: Path, project: Path) -> None:
    run(project, media)
    shutil.copy2(media / "a.mp4", media / "a_copy.mp4")
    _, summary = run(project, media)
    assert (summary.added, summary.relinked) == (1, 0)
    sources = by_name(project, media)
    assert sources["a_copy.mp4"].hash == sources["a.mp4"].hash
    assert sources["a_copy.mp4"].id != sources["a.mp4"].id
    assert [r[0] for r in clip_rows(project)].count("a_copy.mp4") == 1


def test_explicit_paths(media: Path, project: Path) -> None:
    steps, summary = run(
        project,
        media / "notes.txt",
        media / "missing.mp4",
        media / ".hidden.mp4",
        media / "sub" / "c.png",
        media / "sub",  # c.png again: imported once
    )
    assert names(media, [s.item for s in steps]) == [
        "notes.txt", "missing.mp4", ".hidden.mp4", "sub/c.png", "sub/b.gif", "sub/deeper/d.apng"
    ]  # fmt: skip
    not_media = "not media: '.txt' files are not a media type anicurate imports"
    assert summary.failed == [
        (str(media / "notes.txt"), not_media),
        (str(media / "missing.mp4"), "not found: no such file or folder"),
    ]
    assert summary.added == 4
    # a named file that is not media, or not there, is reported but leaves no source behind
    assert sorted(by_name(project, media)) == [".hidden.mp4", "sub/b.gif", "sub/c.png",
                                               "sub/deeper/d.apng"]  # fmt: skip


def test_a_failing_file_that_now_works_is_fixed_on_reimport(
    media: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer_module.hash_file

    def denied(path: Path) -> str:
        if path.name == "b.gif":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(importer_module, "hash_file", denied)
    _, summary = run(project, media / "sub")
    message = "permission denied: cannot read it; check its permissions"
    assert summary.failed == [(str(media / "sub" / "b.gif"), message)]
    b = by_name(project, media)["sub/b.gif"]
    assert (b.error_kind, b.error, b.hash, b.info) == ("permission denied", message, "", None)
    assert [r[0] for r in clip_rows(project)] == ["c.png", "d.apng"]

    monkeypatch.setattr(importer_module, "hash_file", real)
    _, summary = run(project, media / "sub")
    assert (summary.updated, summary.unchanged, summary.failed) == (1, 2, [])
    fixed = by_name(project, media)["sub/b.gif"]
    assert (fixed.id, fixed.error_kind, fixed.error) == (b.id, None, None)
    assert fixed.info.frame_count == 4
    assert clip_rows(project)[0] == ("b.gif", 0, 3, "unreviewed")


def test_files_gone_between_walk_and_import(media: Path, project: Path) -> None:
    run(project, media / "sub")
    known = by_name(project, media)["sub/c.png"]
    write_still(media / "sub" / "e.png", frames(1, 40, 30, seed=7)[0])
    gen = import_paths(project, [media / "sub"])
    assert names(media, [next(gen).item]) == ["sub/b.gif"]  # the walk is done by now
    (media / "sub" / "c.png").unlink()
    (media / "sub" / "e.png").unlink()
    rest = list(gen)
    assert [(Path(s.item).name, s.error) for s in rest] == [
        ("c.png", "not found: the file is gone"),
        ("e.png", "not found: the file is gone"),
        ("d.apng", None),
    ]
    sources = by_name(project, media)
    assert "sub/e.png" not in sources  # never stored: nothing to keep
    gone = sources["sub/c.png"]  # known: keeps its facts and clip, with the error
    assert (gone.error_kind, gone.info, gone.hash) == ("not found", known.info, known.hash)
    assert ("c.png", 0, 0, "unreviewed") in clip_rows(project)


def test_an_unexpected_reader_error_is_stored_and_the_import_goes_on(
    media: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer_module.open_media

    def broken(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == "b.gif":
            raise ValueError("boom")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(importer_module, "open_media", broken)
    _, summary = run(project, media / "sub")
    assert summary.added == 2
    message = "corrupt: unexpected ValueError: boom"
    assert summary.failed == [(str(media / "sub" / "b.gif"), message)]


def test_sources_are_never_modified(media: Path, project: Path) -> None:
    before = snapshot(media)
    run(project, media)
    os.utime(media / "a.mp4")  # forces a rehash of one file on the second run
    before["a.mp4"] = ((media / "a.mp4").read_bytes(), (media / "a.mp4").stat().st_mtime_ns)
    run(project, media)
    assert snapshot(media) == before


def test_closing_the_generator_keeps_finished_files_and_a_rerun_completes(
    media: Path, project: Path
) -> None:
    gen = import_paths(project, [media])
    first = [next(gen) for _ in range(3)]
    gen.close()
    assert names(media, [s.item for s in first]) == ORDER[:3]
    assert sorted(by_name(project, media)) == sorted(ORDER[:3])

    _, summary = run(project, media)
    assert (summary.added, summary.unchanged, len(summary.failed)) == (3, 1, 5)
    assert sorted(by_name(project, media)) == sorted(ORDER)
    assert [r[:3] for r in clip_rows(project)] == [
        ("a.mp4", 0, 11), ("b.gif", 0, 3), ("c.png", 0, 0), ("d.apng", 0, 2)
    ]  # fmt: skip


# A child process that imports one folder and prints each step (done, item, error; tab
# separated). With "wait" it waits for a line on stdin after each step, so the parent kills it
# between two known files; with "die N" it kills itself inside the N-th file's transaction,
# just before COMMIT; with "plain" it just runs.
CHILD = """
import os, signal, sys
from contextlib import contextmanager
from pathlib import Path
from anicurate.core.project import Project, import_paths

project, folder, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if mode == "die":
    die_at, seen = int(sys.argv[4]), [0]
    real = Project.transaction

    @contextmanager
    def dying(self):
        with real(self) as conn:
            yield conn
            seen[0] += 1
            if seen[0] == die_at:
                os.kill(os.getpid(), signal.SIGKILL)

    Project.transaction = dying
for step in import_paths(project, [folder]):
    print(step.done, step.item, step.error or "", sep="\t", flush=True)
    if mode == "wait":
        sys.stdin.readline()
"""


def child(
    project: Path, folder: Path, *args: str, prefix: Sequence[str] = ()
) -> subprocess.Popen[str]:
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": pythonpath}
    return subprocess.Popen(
        [*prefix, sys.executable, "-c", CHILD, str(project), str(folder), *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def without_root_reading() -> list[str] | None:
    """A command prefix under which a child cannot read a mode-000 file, or None if there is none.

    Root reads anything through CAP_DAC_OVERRIDE; setpriv drops that (and DAC_READ_SEARCH).
    """
    if os.name != "posix":
        return None
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    prefix = [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]
    works = subprocess.run([*prefix, "true"], capture_output=True).returncode == 0
    return prefix if works else None  # e.g. a container without CAP_SETPCAP


def test_unreadable_file_is_stored_as_permission_denied(media: Path, project: Path) -> None:
    prefix = without_root_reading()
    if prefix is None:
        pytest.skip("no way to make a file unreadable here")
    (media / "sub" / "c.png").chmod(0)
    try:
        with child(project, media / "sub", "plain", prefix=prefix) as proc:
            out, _ = proc.communicate(timeout=60)
    finally:
        (media / "sub" / "c.png").chmod(0o644)
    assert proc.returncode == 0
    message = "permission denied: cannot read it; check its permissions"
    assert [line.split("\t") for line in out.splitlines()] == [
        ["1", str(media / "sub" / "b.gif"), ""],
        ["2", str(media / "sub" / "c.png"), message],
        ["3", str(media / "sub" / "deeper" / "d.apng"), ""],
    ]
    c = by_name(project, media)["sub/c.png"]
    assert (c.error_kind, c.error, c.hash, c.info) == ("permission denied", message, "", None)

    _, summary = run(project, media / "sub")  # readable again: fixed
    assert (summary.updated, summary.unchanged, summary.failed) == (1, 2, [])
    assert ("c.png", 0, 0, "unreviewed") in clip_rows(project)


@pytest.fixture
def stills(tmp_path: Path) -> Path:
    folder = tmp_path / "stills"
    folder.mkdir()
    for i in range(8):
        write_still(folder / f"s{i}.png", frames(1, 32, 24, seed=i * 11)[0])
    return folder


def assert_whole(project: Path, folder: Path, expected: list[str]) -> None:
    """Exactly these sources, each with its one whole-range clip and a thumbnail: no half files."""
    assert sorted(by_name(project, folder)) == expected
    assert clip_rows(project) == [(n, 0, 0, "unreviewed") for n in expected]
    assert sql(project, "SELECT count(*) FROM thumbnails") == [(len(expected),)]


def test_a_process_killed_between_files_loses_nothing_and_a_rerun_completes(
    stills: Path, project: Path
) -> None:
    with child(project, stills, "wait") as proc:
        assert proc.stdout is not None and proc.stdin is not None
        lines = [proc.stdout.readline()]
        for _ in range(2):
            proc.stdin.write("go on\n")
            proc.stdin.flush()
            lines.append(proc.stdout.readline())
        proc.send_signal(signal.SIGKILL)  # while it waits after the third file
    assert proc.returncode == -signal.SIGKILL
    assert [line.split()[0] for line in lines] == ["1", "2", "3"]
    assert_whole(project, stills, ["s0.png", "s1.png", "s2.png"])

    _, summary = run(project, stills)
    assert (summary.added, summary.unchanged, summary.failed) == (5, 3, [])
    assert_whole(project, stills, [f"s{i}.png" for i in range(8)])


def test_a_process_killed_inside_a_transaction_leaves_no_half_file(
    stills: Path, project: Path
) -> None:
    with child(project, stills, "die", "3") as proc:
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert [line.split()[0] for line in out.splitlines()] == ["1", "2"]
    assert_whole(project, stills, ["s0.png", "s1.png"])

    _, summary = run(project, stills)
    assert (summary.added, summary.unchanged) == (6, 2)
    assert_whole(project, stills, [f"s{i}.png" for i in range(8)])
