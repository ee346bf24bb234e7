"""``anicurate settings``: print or change a project's training settings (preset, trigger tag,
size, window), as the window's Settings dialog does; a change is one undoable edit."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from anicurate.cli.arguments import int_in
from anicurate.cli.common import EXIT_OK, EXIT_USAGE
from anicurate.cli.export import FPS, FRAME_STEP, FRAMES, SIZE
from anicurate.cli.workflow_common import opened, refresh_derived


def _size(text: str) -> tuple[int, int]:
    """``WxH``: a training size, both sides multiples of 8 within SIZE."""
    w_text, sep, h_text = text.lower().partition("x")
    if not sep:
        raise argparse.ArgumentTypeError(f"must be WIDTHxHEIGHT, e.g. 512x512, not {text!r}")
    w, h = int_in(*SIZE)(w_text), int_in(*SIZE)(h_text)
    if w % 8 or h % 8:
        raise argparse.ArgumentTypeError(f"both sides must be multiples of 8, not {w}x{h}")
    return w, h


def _on_off(text: str) -> bool:
    if text.lower() in ("on", "yes", "true", "1"):
        return True
    if text.lower() in ("off", "no", "false", "0"):
        return False
    raise argparse.ArgumentTypeError(f"must be on or off, not {text!r}")


def register(sub: Any) -> None:
    from anicurate.core.project.settings import PRESETS

    p = sub.add_parser(
        "settings",
        help="print or change the training settings (preset, trigger, size, window)",
        description="Without options, print the project's training settings. --preset first "
        "takes a preset's values; the other options then change single values. Undoable.",
    )
    p.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
    p.add_argument("--preset", choices=sorted(PRESETS), help="take a preset's values")
    p.add_argument("--trigger", metavar="TAG", help="the tag every caption starts with ('' none)")
    p.add_argument("--size", type=_size, metavar="WxH", help="training size, e.g. 512x512")
    p.add_argument("--frames", type=int_in(*FRAMES), metavar="N", help="n_sample_frames")
    p.add_argument("--fps", type=int_in(*FPS), metavar="N", help="frame rate of exported clips")
    p.add_argument("--step", type=int_in(*FRAME_STEP), metavar="N", help="frame_step")
    p.add_argument("--bucketing", type=_on_off, metavar="on|off", help="aspect bucketing")
    p.set_defaults(func=cmd_settings)


def cmd_settings(args: argparse.Namespace) -> int:
    from anicurate.core.project.edits import change_settings
    from anicurate.core.project.settings import PRESETS

    with opened(args.project) as project:
        current = project.settings()
        new = PRESETS[args.preset] if args.preset else current
        changes: dict[str, Any] = {}
        if args.trigger is not None:
            changes["trigger_tag"] = " ".join(args.trigger.split())
        if args.size is not None:
            changes["train_width"], changes["train_height"] = args.size
        for option, name in (("frames", "n_sample_frames"), ("fps", "fps"),
                             ("step", "frame_step"), ("bucketing", "use_bucketing")):  # fmt: skip
            if getattr(args, option) is not None:
                changes[name] = getattr(args, option)
        try:
            new = dataclasses.replace(new, **changes)
        except ValueError as err:
            print(f"anicurate settings: {err}")
            return EXIT_USAGE
        changed = change_settings(project, new) if new != current else []
        if changed:
            refresh_derived(project)
            old = current.to_dict()
            for name in changed:
                print(f"{args.project}: {name}: {old[name]!r} -> {new.to_dict()[name]!r}")
        elif args.preset or changes:
            print(f"{args.project}: settings unchanged")
        if not changed:
            for name, value in project.settings().to_dict().items():
                print(f"  {name:16} {value!r}")
    return EXIT_OK
