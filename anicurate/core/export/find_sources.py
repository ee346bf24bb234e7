"""The captioned clips of a dataset ``find`` searches: an anicurate export (manifest.json), a
Video-BLIP2-Preprocessor / t2v-json file (one entry per frame_index prompt), or a folder of
videos with same-stem ``.txt`` captions (the layout most trainers read)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anicurate.core.captions.readers import parse_blip2_json
from anicurate.core.captions.sentences import CaptionError, clean_sentence
from anicurate.core.export.files import ExportError
from anicurate.core.export.manifest import MANIFEST_NAME, read_manifest

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".avi", ".gif", ".m4v", ".png", ".jpg")


@dataclass(frozen=True, slots=True)
class Entry:
    """One captioned training item: its file, where it came from and its caption."""

    path: str
    clip_id: int  # anicurate's clip id; 0 for datasets anicurate did not write
    source_path: str
    frame_range: tuple[int, int]
    caption: str


def _manifest_entries(data: dict[str, Any]) -> list[Entry]:
    out = []
    for f in data.get("files", []):
        if not isinstance(f, dict):
            continue
        source = f.get("source")
        source = source if isinstance(source, dict) else {}
        rng = f.get("frame_range")
        first, last = rng if isinstance(rng, list) and len(rng) == 2 else (0, 0)
        out.append(Entry(str(f.get("path", "")), _int(f.get("clip_id")),
                         str(source.get("path", "")), (_int(first), _int(last)),
                         str(f.get("caption", ""))))  # fmt: skip
    return out


def _int(value: Any) -> int:
    return value if type(value) is int else 0


def _blip2_entries(path: Path) -> list[Entry]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text)
        records = parse_blip2_json(text, str(path))
    except (OSError, ValueError, CaptionError) as err:
        raise ExportError(f"{path}: no readable Video-BLIP2 JSON: {err}") from err
    counts = {}
    for video in data.get("data", []) if isinstance(data, dict) else []:
        if isinstance(video, dict) and isinstance(video.get("video_path"), str):
            counts[video["video_path"]] = _int(video.get("num_frames"))
    starts: dict[str, list[int]] = {}
    for r in records:
        starts.setdefault(r.file, []).append(r.frame or 0)
    out = []
    for r in records:
        start = r.frame or 0
        later = [s for s in starts[r.file] if s > start]
        end = min(later) - 1 if later else max(start, counts.get(r.file, 0) - 1)
        out.append(Entry(r.file, 0, r.file, (start, end), r.text))
    return out


def _folder_entries(folder: Path) -> list[Entry]:
    out = []
    for media in sorted(folder.rglob("*")):
        if media.suffix.lower() not in VIDEO_SUFFIXES or not media.is_file():
            continue
        txt = media.with_suffix(".txt")
        try:
            caption = clean_sentence(txt.read_bytes().decode("utf-8-sig", "replace"))
        except OSError:
            continue
        out.append(Entry(str(media), 0, str(media), (0, 0), caption))
    return out


def read_dataset(dataset: Path) -> list[Entry]:
    """The entries of a dataset at ``dataset``: a manifest, a BLIP2 JSON or a caption folder."""
    dataset = Path(dataset)
    manifest = dataset / MANIFEST_NAME if dataset.is_dir() else dataset
    if manifest.is_file():
        try:
            data = read_manifest(manifest)
        except (OSError, ValueError) as err:
            raise ExportError(f"{dataset}: no readable anicurate manifest: {err}") from err
        if "files" in data:
            return _manifest_entries(data)
        if dataset.is_file():
            return _blip2_entries(dataset)
    if dataset.is_file():
        return _blip2_entries(dataset)
    if dataset.is_dir():
        found = _folder_entries(dataset)
        if found:
            return found
    raise ExportError(
        f"{dataset}: no readable anicurate manifest, Video-BLIP2 JSON or videos with .txt captions"
    )
