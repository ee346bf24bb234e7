"""Tools for the fault suite: run the real CLI as a subprocess, kill it with SIGKILL at chosen
points, find the processes it left behind, and reduce a project or an export folder to the state
that must match a clean, uninterrupted run.

The state drops only what legitimately differs between two runs (timestamps, the folder a run
wrote into); everything else (paths, hashes, ranges, statuses, analysis blobs, tags, rendered
bytes) must be equal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import av
import numpy as np

from anicurate.core.media.writer import write_still, write_video
from tests.helpers.export_samples import source_frame, write_vfr_gif
from tests.helpers.tagger_samples import COLOURS, make_tiny_tagger

#: A run that takes longer than this hangs: it fails the test instead of blocking the suite.
CLI_TIMEOUT_S = 120.0
#: How long the children of a killed run get to notice and exit on their own.
ORPHAN_GRACE_S = 5.0
POLL_S = 0.005
#: Columns that record when something happened, not what: equal runs differ there.
VOLATILE_COLUMNS = frozenset({"added_at", "created_at", "updated_at", "tagged_at", "time"})
#: Tables whose ids mean something: other rows and exported file names refer to them. The ids
#: of other rows only record the order in which parallel work finished, so those rows are
#: compared as sets.
KEYED_TABLES = frozenset({"sources", "clips"})
EXPORT_TMP = ".anicurate-tmp"
#: Export size (small: the suite must stay fast); the same for every run compared.
EXPORT_SIZE = ("--width", "128", "--height", "96")
TRACEBACK = "Traceback (most recent call last)"
#: Two x264 encodings of a frame with other thread counts: mean absolute difference below this.
MAX_MEAN_LEVELS = 3.0


# -- the media set -------------------------------------------------------------------------


def _cut_video(path: Path, n: int, cut: int, colour: str) -> Path:
    """Numbered quadrant frames, a hard cut at ``cut``, then a flat colour with a moving bar."""
    frames = []
    for i in range(n):
        if i < cut:
            frames.append(source_frame(i))
        else:
            rgb = np.full((128, 192, 3), COLOURS[colour], np.uint8)
            x = (i * 7) % 176
            rgb[40:60, x : x + 16] = 255
            frames.append(rgb)
    return write_video(path, frames, 24, gop=12)


def write_media_set(folder: Path) -> list[Path]:
    """Eleven small files: eight videos with a cut each, an exact copy of one (a duplicate), a
    GIF with uneven delays and a PNG still. Sorted by name, as import walks them."""
    folder.mkdir(parents=True, exist_ok=True)
    colours = list(COLOURS)
    for j in range(8):
        _cut_video(folder / f"v{j}.mp4", 20 + 4 * j, 10 + j, colours[j % len(colours)])
    shutil.copyfile(folder / "v0.mp4", folder / "v0_copy.mp4")
    write_vfr_gif(folder / "anim.gif", [40, 80, 40, 120, 40, 80, 40, 40, 120, 40])
    write_still(folder / "still.png", np.full((96, 128, 3), COLOURS["green"], np.uint8))
    return sorted(folder.iterdir())


# -- running the CLI -----------------------------------------------------------------------


def cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "anicurate", *map(str, args)]


@dataclass(frozen=True)
class Done:
    """A finished CLI run."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (
            f"`anicurate {' '.join(self.args)}` exited {self.returncode}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


def run_cli(*args: str | Path, timeout: float = CLI_TIMEOUT_S) -> Done:
    """Run ``anicurate ARGS`` to its end in its own session; a hang fails with TimeoutExpired."""
    return finish(start_cli(*args), timeout)


class Running:
    """A CLI run in its own session (so its children can be found), output going to temporary
    files: a killed run's orphans may keep pipes open forever, files never block."""

    def __init__(self, *args: str | Path) -> None:
        self.args = tuple(map(str, args))
        # closed in close(): they outlive this call
        self._out = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._err = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cli(*args), stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL, text=True,
            start_new_session=True,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self, timeout: float) -> Done:
        """Wait for the process (not its children), then read what it wrote."""
        try:
            self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(10)
        return self.output()

    def output(self) -> Done:
        texts = []
        for f in (self._out, self._err):
            f.seek(0)
            texts.append(f.read())
        return Done(self.args, int(self.proc.returncode), texts[0], texts[1])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        kill_session(self.pid)
        self._out.close()
        self._err.close()


def start_cli(*args: str | Path) -> Running:
    return Running(*args)


def finish(run: Running, timeout: float = CLI_TIMEOUT_S) -> Done:
    """Wait for a started run, kill whatever of its session is left, return its output."""
    try:
        return run.wait(timeout)
    finally:
        run.close()


# -- processes -----------------------------------------------------------------------------


def session_members(sid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every live process in session ``sid`` (Linux /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            members.append((int(entry.name), cmdline.strip()))
    return members


def kill_session(sid: int) -> None:
    for pid, _ in session_members(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def orphans_of(sid: int, grace_s: float = ORPHAN_GRACE_S) -> list[tuple[int, str]]:
    """Processes of a killed run's session still alive after ``grace_s``; then kills them."""
    deadline = time.monotonic() + grace_s
    left = session_members(sid)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = session_members(sid)
    kill_session(sid)
    return left


# -- killing at chosen points --------------------------------------------------------------


@dataclass(frozen=True)
class KillPoint:
    """Kill once ``after_s`` has passed and ``progress()`` reached ``at_least``, then ``delay_s``
    later (so the kill lands inside the next unit of work, not between two)."""

    after_s: float = 0.0
    at_least: int = 0
    delay_s: float = 0.0


def kill_points(seed: str, total: int, n_progress: int = 3) -> list[KillPoint]:
    """One early kill (start-up, opening the project) and ``n_progress`` kills at increasing
    progress counts below ``total``, drawn from a generator seeded with ``seed``."""
    rng = random.Random(seed)
    points = [KillPoint(after_s=rng.uniform(0.05, 0.5))]
    counts = sorted(rng.sample(range(1, total), min(n_progress, total - 1)))
    points += [KillPoint(at_least=c, delay_s=rng.uniform(0.0, 0.03)) for c in counts]
    return points


@dataclass(frozen=True)
class Killed:
    """What a killed run left: whether the kill landed, its output, and orphaned processes."""

    point: KillPoint
    landed: bool  # False: the run had finished before the kill point came
    progress: int  # progress() at the kill
    done: Done
    orphans: list[tuple[int, str]] = field(default_factory=list)


def run_killed(
    args: Sequence[str | Path],
    point: KillPoint,
    progress: Callable[[], int],
    timeout: float = CLI_TIMEOUT_S,
) -> Killed:
    """Run ``anicurate ARGS`` and SIGKILL it (the process only, as a crash would) at ``point``."""
    run = start_cli(*args)
    start = time.monotonic()
    landed, at = False, 0
    try:
        while run.poll() is None:
            now = time.monotonic() - start
            if now > timeout:
                raise AssertionError(f"anicurate {args} ran past {timeout} s before its kill point")
            if now >= point.after_s and (point.at_least == 0 or progress() >= point.at_least):
                time.sleep(point.delay_s)
                at = progress()
                if run.poll() is None:
                    os.kill(run.pid, signal.SIGKILL)
                    landed = True
                break
            time.sleep(POLL_S)
        done = run.wait(timeout)
        orphans = orphans_of(run.pid) if landed else []
    finally:
        run.close()
    if not landed:
        assert done.returncode == 0, done.describe()
    return Killed(point, landed, at, done, orphans)


def kill_and_resume(
    args: Sequence[str | Path], points: Sequence[KillPoint], progress: Callable[[], int]
) -> tuple[list[Killed], Done]:
    """Run the command once per kill point, each resuming what the last left, then once more to
    its end; asserts that no killed run left a process behind."""
    killed = []
    for point in points:
        k = run_killed(args, point, progress)
        assert not k.orphans, (
            f"killing `anicurate {' '.join(map(str, args))}` at {k.point} left processes "
            f"running: {k.orphans}"
        )
        killed.append(k)
    return killed, run_cli(*args)


# -- progress probes -----------------------------------------------------------------------


def db_count(db: Path, sql: str) -> int:
    """``SELECT count(*)`` on a project another process is writing; 0 while it cannot be read.

    Read-only (never creates the file); the writer's busy timeout covers our short reads.
    """
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def count_rows(db: Path, sql: str) -> Callable[[], int]:
    return lambda: db_count(db, sql)


def count_files(folder: Path, suffixes: tuple[str, ...] = (".mp4", ".png")) -> Callable[[], int]:
    """Rendered files under their final names in an export folder."""

    def probe() -> int:
        count = 0
        # os.walk skips a folder that vanishes while it is walked (the export removes its
        # temporary folder when done); Path.rglob raised FileNotFoundError there (flaky).
        for _root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d != EXPORT_TMP]
            count += sum(1 for f in files if Path(f).suffix in suffixes)
        return count

    return probe


# -- states to compare ---------------------------------------------------------------------


def _connect_existing(db: Path) -> sqlite3.Connection:
    """A plain connection to a project no one else has open (read-only URIs would leave the
    -wal and -shm files behind, which the tests look for)."""
    assert db.is_file(), f"{db} is missing"
    return sqlite3.connect(db)


def _value(v: Any) -> Any:
    """A column value as comparable data: blobs as hashes, JSON text parsed."""
    if isinstance(v, bytes):
        return "blake2b:" + hashlib.blake2b(v, digest_size=16).hexdigest()
    if isinstance(v, str) and v[:1] in ("{", "["):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _sort_key(row: dict[str, Any]) -> str:
    """Order rows by everything but their floats (which may differ in the last bits)."""
    return repr({k: None if isinstance(v, float) else v for k, v in row.items()})


#: Floats are equal within this: onnxruntime's scores for a frame differ in the last bits with
#: the frames that share its batch, and the tagger batches whatever frames are ready (two clean
#: runs differ by ~1e-6 too).
FLOAT_REL, FLOAT_ABS = 1e-4, 1e-5


def difference(a: Any, b: Any, where: str = "") -> str | None:
    """Where ``a`` and ``b`` first differ (floats within FLOAT_REL/FLOAT_ABS), or None."""
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        close = math.isclose(a, b, rel_tol=FLOAT_REL, abs_tol=FLOAT_ABS)
        return None if close or (math.isnan(a) and math.isnan(b)) else f"{where}: {a!r} != {b!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{where}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            found = difference(a[k], b[k], f"{where}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{where}: {a!r} != {b!r}"


def project_state(db: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by rowid, without the time columns; blobs as hashes.

    Read through SQLite's backup API, so the file is read as SQLite sees it (WAL included).
    """
    src = _connect_existing(db)
    mem = sqlite3.connect(":memory:")
    try:
        src.backup(mem)
        tables = [
            r[0]
            for r in mem.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        state: dict[str, list[dict[str, Any]]] = {}
        for table in tables:
            cur = mem.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            names = [d[0] for d in cur.description]
            drop = VOLATILE_COLUMNS | ({"id"} if table not in KEYED_TABLES else set())
            rows = [
                {k: _value(v) for k, v in zip(names, row, strict=True) if k not in drop}
                for row in cur
            ]
            state[table] = rows if table in KEYED_TABLES else sorted(rows, key=_sort_key)
        return state
    finally:
        src.close()
        mem.close()


def assert_same_project(got: Path, want: Path) -> None:
    """The project at ``got`` holds exactly what the clean run's project at ``want`` holds."""
    found = difference(project_state(got), project_state(want))
    assert found is None, f"{got} differs from the clean run's {want.name} at {found}"


def integrity_ok(db: Path) -> None:
    conn = _connect_existing(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def folder_files(folder: Path) -> list[str]:
    """Every file under ``folder``, relative, sorted (temporary files included on purpose).

    A running export makes and removes its scratch folder while this looks: os.walk skips a
    folder that is gone by the time it is listed, where Path.rglob would raise.
    """
    found = []
    for root, _dirs, files in os.walk(folder):
        found += [str((Path(root) / name).relative_to(folder)) for name in files]
    return sorted(found)


def project_leftovers(folder: Path, name: str) -> list[str]:
    """Files next to a closed project other than the project itself (temp files, a WAL that
    was not checkpointed)."""
    return [f for f in folder_files(folder) if f != name]


def file_hash(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=32).hexdigest()


def export_state(out: Path, project: Path, bit_exact: bool = True) -> dict[str, Any]:
    """An export folder as comparable data: each file's bytes (hash) or, for text, its content
    with the folder and project paths replaced; the manifest and state file parsed, without
    their time stamps.

    ``bit_exact=False``: videos are described by frame count and size only, and the hashes and
    sizes of files are left out of the manifest and state file (x264's bytes depend on its
    thread count, which export derives from how many clips are left to render).
    """

    def norm(text: str) -> str:
        for path, name in ((out.resolve(), "<OUT>"), (project.resolve(), "<PROJECT>")):
            text = text.replace(str(path), name)
        for path, name in ((out, "<OUT>"), (project, "<PROJECT>")):
            text = text.replace(str(path), name)
        return text

    dropped = VOLATILE_COLUMNS | {"exported_at"} | (set() if bit_exact else {"hash", "size"})
    state: dict[str, Any] = {}
    for rel in folder_files(out):
        path = out / rel
        if rel in ("manifest.json", ".anicurate-export.json"):
            data = json.loads(norm(path.read_text(encoding="utf-8")))
            if rel == ".anicurate-export.json":
                # Each file the export owns must hold the bytes recorded for it; the hashes
                # themselves differ between folders where a file names its folder (config.yaml).
                owned = data.pop("owned", {})
                for name, digest in owned.items():
                    assert file_hash(out / name) == digest, f"{out / name}: not the bytes owned"
                data["owned"] = sorted(owned)
            state[rel] = _drop_keys(data, dropped)
        elif rel == ".anicurate-export.lock":
            state[rel] = "lock"  # names the pid of whichever export held it last
        elif path.suffix == ".mp4" and not bit_exact:
            frames = video_frames(path)
            state[rel] = {"frames": len(frames), "shape": list(frames[0].shape)}
        elif path.suffix in (".mp4", ".png"):
            state[rel] = file_hash(path)
        else:
            state[rel] = norm(path.read_text(encoding="utf-8"))
    return state


def video_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _drop_keys(data: Any, keys: frozenset[str] | set[str]) -> Any:
    if isinstance(data, dict):
        return {k: _drop_keys(v, keys) for k, v in data.items() if k not in keys}
    if isinstance(data, list):
        return [_drop_keys(v, keys) for v in data]
    return data


def assert_manifest_matches_files(out: Path) -> None:
    """Every manifest entry names a file that exists with the recorded size and hash."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"], "the manifest lists no files"
    for entry in manifest["files"]:
        path = out / entry["relative_path"]
        assert path.is_file(), f"manifest names {path}, which is missing"
        assert path.stat().st_size == entry["size"], path
        assert hashlib.blake2b(path.read_bytes(), digest_size=32).hexdigest() == entry["hash"]


def assert_same_export(
    got: Path, got_project: Path, want: Path, want_project: Path, bit_exact: bool = True
) -> None:
    """The export folder ``got`` holds what the clean export ``want`` holds (see export_state);
    not ``bit_exact``: each video's frames must still be within a few levels of the clean one's.
    """
    a = export_state(got, got_project, bit_exact)
    b = export_state(want, want_project, bit_exact)
    assert sorted(a) == sorted(b), f"files differ: {sorted(set(a) ^ set(b))}"
    found = difference(a, b)
    assert found is None, f"{got} differs from the clean export at {found}"
    if not bit_exact:
        for rel in (r for r in b if r.endswith(".mp4")):
            for n, (x, y) in enumerate(
                zip(video_frames(got / rel), video_frames(want / rel), strict=True)
            ):
                mad = float(np.abs(x.astype(np.int16) - y.astype(np.int16)).mean())
                assert mad < MAX_MEAN_LEVELS, f"{rel} frame {n}: {mad:.2f} levels from the clean"


def copy_project(src: Path, dst: Path) -> Path:
    """A complete copy of a project (SQLite backup API: the WAL's pages included)."""
    a = _connect_existing(src)
    b = sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    return dst


def clean_message(done: Done, pattern: str) -> None:
    """Exit 1 and a one-line ``anicurate: ...`` message matching ``pattern``, no traceback."""
    assert TRACEBACK not in done.stderr, done.describe()
    assert done.returncode == 1, done.describe()
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    messages = [ln for ln in lines if re.search(pattern, ln, re.IGNORECASE)]
    assert messages, f"no line on stderr matches {pattern!r}\n{done.describe()}"
    assert all(ln.startswith("anicurate") for ln in messages), done.describe()


# -- the clean pipeline --------------------------------------------------------------------


@dataclass(frozen=True)
class Pipeline:
    """A media set, a tagger, and the projects and exports of clean uninterrupted runs."""

    root: Path
    media: Path
    tagger: Path
    imported: Path  # the project after `import`
    analysed: Path  # ... then `analyze --project`
    tagged: Path  # ... then `tag`
    exports: dict[str, Path]  # format -> export folder of the tagged project (EXPORT_CASES)

    @property
    def n_media(self) -> int:
        return len(list(self.media.iterdir()))


#: Formats exported, each with its worker count. Clean and killed runs of a format use the same
#: count: it sets x264's thread count, and other thread counts give other (valid) bytes.
EXPORT_CASES = {"t2v-folder": 1, "diffusion-pipe": 2}


def import_args(project: Path, media: Path) -> list[str | Path]:
    return ["import", "-q", project, media]


def analyze_args(project: Path, workers: int = 1) -> list[str | Path]:
    return ["analyze", "-q", "--project", project, "--workers", str(workers)]


def tag_args(project: Path, tagger: Path) -> list[str | Path]:
    return [
        "tag", "-q", "--project", project, "--model", tagger, "--provider", "cpu", "--batch", "4",
    ]  # fmt: skip


def export_args(project: Path, fmt: str, out: Path, workers: int = 1) -> list[str | Path]:
    return [
        "export", "-q", "--project", project, "--format", fmt, "--out", out, "--include", "all",
        "--workers", str(workers), *EXPORT_SIZE,
    ]  # fmt: skip


def _ok(done: Done) -> Done:
    assert done.returncode == 0 and TRACEBACK not in done.stderr, done.describe()
    return done


@cache
def clean_pipeline(root: Path) -> Pipeline:
    """Build the clean references once per test session (``root``: a session temp folder)."""
    media = root / "media"
    write_media_set(media)
    tagger = make_tiny_tagger(root / "tagger")
    clean = root / "clean"
    clean.mkdir()
    imported = clean / "imported.anicurate"
    _ok(run_cli(*import_args(imported, media)))
    analysed = copy_project(imported, clean / "analysed.anicurate")
    _ok(run_cli(*analyze_args(analysed)))
    tagged = copy_project(analysed, clean / "tagged.anicurate")
    _ok(run_cli(*tag_args(tagged, tagger)))
    exports = {}
    for fmt, workers in EXPORT_CASES.items():
        project = copy_project(tagged, clean / f"export-{fmt}.anicurate")
        exports[fmt] = clean / f"out-{fmt}"
        _ok(run_cli(*export_args(project, fmt, exports[fmt], workers)))
    return Pipeline(root, media, tagger, imported, analysed, tagged, exports)
