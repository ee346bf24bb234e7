"""Timing whole processes for the benchmarks, as a user's installed copy runs them.

An installed anicurate (pip, or the frozen bundle) starts from compiled bytecode. A machine
with ``PYTHONDONTWRITEBYTECODE`` set (this sandbox sets it) would otherwise compile numpy's and
anicurate's sources again in every process, a start-up cost no user pays: children run with
bytecode cached in a folder of the benchmark's own, filled by an untimed first run.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

#: A process that decodes every video frame of the files it is given with PyAV's frame threads
#: and nothing else: the reference of the whole-process ratios.
DECODE_ONLY = """
import sys, av
from av.codec.context import ThreadType
for path in sys.argv[1:]:
    with av.open(path) as c:
        s = c.streams.video[0]
        s.codec_context.thread_type = ThreadType.AUTO
        for _ in c.decode(s):
            pass
"""

#: CPU seconds (user + system) of the processes of the last :func:`timed` call.
CPU: list[float] = [0.0]


def child_env(cache: Path) -> dict[str, str]:
    """This process's environment with bytecode written to and read from ``cache``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def timed(cmds: list[list[str]], env: dict[str, str] | None = None) -> float:
    """Wall seconds from starting every command at once to the last one ending; their CPU
    seconds go to :data:`CPU` (steadier than wall time on a shared machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, env=env) for c in cmds]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit(f"failed: {p.args}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall
