"""``anicurate split --at-cuts`` and ``anicurate crop``: the window's Split at Cuts and crop
presets for many clips at once, each one undoable edit."""

from __future__ import annotations

import argparse
from typing import Any

from anicurate.cli.arguments import WHERE_HELP, int_in, where
from anicurate.cli.common import EXIT_OK, EXIT_SOME_FAILED, plural
from anicurate.cli.workflow_common import chosen, list_labels, opened, refresh_derived

#: Frames left out either side of a cut: as the window's "Frames Dropped at Cuts" allows.
DROP = (0, 48)


def register(sub: Any) -> None:
    s = sub.add_parser(
        "split",
        help="split clips into their shots at the cuts, fades and flashes analysis found",
        description="One clip per shot, as the window's Split at Cuts: fades and flashes are "
        "left out, and --drop N frames either side of each cut. One undoable edit.",
    )
    s.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
    s.add_argument("--at-cuts", action="store_true", required=True,
                   help="split at the analysed cuts (the only way yet)")  # fmt: skip
    s.add_argument(
        "--drop", type=int_in(*DROP), default=0, metavar="N",
        help=f"frames left out either side of a cut, {DROP[0]}-{DROP[1]} (0)",
    )  # fmt: skip
    s.add_argument("--where", type=where, metavar="EXPR", help=WHERE_HELP)
    s.set_defaults(func=cmd_split)

    c = sub.add_parser(
        "crop",
        help="crop clips to the training ratio: centred, largest, padded, or none",
        description="Crop presets at the project's training ratio, as the player's crop "
        "buttons, for many clips in one undoable edit. Exports never letterbox a clip unless "
        "its crop says --pad.",
    )
    c.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
    mode = c.add_mutually_exclusive_group(required=True)
    for flag, text in (
        ("--centre", "centre the clip's crop (the largest crop when it has none)"),
        ("--fit", "the largest crop of the training ratio, centred"),
        ("--pad", "pad the whole frame to the training ratio (letterbox)"),
        ("--clear", "no crop: export centre-crops or buckets the whole frame"),
    ):
        mode.add_argument(flag, dest="mode", action="store_const", const=flag[2:], help=text)
    c.add_argument("--where", type=where, metavar="EXPR", help=WHERE_HELP)
    c.set_defaults(func=cmd_crop)


def cmd_split(args: argparse.Namespace) -> int:
    from anicurate.core.analysis.shots import split_at_cuts

    with opened(args.project) as project:
        picked = chosen(project, args.where)
        labels = dict(picked)
        report = split_at_cuts(project, [cid for cid, _ in picked], drop=args.drop)
        refresh_derived(project)
        shots = sum(len(r) for r in report.pieces.values())
        print(
            f"{args.project}: split {plural(len(report.pieces), 'clip')} into "
            f"{plural(shots, 'clip')} ({plural(len(picked), 'clip')} matched)"
        )
        list_labels([
            f"{labels[cid]} -> " + ", ".join(f"{a}-{b}" for a, b in ranges)
            for cid, ranges in report.pieces.items()
        ])  # fmt: skip
        if report.unanalysed:
            names = [labels[cid] for cid in report.unanalysed]
            print(f"{plural(len(names), 'clip')} not analysed (run anicurate analyze --project):")
            list_labels(names)
            return EXIT_SOME_FAILED
    return EXIT_OK


def cmd_crop(args: argparse.Namespace) -> int:
    from anicurate.core.project.edits import CropMode, crop_clips

    with opened(args.project) as project:
        picked = chosen(project, args.where)
        before = {c.id: c.crop for c in project.clips()}
        changed = crop_clips(project, [cid for cid, _ in picked], CropMode(args.mode))
        after = {c.id: c.crop for c in project.clips()}
        refresh_derived(project)
        print(
            f"{args.project}: {args.mode} crop on {plural(changed, 'clip')} "
            f"({plural(len(picked), 'clip')} matched)"
        )
        list_labels([
            f"{label}: {_crop_text(before[cid])} -> {_crop_text(after[cid])}"
            for cid, label in picked if before.get(cid) != after.get(cid)
        ])  # fmt: skip
    return EXIT_OK


def _crop_text(crop: tuple[int, int, int, int] | None) -> str:
    if crop is None:
        return "none"
    x, y, w, h = crop
    return f"{w}x{h}+{x}+{y}"
