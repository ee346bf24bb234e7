"""manifest.json: every exported file with its source (path and hash), frame range, crop, tags,
caption and the export settings, so a training sample can be traced back to its source."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anicurate.core.export.files import write_text_atomic
from anicurate.core.export.plan import ExportPlan
from anicurate.core.export.results import ItemResult

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def entry(r: ItemResult, root: Path) -> dict[str, Any]:
    item = r.item
    return {
        "clip_id": item.clip_id,
        "part": item.part,
        "kind": item.kind,
        "path": str(r.path),
        "relative_path": item.media,
        "hash": r.hash,
        "size": r.size,
        "caption_path": str(root / item.caption_file),
        "caption": item.caption,
        "tags": list(item.tags),
        "source": {"id": item.source_id, "path": item.source_path, "hash": item.source_hash},
        "frame_range": [item.first_frame, item.last_frame],
        "source_frames": [min(item.frames), max(item.frames)],
        "crop": list(item.crop) if item.crop is not None else None,
        "pad": list(item.pad) if item.pad is not None else None,
        "width": item.width,
        "height": item.height,
        "fps": item.fps,
        "num_frames": len(item.frames),
        "frame_indices": list(item.windows),
    }


def write_manifest(plan: ExportPlan, done: Sequence[ItemResult], configs: Sequence[Path]) -> Path:
    data = {
        "version": MANIFEST_VERSION,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "project": plan.project_path,
        "settings": plan.settings.to_json(),
        "configs": [str(p) for p in configs],
        "files": [entry(r, plan.out_dir) for r in done],
        "skipped": [
            {
                "clip_id": k.clip_id,
                "source": k.source_path,
                "frame_range": [k.first_frame, k.last_frame],
                "reason": k.reason,
            }
            for k in plan.skipped
        ],
    }
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    return write_text_atomic(plan.out_dir, MANIFEST_NAME, text)


def read_manifest(dataset: Path) -> dict[str, Any]:
    """The manifest of an export folder (or the manifest file itself)."""
    path = dataset / MANIFEST_NAME if dataset.is_dir() else dataset
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not an anicurate manifest")
    return data
