"""Where anicurate's shipped files and the user's files live, in a source tree or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_NAME = "anicurate"


def app_root() -> Path:
    """The folder holding resources/ and models/: the repo root, or PyInstaller's unpack dir."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return app_root() / "resources"


def bundled_models_dir() -> Path:
    """models/ next to the app: where the README tells users to put tagger folders."""
    return app_root() / "models"


def user_models_dir() -> Path:
    """A per-user models folder, for installs where the app folder is not writable."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


def user_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def demo_dir() -> Path:
    """Where `anicurate --demo` generates its clips and project (once)."""
    return user_cache_dir() / "demo"
