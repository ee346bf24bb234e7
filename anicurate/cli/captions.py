"""``anicurate captions``: import sentence captions from caption files, or ask a
vision-language model (any OpenAI-compatible chat-completions server) for them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from anicurate.cli.arguments import float_in, int_in
from anicurate.cli.common import EXIT_OK, EXIT_SOME_FAILED, fail, run_job


def register(sub: Any) -> None:
    p = sub.add_parser("captions", help="import or generate sentence captions")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    imp = verbs.add_parser(
        "import",
        help="read Video-BLIP2-Preprocessor JSON, JSONL {file, caption} or .txt sidecars",
        description="Match each caption to a source by path, then file name, then content "
        "hash, and store it as the clip's imported sentence (one undoable edit).",
    )
    imp.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
    imp.add_argument("path", metavar="FILE_OR_FOLDER", help="a caption file or a folder of them")
    imp.set_defaults(func=cmd_import)
    desc = verbs.add_parser(
        "describe",
        help="ask a vision-language model for each clip's sentence",
        description="Send a few frames per clip to an OpenAI-compatible chat-completions "
        "endpoint (llama.cpp server, Ollama, vLLM, LM Studio) and store the reply.",
    )
    desc.add_argument("--project", required=True, metavar="P", help="the .anicurate project")
    desc.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8080/v1")
    desc.add_argument("--model", required=True, help="the model name the server knows")
    desc.add_argument("--instruction", help="what to ask (default: one sentence per clip)")
    desc.add_argument("--frames", type=int_in(1, 16), default=3, help="frames per clip (3)")
    desc.add_argument("--concurrency", type=int_in(1, 64), default=2, help="requests at once (2)")
    desc.add_argument("--timeout", type=float_in(1.0, 3600.0), default=120.0, help="seconds")
    desc.add_argument("--retries", type=int_in(0, 10), default=2, help="after 5xx/timeouts (2)")
    desc.add_argument("--missing-only", action="store_true", help="skip clips with a sentence")
    desc.add_argument("--api-key", default="", help="bearer token, if the server wants one")
    desc.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    desc.set_defaults(func=cmd_describe)


def cmd_import(args: argparse.Namespace) -> int:
    from anicurate.core.captions.importer import import_captions
    from anicurate.core.project import Project

    with Project.open(Path(args.project)) as project:
        report = import_captions(project, Path(args.path))
    for line in report.summary_lines():
        print(line)
    for media, why in report.unmatched:
        print(f"  unmatched {media}: {why}")
    for file, message in report.errors:
        fail(file, message)
    return EXIT_SOME_FAILED if report.errors else EXIT_OK


def cmd_describe(args: argparse.Namespace) -> int:
    from anicurate.core.captions.describe import (
        DEFAULT_INSTRUCTION,
        DescribeOptions,
        describe_project,
    )

    options = DescribeOptions(
        url=args.url, model=args.model, instruction=args.instruction or DEFAULT_INSTRUCTION,
        frames=args.frames, concurrency=args.concurrency, timeout_s=args.timeout,
        retries=args.retries, missing_only=args.missing_only, api_key=args.api_key,
    )  # fmt: skip
    summary = run_job(describe_project(Path(args.project), options), "describing", args.quiet)
    for label, message in summary.failed:
        fail(label, message)
    print(f"{args.project}: {summary.described} described, {summary.skipped} skipped, "
          f"{len(summary.failed)} failed")  # fmt: skip
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK
