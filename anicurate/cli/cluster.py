"""The ``--ray ADDRESS`` option that ``analyze``, ``tag`` and ``export`` share."""

from __future__ import annotations

import argparse
import sys


def add_ray_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--ray``: run the heavy part on a Ray cluster; this machine keeps the project."""
    parser.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run on the Ray cluster at ADDRESS (host:port, ray://host:port, or auto); every "
        "worker must see the sources (and the export folder) at the same path; needs "
        "anicurate[ray]",
    )


def ray_ready(command: str) -> bool:
    """True when Ray can be imported; else says what to install (the caller exits 2)."""
    from anicurate.core.distributed import INSTALL_HINT, ray_available

    if ray_available():
        return True
    print(f"anicurate {command}: {INSTALL_HINT}", file=sys.stderr)
    return False
