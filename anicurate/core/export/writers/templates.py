"""Config templates: editable files under resources/templates/ with ``${name}`` markers that are
replaced by JSON-written values (valid YAML flow scalars and TOML values alike)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anicurate.core.export.files import ExportError
from anicurate.paths import resources_dir

_MARKER = re.compile(r"\$\{([a-z_]+)\}")


def template_path(name: str) -> Path:
    return resources_dir() / "templates" / name


def value_text(value: Any) -> str:
    """A value as JSON: strings double-quoted with escapes, lists in flow style, true/false."""
    return json.dumps(value, ensure_ascii=False)


def fill(name: str, values: Mapping[str, Any]) -> str:
    """The template ``name`` with its markers replaced; ExportError names a missing value."""
    try:
        text = template_path(name).read_text(encoding="utf-8")
    except OSError as err:
        raise ExportError(f"config template {name} cannot be read: {err}") from err

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise ExportError(f"config template {name}: no value for ${{{key}}}")
        return value_text(values[key])

    return _MARKER.sub(sub, text)
