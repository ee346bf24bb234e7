"""Hostile files: FIFOs, devices, sockets, broken and looping links, huge headers, odd names, and
two imports racing; each gets its exact per-file error and nothing hangs (subprocess timeouts)."""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anicurate
from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.media import open_media, probe
from anicurate.core.media.limits import DEFAULT_MAX_PIXELS, check_pixels, declared_size
from anicurate.core.media.writer import write_animation, write_still, write_video
from anicurate.core.project import Project, import_paths
from anicurate.core.project import importer as importer_module
from tests.helpers.jobs import finish as drain

REPO = Path(anicurate.__file__).resolve().parent.parent
TIMEOUT = 180  # seconds for one CLI run on a loaded machine; a hang fails instead of blocking CI
LIMIT = f"{DEFAULT_MAX_PIXELS:,}"
ODD_NAMES = ("new\nline.png", "\u00fcn\u00efc\u00f6de \u65e5\u672c.png")

T = TypeVar("T")


def frames(n: int, w: int = 32, h: int = 24, seed: int = 0) -> list[np.ndarray]:
    out = []
    for i in range(n):
        f = np.full((h, w, 3), ((i * 41 + seed) % 200, 90, 150), np.uint8)
        f[2:8, 2 + 2 * i : 8 + 2 * i] = 255
        out.append(f)
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(path: Path, width: int, height: int) -> Path:
    """A PNG whose IHDR says ``width`` x ``height`` over a few bytes of data: only the header is
    huge, so it must be refused from the header (decoding it would take gigabytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    chunks = _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunks)
    return path


def huge_gif(path: Path, width: int, height: int) -> Path:
    """A GIF with a ``width`` x ``height`` logical screen holding one 1x1 frame."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0)
    frame = b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    path.write_bytes(screen + frame + b";")
    return path


def write_corpus(root: Path) -> Path:
    """Good files beside every kind of hostile one; returns the folder to import."""
    folder = root / "in"
    (folder / "sub").mkdir(parents=True)
    write_video(folder / "a.mp4", frames(6), 24)
    write_animation(folder / "b.gif", frames(3), [100, 50, 100])
    write_still(folder / "c.png", frames(1)[0])
    for i, name in enumerate(ODD_NAMES):
        write_still(folder / name, frames(1, seed=50 + i)[0])
    (folder / "zero.mp4").touch()
    huge_png(folder / "big.png", 16000, 16000)
    huge_gif(folder / "huge.gif", 65535, 65535)
    os.mkfifo(folder / "fifo.mp4")
    (folder / "devzero.mp4").symlink_to("/dev/zero")
    (folder / "dangling.mp4").symlink_to("nowhere/target.mp4")
    (folder / "loop1.mp4").symlink_to("loop2.mp4")
    (folder / "loop2.mp4").symlink_to("loop1.mp4")
    (folder / "alias.mp4").symlink_to("a.mp4")  # the same file again: one source
    (folder / "sub" / "loop").symlink_to("..", target_is_directory=True)  # a folder loop
    outside = root / "outside"
    outside.mkdir()
    write_still(outside / "e.png", frames(1, seed=99)[0])
    (folder / "linked").symlink_to(outside, target_is_directory=True)  # a linked subfolder
    cwd = os.getcwd()
    os.chdir(folder)  # bind by a relative name: a socket's path is limited to ~108 bytes
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("sock.mp4")
    finally:
        os.chdir(cwd)
    return folder


def hostile_messages(folder: Path) -> dict[str, str]:
    """The error each hostile file of the corpus must get, by name."""
    return {
        "big.png": f"too large: 16000\u00d716000 over the limit of {LIMIT} pixels",
        "huge.gif": f"too large: 65535\u00d765535 over the limit of {LIMIT} pixels",
        "fifo.mp4": "not a regular file: a FIFO (named pipe)",
        "sock.mp4": "not a regular file: a socket",
        "devzero.mp4": "not a regular file: links to /dev/zero, a character device",
        "dangling.mp4": "not found: broken link -> nowhere/target.mp4",
        "loop1.mp4": "not found: broken link -> loop2.mp4",
        "loop2.mp4": "not found: broken link -> loop1.mp4",
        "zero.mp4": "zero length: the file is empty (0 bytes)",
    }


def cli(*args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run ``anicurate ARGS`` in a child; a hang raises TimeoutExpired (the child is killed)."""
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "anicurate", *args], capture_output=True, text=True,
        timeout=timeout, env={**os.environ, "PYTHONPATH": pythonpath},
    )  # fmt: skip


def failures(stderr: str) -> dict[str, str]:
    """``anicurate: PATH: MESSAGE`` lines as {file name: message} (names without newlines)."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith("anicurate: "):
            path, _, message = line.removeprefix("anicurate: ").partition(": ")
            out[Path(path).name] = message
    return out



def within(seconds: float, fn: Callable[[], T], unblock: Callable[[], None]) -> T:
    """``fn()`` in a thread; if it is still running after ``seconds``, unblock it and fail."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as e:
            error.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        unblock()
        thread.join(seconds)
        pytest.fail(f"still running after {seconds} s: it blocked")
    if error:
        raise error[0]
    return result[0]


# -- import of the hostile corpus --------------------------------------------------------------


def test_hostile_folder_imports_the_good_files_and_names_each_bad_one(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path).resolve()
    project = tmp_path / "p.anicurate"
    done = cli("import", "-q", str(project), str(folder))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert failures(done.stderr) == hostile_messages(folder)
    outside = (tmp_path / "outside").resolve()
    with Project.open(project) as p:
        stored = {s.path: s.error_kind for s in p.sources()}
        clips = {s.path: len(p.clips(s.id)) for s in p.sources()}
    good = [folder / n for n in ("a.mp4", "b.gif", "c.png", *ODD_NAMES)] + [outside / "e.png"]
    assert stored == {
        **{str(path): None for path in good},
        str(folder / "zero.mp4"): "zero length",
        str(folder / "big.png"): "too large",
        str(folder / "huge.gif"): "too large",
    }  # FIFOs, sockets, devices and broken links have no content to keep: reported only
    assert all(clips[str(path)] == 1 for path in good)


def test_import_twice_is_stable_for_hostile_files(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path).resolve()
    project = tmp_path / "p.anicurate"
    first = cli("import", "-q", str(project), str(folder))
    again = cli("import", "-q", str(project), str(folder))
    assert failures(again.stderr) == failures(first.stderr) == hostile_messages(folder)
    assert again.stdout.strip().endswith("0 added, 0 relinked, 6 unchanged, 9 failed")


def test_max_pixels_option_lifts_the_limit(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_still(folder / "c.png", frames(1, 40, 30)[0])
    project = tmp_path / "p.anicurate"
    refused = cli("import", "-q", "--max-pixels", "1199", str(project), str(folder))
    assert refused.returncode == 1
    assert failures(refused.stderr) == {
        "c.png": "too large: 40\u00d730 over the limit of 1,199 pixels"
    }
    accepted = cli("import", "-q", "--max-pixels", "1200", str(project), str(folder))
    assert accepted.returncode == 0, accepted.stderr
    with Project.open(project) as p:
        assert [(Path(s.path).name, s.error_kind) for s in p.sources()] == [("c.png", None)]
    usage = cli("import", "--max-pixels", "0", str(project), str(folder))
    assert usage.returncode == 2
    assert "--max-pixels: must be at least 1, not 0" in usage.stderr


@pytest.mark.parametrize("command", [["info", "--json"], ["analyze", "--json", "-q"]])
def test_info_and_analyze_json_name_each_hostile_file(tmp_path: Path, command: list[str]) -> None:
    folder = write_corpus(tmp_path).resolve()
    done = cli(*command, str(folder))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    rows = {Path(r["path"]).name: r for r in map(json.loads, done.stdout.splitlines())}
    errors = {name: row["error"] for name, row in rows.items() if row["error"] is not None}
    assert errors == hostile_messages(folder)
    assert rows["e.png"]["error"] is None  # the linked subfolder is walked
    assert sorted(rows) == sorted([*hostile_messages(folder), "a.mp4", "alias.mp4", "b.gif",
                                   "c.png", "e.png", *ODD_NAMES])  # fmt: skip


def test_huge_png_is_refused_without_decoding(tmp_path: Path) -> None:
    """The 16000x16000 PNG once took 2 GB to import: the child's peak memory stays small."""
    folder = tmp_path / "in"
    folder.mkdir()
    huge_png(folder / "big.png", 16000, 16000)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from anicurate.core.project import import_paths\n"
        "job = import_paths(Path(sys.argv[1]), [Path(sys.argv[2])])\n"
        "for _ in job: pass\n"
        # VmHWM is this program's own peak: ru_maxrss may keep the forking parent's (pytest's)
        "status = Path('/proc/self/status').read_text().splitlines()\n"
        "print(next(line.split()[1] for line in status if line.startswith('VmHWM:')))\n"
    )
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p.anicurate"), str(folder)],
        capture_output=True, text=True, timeout=TIMEOUT,
        env={**os.environ, "PYTHONPATH": pythonpath},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    peak_mib = int(done.stdout) / 1024  # VmHWM is in KiB
    assert peak_mib < 500  # decoding would need 768 MiB for the RGB frame alone
    with Project.open(tmp_path / "p.anicurate") as p:
        [source] = p.sources()
    assert source.error == f"too large: 16000\u00d716000 over the limit of {LIMIT} pixels"


# -- probing: every entry point refuses before reading -------------------------------------------


def test_probe_of_a_fifo_fails_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "x.mp4"
    os.mkfifo(fifo)

    def unblock() -> None:  # a writer lets a blocked open() return
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    with pytest.raises(MediaError) as err:
        within(20, lambda: probe(fifo), unblock)
    assert err.value.kind is MediaErrorKind.NOT_REGULAR
    assert err.value.message == "not a regular file: a FIFO (named pipe)"


def test_probe_names_a_dangling_link_by_its_own_path(tmp_path: Path) -> None:
    link = tmp_path / "clip.mp4"
    link.symlink_to(tmp_path / "gone" / "real.mp4")
    with pytest.raises(MediaError) as err:
        probe(link)
    assert err.value.path == str(link)
    assert err.value.message == f"not found: broken link -> {tmp_path / 'gone' / 'real.mp4'}"


def _small_media(folder: Path, suffix: str) -> Path:
    """A 32x24 file of the given type, written by the encoder a user's tools would use."""
    path = folder / f"m{suffix}"
    if suffix == ".mp4":
        return write_video(path, frames(4), 24)
    if suffix in (".gif", ".apng"):
        return write_animation(path, frames(3), [100, 100, 100])
    return write_still(path, frames(1)[0])


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp", ".webp", ".gif", ".apng", ".mp4"])
def test_pixel_limit_is_exact_for_every_format(tmp_path: Path, suffix: str) -> None:
    path = _small_media(tmp_path, suffix)
    assert probe(path, max_pixels=32 * 24).width == 32
    with pytest.raises(MediaError) as err:
        probe(path, max_pixels=32 * 24 - 1)
    assert err.value.kind is MediaErrorKind.TOO_LARGE
    assert err.value.message == "too large: 32\u00d724 over the limit of 767 pixels"
    with pytest.raises(MediaError):
        open_media(path, max_pixels=100)


@pytest.mark.parametrize("name", ["big.png", "huge.gif"])
def test_huge_headers_are_too_large_not_corrupt(tmp_path: Path, name: str) -> None:
    path = huge_png(tmp_path / name, 16000, 16000)
    if name == "huge.gif":
        path = huge_gif(tmp_path / name, 65535, 65535)
    with pytest.raises(MediaError) as err:
        probe(path)
    assert err.value.kind is MediaErrorKind.TOO_LARGE


def test_webp_over_pillows_own_limit_is_too_large_when_the_limit_is_lifted(
    tmp_path: Path,
) -> None:
    """Pillow's decompression-bomb check must not escape as its own error (or warning)."""
    path = tmp_path / "w.webp"
    vp8x = struct.pack("<B3x", 0) + (20000 - 1).to_bytes(3, "little") * 2
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(MediaError) as err:
        probe(path, max_pixels=None)
    assert err.value.kind is MediaErrorKind.TOO_LARGE


# -- two imports at once ------------------------------------------------------------------------


def test_import_racing_another_import_updates_the_row_it_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other import stores each file between this one's look-up and its write."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_video(folder / "a.mp4", frames(6), 24)
    (folder / "text.mp4").write_text("words, not a video\n" * 10)
    project = tmp_path / "p.anicurate"
    real = importer_module._read_media
    raced: set[Path] = set()

    def racing(path: Path, threads: int, max_pixels: int | None) -> Any:
        if path not in raced:
            raced.add(path)
            drain(import_paths(project, [path]))  # the other import, done in the meantime
        return real(path, threads, max_pixels)

    monkeypatch.setattr(importer_module, "_read_media", racing)
    summary = drain(import_paths(project, [folder]))
    assert raced == {(folder / "a.mp4").resolve(), (folder / "text.mp4").resolve()}
    assert [(Path(p).name, m.split(":")[0]) for p, m in summary.failed] == [
        ("text.mp4", "not media")
    ]
    with Project.open(project) as p:
        rows = [(Path(s.path).name, s.error_kind, len(p.clips(s.id))) for s in p.sources()]
    assert rows == [("a.mp4", None, 1), ("text.mp4", "not media", 0)]


@pytest.mark.parametrize("fresh", [False, True], ids=["existing-project", "new-project"])
def test_two_cli_imports_of_one_folder_at_once(tmp_path: Path, fresh: bool) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(8):
        write_video(folder / f"v{i}.mp4", frames(4, seed=i * 7), 24)
    (folder / "zero.mp4").touch()
    project = tmp_path / "p.anicurate"
    if not fresh:
        Project.open(project, create=True).close()
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": pythonpath}
    command = [sys.executable, "-m", "anicurate", "import", "-q", str(project), str(folder)]
    pipe = subprocess.PIPE
    procs = [subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True, env=env) for _ in "ab"]
    results = [proc.communicate(timeout=TIMEOUT) for proc in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert "Traceback" not in err
        assert proc.returncode == 1
        assert failures(err) == {"zero.mp4": "zero length: the file is empty (0 bytes)"}
    with Project.open(project) as p:
        sources = p.sources()
        clips = [len(p.clips(s.id)) for s in sources]
    assert sorted(Path(s.path).name for s in sources) == sorted(
        [f"v{i}.mp4" for i in range(8)] + ["zero.mp4"]
    )
    assert clips == [1] * 8 + [0]


# -- the header reader on anything ---------------------------------------------------------------

_PREFIXES = {
    "png": [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"],
    "gif": [b"", b"GIF89a"],
    "bmp": [b"", b"BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"],
    "webp": [b"", *(b"RIFF\x00\x00\x00\x00WEBP" + c for c in (b"VP8X", b"VP8L", b"VP8 "))],
    "jpeg": [b"", b"\xff\xd8", b"\xff\xd8\xff\xe0\x00\x10", b"\xff\xd8\xff\xff\xff\xc0"],
    "mp4": [b""],
}


@settings(max_examples=400, deadline=1000)
@given(data=st.data(), tail=st.binary(max_size=400))
def test_declared_size_never_fails_on_random_bytes(data: st.DataObject, tail: bytes) -> None:
    family = data.draw(st.sampled_from([*_PREFIXES, None]))
    prefix = data.draw(st.sampled_from(_PREFIXES.get(family or "mp4", [b""])))
    size = declared_size(io.BytesIO(prefix + tail), family)
    if size is not None:
        width, height = size
        assert isinstance(width, int) and isinstance(height, int)
        assert width >= 0 and height >= 0
        try:
            check_pixels("x", width, height, DEFAULT_MAX_PIXELS)
        except MediaError as err:
            assert err.kind is MediaErrorKind.TOO_LARGE


def test_catalogued_sources_are_not_held_to_the_default_limit_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pixel limit gates import: a source the user let in with a raised ``--max-pixels``
    is analysed (and exported, tagged, played) without the default limit refusing it later."""
    from anicurate.core.analysis.run import analyze_project

    probe_module = sys.modules["anicurate.core.media.probe"]  # `media.probe` is the function

    media = tmp_path / "m"
    media.mkdir()
    write_video(media / "clip.mp4", frames(6), fps=12)
    write_still(media / "still.png", frames(1)[0])
    project = tmp_path / "p.anicurate"
    drain(import_paths(project, [media], max_pixels=None))
    seen: list[int | None] = []
    real = probe_module.check_pixels

    def recording(path: Any, width: int, height: int, max_pixels: int | None) -> None:
        seen.append(max_pixels)
        real(path, width, height, max_pixels)

    monkeypatch.setattr(probe_module, "check_pixels", recording)
    for workers in (1, 2):
        result = drain(analyze_project(project, workers=workers, force=True))
        assert result.analysed == 2 and not result.failed
    assert seen and set(seen) == {None}  # the in-process pass (workers 1) opened both
