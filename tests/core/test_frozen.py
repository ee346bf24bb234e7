"""What a frozen (PyInstaller) build depends on, checked without building one.

packaging/build.sh builds and smoke-tests the real bundle; these tests cover the parts that broke
there: worker processes of the frozen executable (freeze_support), where resources/ and models/
are found in the bundle's layout, and doctor reading versions and providers truthfully.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
from pathlib import Path

import pytest

from anicurate import __main__ as entry
from anicurate import paths
from anicurate.core import doctor
from anicurate.core.tagging.discovery import find_taggers
from anicurate.core.tagging.providers import ProviderStatus


class WorkerServed(Exception):
    """Raised by the stand-in freeze_support: a worker process ran and exits here."""


def test_entry_point_serves_worker_processes_before_the_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A frozen worker starts as ``anicurate --multiprocessing-fork ...``: freeze_support must
    run (and exit) before the CLI parses that as an unknown argument."""
    calls: list[str] = []

    def freeze_support() -> None:
        calls.append("freeze_support")
        raise WorkerServed

    def cli_main() -> int:
        calls.append("cli")
        return 0

    monkeypatch.setattr(multiprocessing, "freeze_support", freeze_support)
    monkeypatch.setattr("anicurate.cli.main", cli_main)
    monkeypatch.setattr(sys, "argv", ["anicurate", "--multiprocessing-fork", "tracker_fd=5"])
    with pytest.raises(WorkerServed):
        entry.main()
    assert calls == ["freeze_support"]


def test_entry_point_runs_the_cli_after_freeze_support(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(multiprocessing, "freeze_support", lambda: calls.append("freeze_support"))
    monkeypatch.setattr("anicurate.cli.main", lambda: calls.append("cli") or 0)
    monkeypatch.setattr(sys, "argv", ["anicurate", "--version"])
    with pytest.raises(SystemExit) as exit_:
        entry.main()
    assert exit_.value.code == 0
    assert calls == ["freeze_support", "cli"]


def test_screenshots_flag_is_hidden_from_help() -> None:
    from anicurate.cli import build_parser

    assert entry.SCREENSHOTS_FLAG not in build_parser().format_help()


def test_screenshots_flag_runs_the_screenshot_tool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("tools.screenshots.__main__.main", lambda: seen.append(sys.argv[1:]) or 0)
    monkeypatch.setattr(sys, "argv", ["anicurate", "--screenshots", str(tmp_path), "-q"])
    with pytest.raises(SystemExit) as exit_:
        entry.main()
    assert exit_.value.code == 0
    assert seen == [[str(tmp_path), "-q"]]


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PyInstaller 6 onedir layout: dist/anicurate/{anicurate, _internal/, models/}."""
    root = tmp_path / "dist" / "anicurate"
    internal = root / "_internal"
    (internal / "resources" / "templates").mkdir(parents=True)
    (internal / "resources" / "style.qss").write_text("QWidget {}\n")
    (internal / "models").mkdir()
    (root / "models").mkdir()
    (root / "anicurate").write_bytes(b"\x7fELF")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    monkeypatch.setattr(sys, "executable", str(root / "anicurate"))
    return root


def make_tagger(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"onnx")
    (folder / "selected_tags.csv").write_text("tag_id,name,category,count\n1,smile,0,10\n")
    return folder


def test_frozen_resources_come_from_internal(bundle: Path) -> None:
    assert paths.is_frozen()
    assert paths.resources_dir() == bundle / "_internal" / "resources"
    assert (paths.resources_dir() / "style.qss").read_text() == "QWidget {}\n"


def test_frozen_models_next_to_the_executable_and_in_internal_are_found(
    bundle: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    user_tagger = make_tagger(bundle / "models" / "wd-vit-tagger-v3")
    packaged = make_tagger(bundle / "_internal" / "models" / "wd-swinv2-tagger-v3")

    assert paths.bundled_models_dir() == bundle / "models"
    assert paths.models_dirs() == [
        bundle / "models", bundle / "_internal" / "models", paths.user_models_dir()
    ]
    found = find_taggers(paths.models_dirs(), hf_cache=tmp_path / "no-hub")
    assert [t.path for t in found] == [user_tagger, packaged]


def test_frozen_fixers_find_the_shipped_models_in_internal(
    bundle: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The spec ships models/{upscale,interpolate,denoise} into _internal/models; models/ beside
    the executable holds only the user's (uninstall.sh keeps that folder when it is not empty)."""
    from anicurate.core.fix.models import list_models

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    repo = Path(__file__).resolve().parents[2]
    shipped = bundle / "_internal" / "models" / "interpolate"
    shutil.copytree(repo / "models" / "interpolate", shipped)
    found = {(m.kind, m.name): m for m in list_models()}
    rife = found[("interpolate", "rife-4")]
    assert rife.folder == shipped / "rife-4"
    assert rife.default
    assert not any((bundle / "models").iterdir())


def test_frozen_models_dir_follows_a_symlinked_executable(
    bundle: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """install.sh links ~/.local/bin/anicurate to the bundle: models stay next to the bundle."""
    link = tmp_path / "bin" / "anicurate"
    link.parent.mkdir()
    link.symlink_to(bundle / "anicurate")
    monkeypatch.setattr(sys, "executable", str(link))
    assert paths.bundled_models_dir() == bundle / "models"


def test_source_tree_paths_are_the_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert not paths.is_frozen()
    assert paths.resources_dir() == repo / "resources"
    assert paths.models_dirs() == [repo / "models", paths.user_models_dir()]


def test_doctor_package_list_reads_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    versions = doctor.package_versions()
    assert list(versions) == [label for label, _ in doctor.PACKAGES]
    assert versions["numpy"] == metadata.version("numpy")
    assert versions["anicurate"] == metadata.version("anicurate")
    assert doctor.NOT_INSTALLED not in versions.values()

    real = metadata.version

    def without_pyav(dist: str) -> str:
        if dist == "av":  # a bundle built without copy_metadata("av")
            raise metadata.PackageNotFoundError(dist)
        return real(dist)

    monkeypatch.setattr(metadata, "version", without_pyav)
    assert doctor.package_versions()["PyAV"] == doctor.NOT_INSTALLED


def test_doctor_says_when_a_provider_library_is_not_in_the_build(tmp_path: Path) -> None:
    capi = tmp_path / "capi"
    capi.mkdir()
    (capi / "libonnxruntime_providers_tensorrt.so").write_bytes(b"")
    statuses = [
        ProviderStatus("TensorrtExecutionProvider", False, "listed, but TensorRT libraries ..."),
        ProviderStatus("CUDAExecutionProvider", False, "listed, but missing libcudart.so.13"),
        ProviderStatus("CPUExecutionProvider", True, "runs"),
    ]
    told = doctor.explain_absent_providers(statuses, capi, frozen=True)
    assert [(s.name, s.works, s.detail) for s in told] == [
        ("TensorrtExecutionProvider", False, "listed, but TensorRT libraries ..."),
        ("CUDAExecutionProvider", False,
         "provider library absent: this bundle is CPU-only (see packaging/README.md)"),
        ("CPUExecutionProvider", True, "runs"),
    ]  # fmt: skip
    told = doctor.explain_absent_providers(statuses, capi, frozen=False)
    assert told[1].detail == "provider library absent: not installed"
