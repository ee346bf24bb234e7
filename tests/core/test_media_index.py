"""The frame index: display order, times and keyframes from demuxing, and the decode fallback."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from anicurate.core.errors import FrameOutOfRange
from anicurate.core.media import FrameIndex, open_media
from tests.helpers.media_samples import (
    ANIMATED_NAMES,
    SAMPLE_NAMES,
    VIDEO_NAMES,
    SampleMedia,
    number_in,
    reference_frames,
    write_elementary,
)


def gif_like() -> FrameIndex:
    """Four frames shown 30, 50, 100 and 20 ms, keyframes at 0 and 2."""
    return FrameIndex(
        np.array([0, 3, 8, 18]), np.array([True, False, True, False]), Fraction(1, 100),
        last_duration=2,
    )  # fmt: skip


def test_times_and_durations_come_from_the_timestamps() -> None:
    index = gif_like()
    assert len(index) == 4
    np.testing.assert_allclose(index.times, [0.0, 0.03, 0.08, 0.18])
    np.testing.assert_allclose(index.durations, [0.03, 0.05, 0.10, 0.02])
    assert index.duration == pytest.approx(0.20)
    assert index.time_of(2) == pytest.approx(0.08)
    assert index.vfr


def test_frame_at_time_is_the_frame_on_screen() -> None:
    index = gif_like()
    assert [index.frame_at_time(t) for t in (-1.0, 0.0, 0.0299, 0.03, 0.179, 0.18, 9.0)] == [
        0, 0, 0, 1, 2, 3, 3,
    ]  # fmt: skip


def test_keyframe_lookups() -> None:
    index = gif_like()
    assert [index.keyframe_at_or_before(i) for i in range(4)] == [0, 0, 2, 2]
    assert index.keyframe_before(2) == 0 and index.keyframe_before(0) is None
    assert index.keyframes.tolist() == [0, 2]


@pytest.mark.parametrize("i", [-1, 4, 100])
def test_frames_outside_the_index_are_out_of_range(i: int) -> None:
    with pytest.raises(FrameOutOfRange):
        gif_like().time_of(i)
    with pytest.raises(IndexError):  # FrameOutOfRange is an IndexError too
        gif_like().keyframe_at_or_before(i)


def test_first_frame_is_always_a_place_to_start_decoding() -> None:
    index = FrameIndex(np.array([5, 6, 7]), np.array([False, False, True]), Fraction(1, 10))
    assert index.keyframes.tolist() == [0, 2]
    assert index.times.tolist() == pytest.approx([0.0, 0.1, 0.2])
    assert index.durations[-1] == pytest.approx(0.1)  # no packet duration: the typical one


def test_millisecond_rounding_is_not_variable_frame_rate() -> None:
    # 24 fps in Matroska's 1 ms time base: steps of 42 and 41 ticks.
    pts = np.array([0, 42, 83, 125, 167, 208, 250])
    assert not FrameIndex(pts, np.ones(7, bool), Fraction(1, 1000), last_duration=42).vfr
    held = np.array([0, 42, 125, 167, 250, 292, 333])  # some frames held for two
    assert FrameIndex(held, np.ones(7, bool), Fraction(1, 1000), last_duration=42).vfr


def test_head_and_tail_keep_the_timing() -> None:
    index = gif_like()
    head = index.head(2, truncated=True)
    assert len(head) == 2 and head.truncated and not index.truncated
    assert head.durations.tolist() == pytest.approx([0.03, 0.05])
    tail = index.tail(1)
    assert tail.times.tolist() == pytest.approx([0.0, 0.05, 0.15])
    assert tail.index_of_pts(8) == 1 and tail.index_of_pts(0) is None


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_index_has_one_entry_per_frame_a_decoder_yields(
    sample_media: SampleMedia, name: str
) -> None:
    sample = sample_media(name)
    with open_media(sample.path) as reader:
        assert len(reader.index) == len(reference_frames(sample.path)) == sample.frames
        assert not reader.index.from_decode  # demuxed, not decoded
        assert np.all(np.diff(reader.index.pts) > 0)


@pytest.mark.parametrize("name", VIDEO_NAMES)
def test_video_keyframes_are_where_the_encoder_put_them(
    sample_media: SampleMedia, name: str
) -> None:
    sample = sample_media(name)
    with open_media(sample.path) as reader:
        keys = reader.index.keyframes.tolist()
    if sample.keyframe_every is not None:
        assert keys == list(range(0, sample.frames, sample.keyframe_every))
    else:
        assert keys[0] == 0


@pytest.mark.parametrize("name", ["h264-open-gop-mp4", "hevc-mkv"])
def test_open_gop_samples_have_leading_pictures(sample_media: SampleMedia, name: str) -> None:
    # Frames decoded after a keyframe but shown before it: what makes seeking there tricky.
    path = sample_media(name).path
    with av.open(str(path)) as container:
        packets = [(p.pts, p.is_keyframe) for p in container.demux(container.streams.video[0])]
    decode_order = [(pts, key) for pts, key in packets if pts is not None]
    keys = [k for k, (_, key) in enumerate(decode_order) if key][1:]
    assert keys and all(decode_order[k + 1][0] < decode_order[k][0] for k in keys)


@pytest.mark.parametrize("name", ANIMATED_NAMES)
def test_compositing_animations_start_decoding_only_at_frame_0(
    sample_media: SampleMedia, name: str
) -> None:
    with open_media(sample_media(name).path) as reader:
        assert reader.index.keyframes.tolist() == [0]


@pytest.mark.parametrize(
    ("file_name", "container_format"), [("raw.h264", "h264"), ("bframes.avi", "avi")]
)
def test_without_usable_timestamps_the_index_comes_from_decoding(
    tmp_path: Path, file_name: str, container_format: str
) -> None:
    # Raw H.264 has no pts at all; AVI stamps packets in decode order, which B-frames reorder.
    path = write_elementary(tmp_path / file_name, 30, container_format=container_format)
    with av.open(str(path)) as container:
        packet_pts = [p.pts for p in container.demux(container.streams.video[0]) if p.size]
    stamps = [p for p in packet_pts if p is not None]
    assert len(stamps) < len(packet_pts) or stamps == sorted(stamps)
    reference = reference_frames(path)
    with open_media(path) as reader:
        assert reader.index.from_decode
        assert len(reader.index) == len(reference) == 30
        assert reader.info.fps == 24 and not reader.info.vfr
        assert reader.index.times.tolist() == pytest.approx([i / 24 for i in range(30)])
        order = [29, 3, 17, 0, 28, 12, 5, 5, 22]
        for i in order:
            rgb = reader.frame_at(i)
            assert np.array_equal(rgb, reference[i]) and number_in(rgb) == i
        assert [number_in(f) for f in reader.frames()] == list(range(30))
