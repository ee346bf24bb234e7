"""The ``anicurate`` command: opens the window, or drives core jobs from a terminal.

Each subcommand lives in its own module with a ``register(subparsers)`` function; ``COMMANDS``
lists them. Exit codes: 0 ok, 1 some inputs failed (each named on stderr, the rest processed)
or the run stopped on an error (one line on stderr: a full or read-only disk, a broken model),
2 usage.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import Any

from anicurate import __version__
from anicurate.cli import (
    analyze,
    captions,
    doctor,
    edit,
    export,
    fix,
    gui,
    media,
    project,
    review,
    settings,
    tag,
)
from anicurate.cli.common import EXIT_SOME_FAILED, EXIT_USAGE, os_error_line, sqlite_error_line
from anicurate.core.errors import AnicurateError

COMMANDS: tuple[Callable[[Any], None], ...] = (
    gui.register,
    media.register,
    analyze.register,
    settings.register,
    edit.register,
    review.register,
    tag.register,
    captions.register,
    export.register,
    export.register_find,
    doctor.register,
    project.register,
    fix.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anicurate",
        usage="%(prog)s [-h] [--version] [--demo | PROJECT]\n"
        "       %(prog)s COMMAND [options]  (%(prog)s COMMAND -h for its options)",
        description="Curate anime clips, GIFs and images into a text-to-video fine-tuning dataset.",
        epilog="Without a COMMAND, opens the window: `anicurate PROJECT` opens a .anicurate "
        "project, `anicurate --demo` generates a demo set once and opens it. Headless workflow: "
        "import, analyze, settings, split, review, crop, tag, export (undo/redo walk the edits).",
    )
    parser.add_argument("--version", action="version", version=f"anicurate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="anicurate")
    for register in COMMANDS:
        register(sub)
    return parser


def subcommands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


#: Commands that create their project, or open the window (which says so itself).
_CREATES_PROJECT = {"import", "gui"}


def _missing_project(args: argparse.Namespace) -> str | None:
    """The project a command names when no file is there (a usage error, before any work)."""
    project = getattr(args, "project", None)
    if not project or args.command in _CREATES_PROJECT or os.path.exists(project):
        return None
    return str(project)


#: Commands that leave a project's flags as they are (analyze brings them up to date itself;
#: check and copy look at the file, not at what it holds).
_KEEPS_FLAGS = _CREATES_PROJECT | {"analyze", "check", "copy"}


def _update_flags(args: argparse.Namespace) -> None:
    """Re-flag a project whose flags an older detector left (stored signals only, nothing is
    decoded) before a command reads them: an update never leaves clips looking unanalysed."""
    project = getattr(args, "project", None)
    if not project or args.command in _KEEPS_FLAGS:
        return
    from pathlib import Path

    from anicurate.core.analysis import flags_outdated, reflag
    from anicurate.core.project import Project

    with Project.open(Path(project)) as opened:
        if flags_outdated(opened):
            print("anicurate: updating the flags for this version's detector (nothing is "
                  "decoded)", file=sys.stderr)  # fmt: skip
            reflag(opened)


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `anicurate`, `anicurate --demo` and `anicurate PROJECT` open the window.
    known = subcommands(parser) | {"-h", "--help", "--version"}
    if not args_in or args_in[0] not in known:
        args_in = ["gui", *args_in]
    args = parser.parse_args(args_in)
    missing = _missing_project(args)
    if missing is not None:
        print(f"anicurate {args.command}: {missing}: no such project (create one with "
              f"`anicurate import {missing} FILES`)", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    try:
        _update_flags(args)
        return int(args.func(args))
    except KeyboardInterrupt:
        print("anicurate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `anicurate info ... | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except AnicurateError as err:
        print(f"anicurate: {err}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except OSError as err:  # a full, read-only or forbidden disk: work already committed stays
        print(f"anicurate: {os_error_line(err)}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except sqlite3.Error as err:
        print(f"anicurate: {sqlite_error_line(err, getattr(args, 'project', None))}",
              file=sys.stderr)  # fmt: skip
        return EXIT_SOME_FAILED
