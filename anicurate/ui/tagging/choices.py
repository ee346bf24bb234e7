"""Which tagger and provider the window uses, and the words the tag field completes.

The model folder is remembered per project (``tagging.model``, as the CLI does) with the last
one used on this machine as the fallback; the provider and folders a person chose by hand are
machine settings (QSettings), since they depend on the computer, not on the dataset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from anicurate import paths
from anicurate.core.errors import AnicurateError
from anicurate.core.project import Project
from anicurate.core.tagging import store
from anicurate.core.tagging.discovery import TAGS_FILE, TaggerLocation, find_taggers, is_tagger_dir
from anicurate.core.tagging.model import ProviderChoice
from anicurate.core.tagging.vocabulary import RATING, load_vocabulary, normalise

PROVIDER_KEY = "tagging/provider"
FOLDERS_KEY = "tagging/folders"
LAST_MODEL_KEY = "tagging/lastModel"
PROVIDERS: tuple[tuple[ProviderChoice, str], ...] = (
    ("auto", "Automatic (CUDA when it works, else CPU)"),
    ("cuda", "CUDA (GPU)"),
    ("cpu", "CPU"),
)


def saved_provider(settings: QSettings) -> ProviderChoice:
    value = str(settings.value(PROVIDER_KEY, "auto"))
    return value if value in ("auto", "cuda", "cpu") else "auto"  # type: ignore[return-value]


def chosen_folders(settings: QSettings) -> list[Path]:
    """Tagger folders a person picked with "Choose folder…", newest first."""
    value: Any = settings.value(FOLDERS_KEY, [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [Path(p) for p in items if p]


def remember_folder(settings: QSettings, folder: Path) -> None:
    items = [folder, *(p for p in chosen_folders(settings) if p != folder)]
    settings.setValue(FOLDERS_KEY, [str(p) for p in items[:10]])


def taggers(settings: QSettings) -> list[TaggerLocation]:
    """Every tagger found: chosen folders, the models folders, then the Hugging Face cache."""
    return find_taggers(paths.models_dirs(), extra=chosen_folders(settings))


def preferred_model(
    project: Project | None, settings: QSettings, found: list[TaggerLocation]
) -> Path | None:
    """The project's last tagger, else this machine's last, else the first one found."""
    candidates: list[Any] = []
    if project is not None:
        candidates.append(project.setting(store.MODEL_KEY))
    candidates.append(settings.value(LAST_MODEL_KEY, ""))
    for value in candidates:
        if isinstance(value, str) and value and is_tagger_dir(Path(value)):
            return Path(value)
    return found[0].path if found else None


def remember_model(project: Project | None, settings: QSettings, folder: Path) -> None:
    settings.setValue(LAST_MODEL_KEY, str(folder))
    if project is not None:
        project.set_setting(store.MODEL_KEY, str(folder))


def completion_words(project: Project | None, model: Path | None) -> list[str]:
    """Tags to offer while typing: the project's (most used first), then the model's vocabulary
    (most common first). Without a readable csv, the project's tags alone."""
    words: list[str] = []
    seen: set[str] = set()

    def add(word: str) -> None:
        key = normalise(word)
        if key and key not in seen:
            seen.add(key)
            words.append(word)

    if project is not None:
        for tag, _n in store.tag_frequencies(project, None):
            add(tag)
    if model is not None and (model / TAGS_FILE).is_file():
        try:
            vocab = load_vocabulary(model / TAGS_FILE)
        except AnicurateError:
            return words
        cats = vocab.categories.tolist()
        order = sorted(
            (i for i in range(len(vocab)) if cats[i] != RATING),
            key=lambda i: (-int(vocab.counts[i]), vocab.display[i]),
        )
        for i in order:
            add(vocab.display[i])
    return words
