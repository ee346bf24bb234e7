"""The ``anicurate`` command: opens the window, or drives core jobs from a terminal.

Exit codes: 0 ok, 1 some inputs failed (each named on stderr, the rest processed), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

from anicurate import __version__, paths
from anicurate.core.errors import AnicurateError, MediaError
from anicurate.core.jobs import Progress
from anicurate.core.media.formats import walk_media_files

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("import", "info", "doctor", "screenshots", "gui")
R = TypeVar("R")


class ProgressBar:
    """A one-line bar on a terminal; on a pipe, a plain line per tenth so logs stay readable."""

    def __init__(self, label: str, stream: TextIO = sys.stderr, width: int = 28) -> None:
        self.label, self.stream, self.width = label, stream, width
        self.tty = stream.isatty()
        self._last_tenth = -1
        self._shown = False

    def update(self, p: Progress) -> None:
        if self.tty:
            filled = int(self.width * p.fraction)
            bar = "=" * filled + " " * (self.width - filled)
            count = f"{p.done}/{p.total}" if p.total else f"{p.done}"
            line = f"\r{self.label} [{bar}] {count} {p.item[-40:]}"
            self.stream.write(line.ljust(100)[:100])
            self.stream.flush()
            self._shown = True
        elif p.total:
            tenth = int(10 * p.fraction)
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self.stream.write(f"{self.label}: {p.done}/{p.total}\n")

    def close(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def run_job(job: Generator[Progress, None, R], label: str, quiet: bool = False) -> R:
    """Drive a core generator to its end with a progress bar; Ctrl+C closes it cleanly."""
    bar = None if quiet else ProgressBar(label)
    try:
        while True:
            try:
                progress = next(job)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if bar:
                bar.update(progress)
    finally:
        job.close()
        if bar:
            bar.close()


def fail(path: str, message: str) -> None:
    print(f"anicurate: {path}: {message}", file=sys.stderr)


def expand_media(targets: Iterable[Path]) -> Iterator[Path]:
    """Files as given, folders walked for media files the way import walks them."""
    for target in targets:
        if target.is_dir():
            yield from walk_media_files(target)
        else:
            yield target


# --- subcommands -----------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from anicurate.core.project import import_paths

    project = Path(args.project)
    summary = run_job(import_paths(project, [Path(p) for p in args.paths]), "importing", args.quiet)
    for path, message in summary.failed:
        fail(path, message)
    print(
        f"{project}: {summary.added} added, {summary.relinked} relinked, "
        f"{summary.unchanged} unchanged, {len(summary.failed)} failed"
    )
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


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
        )
    row["error"] = error
    return row


def _media_line(info: Any) -> str:
    fps = f"{float(info.fps):.3f}".rstrip("0").rstrip(".")
    vfr = " VFR" if info.vfr else ""
    return (
        f"{info.kind.value:9} {info.width}x{info.height} {info.codec:6} {fps:>7} fps{vfr} "
        f"{info.frame_count:6} frames {info.duration:8.2f} s"
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
            print("clips     " + ", ".join(f"{v} {k}" for k, v in counts.items()))
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
            info = probe(path)
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


def cmd_doctor(args: argparse.Namespace) -> int:
    from anicurate.core import doctor

    models_dirs = [paths.bundled_models_dir(), paths.user_models_dir()]
    report = doctor.collect(paths.resources_dir() / "onnx" / "provider_probe.onnx", models_dirs)
    versions = dict(report.versions)
    try:
        from PySide6 import QtCore

        versions["Qt"] = f"{QtCore.qVersion()} (PySide6 {_pyside_version()})"
    except ImportError as err:
        versions["Qt"] = f"not importable: {err}"
    if args.json:
        print(
            json.dumps(
                {
                    "versions": versions,
                    "providers": [
                        {"name": p.name, "works": p.works, "detail": p.detail}
                        for p in report.providers
                    ],
                    "gpus": report.gpus,
                    "models": [
                        {"name": m.name, "path": str(m.path), "origin": m.origin}
                        for m in report.models
                    ],
                },
                indent=2,
            )
        )
        return EXIT_OK
    for key, value in versions.items():
        print(f"{key:12} {value}")
    print("ONNX providers")
    for p in report.providers:
        print(f"  {'ok ' if p.works else 'no '} {p.name:28} {p.detail}")
    working = [p.name for p in report.providers if p.works]
    gpu_ok = "CUDAExecutionProvider" in working
    print(f"tagger runs on  {'CUDA (GPU)' if gpu_ok else 'CPU only'}")
    print(
        "GPUs         "
        + (
            "; ".join(report.gpus)
            if report.gpus
            else "none visible (no nvidia-smi or no NVIDIA driver)"
        )
    )
    print("models")
    for m in report.models:
        print(f"  {m.name:36} {m.path}  ({m.origin})")
    if not report.models:
        print("  none found. Put a tagger folder (model.onnx + selected_tags.csv) in:")
        for d in report.models_dirs:
            print(f"    {d}")
        print("  or download one into the Hugging Face cache; see models/README.md")
    return EXIT_OK


def _pyside_version() -> str:
    import PySide6

    return str(PySide6.__version__)


def prepare_demo(quiet: bool = False) -> Path:
    """Generate the demo clips once and import them into the demo project; returns its path."""
    from anicurate.core.demo import generate_demo_media
    from anicurate.core.project import import_paths

    folder = paths.demo_dir()
    media = run_job(generate_demo_media(folder / "clips"), "drawing demo clips", quiet)
    project = folder / "demo.anicurate"
    run_job(import_paths(project, [media]), "importing demo clips", quiet)
    return project


def cmd_screenshots(args: argparse.Namespace) -> int:
    from anicurate.ui.screenshots import render_screenshots

    project = Path(args.project) if args.project else prepare_demo(args.quiet)
    for png in render_screenshots(Path(args.outdir), project):
        print(png)
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from anicurate.app import run_gui

    project: Path | None = None
    if args.demo:
        project = prepare_demo()
    elif args.project:
        project = Path(args.project)
        if not project.exists() and project.suffix != ".anicurate":
            print(
                f"anicurate: {args.project!r} is neither a command ({', '.join(SUBCOMMANDS)}) "
                "nor a project file; try anicurate --help",
                file=sys.stderr,
            )
            return EXIT_USAGE
    return run_gui(project)


# --- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anicurate",
        description="Curate anime clips, GIFs and images into a text-to-video fine-tuning dataset.",
        epilog="Without a subcommand, opens the window (on PROJECT if given).",
    )
    parser.add_argument("--version", action="version", version=f"anicurate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the window (the default)")
    gui.add_argument("project", nargs="?", help="a .anicurate project to open")
    gui.add_argument("--demo", action="store_true", help="generate the demo set once and open it")
    gui.set_defaults(func=cmd_gui)

    imp = sub.add_parser("import", help="add files and folders to a project (created if missing)")
    imp.add_argument("project", help="the .anicurate project file")
    imp.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
    imp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import)

    info = sub.add_parser("info", help="probe media files or summarise a project")
    info.add_argument("targets", nargs="+", metavar="PROJECT|FILE|FOLDER")
    info.add_argument("--json", action="store_true", help="one JSON object per file and line")
    info.set_defaults(func=cmd_info)

    doc = sub.add_parser("doctor", help="versions, ONNX providers that work, GPUs and models found")
    doc.add_argument("--json", action="store_true")
    doc.set_defaults(func=cmd_doctor)

    shots = sub.add_parser("screenshots", help="render the main screens to PNG files")
    shots.add_argument("outdir")
    shots.add_argument("--project", help="project to show (default: the demo project)")
    shots.add_argument("-q", "--quiet", action="store_true")
    shots.set_defaults(func=cmd_screenshots)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `anicurate`, `anicurate --demo` and `anicurate PROJECT` open the window.
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["gui", *argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("anicurate: interrupted", file=sys.stderr)
        return 130
    except AnicurateError as err:
        print(f"anicurate: {err}", file=sys.stderr)
        return EXIT_SOME_FAILED
    finally:
        if getattr(args, "verbose", False):
            print(f"took {time.monotonic() - started:.2f} s", file=sys.stderr)
