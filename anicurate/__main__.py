"""Entry point of ``anicurate``, ``python -m anicurate`` and the frozen (PyInstaller) executable."""

from __future__ import annotations

import multiprocessing
import os
import sys

# numpy's OpenBLAS starts a thread per core at import, and they spin whenever woken: anicurate
# does no linear algebra, and on a busy 2-core machine those threads took 4% of an analysis'
# CPU (7% of a folder's wall time). Set before numpy loads, here and in every worker process
# (spawned workers inherit the environment); a value the user set stands.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

SCREENSHOTS_FLAG = "--screenshots"  # a developer entry, kept out of --help (see screenshots())


def main() -> None:
    """Start the command line or the window; in a frozen build, first serve worker processes."""
    # Analysis runs a "spawn" process pool: in a frozen build each worker is this same executable
    # started with --multiprocessing-fork, and freeze_support() (PyInstaller's runtime hook
    # makes it work on Linux too) runs the worker and exits before argparse ever sees that flag.
    multiprocessing.freeze_support()
    if sys.argv[1:2] == [SCREENSHOTS_FLAG]:
        sys.exit(screenshots(sys.argv[2:]))
    from anicurate.cli import main as cli_main

    sys.exit(cli_main())


def screenshots(args: list[str]) -> int:
    """``anicurate --screenshots OUTDIR [--project P] [-q]``: ``python -m tools.screenshots``.

    The release bundle has no Python to run ``-m tools.screenshots`` with, so its smoke test
    renders the window through this hidden flag; a pip install without tools/ says so and exits 2.
    """
    try:
        from tools.screenshots.__main__ import main as shots_main
    except ImportError as err:
        print(f"anicurate: --screenshots needs tools/ (a source checkout or the release bundle): "
              f"{err}", file=sys.stderr)  # fmt: skip
        return 2
    sys.argv = ["anicurate --screenshots", *args]
    return shots_main()


if __name__ == "__main__":
    main()
