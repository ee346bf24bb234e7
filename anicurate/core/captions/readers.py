"""Readers of caption files other tools write: Video-BLIP2-Preprocessor JSON (the t2v-json
schema, one prompt per ``frame_index``), JSONL ``{file, caption}`` lines and same-stem ``.txt``
sidecars. Anything unreadable raises CaptionError, never another exception."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anicurate.core.captions.sentences import CaptionError, clean_sentence

MAX_BYTES = 256 * 1024 * 1024  # a caption file larger than this is not one
JSON_PATH_KEYS = ("video_path", "clip_path", "file", "path", "file_name")
JSONL_FILE_KEYS = ("file", "file_name", "video_path", "image_path", "path", "media")
JSONL_TEXT_KEYS = ("caption", "prompt", "text")


@dataclass(frozen=True, slots=True)
class CaptionRecord:
    """One caption read from a file: the media it names, its start frame (None: whole file)."""

    file: str
    frame: int | None
    text: str
    origin: str  # the caption file, for reports


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CaptionError(f"{path}: larger than {MAX_BYTES >> 20} MiB, not a caption file")
        return path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise CaptionError(f"{path}: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise CaptionError(f"{path}: not UTF-8 text ({err.reason})") from err


def parse_blip2_json(text: str, origin: str = "") -> list[CaptionRecord]:
    """Records of a Video-BLIP2-Preprocessor JSON: ``{"data": [{"video_path", "data":
    [{"frame_index", "prompt"}]}]}`` (a bare list of videos is taken too)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise CaptionError(f"{origin or 'caption JSON'}: not JSON: {err}") from err
    videos = data.get("data") if isinstance(data, dict) else data
    if not isinstance(videos, list):
        raise CaptionError(f'{origin or "caption JSON"}: no "data" list of videos')
    out: list[CaptionRecord] = []
    for video in videos:
        if not isinstance(video, dict):
            continue
        file = next((v for k in JSON_PATH_KEYS if isinstance(v := video.get(k), str) and v), None)
        if file is None:
            continue
        entries = video.get("data")
        if isinstance(entries, list):
            for entry in entries:
                if not isinstance(entry, dict):
                    continue
                prompt, frame = entry.get("prompt"), entry.get("frame_index")
                if isinstance(prompt, str) and clean_sentence(prompt):
                    f = frame if type(frame) is int and frame >= 0 else None
                    out.append(CaptionRecord(file, f, clean_sentence(prompt), origin))
        for key in JSONL_TEXT_KEYS:  # a flat {"video_path", "prompt"} entry
            value = video.get(key)
            if isinstance(value, str) and clean_sentence(value):
                out.append(CaptionRecord(file, None, clean_sentence(value), origin))
                break
    return out


def parse_jsonl(text: str, origin: str = "") -> list[CaptionRecord]:
    """Records of JSONL lines ``{"file": ..., "caption": ...}`` (musubi's ``video_path`` and
    HF's ``file_name`` too); blank lines are skipped, a broken line is an error."""
    out: list[CaptionRecord] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row: Any = json.loads(line)
        except (ValueError, RecursionError) as err:
            raise CaptionError(f"{origin or 'JSONL'} line {n}: not JSON: {err}") from err
        if not isinstance(row, dict):
            raise CaptionError(f"{origin or 'JSONL'} line {n}: not an object")
        file = next((v for k in JSONL_FILE_KEYS if isinstance(v := row.get(k), str) and v), None)
        caption = next((v for k in JSONL_TEXT_KEYS if isinstance(v := row.get(k), str)), None)
        if file is None or caption is None:
            raise CaptionError(f'{origin or "JSONL"} line {n}: needs "file" and "caption"')
        frame = row.get("frame_index")
        if clean_sentence(caption):
            f = frame if type(frame) is int and frame >= 0 else None
            out.append(CaptionRecord(file, f, clean_sentence(caption), origin))
    return out


def read_caption_file(path: Path) -> list[CaptionRecord]:
    """Records of one caption file, by its kind: ``.jsonl``, ``.json`` or a ``.txt`` sidecar."""
    text = _read_text(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return parse_jsonl(text, name)
    if suffix == ".json":
        return parse_blip2_json(text, name)
    if suffix == ".txt":
        caption = clean_sentence(text)
        return [CaptionRecord(path.stem, None, caption, name)] if caption else []
    raise CaptionError(f"{path}: not a caption file (.json, .jsonl or .txt)")


def caption_files(path: Path) -> Iterator[Path]:
    """The caption files of a file or a folder (recursively), in name order."""
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        raise CaptionError(f"{path}: no such file or folder")
    for found in sorted(path.rglob("*")):
        if found.is_file() and found.suffix.lower() in (".json", ".jsonl", ".txt"):
            yield found
