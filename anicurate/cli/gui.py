"""``anicurate`` (the window) and ``--demo``; screenshots: ``python -m tools.screenshots``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from anicurate import paths
from anicurate.cli.common import EXIT_USAGE, run_job


def register(sub: Any) -> None:
    gui = sub.add_parser("gui", help="open the window (the default)")
    gui.add_argument("project", nargs="?", help="a .anicurate project to open")
    gui.add_argument("--demo", action="store_true", help="generate the demo set once and open it")
    gui.set_defaults(func=cmd_gui)


def prepare_demo(quiet: bool = False) -> Path:
    """Generate the demo clips once, import and analyse them (only what is new or stale)."""
    from anicurate.core.analysis import analyze_project
    from anicurate.core.demo import generate_demo_media
    from anicurate.core.project import import_paths

    folder = paths.demo_dir()
    media = run_job(generate_demo_media(folder / "clips"), "drawing demo clips", quiet)
    project = folder / "demo.anicurate"
    run_job(import_paths(project, [media]), "importing demo clips", quiet)
    run_job(analyze_project(project, workers=0), "analysing demo clips", quiet)
    return project


def cmd_gui(args: argparse.Namespace) -> int:
    from anicurate.app import run_gui

    project: Path | None = None
    if args.demo:
        project = prepare_demo()
    elif args.project:
        project = Path(args.project)
        if not project.exists() and project.suffix != ".anicurate":
            print(
                f"anicurate: {args.project!r} is neither a command "
                "nor a project file; try anicurate --help",
                file=sys.stderr,
            )
            return EXIT_USAGE
    return run_gui(project)
