"""Trainer files: the t2v JSON schema and its frame_index bounds, config.yaml keys and values for
Text-To-Video-Finetuning (default and animov-512x templates), the finetrainers, diffusion-pipe and
musubi layouts and configs (parsed), 4k+1 frame counts, and the manifest."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from anicurate.core.export import ExportOptions, Target, plan_export
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import set_crop, set_status
from anicurate.core.tagging import store
from tests.helpers.export_samples import (
    QH,
    QW,
    clip_of,
    decode,
    make_project,
    read_quadrant,
    run,
    write_source,
)

# Text-To-Video-Finetuning's configs/v2/train_config.yaml values (formats.md 1.7).
T2V_DEFAULTS = {
    "pretrained_model_path": "./models/model_scope_diffusers/", "output_dir": "./outputs",
    "offset_noise_strength": 0.1, "use_offset_noise": False, "rescale_schedule": False,
    "extend_dataset": False, "cache_latents": True, "cached_latent_dir": None,
    "train_text_encoder": False, "lora_version": "cloneofsimo", "use_unet_lora": True,
    "use_text_lora": True, "lora_unet_dropout": 0.1, "lora_text_dropout": 0.1,
    "save_lora_for_webui": True, "only_lora_for_webui": False, "save_pretrained_model": True,
    "unet_lora_modules": ["UNet3DConditionModel"],
    "text_encoder_lora_modules": ["CLIPEncoderLayer"],
    "lora_rank": 16, "learning_rate": 5e-6, "adam_weight_decay": 0, "extra_unet_params": None,
    "extra_text_encoder_params": None, "train_batch_size": 1, "max_train_steps": 10000,
    "checkpointing_steps": 2500, "validation_steps": 100, "trainable_modules": ["all"],
    "trainable_text_modules": ["all"], "seed": 64, "mixed_precision": "fp16",
    "use_8bit_adam": False, "gradient_checkpointing": True,
    "text_encoder_gradient_checkpointing": False,
    "enable_xformers_memory_efficient_attention": False, "enable_torch_2_attn": True,
}  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Project:
    media = tmp_path / "media"
    media.mkdir()
    files = [write_source(media / "a.mp4", 48), write_source(media / "b.mp4", 30)]
    project = make_project(
        tmp_path / "p.anicurate", files, train_width=48, train_height=32, n_sample_frames=8,
        fps=24, frame_step=2, use_bucketing=False, trigger_tag="anime",
    )  # fmt: skip
    set_status(project, [c.id for c in project.clips()], ClipStatus.ACCEPTED)
    for name, tags in (("a.mp4", ["1girl", "smile"]), ("b.mp4", ["1boy", "running"])):
        for tag in tags:
            store.add_tag(project, clip_of(project, name), tag)
    return project


def test_t2v_json_schema_bounds_and_config(tmp_path: Path, project: Project) -> None:
    out = tmp_path / "out"
    result = run(plan_export(project, ExportOptions(target=Target.T2V_JSON, out_dir=out)))
    assert result.config_path == out / "config.yaml"
    data = json.loads((out / "train.json").read_text(encoding="utf-8"))
    assert set(data) == {"name", "data"} and data["name"] == "anicurate"
    span = (8 - 1) * 2  # (n_sample_frames - 1) * frame_step
    seen = {}
    for video in data["data"]:
        assert set(video) == {"video_path", "num_frames", "data"}
        path = Path(video["video_path"])
        assert path.is_absolute() and path.parent == out / "videos" and path.suffix == ".mp4"
        decoded = decode(path)
        assert decoded.nb_frames == len(decoded.frames) == video["num_frames"]
        for entry in video["data"]:
            assert set(entry) == {"frame_index", "prompt"}
            assert entry["frame_index"] >= 0 and entry["frame_index"] + span < video["num_frames"]
        seen[path.name] = ([e["frame_index"] for e in video["data"]], video["data"][0]["prompt"])
    # 48 frames hold 3 windows of 15 (spread 0..33), 30 frames hold 2 (0 and 15).
    assert seen == {
        "a_c1.mp4": ([0, 16, 33], "anime, 1girl, smile"),
        "b_c2.mp4": ([0, 15], "anime, 1boy, running"),
    }
    config = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    for key, value in T2V_DEFAULTS.items():
        assert config[key] == value, key
    assert config["dataset_types"] == ["json"]
    assert config["train_data"] == {
        "width": 48, "height": 32, "use_bucketing": False, "sample_start_idx": 0, "fps": 24,
        "frame_step": 2, "n_sample_frames": 8, "single_video_path": "",
        "single_video_prompt": "", "fallback_prompt": "", "path": "",
        "json_path": str(out / "train.json"), "vid_data_key": "video_path", "image_dir": "",
        "single_img_prompt": "",
    }  # fmt: skip
    assert config["validation_data"] == {
        "prompt": "", "sample_preview": True, "num_frames": 16, "width": 48, "height": 32,
        "num_inference_steps": 25, "guidance_scale": 9,
    }  # fmt: skip


def test_t2v_folder_captions_and_config(tmp_path: Path, project: Project) -> None:
    out = tmp_path / "out"
    store.add_tag(project, clip_of(project, "b.mp4"), "café\nlatte")  # a newline in a caption
    opts = ExportOptions(target=Target.T2V_FOLDER, out_dir=out, fallback_prompt="anime clip")
    run(plan_export(project, opts))
    files = sorted(p.name for p in (out / "videos").iterdir())
    assert files == ["a_c1.mp4", "a_c1.txt", "b_c2.mp4", "b_c2.txt"]
    raw = (out / "videos" / "b_c2.txt").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\n" not in raw and b"\r" not in raw
    assert raw.decode("utf-8") == "anime, 1boy, running, café latte"
    config = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    assert config["dataset_types"] == ["folder"]
    td = config["train_data"]
    assert (td["path"], td["fps"], td["n_sample_frames"], td["fallback_prompt"]) == (
        str(out / "videos"), 24, 8, "anime clip",
    )  # fmt: skip
    assert ".mp4" not in str(out / "videos")


def test_t2v_image_and_the_animov_template(tmp_path: Path, project: Project) -> None:
    out = tmp_path / "out"
    project.apply_preset("animov-512x")
    opts = ExportOptions(target=Target.T2V_IMAGE, out_dir=out, width=48, height=32)
    run(plan_export(project, opts))
    assert sorted(p.name for p in (out / "images").iterdir()) == [
        "a_c1.png", "a_c1.txt", "b_c2.png", "b_c2.txt",
    ]  # fmt: skip
    config = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    assert config["dataset_types"] == ["image"]
    assert config["train_data"]["image_dir"] == str(out / "images")
    td = config["train_data"]
    assert (td["width"], td["height"], td["frame_step"], td["n_sample_frames"], td["fps"]) == (
        48, 32, 5, 45, 24,
    )  # fmt: skip
    # The preset buckets, but the trainer's ImageDataset mis-sizes stills when bucketing.
    assert td["use_bucketing"] is False
    animov = {
        "learning_rate": 5e-6, "adam_weight_decay": 0.01, "train_batch_size": 1,
        "mixed_precision": "fp16", "enable_torch_2_attn": True, "scale_lr": False,
        "lr_scheduler": "constant", "unet_lora_modules": ["ResnetBlock2D"], "seed": 64,
        "max_train_steps": 10000, "checkpointing_steps": 2500, "adam_epsilon": 1e-8,
    }  # fmt: skip
    for key, value in animov.items():
        assert config[key] == value, key


def test_finetrainers_pairs_of_4k_plus_1_frames(tmp_path: Path, project: Project) -> None:
    out = tmp_path / "out"
    opts = ExportOptions(target=Target.FINETRAINERS, out_dir=out, n_sample_frames=10)
    plan = plan_export(project, opts)
    assert plan.settings.window_frames == 9
    result = run(plan)
    assert result.config_path == out / "training.json"
    names = sorted(p.name for p in (out / "videos").iterdir())
    # A part is one training sample's time: (10 - 1) * frame_step 2 + 1 = 19 frames, which
    # finetrainers squeezes into its 9-frame bucket. a: 48 frames -> 2 parts; b: 30 -> 1.
    assert names == sorted(
        [f"a_c1_p{i}.{e}" for i in range(2) for e in ("mp4", "txt")]
        + [f"b_c2_p0.{e}" for e in ("mp4", "txt")]
    )
    assert [(i.media, i.first_frame, i.last_frame) for i in plan.items] == [
        ("videos/a_c1_p0.mp4", 0, 18), ("videos/a_c1_p1.mp4", 19, 37),
        ("videos/b_c2_p0.mp4", 0, 18),
    ]  # fmt: skip
    d = decode(out / "videos" / "a_c1_p1.mp4")
    assert d.nb_frames == 19 and (d.width, d.height) == (48, 32)
    assert [read_quadrant(f, 0, 0, 24, 16)[1] for f in d.frames] == list(range(19, 38))
    config = json.loads((out / "training.json").read_text())
    assert config == {"datasets": [{
        "data_root": str(out / "videos"), "dataset_type": "video",
        "video_resolution_buckets": [[9, 32, 48]], "reshape_mode": "bicubic",
        "remove_common_llm_caption_prefixes": True,
    }]}  # fmt: skip


def test_diffusion_pipe_folder_and_dataset_toml(tmp_path: Path, project: Project) -> None:
    out = tmp_path / "out"
    set_crop(project, clip_of(project, "a.mp4"), (QW, QH, QW, QH))
    opts = ExportOptions(target=Target.DIFFUSION_PIPE, out_dir=out, fps=16, use_bucketing=True)
    run(plan_export(project, opts))
    clips = out / "clips"
    assert {p.suffix for p in clips.iterdir()} == {".mp4", ".txt"}  # nothing else in there
    d = decode(clips / "a_c1.mp4")
    assert (d.rate, d.nb_frames) == (16, 32)  # 2 s at 16 fps
    assert read_quadrant(d.frames[1], 0, 0, 48, 32) == ("yellow", 1)  # 1/16 s = source frame 1.5
    config = tomllib.loads((out / "dataset.toml").read_text())
    assert config == {
        "resolutions": [[48, 32]], "enable_ar_bucket": True, "min_ar": 0.5, "max_ar": 2.0,
        "num_ar_buckets": 7, "frame_buckets": [1, 5],
        "directory": [{"path": str(clips), "num_repeats": 1}],
    }  # fmt: skip


def test_musubi_dataset_toml(tmp_path: Path, project: Project) -> None:
    out = tmp_path / "out"
    opts = ExportOptions(target=Target.MUSUBI, out_dir=out, n_sample_frames=25, width=48)
    plan = plan_export(project, opts)
    assert [Path(s.source_path).name for s in plan.skipped] == []
    result = run(plan)
    config = tomllib.loads(Path(str(result.config_path)).read_text())
    assert config["general"] == {
        "resolution": [48, 32], "caption_extension": ".txt", "batch_size": 1,
        "enable_bucket": False, "bucket_no_upscale": False,
    }  # fmt: skip
    (ds,) = config["datasets"]
    assert ds["video_directory"] == str(out / "videos")
    assert ds["cache_directory"] == str(out / "cache" / "videos")
    assert ds["target_frames"] == [25] and (ds["target_frames"][0] - 1) % 4 == 0
    assert ds["source_fps"] == 24.0 and isinstance(ds["source_fps"], float)
    assert decode(out / "videos" / "b_c2.mp4").nb_frames == 30


def test_manifest_traces_every_file(tmp_path: Path, project: Project) -> None:
    out = tmp_path / "out"
    a = clip_of(project, "a.mp4")
    set_crop(project, a, (QW, 0, QW, QH))
    run(plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out)))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["target"] == "t2v-folder"
    assert manifest["configs"] == [str(out / "config.yaml")]
    first = manifest["files"][0]
    source = project.source(project.clips()[0].source_id)
    assert first["source"] == {"id": source.id, "path": source.path, "hash": source.hash}
    assert (first["frame_range"], first["crop"], first["num_frames"]) == (
        [0, 47],
        [96, 0, 96, 64],
        48,
    )
    assert first["tags"] == ["1girl", "smile"] and first["caption"] == "anime, 1girl, smile"
    import hashlib

    digest = hashlib.blake2b((out / "videos" / "a_c1.mp4").read_bytes(), digest_size=32)
    assert first["hash"] == digest.hexdigest()
    assert first["path"] == str(out / "videos" / "a_c1.mp4")


def test_stills_beside_videos_get_their_own_unbucketed_dataset(
    tmp_path: Path, project: Project
) -> None:
    from anicurate.core.media.writer import write_still
    from anicurate.core.project import import_paths
    from tests.helpers.export_samples import source_frame

    still = write_still(tmp_path / "media" / "s.png", source_frame(9))
    for _ in import_paths(project.path, [still]):
        pass
    set_status(project, [clip_of(project, "s.png")], ClipStatus.ACCEPTED)
    out = tmp_path / "out"
    plan = plan_export(project, ExportOptions(target=Target.T2V_JSON, out_dir=out,
                                              use_bucketing=True))  # fmt: skip
    # A still no longer turns bucketing off for the videos (nor pads them).
    assert plan.settings.keep_aspect and not any("bucketing" in w for w in plan.warnings)
    assert all(i.pad is None for i in plan.items)
    still_item = next(i for i in plan.items if i.kind == "still")
    assert (still_item.width, still_item.height) == (48, 32)  # exactly the training size
    run(plan)
    config = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    assert config["dataset_types"] == ["json"]
    assert config["train_data"]["use_bucketing"] is True
    assert config["extra_train_data"] == [{
        "dataset_types": ["image"],
        "train_data": {"width": 48, "height": 32, "use_bucketing": False,
                       "image_dir": str(out / "images"), "fallback_prompt": ""},
    }]  # fmt: skip
    assert sorted(p.name for p in (out / "images").iterdir()) == ["s_c3.png", "s_c3.txt"]
    data = json.loads((out / "train.json").read_text())
    assert [Path(v["video_path"]).name for v in data["data"]] == ["a_c1.mp4", "b_c2.mp4"]
