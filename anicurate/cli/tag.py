"""``anicurate tag``: tag clips with a WD14 tagger, saying where the model really ran."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from anicurate import paths
from anicurate.cli.arguments import float_in, int_in
from anicurate.cli.cluster import add_ray_option, ray_ready
from anicurate.cli.common import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, fail, run_job

MAX_BATCH = 256  # frames per model run; more only costs memory
MAX_FRAMES = 64  # frames sampled per clip, the sampling's own cap (Sampling.max_frames)


def register(sub: Any) -> None:
    tag = sub.add_parser("tag", help="tag clips with a WD14 tagger (ONNX; CUDA when it works)")
    tag.add_argument("--project", required=True, help="the .anicurate project file")
    tag.add_argument(
        "--model",
        help="tagger folder (model.onnx + selected_tags.csv), a found tagger's name, or a"
        " Hugging Face repo with --download; default: the project's last, else the first found",
    )
    tag.add_argument(
        "--provider", choices=("auto", "cuda", "cpu"), default="auto",
        help="where the tagger runs (auto: CUDA when it works, else the CPU); cuda that does "
        "not load stops with exit 1 unless --allow-fallback",
    )  # fmt: skip
    tag.add_argument(
        "--allow-fallback", action="store_true",
        help="with --provider cuda: run on the CPU when CUDA does not load",
    )  # fmt: skip
    tag.add_argument(
        "--batch",
        type=int_in(1, MAX_BATCH),
        default=8,
        help=f"frames per run, 1-{MAX_BATCH} (v2 models take 1)",
    )
    tag.add_argument(
        "--frames",
        type=int_in(1, MAX_FRAMES),
        help=f"frames sampled per clip, 1-{MAX_FRAMES} (saved in the project)",
    )
    tag.add_argument("--merge", choices=("mean", "max"), help="merge frame scores (saved)")
    tag.add_argument(
        "--general-threshold", type=float_in(0.0, 1.0), help="0-1, default 0.35 (saved)"
    )
    tag.add_argument(
        "--character-threshold", type=float_in(0.0, 1.0), help="0-1, default 0.85 (saved)"
    )
    tag.add_argument("--force", action="store_true", help="re-tag clips that did not change")
    tag.add_argument(
        "--download", action="store_true", help="fetch --model from the hub (needs huggingface_hub)"
    )
    add_ray_option(tag)
    tag.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    tag.set_defaults(func=cmd_tag)


def cmd_tag(args: argparse.Namespace) -> int:
    from anicurate.core.project import Project
    from anicurate.core.tagging import store
    from anicurate.core.tagging.model import load_tagger
    from anicurate.core.tagging.run import tag_project

    if args.ray and not ray_ready("tag"):
        return EXIT_USAGE
    project_path = Path(args.project)
    with Project.open(project_path) as project:
        folder = resolve_model(args.model, project.setting(store.MODEL_KEY), args.download)
        if folder is None:
            return EXIT_USAGE
        options = store.load_options(project)
        changes: dict[str, Any] = {}
        if args.merge:
            changes["merge"] = args.merge
        if args.general_threshold is not None:
            changes["general_threshold"] = args.general_threshold
        if args.character_threshold is not None:
            changes["character_threshold"] = args.character_threshold
        if args.frames is not None:
            changes["sampling"] = dataclasses.replace(options.sampling, count=args.frames)
        if changes:
            options = dataclasses.replace(options, **changes)
            store.save_options(project, options)

    if args.ray:
        return _on_cluster(args, project_path, folder, options)
    tagger = load_tagger(folder, args.provider)
    print(f"tagger: {tagger.name} ({folder})")
    print(f"running on: {tagger.provider_label} [{tagger.provider}]")
    if tagger.fallback and args.provider == "cuda" and not args.allow_fallback:
        print(
            f"anicurate tag: CUDA was asked for but did not load: {tagger.fallback}. Nothing was"
            " tagged; pass --allow-fallback to run on the CPU, or see `anicurate doctor`.",
            file=sys.stderr,
        )
        return EXIT_SOME_FAILED
    if tagger.fallback:
        asked = "CUDA was asked for" if args.provider == "cuda" else "CUDA was tried"
        print(
            f"anicurate: WARNING: {asked} but did not load: {tagger.fallback}."
            " Tagging will be much slower; run `anicurate doctor` for the details.",
            file=sys.stderr,
        )
    summary = run_job(
        tag_project(project_path, tagger, batch=args.batch, options=options, force=args.force),
        "tagging",
        args.quiet,
    )
    with Project.open(project_path) as project:
        project.set_setting(store.MODEL_KEY, str(folder))
    for label, message in summary.failed:
        fail(label, message)
    rate = f"{summary.frames_per_s:.1f} frames/s" if summary.frames else "nothing to run"
    frames = f"{summary.frames} frame" + ("" if summary.frames == 1 else "s")
    print(
        f"{project_path}: {summary.tagged} tagged, {summary.unchanged} unchanged,"
        f" {len(summary.failed)} failed; {frames} in {summary.elapsed_s:.1f} s"
        f" ({rate}) on {tagger.provider_label}, batch {summary.batch}"
    )
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _on_cluster(args: argparse.Namespace, project_path: Path, folder: Path, options: Any) -> int:
    """``tag --ray``: actors on the cluster score the clips; each says where it really ran."""
    from anicurate.core.distributed import TaggingRunner
    from anicurate.core.project import Project
    from anicurate.core.tagging import store
    from anicurate.core.tagging.model import PROVIDER_LABELS, load_tagger
    from anicurate.core.tagging.run import tag_project

    # Here the model only names itself (identity, vocabulary, batch): CPU is enough.
    tagger = load_tagger(folder, "cpu", threads=1)
    print(f"tagger: {tagger.name} ({folder}) on the Ray cluster at {args.ray}")
    runner = TaggingRunner(args.ray, folder, args.provider)
    job = tag_project(
        project_path, tagger, batch=args.batch, options=options, force=args.force, runner=runner
    )
    summary = run_job(job, "tagging", args.quiet)
    with Project.open(project_path) as project:
        project.set_setting(store.MODEL_KEY, str(folder))
    for w in runner.workers:
        label = PROVIDER_LABELS.get(w.provider, w.provider)
        print(f"cluster worker {w.host} pid {w.pid}: running on {label} [{w.provider}]")
        if w.fallback:
            print(f"anicurate: WARNING: on {w.host}, CUDA did not load: {w.fallback}.",
                  file=sys.stderr)  # fmt: skip
    for label, message in summary.failed:
        fail(label, message)
    print(
        f"{project_path}: {summary.tagged} tagged, {summary.unchanged} unchanged,"
        f" {len(summary.failed)} failed; {summary.frames} frames in {summary.elapsed_s:.1f} s"
        f" on {len(runner.workers)} cluster workers, batch {summary.batch}"
    )
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def resolve_model(wanted: str | None, last: Any, download: bool) -> Path | None:
    """The tagger folder to use; prints why not and returns None when there is none."""
    from anicurate.core.tagging.discovery import find_taggers, is_tagger_dir
    from anicurate.core.tagging.download import download_tagger

    found = find_taggers(paths.models_dirs())
    if wanted is None:
        if isinstance(last, str) and is_tagger_dir(Path(last)):
            return Path(last)
        if found:
            return found[0].path
        print(
            "anicurate tag: no tagger found. Put model.onnx + selected_tags.csv in a folder under"
            f" {paths.bundled_models_dir()} or {paths.user_models_dir()}, pass --model DIR, or"
            " --model SmilingWolf/wd-vit-tagger-v3 --download (see models/README.md)",
            file=sys.stderr,
        )
        return None
    path = Path(wanted).expanduser()
    if path.is_dir():
        return path  # load_tagger names a missing file
    for loc in found:
        if wanted in (loc.name, loc.name.rsplit("/", 1)[-1]):
            return loc.path
    if download:
        repo = wanted if "/" in wanted else f"SmilingWolf/{wanted}"
        print(f"downloading {repo} from the Hugging Face hub ...", file=sys.stderr)
        return download_tagger(repo)
    names = ", ".join(loc.name for loc in found) or "none"
    print(
        f"anicurate tag: no tagger {wanted!r} (not a folder; found: {names});"
        " add --download to fetch it from the Hugging Face hub",
        file=sys.stderr,
    )
    return None
