"""The project catalogue: one SQLite file per project with sources, clips, tags and settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from anicurate.core.lazy import lazy_exports

if TYPE_CHECKING:
    from anicurate.core.project.catalogue import Clip, ClipStatus, Project, Source
    from anicurate.core.project.importer import ImportSummary, import_paths
    from anicurate.core.project.schema import SCHEMA_VERSION
    from anicurate.core.project.settings import DEFAULT_PRESET, PRESETS, ProjectSettings

# Names are imported when first used (PEP 562), so that the settings presets (the CLI's
# --preset choices) can be read without loading the catalogue's media stack.
_HOMES = {
    "Clip": "catalogue",
    "ClipStatus": "catalogue",
    "Project": "catalogue",
    "Source": "catalogue",
    "ImportSummary": "importer",
    "import_paths": "importer",
    "SCHEMA_VERSION": "schema",
    "DEFAULT_PRESET": "settings",
    "PRESETS": "settings",
    "ProjectSettings": "settings",
}

__getattr__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "SCHEMA_VERSION",
    "Clip",
    "ClipStatus",
    "ImportSummary",
    "Project",
    "ProjectSettings",
    "Source",
    "import_paths",
]
