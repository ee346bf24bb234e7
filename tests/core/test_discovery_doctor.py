"""Taggers are found where users and the HF hub put them; provider probing tells the truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from anicurate import paths
from anicurate.core import doctor
from anicurate.core.tagging.discovery import find_taggers, is_tagger_dir
from anicurate.core.tagging.providers import probe_providers


def make_tagger(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"onnx")
    (folder / "selected_tags.csv").write_text("tag_id,name,category,count\n1,smile,0,10\n")
    return folder


def test_models_folder_hf_cache_and_settings_are_all_found(tmp_path: Path) -> None:
    models = tmp_path / "models"
    make_tagger(models / "wd-vit-tagger-v3")
    (models / "incomplete").mkdir()
    (models / "incomplete" / "model.onnx").write_bytes(b"onnx")  # no csv: not a tagger
    hub = tmp_path / "hub"
    repo = hub / "models--SmilingWolf--wd-swinv2-tagger-v3"
    make_tagger(repo / "snapshots" / "aaa")
    make_tagger(repo / "snapshots" / "bbb")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("bbb\n")
    custom = make_tagger(tmp_path / "elsewhere" / "mine")

    found = find_taggers([models, tmp_path / "missing"], extra=[custom], hf_cache=hub)

    assert [(t.name, t.path, t.origin) for t in found] == [
        ("mine", custom, "settings"),
        ("wd-vit-tagger-v3", models / "wd-vit-tagger-v3", "models folder"),
        ("SmilingWolf/wd-swinv2-tagger-v3", repo / "snapshots" / "bbb", "hugging face cache"),
    ]
    assert not is_tagger_dir(models / "incomplete")


def test_hf_cache_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from anicurate.core.tagging.discovery import hf_hub_cache

    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert hf_hub_cache() == tmp_path / "hf" / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "c"))
    assert hf_hub_cache() == tmp_path / "c"


def test_cpu_provider_runs_the_probe_model_and_failures_are_named() -> None:
    statuses = {
        s.name: s for s in probe_providers(paths.resources_dir() / "onnx" / "provider_probe.onnx")
    }
    assert statuses["CPUExecutionProvider"].works
    for s in statuses.values():
        if not s.works:  # e.g. CUDA listed by the GPU build but without its libraries here
            assert s.detail.startswith(("listed, but", "failed to start", "loaded but"))


def test_doctor_report_names_versions_and_models(tmp_path: Path) -> None:
    make_tagger(tmp_path / "wd-v1-4-moat-tagger-v2")
    report = doctor.collect(paths.resources_dir() / "onnx" / "provider_probe.onnx", [tmp_path])
    assert report.versions["FFmpeg"].startswith("FFmpeg ")
    assert "onnxruntime" in report.versions
    assert next(m.name for m in report.models) == "wd-v1-4-moat-tagger-v2"
