"""``python -m tools.screenshots OUTDIR [--project P] [-q]``: the demo project by default."""

from __future__ import annotations

import argparse
from pathlib import Path

from anicurate.cli.gui import prepare_demo
from tools.screenshots.window import render_screenshots


def main() -> int:
    """Render every screen into OUTDIR and print the files written."""
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__)
    parser.add_argument("outdir")
    parser.add_argument("--project", help="project to show (default: the demo project)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args()
    project = Path(args.project) if args.project else prepare_demo(args.quiet)
    for png in render_screenshots(Path(args.outdir), project):
        print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
