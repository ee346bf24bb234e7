"""Start-up stays light: building the CLI's parser loads neither the media stack nor Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from anicurate.core.media import write_video
from tests.helpers.analysis_samples import anime_like_frames

HEAVY = ("numpy", "cv2", "av", "PIL", "PySide6", "onnxruntime")

SCRIPT = """
import sys
from anicurate.cli import build_parser
build_parser()
import anicurate.core.export.targets, anicurate.core.media.limits
print(",".join(m for m in {heavy!r} if m in sys.modules))
"""


def test_the_cli_parser_imports_no_heavy_library() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == ""


def test_lazy_package_names_still_resolve() -> None:
    from anicurate.core import export, media

    assert export.render.__name__ == "render" and media.open_media.__name__ == "open_media"
    assert export.Target.T2V_FOLDER.value == "t2v-folder"


ORDER_SCRIPT = """
import importlib
importlib.import_module("anicurate.core.export.render")
importlib.import_module("anicurate.core.media.probe")
from anicurate.core.export import find, render
from anicurate.core.media import probe
print(type(render).__name__, type(find).__name__, type(probe).__name__)
"""


def test_a_submodule_imported_first_does_not_hide_the_name_its_package_exports() -> None:
    out = subprocess.run(
        [sys.executable, "-c", ORDER_SCRIPT], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["function", "function", "function"]


ANALYZE_SCRIPT = """
import sys
from anicurate.cli import main
code = main(["analyze", {path!r}])
print(code, ",".join(m for m in ("PIL", "platformdirs", "PySide6", "onnxruntime")
                     if m in sys.modules))
"""


def test_analyzing_a_video_loads_neither_pillow_nor_the_user_dirs(tmp_path: Path) -> None:
    # Pillow decodes WebP only, platformdirs finds models and caches: a plain `anicurate analyze
    # clip.mp4` starts without either (start-up is part of its time on every short clip).
    clip = write_video(tmp_path / "two.mp4", anime_like_frames(4), 24)
    out = subprocess.run(
        [sys.executable, "-c", ANALYZE_SCRIPT.format(path=str(clip))],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.split("\n")[-2].split(" ") == ["0", ""]


BLAS_SCRIPT = """
import os
import anicurate.__main__
import numpy
print(os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task")))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_the_entry_point_keeps_numpy_to_one_blas_thread_unless_the_user_chose() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = [sys.executable, "-c", BLAS_SCRIPT]
    out = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["1", "1"]  # no thread but the main one
    env["OPENBLAS_NUM_THREADS"] = "3"
    out = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout
    assert out.split()[0] == "3"
