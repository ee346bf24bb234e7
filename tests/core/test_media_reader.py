"""Frame-exact reading: frame_at(i) is the i-th frame a sequential decode yields, in any order."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from anicurate.core.errors import FrameOutOfRange
from anicurate.core.media import DEFAULT_CACHE_BYTES, MediaKind, open_media, write_video
from tests.helpers.media_samples import (
    HEIGHT,
    SAMPLE_NAMES,
    WIDTH,
    SampleMedia,
    number_in,
    pattern,
    reference_frames,
)

FRAME_BYTES = WIDTH * HEIGHT * 3


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sequential_frames_are_the_decoders_frames(sample_media: SampleMedia, name: str) -> None:
    sample = sample_media(name)
    reference = reference_frames(sample.path)
    with open_media(sample.path) as reader:
        frames = list(reader.frames())
    assert len(frames) == len(reference) == sample.frames
    for i, (got, want) in enumerate(zip(frames, reference, strict=True)):
        assert got.dtype == np.uint8 and got.shape == (HEIGHT, WIDTH, 3)
        assert np.array_equal(got, want), f"frame {i} differs from the decoder's"
    assert [number_in(f) for f in frames] == list(range(sample.frames))


@pytest.mark.parametrize("cache_bytes", [0, DEFAULT_CACHE_BYTES], ids=["no-cache", "cache"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_frame_at_in_random_order_and_backwards(
    sample_media: SampleMedia, name: str, cache_bytes: int
) -> None:
    sample = sample_media(name)
    reference = reference_frames(sample.path)
    n = sample.frames
    order = list(range(n))
    random.Random(n).shuffle(order)
    order += list(reversed(range(n)))
    with open_media(sample.path, cache_bytes=cache_bytes) as reader:
        assert len(reader) == n
        for i in order:
            rgb = reader.frame_at(i)
            assert np.array_equal(rgb, reference[i]), f"frame_at({i}) is not frame {i}"
            assert number_in(rgb) == i


@pytest.mark.parametrize("name", ["h264-mp4", "hevc-mkv", "gif", "webp"])
def test_sub_ranges_and_interleaved_random_access(sample_media: SampleMedia, name: str) -> None:
    sample = sample_media(name)
    reference = reference_frames(sample.path)
    n = sample.frames
    with open_media(sample.path, cache_bytes=0) as reader:
        got = list(reader.frames(n // 3, n // 3 + 7))
        assert [number_in(f) for f in got] == list(range(n // 3, n // 3 + 7))
        assert list(reader.frames(n - 2, n + 10))[-1].tolist() == reference[-1].tolist()
        # frame_at between the steps of a sequential read moves the decoder; the read goes on.
        seen = []
        for k, rgb in enumerate(reader.frames(2)):
            seen.append(number_in(rgb))
            if k % 4 == 0:
                assert number_in(reader.frame_at((k * 7) % n)) == (k * 7) % n
        assert seen == list(range(2, n))


def test_stepping_back_inside_a_cached_gop_decodes_nothing(sample_media: SampleMedia) -> None:
    sample = sample_media("h264-mp4")  # keyframes at 0, 25, 50
    with open_media(sample.path) as reader:
        assert number_in(reader.frame_at(45)) == 45
        decoded = reader.decoded_count
        assert decoded >= 45 - 25 + 1
        for i in range(44, 24, -1):
            assert number_in(reader.frame_at(i)) == i
        assert reader.decoded_count == decoded


def test_a_small_cache_still_serves_backward_steps_exactly(sample_media: SampleMedia) -> None:
    sample = sample_media("h264-mp4")
    with open_media(sample.path, cache_bytes=5 * FRAME_BYTES) as reader:
        reader.frame_at(49)
        decoded = reader.decoded_count
        for i in range(48, 44, -1):  # 45..49 fill the 5-frame cache...
            assert number_in(reader.frame_at(i)) == i
        assert reader.decoded_count == decoded
        assert number_in(reader.frame_at(30)) == 30  # ...earlier ones decode again, exactly
        assert reader.decoded_count > decoded
        assert reader.cache.nbytes <= 5 * FRAME_BYTES


def test_seeking_decodes_from_the_nearest_keyframe_only(sample_media: SampleMedia) -> None:
    sample = sample_media("h264-mp4")
    with open_media(sample.path, threads=1) as reader:
        assert number_in(reader.frame_at(35)) == 35
        assert reader.decoded_count <= 35 - 25 + 1 + 3  # GOP start to target, plus reordering


def test_stepping_forward_decodes_one_frame_per_step(sample_media: SampleMedia) -> None:
    sample = sample_media("h264-mp4")
    with open_media(sample.path, threads=1) as reader:
        reader.frame_at(27)
        decoded = reader.decoded_count
        for i in range(28, 48):  # crosses no keyframe: no seek, no decoding twice
            assert number_in(reader.frame_at(i)) == i
        assert reader.decoded_count - decoded <= 20


@pytest.mark.parametrize("name", ["h264-mp4", "webp", "png"])
def test_frame_at_arrays_are_shared_and_read_only(sample_media: SampleMedia, name: str) -> None:
    with open_media(sample_media(name).path) as reader:
        first = reader.frame_at(0)
        assert reader.frame_at(0) is first
        with pytest.raises(ValueError):
            first[0, 0, 0] = 1
        own = next(reader.frames(0, 1))
        own[0, 0, 0] = 1  # frames() hands out the caller's own arrays
        assert own.flags.c_contiguous and first.flags.c_contiguous


@pytest.mark.parametrize("name", ["h264-mp4", "gif", "png"])
def test_thumbnail_keeps_aspect_and_shows_a_middle_frame(
    sample_media: SampleMedia, name: str
) -> None:
    sample = sample_media(name)
    with open_media(sample.path) as reader:
        assert reader.thumbnail(max_side=48).shape == (32, 48, 3)
        assert reader.thumbnail().shape == (HEIGHT, WIDTH, 3)  # never enlarged
        middle = number_in(reader.thumbnail())
        assert sample.frames // 4 <= middle <= 3 * sample.frames // 4 or sample.frames == 1
        small = reader.thumbnail(max_side=24, frame=0)
        want = cv2.resize(pattern(0), (24, 16), interpolation=cv2.INTER_AREA)
        assert np.abs(small.astype(int) - want.astype(int)).mean() < 12


@pytest.mark.parametrize("flat", [0, 255])
def test_thumbnail_skips_a_flat_middle_frame(tmp_path: Path, flat: int) -> None:
    # A flash (white) or the black of a fade in the middle says nothing about the clip.
    frames = [pattern(i) for i in range(30)]
    for i in range(12, 19):
        frames[i] = np.full_like(frames[i], flat)
    path = write_video(tmp_path / "flash.mp4", frames, 24, gop=30)
    with open_media(path) as reader:
        thumb = reader.thumbnail()
        assert thumb.std() > 20
        assert number_in(thumb) in (10, 20)  # the n//3 and 2n//3 candidates


@pytest.mark.parametrize("container", ["mp4", "mkv", "mov", "webm"])
@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_video_comes_out_upright(tmp_path: Path, container: str, rotation: int) -> None:
    # The encoder stores frames turned counter-clockwise; the display matrix says "turn them
    # clockwise by ``rotation``", as phones do for portrait video.
    undo = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    stored = [cv2.rotate(pattern(i), undo[rotation]) for i in range(12)]
    codec = "libvpx-vp9" if container == "webm" else "libx264"
    path = write_video(
        tmp_path / f"rotated.{container}", stored, 24, codec=codec, gop=5, rotation=rotation
    )
    with open_media(path) as reader:
        assert reader.info.rotation == rotation
        assert (reader.info.width, reader.info.height) == (WIDTH, HEIGHT)
        for i in [7, 2, 11, 0, 6]:
            assert number_in(reader.frame_at(i)) == i  # upright: size, red corner and bits
        assert [number_in(f) for f in reader.frames()] == list(range(12))
        assert reader.thumbnail(max_side=48).shape == (32, 48, 3)


@pytest.mark.parametrize("suffix", [".jpg", ".webp"])
def test_exif_orientation_turns_stills_upright(tmp_path: Path, suffix: str) -> None:
    stored = Image.fromarray(cv2.rotate(pattern(9), cv2.ROTATE_90_COUNTERCLOCKWISE))
    exif = stored.getexif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to view"
    path = tmp_path / f"portrait{suffix}"
    stored.save(path, exif=exif, quality=95, lossless=True)
    with open_media(path) as reader:
        assert reader.info.kind is MediaKind.STILL and reader.info.rotation == 90
        assert (reader.info.width, reader.info.height) == (WIDTH, HEIGHT)
        assert number_in(reader.frame_at(0)) == 9


def test_out_of_range_and_closed_reader(sample_media: SampleMedia) -> None:
    sample = sample_media("gif")
    reader = open_media(sample.path)
    with reader:
        for i in (-1, sample.frames):
            with pytest.raises(FrameOutOfRange):
                reader.frame_at(i)
        with pytest.raises(FrameOutOfRange):
            next(reader.frames(sample.frames + 1))
    with pytest.raises(ValueError, match="closed"):
        reader.frame_at(0)


def test_times_follow_the_index_for_a_gif(sample_media: SampleMedia) -> None:
    sample = sample_media("gif")
    assert sample.delays_ms is not None
    with open_media(sample.path) as reader:
        starts = np.cumsum((0, *sample.delays_ms[:-1])) / 1000
        for i in (0, 3, 17):
            t = float(starts[i]) + 0.005
            assert reader.index.frame_at_time(t) == i
            assert number_in(reader.frame_at(reader.index.frame_at_time(t))) == i


def test_a_seek_that_lands_past_the_frame_goes_one_keyframe_earlier(tmp_path: Path) -> None:
    # AVI seeks by decode time: with an I-frame every 3 frames and 2 B-frames, seeking to an
    # I-frame's pts lands on the next one. The reader must notice, go earlier, and remember.
    path = write_video(
        tmp_path / "short_gops.avi", [pattern(i) for i in range(30)], 25,
        codec="mpeg4", gop=3, bframes=2,
    )  # fmt: skip
    order = list(range(30))
    random.Random(3).shuffle(order)
    with open_media(path, cache_bytes=0) as reader:
        assert len(reader.index.keyframes) > 5
        for i in order + order[::-1]:
            assert number_in(reader.frame_at(i)) == i
        assert reader._seek_instead  # the late landings were remembered
