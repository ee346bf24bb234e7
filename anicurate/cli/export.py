"""``anicurate export``: render a project's clips for a trainer; ``anicurate find``: trace a prompt
back to the exported clips (and their sources) that taught it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from anicurate.cli.arguments import WHERE_HELP, count_or_auto, int_in, where
from anicurate.cli.cluster import add_ray_option, ray_ready
from anicurate.cli.common import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, fail, run_job
from anicurate.core.captions.template import DEFAULT_PATTERN
from anicurate.core.export.include import DEFAULT_INCLUDE, EMPTY_HINT, Include
from anicurate.core.export.targets import TARGET_NAMES

FORMATS = TARGET_NAMES  # --format choices, one per export target
#: Bounds of the numeric arguments (a usage error outside them): sizes H.264 and trainers take,
#: rates a screen shows, windows and steps no trainer exceeds.
SIZE = (16, 8192)
FPS = (1, 240)
FRAMES = (1, 1024)
FRAME_STEP = (1, 1000)
WORKERS = (1, 64)
TOP = (1, 100_000)


def even_size(text: str) -> int:
    """A training width or height: even (H.264 yuv420p halves it), within SIZE."""
    value = int_in(*SIZE)(text)
    if value % 2:
        raise argparse.ArgumentTypeError(f"must be even (H.264 yuv420p), not {value}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="render clips, captions and a trainer config into a folder",
        description="Render the project's chosen clips (cropped, resized, constant frame rate) "
        "with captions, the trainer's index and config files and manifest.json. Unchanged clips "
        "are skipped on a rerun.",
    )
    p.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
    p.add_argument("--format", required=True, choices=FORMATS, help="the trainer's layout")
    p.add_argument(
        "--out", required=True, metavar="DIR",
        help="export folder: missing, empty, or an earlier export of this project; files "
        "anicurate did not write are never replaced (it refuses such a folder)",
    )  # fmt: skip
    p.add_argument(
        "--include",
        choices=[i.value for i in Include],
        default=DEFAULT_INCLUDE.value,
        help="accepted clips; plus unreviewed clips without flags; or all not rejected "
        f"(default: {DEFAULT_INCLUDE.value}, as in the window)",
    )
    p.add_argument("--where", type=where, metavar="EXPR",
                   help=f"and of those, only these: {WHERE_HELP}")  # fmt: skip
    p.add_argument(
        "--workers", type=count_or_auto(WORKERS[1]), default=0, metavar="N",
        help=f"clips rendered at once, {WORKERS[0]}-{WORKERS[1]}, or auto: half the cores "
        "(each encode uses threads too), at most 4 (auto)",
    )  # fmt: skip
    p.add_argument(
        "--width", type=even_size,
        help=f"training width, even, {SIZE[0]}-{SIZE[1]} (default: project setting)",
    )  # fmt: skip
    p.add_argument(
        "--height", type=even_size,
        help=f"training height, even, {SIZE[0]}-{SIZE[1]} (default: project setting)",
    )  # fmt: skip
    p.add_argument(
        "--fps", type=int_in(*FPS),
        help=f"frame rate of the clips, {FPS[0]}-{FPS[1]} (default: project setting)",
    )  # fmt: skip
    p.add_argument(
        "--frames", type=int_in(*FRAMES), dest="n_sample_frames",
        help=f"n_sample_frames, {FRAMES[0]}-{FRAMES[1]} (default: project setting)",
    )  # fmt: skip
    p.add_argument(
        "--frame-step", type=int_in(*FRAME_STEP),
        help=f"frame_step (t2v-json), {FRAME_STEP[0]}-{FRAME_STEP[1]} (default: project setting)",
    )  # fmt: skip
    p.add_argument("--fallback-prompt", default="", help="caption for clips without one")
    c = p.add_argument_group("captions")
    c.add_argument("--caption-template", metavar="PATTERN", default=DEFAULT_PATTERN,
                   help="how each caption is built from {trigger}, {sentence} and {tags} "
                   "(default: '%(default)s')")  # fmt: skip
    c.add_argument("--general-only", action="store_true",
                   help="only WD14 general tags (as WaifuTaggerForVideo writes)")  # fmt: skip
    c.add_argument("--no-character-tags", action="store_true", help="leave character tags out")
    c.add_argument("--max-tags", type=int_in(0, 1000), metavar="N",
                   help="keep at most N tags, the highest scored")  # fmt: skip
    c.add_argument("--underscores-to-spaces", action="store_true",
                   help="write long_hair as long hair")  # fmt: skip
    p.add_argument("--dry-run", action="store_true", help="print the preview, render nothing")
    add_ray_option(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_export)


def register_find(sub: Any) -> None:
    f = sub.add_parser(
        "find",
        help="rank an export's clips by a prompt, with their sources",
        description="Find the exported clips whose captions best match a prompt (tags weighted "
        "by rarity), e.g. the clips behind a bad training sample.",
    )
    f.add_argument(
        "--dataset", required=True, metavar="DIR",
        help="an anicurate export, a Video-BLIP2 JSON, or a folder of videos with .txt captions",
    )  # fmt: skip
    f.add_argument("prompt", help="the prompt, e.g. 'anime, 1girl, running'")
    f.add_argument(
        "--top", type=int_in(*TOP), default=10, help=f"hits to show, {TOP[0]}-{TOP[1]} (10)"
    )
    f.add_argument("--json", action="store_true", help="one JSON object per hit and line")
    f.set_defaults(func=cmd_find)


def cmd_export(args: argparse.Namespace) -> int:
    from anicurate.core.captions.template import CaptionTemplate, check_pattern
    from anicurate.core.export import ExportOptions, Target, plan_export, render
    from anicurate.core.project import Project
    from anicurate.core.select import selected_ids

    if args.ray and not args.dry_run and not ray_ready("export"):
        return EXIT_USAGE
    check_pattern(args.caption_template)  # a typed TemplateError, before any work
    template = CaptionTemplate(
        pattern=args.caption_template, general_only=args.general_only,
        character_tags=not args.no_character_tags, max_tags=args.max_tags,
        underscores_to_spaces=args.underscores_to_spaces,
    )  # fmt: skip
    clip_ids = None
    if args.where is not None:
        with Project.open(Path(args.project)) as project:
            clip_ids = frozenset(selected_ids(project, args.where))
    options = ExportOptions(
        target=Target(args.format),
        out_dir=Path(args.out),
        include=Include(args.include),
        width=args.width,
        height=args.height,
        fps=args.fps,
        n_sample_frames=args.n_sample_frames,
        frame_step=args.frame_step,
        fallback_prompt=args.fallback_prompt,
        clip_ids=clip_ids,
        caption_template=template,
    )
    plan = plan_export(Path(args.project), options)
    for line in plan.summary_lines():
        print(line)
    for skipped in plan.skipped:
        print(
            f"  skipped {skipped.source_path} [{skipped.first_frame}-{skipped.last_frame}]: "
            f"{skipped.reason}"
        )
    if not plan.items:  # write nothing: no config or manifest for an empty dataset
        hint = EMPTY_HINT if not plan.chosen else "every chosen clip was skipped (see above)"
        print(f"anicurate export: nothing to export: {hint}", file=sys.stderr)
        return EXIT_SOME_FAILED
    if args.dry_run:
        return EXIT_OK
    renderer = None
    if args.ray:
        from anicurate.core.distributed import export_renderer

        renderer = export_renderer(args.ray)
    result = run_job(render(plan, workers=args.workers, renderer=renderer), "exporting", args.quiet)
    for line in result.summary_lines():
        print(line)
    for label, message in result.failed:
        fail(label, message)
    return EXIT_SOME_FAILED if result.failed else EXIT_OK


def cmd_find(args: argparse.Namespace) -> int:
    from anicurate.core.export import find

    hits = find(Path(args.dataset), args.prompt, top=args.top)
    for hit in hits:
        if args.json:
            print(json.dumps(hit.to_json(), ensure_ascii=False))
        else:
            first, last = hit.frame_range
            print(f"{hit.score:6.2f}  {hit.path}\n        {hit.source_path} frames {first}-{last}")
            print(f"        matched: {', '.join(hit.matched)}")
    if not hits and not args.json:
        print("no exported clip matches", file=sys.stderr)
    return EXIT_OK
