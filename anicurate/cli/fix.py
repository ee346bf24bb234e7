"""``anicurate fix``: list the fix models, or upscale / denoise / interpolate one video file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from anicurate.cli.arguments import int_in
from anicurate.cli.common import EXIT_OK, EXIT_USAGE


def register(sub: Any) -> None:
    fix = sub.add_parser(
        "fix", help="upscale, denoise or interpolate a video (models in models/; GPU when present)"
    )
    fix.add_argument("input", nargs="?", type=Path, help="the video to fix")
    fix.add_argument("--list", action="store_true", help="list the models, one a line, and exit")
    fix.add_argument("--out", type=Path, help="output file; .mkv is lossless (FFV1)")
    fix.add_argument("--upscale", type=int, choices=(1, 2, 4), default=1)
    fix.add_argument("--interpolate", type=int_in(1, 16), default=1,
                     help="N times the frames: frame k becomes frame N*k")  # fmt: skip
    fix.add_argument("--smooth-holds", action="store_true",
                     help="drop held drawings before interpolating")  # fmt: skip
    fix.add_argument("--model", help="upscale model (default: the listed default)")
    fix.add_argument("--interp-model", help="interpolation model")
    fix.add_argument("--denoise", type=int_in(0, 3), default=0, help="denoise level 0-3")
    fix.add_argument("--denoise-model", help="denoise model (default: the one for the level)")
    fix.add_argument("--provider", choices=("auto", "cpu", "cuda", "vulkan"), default="auto")
    fix.add_argument("-q", "--quiet", action="store_true", help="no progress")
    fix.set_defaults(func=cmd_fix)


def cmd_fix(args: argparse.Namespace) -> int:
    from anicurate.core.fix import FixSpec, Interpolation, list_models
    from anicurate.core.fix.video import fix_file

    if args.list:
        for m in list_models():
            extra = f"{m.scale}x" if m.kind == "upscale" else m.manifest.get("level", "")
            default = "default" if m.default else ""
            fields = [m.kind, m.name, m.engine, str(extra), default, m.notes]
            print("\t".join(fields))
        return EXIT_OK
    if args.input is None or args.out is None:
        print("anicurate fix: give IN and --out OUT (or --list)", file=sys.stderr)
        return EXIT_USAGE
    spec = FixSpec(
        upscale=args.upscale, upscale_model=args.model, denoise=args.denoise,
        denoise_model=args.denoise_model,
        interpolate=Interpolation("factor", args.interpolate) if args.interpolate > 1 else None,
        interp_model=args.interp_model, smooth_holds=args.smooth_holds,
    )  # fmt: skip
    from anicurate.core.fix import load_engines

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
