"""``anicurate import`` and ``anicurate info``: add media to a project, probe files and projects."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from anicurate.cli.common import EXIT_OK, EXIT_SOME_FAILED, expand_media, fail, run_job
from anicurate.core.errors import AnicurateError, MediaError


def register(sub: Any) -> None:
    imp = sub.add_parser("import", help="add files and folders to a project (created if missing)")
    imp.add_argument("project", help="the .anicurate project file")
    imp.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
    imp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _max_pixels_option(imp)
    imp.set_defaults(func=cmd_import)

    info = sub.add_parser("info", help="probe media files or summarise a project")
    info.add_argument("targets", nargs="+", metavar="PROJECT|FILE|FOLDER")
    info.add_argument("--json", action="store_true", help="one JSON object per file and line")
    _max_pixels_option(info)
    info.set_defaults(func=cmd_info)


def _pixel_count(text: str) -> int:
    """argparse type of --max-pixels: a whole number of pixels, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _max_pixels_option(parser: argparse.ArgumentParser) -> None:
    from anicurate.core.media.limits import DEFAULT_MAX_PIXELS

    parser.add_argument(
        "--max-pixels",
        type=_pixel_count,
        default=DEFAULT_MAX_PIXELS,
        metavar="N",
        help=f"refuse frames of more than N pixels, from the file's header (default"
        f" {DEFAULT_MAX_PIXELS}, 8192x8192)",
    )


def cmd_import(args: argparse.Namespace) -> int:
    from anicurate.core.project import import_paths

    project = Path(args.project)
    given = [Path(p) for p in args.paths]
    missing = [p for p in given if not p.exists() and not p.is_symlink()]
    for gone in missing:
        fail(str(gone), "no such file or folder")
    present = [p for p in given if p not in missing]
    if not present:  # nothing to import: no empty project left behind
        print(f"{project}: nothing imported" + ("" if project.exists() else ", not created"))
        return EXIT_SOME_FAILED
    job = import_paths(project, present, max_pixels=args.max_pixels)
    summary = run_job(job, "importing", args.quiet)
    for path, message in summary.failed:
        fail(path, message)
    print(
        f"{project}: {summary.added} added, {summary.relinked} relinked, "
        f"{summary.unchanged} unchanged, {len(summary.failed)} failed"
    )
    return EXIT_SOME_FAILED if summary.failed or missing else EXIT_OK


def _media_json(path: str, info: Any, error: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"path": path}
    if info is not None:
        row.update(
            width=info.width,
            height=info.height,
            fps=round(float(info.fps), 6),
            fps_fraction=f"{info.fps.numerator}/{info.fps.denominator}",
            frames=info.frame_count,
            duration=round(info.duration, 6),
            vfr=info.vfr,
            codec=info.codec,
            container=info.container,
            kind=info.kind.value,
            rotation=info.rotation,
            audio=info.has_audio,
            truncated=info.truncated,
        )
    row["error"] = error
    return row


def _media_line(info: Any) -> str:
    if info.frame_count <= 1 or not info.fps:  # a still: no frame rate, no duration
        return f"{info.kind.value:9} {info.width}x{info.height} {info.codec:6}      1 frame"
    fps = f"{float(info.fps):.3f}".rstrip("0").rstrip(".")
    vfr = " VFR" if info.vfr else ""
    return (
        f"{info.kind.value:9} {info.width}x{info.height} {info.codec:6} {fps:>7} fps{vfr} "
        f"{info.frame_count:6} frame{'' if info.frame_count == 1 else 's'} {info.duration:8.2f} s"
    )


def _is_project_file(path: Path) -> bool:
    if path.suffix == ".anicurate":
        return True
    try:
        with path.open("rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def info_project(path: Path, as_json: bool) -> int:
    from anicurate.core.project import Project

    with Project.open(path) as project:
        sources = project.sources()
        if as_json:
            for s in sources:
                print(json.dumps(_media_json(s.path, s.info, s.error)))
        else:
            st = project.settings()
            counts = project.counts()
            print(f"project   {project.path}  (schema {project.schema_version})")
            print(
                f"training  {st.train_width}x{st.train_height}, {st.n_sample_frames} frames at "
                f"{st.fps} fps, step {st.frame_step}, trigger {st.trigger_tag!r}  [{st.preset}]"
            )
            statuses = ", ".join(
                f"{counts.get(k, 0)} {k}" for k in ("unreviewed", "accepted", "rejected")
            )
            print(f"clips     {counts.get('clips', 0)} ({statuses})")
            print(
                f"sources   {counts.get('sources', 0)}, {counts.get('errors', 0)} could not be read"
            )
            for s in sources:
                line = _media_line(s.info) if s.info is not None else f"error     {s.error}"
                print(f"  {line}  {s.path}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from anicurate.core.media import probe

    status = EXIT_OK
    files: list[Path] = []
    for target in (Path(t) for t in args.targets):
        if target.is_file() and _is_project_file(target):
            try:
                info_project(target, args.json)
            except AnicurateError as err:
                fail(str(target), str(err))
                status = EXIT_SOME_FAILED
        else:
            files.extend(expand_media([target]))
    for path in files:
        try:
            info = probe(path, max_pixels=args.max_pixels)
        except MediaError as err:
            status = EXIT_SOME_FAILED
            fail(str(path), err.message)
            if args.json:
                print(json.dumps(_media_json(str(path), None, err.message)))
            continue
        if args.json:
            print(json.dumps(_media_json(str(path), info, None)))
        else:
            print(f"{_media_line(info)}  {path}")
    return status
