"""Find tagger folders (``model.onnx`` + ``selected_tags.csv``) where users and the hub put them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MODEL_FILE = "model.onnx"
TAGS_FILE = "selected_tags.csv"


@dataclass(frozen=True, slots=True)
class TaggerLocation:
    """A folder holding one tagger; ``name`` is what the user sees (repo name or folder name)."""

    name: str
    path: Path
    origin: str  # "models folder", "hugging face cache" or "settings"


def is_tagger_dir(path: Path) -> bool:
    return (path / MODEL_FILE).is_file() and (path / TAGS_FILE).is_file()


def hf_hub_cache() -> Path:
    """The Hugging Face hub cache, honouring HF_HUB_CACHE and HF_HOME as huggingface_hub does."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache", "huggingface"
    )
    return Path(home) / "hub"


def _hf_snapshots(cache: Path) -> Iterable[TaggerLocation]:
    """``models--SmilingWolf--<repo>/snapshots/<rev>/``: the revision named by refs/main first."""
    if not cache.is_dir():
        return
    for repo_dir in sorted(cache.glob("models--*--*")):
        snapshots = repo_dir / "snapshots"
        if not snapshots.is_dir():
            continue
        main_ref = repo_dir / "refs" / "main"
        preferred = main_ref.read_text().strip() if main_ref.is_file() else ""
        revs = sorted(snapshots.iterdir(), key=lambda p: (p.name != preferred, p.name))
        for rev in revs:
            if is_tagger_dir(rev):
                name = repo_dir.name.removeprefix("models--").replace("--", "/")
                yield TaggerLocation(name, rev, "hugging face cache")
                break


def find_taggers(
    models_dirs: Iterable[Path], extra: Iterable[Path] = (), hf_cache: Path | None = None
) -> list[TaggerLocation]:
    """Every tagger found: paths from settings, then ``<models dir>/<name>/``, then the HF cache."""
    found: list[TaggerLocation] = []
    seen: set[Path] = set()

    def add(loc: TaggerLocation) -> None:
        key = loc.path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(loc)

    for path in extra:
        if is_tagger_dir(path):
            add(TaggerLocation(path.name, path, "settings"))
    for models_dir in models_dirs:
        if models_dir.is_dir():
            for sub in sorted(models_dir.iterdir()):
                if sub.is_dir() and is_tagger_dir(sub):
                    add(TaggerLocation(sub.name, sub, "models folder"))
    for loc in _hf_snapshots(hf_cache if hf_cache is not None else hf_hub_cache()):
        add(loc)
    return found
