"""One TargetSpec per trainer: the CLI's names, the dialog's labels, each target's folders, frame
rule and writer all come from core/export/targets.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from anicurate.cli import build_parser
from anicurate.core.export.plan import ExportOptions, resolve_settings
from anicurate.core.export.targets import (
    TARGET_NAMES,
    TARGETS,
    FrameRule,
    Target,
    four_k_plus_one,
    target_spec,
)
from anicurate.core.export.writers import WRITERS
from anicurate.core.project.settings import DEFAULT_PRESET, PRESETS, ProjectSettings


def test_cli_names_and_dialog_labels() -> None:
    assert TARGET_NAMES == (
        "t2v-json", "t2v-folder", "t2v-image", "finetrainers", "diffusion-pipe", "musubi",
    )  # fmt: skip
    assert [s.label for s in TARGETS.values()] == [
        "Text-To-Video-Finetuning: JSON",
        "Text-To-Video-Finetuning: folder",
        "Text-To-Video-Finetuning: images",
        "finetrainers",
        "diffusion-pipe",
        "musubi-tuner",
    ]
    assert all(s.summary.endswith(".") for s in TARGETS.values())
    assert [spec.target for spec in TARGETS.values()] == list(Target)


def test_every_target_has_a_writer() -> None:
    assert set(WRITERS) == set(TARGETS)


def test_cli_format_choices_are_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    args = parser.parse_args(["export", "--project", "p", "--format", "musubi", "--out", "o"])
    assert args.format == "musubi"
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["export", "--project", "p", "--format", "kohya", "--out", "o"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'kohya'" in capsys.readouterr().err


def test_layouts() -> None:
    layouts = {t.value: (s.layout.video_dir, s.layout.image_dir, s.layout.chunk)
               for t, s in TARGETS.items()}  # fmt: skip
    assert layouts == {
        "t2v-json": ("videos", "images", False),
        "t2v-folder": ("videos", "images", False),
        "t2v-image": (None, "images", False),
        "finetrainers": ("videos", None, True),
        "diffusion-pipe": ("clips", "clips", False),
        "musubi": ("videos", None, False),
    }


@pytest.mark.parametrize(
    ("target", "n", "step", "expected"),
    [
        ("t2v-json", 16, 3, (16, 46)),
        ("t2v-folder", 16, 3, (16, 16)),
        ("t2v-image", 16, 3, (1, 1)),
        ("finetrainers", 16, 3, (13, 13)),
        ("diffusion-pipe", 17, 1, (17, 17)),
        ("musubi", 3, 1, (5, 5)),
    ],
)
def test_windows(target: str, n: int, step: int, expected: tuple[int, int]) -> None:
    assert target_spec(target).window(n, step) == expected


def test_rules_and_sizes() -> None:
    assert [t for t, s in TARGETS.items() if s.uses_frame_step] == [Target.T2V_JSON]
    four_k = [t for t, s in TARGETS.items() if s.frames is FrameRule.FOUR_K_PLUS_ONE]
    assert four_k == [Target.FINETRAINERS, Target.DIFFUSION_PIPE, Target.MUSUBI]
    assert {t for t, s in TARGETS.items() if s.fixed_size} == {
        Target.FINETRAINERS, Target.T2V_IMAGE,
    }  # fmt: skip
    assert [four_k_plus_one(n) for n in (1, 5, 8, 9, 12, 13)] == [5, 5, 5, 9, 9, 13]
    with pytest.raises(ValueError):
        target_spec("kohya")


def test_planner_settings_follow_the_spec(tmp_path: Path) -> None:
    base = PRESETS[DEFAULT_PRESET].to_dict()
    project = ProjectSettings(**{**base, "use_bucketing": True, "n_sample_frames": 16,
                                 "frame_step": 2})  # fmt: skip
    got = {}
    for target in Target:
        s = resolve_settings(ExportOptions(target=target, out_dir=tmp_path), project)
        got[target.value] = (s.window_frames, s.min_frames, s.keep_aspect)
    assert got == {
        "t2v-json": (16, 31, True),
        "t2v-folder": (16, 16, True),
        "t2v-image": (1, 1, False),
        "finetrainers": (13, 13, False),
        "diffusion-pipe": (13, 13, True),
        "musubi": (13, 13, True),
    }
