"""``anicurate fix``: list the fix models, fix one video file, or set fixes on a project's clips
(applied when the project is exported)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from anicurate.cli.arguments import WHERE_HELP, int_in, where
from anicurate.cli.common import EXIT_OK, EXIT_USAGE, plural

AUTO = "auto"


def _upscale(text: str) -> int | str:
    if text.strip().lower() == AUTO:
        return AUTO
    value = int_in(1, 4)(text)
    if value not in (1, 2, 4):
        raise argparse.ArgumentTypeError(f"must be 1, 2, 4 or auto, not {value}")
    return value


def _denoise(text: str) -> int | str:
    return AUTO if text.strip().lower() == AUTO else int_in(0, 3)(text)


def _interpolate(text: str) -> Any:
    """auto, N (frame k becomes frame N*k), fps:N or window."""
    from anicurate.core.fix import Interpolation

    word = text.strip().lower()
    if word in (AUTO, "window"):
        return word
    if word.startswith("fps:"):
        return Interpolation("fps", int_in(1, 240)(word[4:]))
    return int_in(1, 16)(word)


def register(sub: Any) -> None:
    fix = sub.add_parser(
        "fix",
        help="upscale, denoise or interpolate a video, or set fixes on a project's clips"
        " (models in models/; GPU when present)",
    )
    fix.add_argument("input", nargs="?", type=Path, help="the video to fix")
    fix.add_argument("--list", action="store_true", help="list the models, one a line, and exit")
    fix.add_argument("--out", type=Path, help="output file; .mkv is lossless (FFV1)")
    fix.add_argument(
        "--project",
        metavar="P",
        help="set fixes on this project's clips instead (the export applies them)",
    )
    fix.add_argument("--where", type=where, metavar="EXPR", help=WHERE_HELP)
    fix.add_argument(
        "--upscale",
        type=_upscale,
        metavar="auto|N",
        help="1, 2 or 4 (auto: the factor that reaches the training size; --project only)",
    )
    fix.add_argument(
        "--interpolate",
        type=_interpolate,
        metavar="auto|N|fps:N|window",
        help="N times the frames (frame k becomes frame N*k), reach N fps, or"
        " reach the training window (window and auto: --project only)",
    )
    fix.add_argument(
        "--smooth-holds", action="store_true", help="drop held drawings before interpolating"
    )
    fix.add_argument("--model", help="upscale model (default: the listed default)")
    fix.add_argument("--interp-model", help="interpolation model")
    fix.add_argument("--denoise", type=_denoise, metavar="auto|LEVEL", help="denoise level 0-3")
    fix.add_argument("--denoise-model", help="denoise model (default: the one for the level)")
    fix.add_argument("--clear", action="store_true", help="--project: remove the clips' fixes")
    fix.add_argument("--provider", choices=("auto", "cpu", "cuda", "vulkan"), default="auto")
    fix.add_argument("-q", "--quiet", action="store_true", help="no progress")
    fix.set_defaults(func=cmd_fix)  # fmt: skip


def cmd_fix(args: argparse.Namespace) -> int:
    from anicurate.core.fix import list_models

    if args.list:
        for m in list_models():
            extra = f"{m.scale}x" if m.kind == "upscale" else m.manifest.get("level", "")
            default = "default" if m.default else ""
            fields = [m.kind, m.name, m.engine, str(extra), default, m.notes]
            print("\t".join(fields))
        return EXIT_OK
    if args.project is not None:
        if args.input is not None or args.out is not None:
            print("anicurate fix: --project sets fixes on clips; give no IN or --out",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        return _project(args)
    if args.input is None or args.out is None:
        print("anicurate fix: give IN and --out OUT, --project P, or --list", file=sys.stderr)
        return EXIT_USAGE
    return _file(args)


def _file(args: argparse.Namespace) -> int:
    from anicurate.core.fix import FixSpec, Interpolation, load_engines
    from anicurate.core.fix.video import fix_file

    for name, value in (("--upscale", args.upscale), ("--denoise", args.denoise),
                        ("--interpolate", args.interpolate)):  # fmt: skip
        if value in (AUTO, "window"):
            print(f"anicurate fix: {name} {value} needs --project (it reads the clip's flags)",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
    itp = args.interpolate
    if isinstance(itp, int):
        itp = Interpolation("factor", itp) if itp > 1 else None
    spec = FixSpec(
        upscale=args.upscale or 1, upscale_model=args.model, denoise=args.denoise or 0,
        denoise_model=args.denoise_model, interpolate=itp,
        interp_model=args.interp_model, smooth_holds=args.smooth_holds,
    )  # fmt: skip
    engines = load_engines(spec, args.provider)
    for badge in engines.badges:
        print(f"engine: {badge}")

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\rfix: {done}/{total} frames", end="", file=sys.stderr, flush=True)

    report = fix_file(args.input, args.out, spec, args.provider, engines, progress)
    if not args.quiet:
        print(file=sys.stderr)
    print(f"{args.out}: {report.frames_in} -> {report.frames_out} frames,"
          f" {float(report.fps_in):g} -> {float(report.fps_out):g} fps,"
          f" {report.synthesised} synthesised")  # fmt: skip
    return EXIT_OK


def _project(args: argparse.Namespace) -> int:
    from anicurate.cli.workflow_common import chosen, opened
    from anicurate.core.fix import find_model
    from anicurate.core.fix.store import clear_fixes, clip_fixes, describe_fix, set_fixes

    # An unknown name fails now (UnknownModel names the installed ones), not at export.
    if args.model:
        find_model("upscale", args.model)
    if args.interp_model:
        find_model("interpolate", args.interp_model)
    if args.denoise_model:
        find_model("denoise", args.denoise_model)
    with opened(args.project) as project:
        picked = chosen(project, args.where)
        labels = dict(picked)
        ids = [cid for cid, _ in picked]
        before = clip_fixes(project, ids)
        if args.clear:
            changed = clear_fixes(project, ids)
            after: dict[int, Any] = {}
        else:
            wanted = _wanted(project, args, ids, before)
            changed = set_fixes(project, wanted)
            after = clip_fixes(project, ids)
        where_text = f" {args.where.text!r}" if args.where else ""
        print(f"{args.project}: {plural(changed, 'clip')} changed"
              f" ({plural(len(ids), 'clip')} matched{where_text})")  # fmt: skip
        from anicurate.cli.workflow_common import LISTED

        lines = [f"  {labels[cid]}: {describe_fix(after.get(cid))}"
                 for cid in ids if before.get(cid) != after.get(cid)]  # fmt: skip
        for line in lines[:LISTED]:
            print(line)
        if len(lines) > LISTED:
            print(f"  ... and {plural(len(lines) - LISTED, 'more clip')}")
    return EXIT_OK


def _wanted(project: Any, args: argparse.Namespace, ids: list[int], before: dict[int, Any]
            ) -> dict[int, Any]:  # fmt: skip
    """Each clip's fix: its current one with the parts asked for replaced (auto: the part the
    clip's flags suggest, none when they suggest none); nothing asked means all auto."""
    from dataclasses import replace

    from anicurate.core.fix import FixSpec, Interpolation
    from anicurate.core.fix.store import suggest_fixes

    parts = (args.upscale, args.interpolate, args.denoise)
    upscale, itp, denoise = parts if any(p is not None for p in parts) else (AUTO, AUTO, AUTO)
    suggested = suggest_fixes(project, ids)
    window = project.settings().sample_span
    out: dict[int, Any] = {}
    for cid in ids:
        spec = before.get(cid, FixSpec())
        hint = suggested.get(cid, FixSpec())
        if upscale is not None:
            spec = replace(spec, upscale=hint.upscale if upscale == AUTO else upscale)
        if denoise is not None:
            spec = replace(spec, denoise=hint.denoise if denoise == AUTO else denoise)
        if itp is not None:
            new: Interpolation | None
            if itp == AUTO:
                new, holds = hint.interpolate, hint.smooth_holds
            elif itp == "window":
                new, holds = Interpolation("window", window), spec.smooth_holds
            elif isinstance(itp, int):
                new, holds = (Interpolation("factor", itp) if itp > 1 else None), spec.smooth_holds
            else:
                assert isinstance(itp, Interpolation)  # fps:N
                new, holds = itp, spec.smooth_holds
            spec = replace(spec, interpolate=new, smooth_holds=holds)
        spec = replace(
            spec,
            upscale_model=args.model or spec.upscale_model,
            denoise_model=args.denoise_model or spec.denoise_model,
            interp_model=args.interp_model or spec.interp_model,
            smooth_holds=spec.smooth_holds or args.smooth_holds,
        )
        out[cid] = spec
    return out
