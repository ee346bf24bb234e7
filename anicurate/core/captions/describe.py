"""Machine sentences from a vision-language model the user runs, through any OpenAI-compatible
chat-completions endpoint (llama.cpp server, Ollama, vLLM, LM Studio).

Each clip sends a few evenly spaced frames as base64 JPEG images with the instruction; the
reply's text becomes the clip's "machine" sentence. Requests run a few at a time; each answer is
committed as soon as it arrives, so a failure, a cancel or a crash never loses earlier ones.
Errors are per clip: a 5xx, a timeout or a refused connection is retried, anything else not.
"""

from __future__ import annotations

import base64
import io
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from anicurate.core.captions.sentences import CaptionError, sentences, store_sentences
from anicurate.core.jobs import Progress
from anicurate.core.media.reader import open_media
from anicurate.core.project.catalogue import Clip, ClipStatus, Project, Source

DEFAULT_INSTRUCTION = (
    "These are frames of one short anime video clip, in order. Describe in one plain English "
    "sentence of at most 25 words what happens: who is shown, what they do, and how the camera "
    "moves. No lists, no quotes, no preamble."
)
MAX_REPLY_CHARS = 2000


class DescribeError(CaptionError):
    """One clip's request failed; ``retry`` says whether trying again may help."""

    def __init__(self, message: str, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True, slots=True, kw_only=True)
class DescribeOptions:
    """Where and how to ask: the endpoint, model, instruction and the job's limits."""

    url: str  # the server (…/v1 or …/v1/chat/completions both work)
    model: str
    instruction: str = DEFAULT_INSTRUCTION
    frames: int = 3  # frames sent per clip
    max_side: int = 512  # frames are scaled down to this longest side
    concurrency: int = 2
    timeout_s: float = 120.0
    retries: int = 2  # extra tries after a retryable failure
    backoff_s: float = 1.0  # wait before try k+1: backoff_s * k
    api_key: str = ""  # sent as a bearer token when set (vLLM/LM Studio may want one)
    missing_only: bool = False  # skip clips that already have a sentence
    include_rejected: bool = False


@dataclass(slots=True)
class DescribeSummary:
    described: int = 0
    skipped: int = 0  # already had a sentence (missing_only)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (clip label, message)


def endpoint(url: str) -> str:
    """The chat-completions URL of a server URL (``http://h:8080``, ``…/v1`` or the full one)."""
    url = url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if not url.endswith("/v1"):
        url += "/v1"
    return url + "/chat/completions"


def jpeg_data_url(frame: np.ndarray, max_side: int) -> str:
    """A frame (RGB uint8) as a ``data:image/jpeg;base64,…`` URL, scaled to ``max_side``."""
    image = Image.fromarray(np.ascontiguousarray(frame[..., :3]))
    image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def request_body(options: DescribeOptions, images: Sequence[str]) -> dict[str, Any]:
    """The chat-completions request: one user message with the instruction and the frames."""
    content: list[dict[str, Any]] = [{"type": "text", "text": options.instruction}]
    content += [{"type": "image_url", "image_url": {"url": url}} for url in images]
    return {
        "model": options.model,
        "messages": [{"role": "user", "content": content}],
        "temperature": 0.2,
        "max_tokens": 200,
        "stream": False,
    }


def reply_text(body: bytes) -> str:
    """The sentence in a chat-completions reply; DescribeError for anything else."""
    try:
        data = json.loads(body.decode("utf-8"))
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError) as err:
        raise DescribeError(f"the server's reply is no chat completion ({err!r:.80})") from err
    if isinstance(content, list):  # content parts
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str) or not content.strip():
        raise DescribeError("the server's reply holds no text")
    text = " ".join(content.split()).strip().strip('"')
    return text[:MAX_REPLY_CHARS]


def post(options: DescribeOptions, body: dict[str, Any]) -> str:
    """One request (no retries): the reply's sentence, or DescribeError."""
    headers = {"Content-Type": "application/json"}
    if options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    request = urllib.request.Request(
        endpoint(options.url), data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=options.timeout_s) as response:
            return reply_text(response.read(16 * 1024 * 1024))
    except urllib.error.HTTPError as err:
        detail = err.read(300).decode("utf-8", "replace").strip()
        raise DescribeError(f"HTTP {err.code} {err.reason}: {detail}", err.code >= 500) from err
    except urllib.error.URLError as err:
        raise DescribeError(f"cannot reach {options.url}: {err.reason}", retry=True) from err
    except TimeoutError as err:
        raise DescribeError(f"no answer within {options.timeout_s:g} s", retry=True) from err
    except OSError as err:  # a reset connection
        raise DescribeError(f"connection failed: {err}", retry=True) from err


def ask(options: DescribeOptions, images: Sequence[str],
        send: Callable[[DescribeOptions, dict[str, Any]], str] = post) -> str:  # fmt: skip
    """The sentence for one clip's frames, retrying retryable failures."""
    body = request_body(options, images)
    for attempt in range(options.retries + 1):
        try:
            return send(options, body)
        except DescribeError as err:
            if not err.retry or attempt == options.retries:
                raise
            time.sleep(options.backoff_s * (attempt + 1))
    raise AssertionError("unreachable")


def clip_images(clip: Clip, source: Source, options: DescribeOptions) -> list[str]:
    """The clip's sampled frames as data URLs (decoding errors raise as MediaError)."""
    n = clip.last_frame - clip.first_frame + 1
    count = max(1, min(options.frames, n))
    picks = [clip.first_frame + ((2 * k + 1) * n) // (2 * count) for k in range(count)]
    with open_media(source.path, cache_bytes=0) as reader:
        return [jpeg_data_url(reader.frame_at(i), options.max_side) for i in picks]


def describe_project(
    project_path: str | os.PathLike[str],
    options: DescribeOptions,
    clip_ids: Sequence[int] | None = None,
) -> Generator[Progress, None, DescribeSummary]:
    """Ask the model for each chosen clip's sentence; yields one Progress per clip finished.

    Closing the generator (cancel) stops sending, abandons requests in flight and keeps every
    sentence already stored.
    """
    if options.concurrency < 1 or options.frames < 1 or options.timeout_s <= 0:
        raise CaptionError("concurrency, frames and timeout must be positive")
    summary = DescribeSummary()
    with Project.open(project_path) as project:
        wanted = None if clip_ids is None else set(clip_ids)
        todo: list[tuple[Clip, Source]] = []
        for clip, source in project.clips_with_sources():
            if wanted is not None and clip.id not in wanted:
                continue
            if clip.status == ClipStatus.REJECTED and not options.include_rejected:
                continue
            if options.missing_only and sentences(project, clip.id):
                summary.skipped += 1
                continue
            todo.append((clip, source))
        total = len(todo)
        yield Progress(0, total)
        pool = ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="describe")
        running: dict[Future[str], tuple[Clip, Source]] = {}
        queue = list(reversed(todo))
        done = 0
        try:
            while queue or running:
                while queue and len(running) < options.concurrency:
                    clip, source = queue.pop()
                    label = clip.label(source)
                    try:
                        images = clip_images(clip, source, options)
                    except Exception as err:  # an unreadable source fails this clip only
                        summary.failed.append((label, f"frames: {err}"))
                        done += 1
                        yield Progress(done, total, label, str(err))
                        continue
                    running[pool.submit(ask, options, images)] = (clip, source)
                if not running:
                    continue
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    clip, source = running.pop(future)
                    label = clip.label(source)
                    error: str | None = None
                    try:
                        text = future.result()
                        store_sentences(project, [(clip.id, None, text)], "machine",
                                        options.model, "Describe clip")  # fmt: skip
                        summary.described += 1
                    except DescribeError as err:
                        error = str(err)
                        summary.failed.append((label, error))
                    done += 1
                    yield Progress(done, total, label, error)
        finally:
            for future in running:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
    return summary
