"""``anicurate check`` and ``anicurate copy``: a project file's health, and complete copies."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from anicurate.cli.common import EXIT_OK, EXIT_SOME_FAILED


def register(sub: Any) -> None:
    check = sub.add_parser(
        "check",
        help="report damage in a project (exit 1 when any); --repair fixes what can be fixed",
    )
    check.add_argument("project", help="the .anicurate project file")
    check.add_argument(
        "--repair",
        action="store_true",
        help="fix or drop damaged rows after keeping a backup (<name>.bak-<time>)",
    )
    check.set_defaults(func=cmd_check)

    copy = sub.add_parser(
        "copy",
        help="write a complete copy of a project (safe while the app runs or after a crash)",
    )
    copy.add_argument("project", help="the .anicurate project file")
    copy.add_argument("dest", help="the new file")
    copy.add_argument("--force", action="store_true", help="replace DEST if it exists")
    copy.set_defaults(func=cmd_copy)


def cmd_check(args: argparse.Namespace) -> int:
    from anicurate.core.check import check_project, repair_project

    path = Path(args.project)
    findings = check_project(path)
    for finding in findings:
        print(f"{path}: {finding.message}")
    if not findings:
        print(f"{path}: ok")
        return EXIT_OK
    if not args.repair:
        print(f"{path}: {len(findings)} problem(s); `anicurate check --repair {path}` fixes them")
        return EXIT_SOME_FAILED
    repair = repair_project(path)
    print(f"{path}: backup kept as {repair.backup}")
    for change in repair.changes:
        print(f"{path}: repaired: {change}")
    left = check_project(path)
    for finding in left:
        print(f"{path}: still damaged: {finding.message}")
    return EXIT_SOME_FAILED if left else EXIT_OK


def cmd_copy(args: argparse.Namespace) -> int:
    from anicurate.core.project.backup import copy_project

    dest = copy_project(args.project, args.dest, force=args.force)
    print(f"{args.project}: copied to {dest}")
    return EXIT_OK
