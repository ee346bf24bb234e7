"""``anicurate analyze``: cuts, fades, flashes, holds, metrics and flags of files or a project."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from anicurate.cli.arguments import count_or_auto
from anicurate.cli.cluster import add_ray_option, ray_ready
from anicurate.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    expand_media,
    fail,
    plural,
    run_job,
)

MAX_WORKERS = 64


def register(sub: Any) -> None:
    p = sub.add_parser(
        "analyze",
        help="detect cuts, fades, flashes and held frames; measure and flag clips",
        description="Analyse media files (no project needed), or a project's sources that are "
        "not analysed yet (--project).",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (recursive)")
    p.add_argument("--project", metavar="P", help="analyse this project's stale sources")
    p.add_argument(
        "--workers",
        type=count_or_auto(MAX_WORKERS),
        default=0,
        metavar="N",
        help=f"processes decoding at once, 1-{MAX_WORKERS}, or auto: one per core, at most one "
        "per file and 8 (auto)",
    )
    p.add_argument("--force", action="store_true", help="with --project: re-analyse everything")
    p.add_argument(
        "--decoder",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="decode on the CPU, on an NVIDIA GPU (NVDEC, falls back to the CPU), or auto: the "
        "GPU for long HD sources where one is found (auto)",
    )
    add_ray_option(p)
    p.add_argument("--json", action="store_true", help="one JSON object per file and line")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_analyze)


def _line(row: dict[str, Any]) -> str:
    flags = ", ".join(f["reason"] for f in row["flags"]) or "no flags"
    size = f"{row['width']}x{row['height']}"
    if row["frames"] <= 1 or not row["fps"]:  # a still has no frame rate to speak of
        return f"{row['path']}\n  still {size}; {flags}"
    return (
        f"{row['path']}\n  {plural(row['frames'], 'frame')} {size}"
        f" {row['fps']:.3f} fps; cuts {row['cuts']}, transitions {row['transitions']},"
        f" flashes {row['flashes']}; effective {row['effective_fps']} fps"
        f" ({row['hold_pattern']}); {flags}"
    )


def cmd_analyze(args: argparse.Namespace) -> int:
    if args.project:
        if args.paths:
            print("anicurate analyze: give PATHs or --project, not both", file=sys.stderr)
            return EXIT_USAGE
        return _project(args)
    if args.ray:
        print("anicurate analyze: --ray works with --project", file=sys.stderr)
        return EXIT_USAGE
    if not args.paths:
        print("anicurate analyze: give files or folders, or --project P", file=sys.stderr)
        return EXIT_USAGE
    from anicurate.core.analysis import analyze_files

    files = list(expand_media(Path(p) for p in args.paths))
    job = analyze_files(files, workers=args.workers, decoder=args.decoder)
    results = run_job(job, "analysing", args.quiet)
    status = EXIT_OK
    for result in results:
        row = result.to_json()
        if result.error is not None:
            status = EXIT_SOME_FAILED
            fail(result.path, result.error)
        if args.json:
            print(json.dumps(row))
        elif result.error is None:
            print(_line(row))
    _fallback_note(
        [(r.path, r.decoding.fallback) for r in results if r.decoding and r.decoding.fallback]
    )
    return status


def _fallback_note(fallbacks: list[tuple[str, str]]) -> None:
    """One line on stderr, however many files fell back: hardware decoding was unavailable."""
    if not fallbacks:
        return
    reasons = sorted({why for _, why in fallbacks})
    more = f" (and {plural(len(reasons) - 1, 'other reason')})" if len(reasons) > 1 else ""
    print(
        f"anicurate analyze: hardware decoding (CUDA) was unavailable: {reasons[0]}{more}. "
        f"Decoding ran on the CPU for {plural(len(fallbacks), 'file')}.",
        file=sys.stderr,
    )


def _project(args: argparse.Namespace) -> int:
    from anicurate.core.analysis import analyze_project

    runner = None
    if args.ray:
        if not ray_ready("analyze"):
            return EXIT_USAGE
        from anicurate.core.distributed import analysis_runner

        runner = analysis_runner(args.ray)
    job = analyze_project(
        Path(args.project), workers=args.workers, force=args.force, runner=runner,
        decoder=args.decoder,
    )  # fmt: skip
    summary = run_job(job, "analysing", args.quiet)
    for path, message in summary.failed:
        fail(path, message)
    _fallback_note(summary.decoder_fallbacks)
    if args.json:
        for cid, r in sorted(summary.results.items()):
            print(json.dumps({"clip": cid, "source": r.source_id, **r.to_json()}))
    else:
        flagged = sum(1 for r in summary.results.values() if r.flags)
        print(
            f"{args.project}: {summary.analysed} analysed, {len(summary.failed)} failed, "
            f"{plural(len(summary.results), 'clip')}, {flagged} flagged"
        )
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK
