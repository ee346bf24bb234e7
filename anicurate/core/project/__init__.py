"""The project catalogue: one SQLite file per project with sources, clips, tags and settings."""

from anicurate.core.project.catalogue import Clip, ClipStatus, Project, Source
from anicurate.core.project.importer import ImportSummary, import_paths
from anicurate.core.project.schema import SCHEMA_VERSION
from anicurate.core.project.settings import DEFAULT_PRESET, PRESETS, ProjectSettings

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
