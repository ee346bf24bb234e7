"""``anicurate review``, ``undo`` and ``redo``: accept, reject or reset clips from a terminal,
and walk the journal the window's edits share."""

from __future__ import annotations

import argparse
from typing import Any

from anicurate.cli.arguments import WHERE_HELP, where
from anicurate.cli.common import EXIT_OK, plural
from anicurate.cli.workflow_common import chosen, list_labels, opened, refresh_derived

# Status values as the catalogue stores them (ClipStatus): the parser is built without loading
# the core, so that `anicurate --help` stays quick.
_VERBS = {
    "accepted": "accepted",
    "rejected": "rejected",
    "unreviewed": "reset to unreviewed",
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "review",
        help="accept, reject or reset the clips an expression picks (undoable)",
        description="Set the review status of clips, as the window's Accept/Reject/Unreviewed "
        "do, in one undoable edit. Example: --accept --where 'unflagged and not tag:text'.",
    )
    p.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--accept", dest="status", action="store_const",
                        const="accepted", help="accept them")  # fmt: skip
    action.add_argument("--reject", dest="status", action="store_const",
                        const="rejected", help="reject them")  # fmt: skip
    action.add_argument("--reset", dest="status", action="store_const",
                        const="unreviewed", help="make them unreviewed again")  # fmt: skip
    p.add_argument("--where", type=where, metavar="EXPR", help=WHERE_HELP)
    p.set_defaults(func=cmd_review)

    for name, text in (("undo", "undo the newest edit"), ("redo", "redo the edit undone last")):
        u = sub.add_parser(name, help=f"{text} (the window's and the CLI's edits alike)")
        u.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
        u.set_defaults(func=cmd_undo if name == "undo" else cmd_redo)


def cmd_review(args: argparse.Namespace) -> int:
    from anicurate.core.project import ClipStatus
    from anicurate.core.project.edits import set_status

    status = ClipStatus(args.status)
    with opened(args.project) as project:
        picked = chosen(project, args.where)
        before = {c.id: c.status for c in project.clips()}
        changing = [label for cid, label in picked if before.get(cid) != status]
        changed = set_status(project, [cid for cid, _ in picked], status)
        print(
            f"{args.project}: {plural(changed, 'clip')} {_VERBS[status]}"
            f" ({plural(len(picked), 'clip')} matched"
            f"{f' {args.where.text!r}' if args.where else ''})"
        )
        list_labels(changing)
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    return _step(args, undo=True)


def cmd_redo(args: argparse.Namespace) -> int:
    return _step(args, undo=False)


def _step(args: argparse.Namespace, *, undo: bool) -> int:
    from anicurate.core.project import edits

    with opened(args.project) as project:
        label = edits.undo(project) if undo else edits.redo(project)
        if label is None:
            print(f"{args.project}: nothing to {'undo' if undo else 'redo'}")
            return EXIT_OK
        refresh_derived(project)
        print(f"{args.project}: {'undid' if undo else 'redid'} {label!r}")
        next_undo, next_redo = edits.history(project)
        if next_undo or next_redo:
            print(f"  next undo: {next_undo or '-'}; next redo: {next_redo or '-'}")
    return EXIT_OK
