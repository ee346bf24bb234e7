"""Installed fix models: folders with a ``model.json`` manifest under models/<kind>/<name>/."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from anicurate import paths
from anicurate.core.fix.errors import ModelBroken, UnknownModel

Kind = Literal["upscale", "interpolate", "denoise"]
KINDS: tuple[Kind, ...] = ("upscale", "interpolate", "denoise")
# Built-in engines that need no model file (listed so a user can choose them by name).
BUILTIN: dict[Kind, list[dict[str, Any]]] = {
    "upscale": [{"name": "bicubic", "engine": "opencv", "scale": 2, "notes": "OpenCV bicubic"}],
    "denoise": [
        {
            "name": "opencv-nlmeans",
            "engine": "opencv",
            "scale": 1,
            "notes": "OpenCV fastNlMeansDenoisingColored, CPU",
        }
    ],
    "interpolate": [
        {
            "name": "blend",
            "engine": "opencv",
            "scale": 1,
            "notes": "50/50 blend, no motion (a baseline)",
        }
    ],
}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One usable model: its kind, name, engine and what its manifest says."""

    kind: Kind
    name: str
    engine: str  # ncnn, onnx or opencv
    folder: Path | None  # None for a built-in engine
    scale: int = 1
    default: bool = False
    notes: str = ""
    manifest: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def file(self, key: str, fallback: str) -> Path:
        """A file of the model named by the manifest's ``key`` (else ``fallback``)."""
        assert self.folder is not None
        return self.folder / str(self.manifest.get(key, fallback))


def model_roots() -> list[Path]:
    """Where models are looked for: the taggers' folders (models/ next to the app, then, in a
    bundle, the shipped ones in _internal/models, then the per-user folder)."""
    return paths.models_dirs()


def list_models(roots: list[Path] | None = None) -> list[ModelInfo]:
    """Every model found (first root wins per name), built-ins included, sorted by kind, name."""
    found: dict[tuple[str, str], ModelInfo] = {}
    for kind in KINDS:
        for raw in BUILTIN[kind]:
            found[(kind, raw["name"])] = ModelInfo(
                kind, raw["name"], raw["engine"], None, raw["scale"], False, raw["notes"], raw
            )
    for root in model_roots() if roots is None else roots:
        for manifest in sorted(root.glob("*/*/model.json")):
            info = _read(manifest)
            found.setdefault((info.kind, info.name), info)
    return sorted(found.values(), key=lambda m: (KINDS.index(m.kind), m.name))


def find_model(kind: Kind, name: str | None, roots: list[Path] | None = None) -> ModelInfo:
    """The model of ``kind`` called ``name``, or the default one when ``name`` is None."""
    models = [m for m in list_models(roots) if m.kind == kind]
    for m in models:
        if (name is None and m.default) or m.name == name:
            return m
    names = ", ".join(m.name for m in models)
    if name is None:
        raise UnknownModel(f"no default {kind} model installed (have: {names})")
    raise UnknownModel(f"no {kind} model called {name!r} (have: {names})")


def _read(manifest: Path) -> ModelInfo:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        kind = data["kind"]
        if kind not in KINDS or not isinstance(data.get("engine"), str):
            raise ValueError(f"kind {kind!r} or engine unknown")
        return ModelInfo(
            kind, manifest.parent.name, data["engine"], manifest.parent,
            int(data.get("scale", 1)), bool(data.get("default", False)),
            str(data.get("notes", "")), data,
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelBroken(f"{manifest}: unreadable model manifest ({exc})") from exc
