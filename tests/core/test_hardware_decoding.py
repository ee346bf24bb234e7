"""Hardware decoding (NVDEC): the CPU fallback is exact and reported once, "auto" leaves small
sources on the CPU without a device start, a failed start is not tried again, NV12 planes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from av.codec.hwaccel import HWAccel

from anicurate.cli import main
from anicurate.core.analysis import detect
from anicurate.core.analysis.signals import SignalComputer, _planes_of, decode_signals
from anicurate.core.media import hardware
from anicurate.core.media.decode import AvCursor
from anicurate.core.media.hardware import Decoding
from anicurate.core.media.probe import inspect_source
from tests.helpers.analysis_samples import DAY, DUSK, NIGHT, Layout, Timeline

FALLBACK_LINE = "hardware decoding (CUDA) was unavailable"


@pytest.fixture(autouse=True)
def fresh_memo() -> Iterator[None]:
    hardware.forget_failures()
    yield
    hardware.forget_failures()


@pytest.fixture
def no_device(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a CUDA device really starts, make it fail as it does on a machine without one."""
    if hardware.probe_device("cuda") is None:

        def refuse(path: str, hwaccel: HWAccel) -> av.container.InputContainer:
            raise PermissionError(1, "Operation not permitted (simulated: no GPU)")

        monkeypatch.setattr(hardware, "open_on_device", refuse)


@pytest.fixture
def looks_like_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """FFmpeg has CUDA and a driver seems to be there: "auto" would use a device if it chose."""
    monkeypatch.setattr(hardware, "device_types", lambda: ["cuda"])
    monkeypatch.setattr(hardware, "driver_present", lambda: True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 1280x720 clip with cuts at 20 and 36, and a small 320x180 one with a cut at 10."""
    folder = tmp_path_factory.mktemp("hw")
    hd = Timeline(w=1280, h=720)
    hd.shot(20, DAY, Layout(pan=0, figure_x=0.2))
    hd.shot(16, NIGHT, Layout(figure_x=0.4))
    hd.shot(12, DUSK, Layout(figure_x=0.6, scale=0.8))
    small = Timeline()
    small.shot(10, DAY)
    small.shot(10, NIGHT, Layout(figure_x=0.6))
    return hd.write(folder / "hd.mp4"), small.write(folder / "small.mp4")


def test_cuda_without_a_device_gives_exactly_the_cpu_signals_and_says_why(
    clips: tuple[Path, Path], no_device: None
) -> None:
    hd, _ = clips
    _, on_cpu, cpu_used = decode_signals(hd, decoder="cpu")
    _, asked, used = decode_signals(hd, decoder="cuda")
    assert cpu_used == Decoding("cpu", None)
    assert used.decoder == "cpu"
    assert used.fallback is not None and "device did not start" in used.fallback
    assert "PermissionError" in used.fallback
    np.testing.assert_array_equal(asked.values, on_cpu.values)  # NaNs in the same places
    np.testing.assert_array_equal(asked.hashes, on_cpu.hashes)
    assert detect(asked).cuts == detect(on_cpu).cuts == [20, 36]


def test_cli_cuda_falls_back_with_one_line_for_all_files(
    clips: tuple[Path, Path], no_device: None, capsys: pytest.CaptureFixture[str]
) -> None:
    hd, small = clips
    assert main(["analyze", "-q", "--json", "--decoder", "cpu", str(hd), str(small)]) == 0
    out, err = capsys.readouterr()
    cpu_rows = [json.loads(line) for line in out.splitlines()]
    assert [r["decoder"] for r in cpu_rows] == ["cpu", "cpu"]
    assert [r["decoder_fallback"] for r in cpu_rows] == [None, None]
    assert FALLBACK_LINE not in err

    assert main(["analyze", "-q", "--json", "--decoder", "cuda", str(hd), str(small)]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["decoder"] for r in rows] == ["cpu", "cpu"]
    assert all("device did not start" in r["decoder_fallback"] for r in rows)
    assert [r["cuts"] for r in rows] == [r["cuts"] for r in cpu_rows] == [[20, 36], [10]]
    notes = [line for line in err.splitlines() if FALLBACK_LINE in line]
    assert len(notes) == 1
    assert "device did not start" in notes[0]
    assert notes[0].endswith("Decoding ran on the CPU for 2 files.")


def test_auto_keeps_small_and_short_sources_on_the_cpu_without_a_device_start(
    clips: tuple[Path, Path], looks_like_gpu: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_start(path: str, hwaccel: HWAccel) -> av.container.InputContainer:
        raise AssertionError("auto must not start a device for this source")

    monkeypatch.setattr(hardware, "open_on_device", no_start)
    for clip in clips:  # 320x180, and 1280x720 but only 48 frames
        _, _, used = decode_signals(clip, decoder="auto")
        assert used == Decoding("cpu", None)
    assert hardware.plan("auto", 1920, 1080, 240) == Decoding("cuda")
    assert hardware.plan("auto", 720, 1280, 240) == Decoding("cuda")  # portrait HD
    assert hardware.plan("auto", 1920, 1080, 239) == Decoding("cpu")
    assert hardware.plan("auto", 960, 540, 5000) == Decoding("cpu")
    assert hardware.plan("cpu", 1920, 1080, 5000) == Decoding("cpu")


def test_auto_needs_ffmpegs_cuda_type_and_a_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hardware, "device_types", lambda: ["vaapi"])
    monkeypatch.setattr(hardware, "driver_present", lambda: True)
    assert hardware.plan("auto", 1920, 1080, 1000) == Decoding("cpu")
    cuda = hardware.plan("cuda", 1920, 1080, 1000)
    assert cuda == Decoding("cpu", "this FFmpeg build has no CUDA device type")
    monkeypatch.setattr(hardware, "device_types", lambda: ["cuda"])
    monkeypatch.setattr(hardware, "driver_present", lambda: False)
    assert hardware.plan("auto", 1920, 1080, 1000) == Decoding("cpu")
    assert hardware.plan("cuda", 1920, 1080, 1000) == Decoding("cuda")  # asked: it is tried


def test_a_failed_device_start_is_not_tried_again(
    clips: tuple[Path, Path], looks_like_gpu: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[str] = []

    def fail(path: str, hwaccel: HWAccel) -> av.container.InputContainer:
        starts.append(path)
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(hardware, "open_on_device", fail)
    hd, small = clips
    first = decode_signals(hd, decoder="cuda")[2]
    second = decode_signals(small, decoder="cuda")[2]
    assert starts == [str(hd)]
    assert first == second
    assert first.fallback is not None and first.fallback.startswith("the CUDA device did not start")
    # and "auto" on a source it would send to the GPU reports the remembered reason
    assert hardware.plan("auto", 1920, 1080, 1000) == Decoding("cpu", first.fallback)


def test_a_stream_the_device_cannot_decode_opens_on_the_cpu(
    clips: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A device that "starts" but leaves the stream without a hardware decoder (as for a GIF).
    monkeypatch.setattr(hardware, "open_on_device", lambda path, accel: av.open(path))
    _, small = clips
    inspected = inspect_source(small)
    cursor = AvCursor(small, inspected.stream_index, inspected.index, hwaccel=hardware.accel())
    try:
        cursor.restart()
        frames = 0
        while cursor.next() is not None:
            frames += 1
    finally:
        cursor.close()
    assert frames == 20
    assert cursor.decoder == "cpu"
    assert cursor.fallback == "h264 has no CUDA decoder in this FFmpeg"
    assert hardware.failure() is None  # about this stream, not the device: not remembered


def _frames(w: int, h: int) -> list[av.VideoFrame]:
    tl = Timeline(w=w, h=h).shot(3, DAY, Layout(figure_x=0.3), hold=1)
    tl.shot(3, NIGHT, Layout(figure_x=0.6), hold=1)
    return [av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            for rgb in tl.frames]  # fmt: skip


@pytest.mark.parametrize("size", [(1280, 720), (322, 182)])
def test_nv12_planes_are_the_yuv420p_planes_and_give_the_same_signals(
    size: tuple[int, int],
) -> None:
    w, h = size
    frames = _frames(w, h)
    limit = (4 * w, 4 * h)
    computers = []
    for fmt in ("yuv420p", "nv12", "p010le"):
        sc = SignalComputer(len(frames), w, h, np.full(len(frames), 1 / 24))
        for frame in frames:
            y, u, v = _planes_of(frame.reformat(format=fmt) if fmt != "yuv420p" else frame, limit)
            assert u is not None and v is not None
            assert y.shape == (h, w) and u.shape == v.shape == ((h + 1) // 2, (w + 1) // 2)
            ref = _planes_of(frame, limit)
            tolerance = 0 if fmt != "p010le" else 1  # P010 keeps the top 8 of 10 bits
            for got, want in zip((y, u, v), ref, strict=True):
                assert want is not None
                assert int(np.abs(got.astype(int) - want.astype(int)).max()) <= tolerance
            sc.feed(y, u, v, 0)
        computers.append(sc.finish())
    base, nv12, p010 = computers
    np.testing.assert_array_equal(nv12.values, base.values)
    np.testing.assert_allclose(p010.values, base.values, rtol=0.05, atol=0.5)
    assert detect(nv12).cuts == detect(base).cuts == [3]


def test_project_analysis_reports_the_fallback_once(
    clips: tuple[Path, Path], no_device: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.anicurate"
    assert main(["import", "-q", str(project), *map(str, clips)]) == 0
    capsys.readouterr()
    assert main(["analyze", "-q", "--project", str(project), "--decoder", "cuda"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{project}: 2 analysed, 0 failed, 2 clips, 2 flagged"
    notes = [line for line in err.splitlines() if FALLBACK_LINE in line]
    assert len(notes) == 1 and notes[0].endswith("Decoding ran on the CPU for 2 files.")
    assert main(["analyze", "-q", "--project", str(project), "--force", "--decoder", "cpu"]) == 0
    assert FALLBACK_LINE not in capsys.readouterr().err
