"""Training settings: the presets carry the trainers' config values and persist in the file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from anicurate.core.project import DEFAULT_PRESET, PRESETS, Project, ProjectSettings


def test_default_preset_is_text_to_video_finetuning_train_config() -> None:
    # ExponentialML/Text-To-Video-Finetuning configs/v2/train_config.yaml, train_data
    assert DEFAULT_PRESET == "text-to-video-finetuning"
    assert PRESETS[DEFAULT_PRESET] == ProjectSettings(
        train_width=384, train_height=384, n_sample_frames=8, fps=24, frame_step=1,
        trigger_tag="", use_bucketing=True, preset="text-to-video-finetuning",
    )  # fmt: skip
    assert PRESETS[DEFAULT_PRESET].sample_span == 8


def test_animov_512x_preset() -> None:
    # strangeman3107/animov-512x config.yaml train_data; "anime" is its README's positive prompt
    assert PRESETS["animov-512x"] == ProjectSettings(
        train_width=512, train_height=512, n_sample_frames=45, fps=24, frame_step=5,
        trigger_tag="anime", use_bucketing=True, preset="animov-512x",
    )  # fmt: skip
    assert PRESETS["animov-512x"].sample_span == 221  # every 5th frame: ~9 s of 24 fps source


def test_new_project_starts_with_the_default_preset(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.anicurate", create=True) as project:
        assert project.settings() == PRESETS[DEFAULT_PRESET]


def test_settings_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.anicurate"
    custom = dataclasses.replace(
        PRESETS["animov-512x"], train_width=448, train_height=384, trigger_tag="anime, 2d",
        use_bucketing=False, preset="custom",
    )  # fmt: skip
    with Project.open(path, create=True) as project:
        project.set_settings(custom)
    with Project.open(path) as project:
        assert project.settings() == custom
        assert project.apply_preset("animov-512x") == PRESETS["animov-512x"]
    with Project.open(path) as project:
        assert project.settings() == PRESETS["animov-512x"]
        with pytest.raises(KeyError, match="known: animov-512x, text-to-video-finetuning"):
            project.apply_preset("nope")
        assert project.settings() == PRESETS["animov-512x"]


def test_a_setting_missing_from_the_file_comes_from_the_default(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.anicurate", create=True) as project:
        project.apply_preset("animov-512x")
        with project.transaction() as conn:
            conn.execute("DELETE FROM settings WHERE key = 'frame_step'")
            conn.execute("INSERT INTO settings VALUES ('window_layout', '\"x\"')")  # not ours
        expected = dataclasses.replace(PRESETS["animov-512x"], frame_step=1)
        assert project.settings() == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("train_width", 0, "train_width must be a positive integer"),
        ("n_sample_frames", -3, "n_sample_frames must be a positive integer"),
        ("fps", 23.976, "fps must be a positive integer"),
        ("frame_step", True, "frame_step must be a positive integer"),
        ("train_height", 500, "500 must be a multiple of 8"),
        ("use_bucketing", 1, "use_bucketing must be true or false"),
    ],
)
def test_invalid_settings_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(PRESETS[DEFAULT_PRESET], **{field: value})


def test_settings_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        ProjectSettings(384, 384, 8, 24, 1, "", True, "x")  # type: ignore[misc]


def test_extra_settings_round_trip_and_leave_training_settings_alone(tmp_path: Path) -> None:
    path = tmp_path / "extra.anicurate"
    with Project.open(path, create=True) as project:
        before = project.settings()
        assert project.setting("thresholds", {"cut": 1.0}) == {"cut": 1.0}
        project.set_setting("thresholds", {"cut": 2.5, "motion": 10})
    with Project.open(path) as project:
        assert project.setting("thresholds") == {"cut": 2.5, "motion": 10}
        assert project.settings() == before
