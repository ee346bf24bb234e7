"""Typed access to what the window remembers between runs (QSettings, organisation "anicurate")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "anicurate"
APPLICATION = "anicurate"
MAX_RECENT = 10


class AppSettings:
    """Recent projects and their last current clip, last folder, window geometry and layout,
    browser mode."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    def recent_projects(self) -> list[Path]:
        value: Any = self.store.value("recentProjects", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [Path(p) for p in items if p]

    def add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent list (no duplicates, at most MAX_RECENT)."""
        path = path.resolve()
        items = [p for p in self.recent_projects() if p != path]
        self._set_recent([path, *items][:MAX_RECENT])

    def remove_recent(self, path: Path) -> None:
        self._set_recent([p for p in self.recent_projects() if p != path])

    def _set_recent(self, items: list[Path]) -> None:
        self.store.setValue("recentProjects", [str(p) for p in items])

    def last_dir(self) -> Path:
        value = self.store.value("lastDir", "")
        path = Path(str(value)) if value else Path.home()
        return path if path.is_dir() else Path.home()

    def set_last_dir(self, path: Path) -> None:
        self.store.setValue("lastDir", str(path if path.is_dir() else path.parent))

    def last_clip(self, project: Path) -> int | None:
        """The clip that was current when ``project`` was last open in this window."""
        clip = self._last_clips().get(str(project.resolve()))
        return clip if isinstance(clip, int) else None

    def set_last_clip(self, project: Path, clip_id: int) -> None:
        """Remember ``clip_id`` for ``project`` (kept for the recent projects only)."""
        clips = self._last_clips()
        clips[str(project.resolve())] = clip_id
        keep = {str(p) for p in self.recent_projects()} | {str(project.resolve())}
        self.store.setValue("lastClips", json.dumps({k: v for k, v in clips.items() if k in keep}))

    def _last_clips(self) -> dict[str, Any]:
        try:
            value = json.loads(str(self.store.value("lastClips", "{}")))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def cluster_address(self) -> str:
        """The Ray cluster analysis and tagging run on; "" for this machine."""
        return str(self.store.value("clusterAddress", "") or "")

    def set_cluster_address(self, address: str) -> None:
        self.store.setValue("clusterAddress", address)

    def bytes_value(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_value(self, key: str, value: object) -> None:
        self.store.setValue(key, value)

    def int_value(self, key: str, default: int) -> int:
        value: Any = self.store.value(key, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            return default

    def sync(self) -> None:
        self.store.sync()
