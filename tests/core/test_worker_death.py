"""kill -9 of ``analyze --workers 2`` takes its workers (forked from the command line's process,
spawned from one that runs other threads: see run._pool_context) and any resource tracker with
it: no process it started is left running (Linux: processes found through /proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from anicurate.core.analysis.run import PARENT_POLL_S
from anicurate.core.media.writer import write_video
from anicurate.core.project import import_paths

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds child processes through Linux's /proc"
)


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return int(fields[1]), fields[0]


def children(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] == parent:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[1] not in ("Z", "X")  # a zombie has finished


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_until(check: object, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def noise_frames(n: int, seed: int) -> list[np.ndarray]:
    """Moving noise: slow to encode away, so each file keeps a worker busy for a while."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    return [np.roll(base, 3 * t, axis=1) for t in range(n)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("long")
    media = root / "media"
    media.mkdir()
    for i in range(16):  # ~2.6 s of analysis for two workers: killed well before its end
        write_video(media / f"{i}.mp4", noise_frames(240, i), 24)
    path = root / "p.anicurate"
    job = import_paths(path, [media])
    for _ in job:
        pass
    return path


#: ``anicurate analyze`` from a process that already runs a second thread, as the window's does:
#: its workers are spawned (see run._pool_context), with a resource tracker beside them.
BUSY = """
import sys, threading
threading.Thread(target=threading.Event().wait, daemon=True).start()
from anicurate.__main__ import main
sys.argv = ["anicurate", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_killing_analyze_ends_its_workers_and_the_resource_tracker(
    project: Path, start: str
) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = ["-m", "anicurate"] if start == "fork" else ["-c", BUSY]
    proc = subprocess.Popen(
        [sys.executable, *run, "analyze", "--project", str(project), "--workers", "2", "-q",
         "--force"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        # Two workers, and a resource tracker where they were spawned (semaphores of forked
        # ones need none); the workers count once they run tasks (their initializer has run).
        def workers() -> list[int]:
            return [k for k in children(proc.pid) if "resource_tracker" not in cmdline(k)]

        assert wait_until(lambda: len(workers()) >= 2, 60), "the workers never started"
        time.sleep(0.3 if start == "fork" else 1.0)  # let them take their first files
        kids = children(proc.pid)
        assert proc.poll() is None, "analyze finished before it could be killed: longer clips"
        assert len(workers()) == 2
        assert all(("spawn_main" in cmdline(w)) == (start == "spawn") for w in workers())
        trackers = [k for k in kids if "resource_tracker" in cmdline(k)]
        assert len(trackers) == (start == "spawn")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert wait_until(lambda: not any(alive(k) for k in kids), 4 * PARENT_POLL_S + 5), [
            cmdline(k) for k in kids if alive(k)
        ]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for kid in children(proc.pid):
            if alive(kid):
                os.kill(kid, signal.SIGKILL)
