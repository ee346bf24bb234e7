"""Where anicurate's shipped files and the user's files live, in a source tree or a frozen build.

In a PyInstaller 6 bundle (``dist/anicurate/``) the executable sits at the top and everything it
unpacks (``resources/``, Python packages, shared libraries) is in ``_internal/`` (sys._MEIPASS).
Users are told to put tagger models in ``models/`` next to the executable, the one folder of the
bundle they are meant to touch; ``_internal/models/`` is searched too, for a packager who bundles
a model through the spec.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_NAME = "anicurate"


def is_frozen() -> bool:
    """True inside a PyInstaller bundle (it sets sys.frozen and sys._MEIPASS)."""
    return bool(getattr(sys, "frozen", False)) and getattr(sys, "_MEIPASS", None) is not None


def app_root() -> Path:
    """The folder holding resources/: the repo root, or the bundle's ``_internal/`` (_MEIPASS)."""
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]  # set by PyInstaller's bootloader
    return Path(__file__).resolve().parent.parent


def executable_dir() -> Path | None:
    """The folder of the frozen executable (``dist/anicurate/``); None outside a bundle."""
    if not is_frozen():
        return None
    return Path(sys.executable).resolve().parent


def resources_dir() -> Path:
    return app_root() / "resources"


def bundled_models_dir() -> Path:
    """models/ where the README tells users to put tagger folders: next to the executable in a
    bundle, at the repo root in a source tree."""
    exe_dir = executable_dir()
    return (exe_dir if exe_dir is not None else app_root()) / "models"


def user_models_dir() -> Path:
    """A per-user models folder, for installs where the app folder is not writable."""
    import platformdirs  # on first use: commands that never ask pay nothing at start-up

    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


def models_dirs() -> list[Path]:
    """Every models folder searched for taggers, in order: the app's (next to the executable,
    then ``_internal/models`` in a bundle) and the user's."""
    found = [bundled_models_dir(), app_root() / "models", user_models_dir()]
    return list(dict.fromkeys(found))  # the repo root serves both roles outside a bundle


def user_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def demo_dir() -> Path:
    """Where `anicurate --demo` generates its clips and project (once)."""
    return user_cache_dir() / "demo"
