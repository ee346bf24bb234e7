"""Bad input is normal input: each kind of broken file gets its MediaError kind, never a crash."""

from __future__ import annotations

import errno
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.media import open_media, probe
from tests.helpers.media_samples import SampleMedia, number_in


def kind_of(path: Path) -> MediaErrorKind:
    with pytest.raises(MediaError) as caught:
        probe(path)
    err = caught.value
    assert err.path == str(path) and str(err) and err.message.startswith(err.kind.value)
    return err.kind


def cut(source: Path, target: Path, fraction: float) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def test_missing_file(tmp_path: Path) -> None:
    assert kind_of(tmp_path / "nope.mp4") is MediaErrorKind.NOT_FOUND


def test_zero_length_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").touch()
    assert kind_of(tmp_path / "empty.mp4") is MediaErrorKind.ZERO_LENGTH


def test_folder(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").mkdir()
    assert kind_of(tmp_path / "clip.mp4") is MediaErrorKind.NOT_MEDIA


def test_permission_denied(
    tmp_path: Path, sample_media: SampleMedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(shutil.copy(sample_media("h264-mp4").path, tmp_path / "locked.mp4"))
    path.chmod(0)
    try:
        path.read_bytes()
        readable = True  # root reads anything: make the OS refuse instead
    except PermissionError:
        readable = False
    if readable:
        real_open = Path.open

        def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self == path:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    assert kind_of(path) is MediaErrorKind.PERMISSION


@pytest.mark.parametrize("suffix", [".mp4", ".gif", ".webp", ".png"])
def test_text_renamed_as_media(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"notes{suffix}"
    path.write_text("these are my notes, not a video\n" * 40)
    assert kind_of(path) is MediaErrorKind.NOT_MEDIA


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.mkv"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 50_000, np.uint8).tobytes())
    assert kind_of(path) is MediaErrorKind.NOT_MEDIA


@pytest.mark.parametrize("name", ["h264-mp4", "h264-mov", "png", "jpg", "bmp"])
def test_cut_in_half_is_truncated(tmp_path: Path, sample_media: SampleMedia, name: str) -> None:
    source = sample_media(name).path
    assert kind_of(cut(source, tmp_path / f"half{source.suffix}", 0.5)) is MediaErrorKind.TRUNCATED


@pytest.mark.parametrize("name", ["gif", "apng", "mpeg4-avi", "vp9-webm", "hevc-mkv", "webp"])
def test_cut_short_keeps_the_frames_that_decode(
    tmp_path: Path, sample_media: SampleMedia, name: str
) -> None:
    # A clip cut short is either refused as TRUNCATED or served with the frames that still
    # decode, each exactly itself; never a garbage frame, never a raw decoder error.
    source = sample_media(name).path
    path = cut(source, tmp_path / f"cut{source.suffix}", 0.6)
    try:
        reader = open_media(path)
    except MediaError as err:
        assert err.kind is MediaErrorKind.TRUNCATED
        return
    with reader:
        n = len(reader.index)
        assert reader.index.truncated and 0 < n < sample_media(name).frames
        assert reader.info.truncated and reader.info.frame_count == n
        frames = list(reader.frames())
        assert [number_in(f) for f in frames] == list(range(n))
        for i in reversed(range(n)):
            assert np.array_equal(reader.frame_at(i), frames[i])


def test_corrupt_mp4_decoder_setup(tmp_path: Path, sample_media: SampleMedia) -> None:
    data = bytearray(sample_media("h264-mp4").path.read_bytes())
    avcc = data.find(b"avcC")
    size = int.from_bytes(data[avcc - 4 : avcc], "big")
    data[avcc + 10 : avcc - 4 + size] = bytes(size - 14)  # the H.264 parameter sets are gone
    (tmp_path / "broken.mp4").write_bytes(bytes(data))
    assert kind_of(tmp_path / "broken.mp4") is MediaErrorKind.CORRUPT


def test_corrupt_png(tmp_path: Path, sample_media: SampleMedia) -> None:
    data = bytearray(sample_media("png").path.read_bytes())
    data[40:-12] = bytes(len(data) - 52)  # image data zeroed; signature and IEND intact
    (tmp_path / "broken.png").write_bytes(bytes(data))
    assert kind_of(tmp_path / "broken.png") is MediaErrorKind.CORRUPT


@pytest.mark.parametrize(
    ("name", "codec_id", "unknown"),
    [("mpeg4-avi", b"FMP4", b"ZQZQ"), ("hevc-mkv", b"V_MPEGH/ISO/HEVC", b"V_MPEGH/ISO/ZZZZ")],
)
def test_unsupported_codec(
    tmp_path: Path, sample_media: SampleMedia, name: str, codec_id: bytes, unknown: bytes
) -> None:
    source = sample_media(name).path
    data = source.read_bytes()
    assert codec_id in data
    path = tmp_path / f"unknown{source.suffix}"
    path.write_bytes(data.replace(codec_id, unknown))
    assert kind_of(path) is MediaErrorKind.UNSUPPORTED_CODEC


@pytest.mark.parametrize("suffix", [".mkv", ".mp4"])
def test_container_without_frames(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"nothing{suffix}"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        container.start_encoding()
    assert kind_of(path) is MediaErrorKind.NO_FRAMES


def test_audio_only(tmp_path: Path) -> None:
    path = tmp_path / "sound.m4a"
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=48000)
        for i in range(10):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 48000, i * 1024
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    assert kind_of(path) is MediaErrorKind.NO_FRAMES


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot remove an open file")
def test_file_removed_while_reading(tmp_path: Path, sample_media: SampleMedia) -> None:
    path = Path(shutil.copy(sample_media("gif").path, tmp_path / "gone.gif"))
    with open_media(path, cache_bytes=0) as reader:
        assert number_in(reader.frame_at(20)) == 20
        path.unlink()
        assert number_in(reader.frame_at(21)) == 21  # the open file still reads on
        with pytest.raises(MediaError) as caught:
            reader.frame_at(3)  # a GIF restarts from its first frame: the file must be reopened
    assert caught.value.kind is MediaErrorKind.NOT_FOUND


@pytest.mark.parametrize("name", ["h264-mp4", "hevc-mkv", "vp9-webm", "gif", "apng", "webp"])
def test_damaged_bytes_never_escape_as_raw_decoder_errors(
    tmp_path: Path, sample_media: SampleMedia, name: str
) -> None:
    source = sample_media(name).path
    clean = source.read_bytes()
    for seed in range(4):
        rng = random.Random(seed)
        data = bytearray(clean)
        start = rng.randrange(len(data) // 4, len(data) - 64)
        data[start : start + 48] = bytes(rng.randrange(256) for _ in range(48))
        path = tmp_path / f"damaged{seed}{source.suffix}"
        path.write_bytes(bytes(data))
        try:
            with open_media(path, cache_bytes=0) as reader:
                n = len(reader.index)
                assert len(list(reader.frames())) == n
                for i in (n - 1, 0, n // 2):
                    assert reader.frame_at(i).shape == (reader.info.height, reader.info.width, 3)
        except MediaError:
            pass  # a typed, explained refusal is fine
