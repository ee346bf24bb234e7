"""Pure parts of tagging: vocabulary, preprocessing, frame sampling, merging, thresholds and MCut,
blacklist, rating, captions. Exact values throughout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anicurate.core.tagging.caption import build_caption
from anicurate.core.tagging.merge import mcut_threshold, merge_scores, select_tags
from anicurate.core.tagging.options import TaggingOptions
from anicurate.core.tagging.preprocess import crop, preprocess
from anicurate.core.tagging.sampling import (
    Sampling,
    evenly_spaced,
    every_kth,
    per_shot,
    sample_frames,
)
from anicurate.core.tagging.vocabulary import (
    KAOMOJI,
    display_name,
    load_vocabulary,
)
from tests.helpers.tagger_samples import write_tags_csv

TAGS = (
    ("general", 9, 0), ("sensitive", 9, 0), ("questionable", 9, 0), ("explicit", 9, 0),
    ("1girl", 0, 900), ("smile", 0, 800), ("looking_at_viewer", 0, 700), ("^_^", 0, 50),
    ("open_mouth", 0, 600), ("simple_background", 0, 500), ("hatsune_miku", 4, 90),
    ("kagamine_rin", 4, 80),
)  # fmt: skip


@pytest.fixture
def vocab_path(tmp_path: Path) -> Path:
    return write_tags_csv(tmp_path / "selected_tags.csv", TAGS)


def scores(**named: float) -> np.ndarray:
    out = np.zeros(len(TAGS), np.float32)
    for i, (name, _, _) in enumerate(TAGS):
        out[i] = named.get(name.replace("^_^", "kaomoji"), 0.0)
    return out


# -- vocabulary -----------------------------------------------------------------------------


def test_vocabulary_categories_underscores_and_kaomoji(vocab_path: Path) -> None:
    vocab = load_vocabulary(vocab_path)
    assert len(vocab) == 12
    assert vocab.indices(9).tolist() == [0, 1, 2, 3]
    assert vocab.indices(0).tolist() == [4, 5, 6, 7, 8, 9]
    assert vocab.indices(4).tolist() == [10, 11]
    assert vocab.display[6] == "looking at viewer" and vocab.display[7] == "^_^"
    assert vocab.names[6] == "looking_at_viewer"
    assert display_name("||_||") == "||_||" and display_name("x_x") == "x_x"
    assert display_name("hatsune_miku_(append)") == "hatsune miku (append)"
    assert len(KAOMOJI) == 19
    assert vocab.category_of("Looking_At_Viewer") == "general"
    assert vocab.category_of("hatsune miku") == "character"
    assert vocab.category_of("not a tag") is None


def test_autocomplete_is_by_prefix_most_common_first_and_skips_ratings(vocab_path: Path) -> None:
    vocab = load_vocabulary(vocab_path)
    assert vocab.complete("s") == ["smile", "simple background"]  # not the rating "sensitive"
    assert vocab.complete("looking_") == ["looking at viewer"]
    assert vocab.complete("", limit=3) == ["1girl", "smile", "looking at viewer"]


# -- preprocessing --------------------------------------------------------------------------


def test_preprocess_pads_white_centred_and_flips_to_bgr() -> None:
    rgb = np.zeros((32, 64, 3), np.uint8)
    rgb[:] = (200, 100, 50)
    out = preprocess(rgb, 64)
    assert out.dtype == np.float32 and out.shape == (64, 64, 3)
    assert out[:16].min() == 255 and out[48:].min() == 255  # white bands above and below
    assert out[16:48].reshape(-1, 3).tolist() == [[50.0, 100.0, 200.0]] * (32 * 64)


def test_preprocess_resizes_to_the_side_down_and_up() -> None:
    rgb = np.full((300, 150, 3), 90, np.uint8)
    down = preprocess(rgb, 64)
    assert down.shape == (64, 64, 3)
    assert down[:, :16].min() == 255 and down[:, 48:].min() == 255  # 150x300 -> 32x64 centred
    assert np.all(down[:, 16:48] == 90)
    up = preprocess(np.full((8, 8, 3), 7, np.uint8), 64)
    assert np.all(up == 7)


def test_alpha_is_composited_onto_white() -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255  # red
    rgba[:2, ..., 3] = 255  # top half opaque, bottom half transparent
    out = preprocess(rgba, 4)
    assert out[0, 0].tolist() == [0.0, 0.0, 255.0]  # BGR red
    assert out[3, 0].tolist() == [255.0, 255.0, 255.0]
    half = rgba.copy()
    half[..., 3] = 128
    assert preprocess(half, 4)[0, 0].tolist() == [127.0, 127.0, 255.0]


def test_crop_takes_the_clip_box_clamped() -> None:
    frame = np.arange(10 * 12 * 3, dtype=np.uint16).reshape(10, 12, 3)
    assert crop(frame, None) is frame
    assert crop(frame, (2, 3, 4, 5)).shape == (5, 4, 3)
    assert crop(frame, (10, 8, 50, 50)).shape == (2, 2, 3)


# -- sampling -------------------------------------------------------------------------------


def test_even_sampling_takes_the_middles_of_equal_parts() -> None:
    assert evenly_spaced(0, 99, 4) == [12, 37, 62, 87]
    assert evenly_spaced(10, 17, 8) == list(range(10, 18))
    assert evenly_spaced(5, 7, 8) == [5, 6, 7]  # shorter than N: every frame once
    assert evenly_spaced(0, 0, 3) == [0]


def test_every_kth_and_its_cap() -> None:
    assert every_kth(3, 20, 5) == [3, 8, 13, 18]
    assert every_kth(0, 99, 1, max_frames=4) == [12, 37, 62, 87]


def test_per_shot_sampling_uses_the_shots_inside_the_clip() -> None:
    # shots start at 0, 30, 40 (source frames); the clip is 10..59
    assert per_shot(10, 59, [0, 30, 40, 80]) == [20, 35, 50]
    assert per_shot(10, 59, [30, 40], per=2) == [15, 25, 32, 37, 45, 55]
    shots = Sampling(mode="shots", per_shot=1)
    assert sample_frames(10, 59, shots, None) == [35]  # no analysis: one shot
    assert sample_frames(0, 99, Sampling()) == evenly_spaced(0, 99, 8)
    assert sample_frames(0, 20, Sampling(mode="step", step=10)) == [0, 10, 20]


def test_sampling_options_validate_and_round_trip() -> None:
    with pytest.raises(ValueError, match="sampling mode"):
        Sampling(mode="random")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count"):
        Sampling(count=0)
    opts = TaggingOptions(sampling=Sampling(mode="step", step=3), merge="max", blacklist=("a",))
    assert TaggingOptions.from_dict(opts.to_dict()) == opts
    assert TaggingOptions.from_dict({}) == TaggingOptions()


# -- merging and selection ------------------------------------------------------------------


def test_mean_and_max_merge() -> None:
    frames = np.array([[0.9, 0.1], [0.1, 0.1], [0.2, 0.4]], np.float32)
    np.testing.assert_allclose(merge_scores(frames, "mean"), [0.4, 0.2], atol=1e-7)
    np.testing.assert_allclose(merge_scores(frames, "max"), [0.9, 0.4], atol=1e-7)
    with pytest.raises(ValueError, match="mean or max"):
        merge_scores(frames, "median")


def test_thresholds_are_strict_and_separate_for_characters(vocab_path: Path) -> None:
    vocab = load_vocabulary(vocab_path)
    s = scores(smile=0.9, looking_at_viewer=0.35, open_mouth=0.36, hatsune_miku=0.84,
               kagamine_rin=0.86, general=0.7, sensitive=0.3)  # fmt: skip
    result = select_tags(s, vocab, TaggingOptions())
    assert result.names == ["kagamine rin", "smile", "open mouth"]
    assert [t.category for t in result.tags] == ["character", "general", "general"]
    assert result.rating == pytest.approx(
        {"general": 0.7, "sensitive": 0.3, "questionable": 0.0, "explicit": 0.0}
    )
    assert result.top_rating == "general"
    low = select_tags(s, vocab, TaggingOptions(character_threshold=0.5, general_threshold=0.3))
    assert low.names == ["kagamine rin", "hatsune miku", "smile", "open mouth",
                         "looking at viewer"]  # fmt: skip


def test_mcut_threshold_is_the_middle_of_the_largest_gap(vocab_path: Path) -> None:
    assert mcut_threshold(np.array([0.9, 0.85, 0.3, 0.2], np.float32)) == pytest.approx(0.575)
    assert mcut_threshold(np.array([0.1, 0.95, 0.9, 0.7], np.float32)) == pytest.approx(0.4)
    vocab = load_vocabulary(vocab_path)
    # general: 0.95, 0.9, 0.8 | 0.36, 0.2, 0.1 -> cut at 0.58; 0.36 passes the fixed 0.35
    s = scores(**{"1girl": 0.95, "smile": 0.9, "open_mouth": 0.8, "looking_at_viewer": 0.2,
                  "simple_background": 0.1, "kaomoji": 0.36})  # fmt: skip
    assert select_tags(s, vocab, TaggingOptions()).names == [
        "1girl", "smile", "open mouth", "^_^"
    ]  # fmt: skip
    assert select_tags(s, vocab, TaggingOptions(general_mcut=True)).names == [
        "1girl", "smile", "open mouth"
    ]  # fmt: skip
    # characters: MCut would cut at (0.12 + 0.02) / 2 = 0.07; the floor 0.15 keeps it out
    c = scores(hatsune_miku=0.12, kagamine_rin=0.02)
    assert select_tags(c, vocab, TaggingOptions(character_mcut=True)).names == []
    c = scores(hatsune_miku=0.7, kagamine_rin=0.1)  # cut at 0.4 (below the fixed 0.85)
    assert select_tags(c, vocab, TaggingOptions(character_mcut=True)).names == ["hatsune miku"]


def test_blacklist_matches_either_spelling(vocab_path: Path) -> None:
    vocab = load_vocabulary(vocab_path)
    s = scores(**{"1girl": 0.9, "smile": 0.8, "simple_background": 0.7})
    opts = TaggingOptions(blacklist=("simple_background", "1GIRL"))
    assert select_tags(s, vocab, opts).names == ["smile"]
    assert select_tags(s, vocab, TaggingOptions(blacklist=("simple background",))).names == [
        "1girl", "smile"
    ]  # fmt: skip


def test_underscores_can_be_kept(vocab_path: Path) -> None:
    vocab = load_vocabulary(vocab_path)
    s = scores(looking_at_viewer=0.9)
    assert select_tags(s, vocab, TaggingOptions()).names == ["looking at viewer"]
    assert select_tags(s, vocab, TaggingOptions(replace_underscores=False)).names == [
        "looking_at_viewer"
    ]


# -- captions -------------------------------------------------------------------------------


def test_caption_puts_the_trigger_first_once() -> None:
    assert build_caption(["1girl", "smile"], "anime") == "anime, 1girl, smile"
    assert build_caption(["1girl", "anime", "smile", "Smile"], "anime") == "anime, 1girl, smile"
    assert build_caption(["1girl"], "") == "1girl"
    assert build_caption(["hatsune miku (append)"], "", escape_parens=True) == (
        "hatsune miku \\(append\\)"
    )
