"""GPU benchmark, one prepared script: NVDEC decoding, the tagger on CUDA and the fixers, each
against its CPU reference measured in the same run. Meant to be run whenever an NVIDIA GPU is at
hand (a few minutes); without CUDA it says so for each part and measures the CPU side only.

    python -m tests.benchmarks.gpu [--frames 600] [--blocks 32] [--batch 16] [--fix-frames 4]
        [--json OUT]

Parts:
  * environment: ``nvidia-smi -L``, FFmpeg's hardware device types, onnxruntime's providers;
  * decode: a generated 1080p H.264 clip decoded by PyAV on the CPU (frame threads) and through
    FFmpeg's CUDA hwaccel (NVDEC; no software fallback, so a failure is reported, not hidden),
    frames downloaded to system memory as anicurate would read them; ratio NVDEC/CPU; then
    analysis itself (``compute_signals``) with ``decoder="cuda"`` against ``decoder="cpu"`` on the
    same clip, the decoder that really ran reported (this is what should confirm or move the
    "auto" thresholds in anicurate/core/media/hardware.py);
  * tagger: a WD14-layout model of realistic cost (tests/benchmarks/tagging.py) on ready batches
    with the CPU provider and with CUDA (the provider that really ran is printed); ratio;
  * fixers: every bundled upscaler, denoiser and interpolator on the CPU and on its GPU provider
    (ncnn on Vulkan, RIFE on CUDA), a 480x270 frame each; where each really ran; ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
from av.codec.context import ThreadType
from av.codec.hwaccel import HWAccel, hwdevices_available

from anicurate.core.fix.models import ModelInfo
from anicurate.core.fix.providers import Provider
from anicurate.core.media.hardware import device_errors
from anicurate.core.media.writer import write_video
from tests.helpers.analysis_samples import anime_like_frames

Report = dict[str, Any]


def environment() -> Report:
    """What the machine offers: GPUs, FFmpeg device types, ONNX providers."""
    smi = shutil.which("nvidia-smi")
    gpus = ""
    if smi is not None:
        run = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=30)
        gpus = run.stdout.strip() or run.stderr.strip()
    try:
        import onnxruntime as ort

        providers = list(ort.get_available_providers())
    except ImportError:  # pragma: no cover - a dependency, but say so rather than crash
        providers = []
    return {
        "gpus": gpus or "none (no nvidia-smi or no device)",
        "ffmpeg_hwdevices": list(hwdevices_available()),
        "onnx_providers": providers,
        "pyav": av.__version__,
    }


def _decode(path: Path, hwaccel: HWAccel | None) -> tuple[float, int, str]:
    """Frames per second decoding ``path`` (opening included), frame count, frame format."""
    start = time.perf_counter()
    n, fmt = 0, ""
    with av.open(str(path), hwaccel=hwaccel) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = ThreadType.AUTO
        for frame in container.decode(stream):
            n += 1
            fmt = frame.format.name
    return n / (time.perf_counter() - start), n, fmt


def decode(work: Path, frames: int) -> Report:
    """CPU decoding against NVDEC through FFmpeg's CUDA hwaccel on a 1080p H.264 clip."""
    clip = write_video(work / "hd.mp4", anime_like_frames(frames), 24, gop=250, bframes=3)
    _decode(clip, None)  # warm the page cache
    cpu_fps, n, cpu_fmt = _decode(clip, None)
    out: Report = {"frames": n, "cpu_fps": round(cpu_fps, 1), "cpu_format": cpu_fmt}
    if "cuda" not in hwdevices_available():
        out["nvdec"] = "not measured: this FFmpeg build has no CUDA device type"
        return out
    try:
        accel = HWAccel("cuda", allow_software_fallback=False)
        _decode(clip, accel)  # device start-up is paid once per process
        gpu_fps, gn, gpu_fmt = _decode(clip, accel)
    except device_errors() as err:
        out["nvdec"] = f"not measured: CUDA decoding did not start ({type(err).__name__}: {err})"
        return out
    out.update(nvdec_fps=round(gpu_fps, 1), nvdec_format=gpu_fmt, nvdec_frames=gn,
               ratio_nvdec_cpu=round(gpu_fps / cpu_fps, 2))  # fmt: skip
    out["analysis"] = analysis(clip)
    return out


def analysis(clip: Path) -> Report:
    """compute_signals on the CPU against decoder="cuda" (device start included, as a file pays
    it), frames per second each and the ratio; the decoder that really ran is reported."""
    from anicurate.core.analysis.signals import decode_signals

    out: Report = {}
    for choice in ("cpu", "cuda"):
        start = time.perf_counter()
        _, sig, used = decode_signals(clip, decoder=choice)
        fps = sig.frames / (time.perf_counter() - start)
        out[choice] = {"fps": round(fps, 1), "decoder": used.decoder, "fallback": used.fallback}
    if out["cuda"]["decoder"] == "cuda":
        out["ratio_cuda_cpu"] = round(out["cuda"]["fps"] / out["cpu"]["fps"], 2)
    return out


def tagger(work: Path, blocks: int, batch: int, runs: int) -> Report:
    """The tagger's frames per second on ready batches, CPU against CUDA."""
    from anicurate.core.tagging.model import load_tagger
    from tests.benchmarks.tagging import SIDE, model_macs, write_tagger

    folder = write_tagger(work / "tagger", blocks)
    out: Report = {"gmacs_per_frame": round(model_macs(blocks) / 1e9, 1)}
    data = np.random.default_rng(1).uniform(0, 255, (batch, SIDE, SIDE, 3)).astype(np.float32)
    for choice in ("cpu", "cuda"):
        t = load_tagger(folder, choice)
        size = t.batch_size(batch)
        chunk = data[:size]
        t.run(chunk)  # warm-up (CUDA: kernels, cuDNN search)
        start = time.perf_counter()
        for _ in range(runs):
            t.run(chunk)
        fps = runs * size / (time.perf_counter() - start)
        out[choice] = {"provider": t.provider, "fallback": t.fallback, "batch": size,
                       "fps": round(fps, 2)}  # fmt: skip
    if out["cuda"]["provider"] != "CUDAExecutionProvider":
        out["cuda_note"] = "CUDA did not run: the 'cuda' row is the CPU fallback"
    else:
        out["ratio_cuda_cpu"] = round(out["cuda"]["fps"] / out["cpu"]["fps"], 2)
    return out


#: A typical source a user fixes: a small GIF or clip, upscaled 2x to 960x540.
FIX_SIZE = (480, 270)
#: Where each fix engine runs besides the CPU.
FIX_GPU: dict[str, Provider] = {"ncnn": "vulkan", "onnx": "cuda"}


def _fix_runner(
    info: ModelInfo, provider: Provider, frames: list[np.ndarray]
) -> tuple[str, Callable[[int], object]]:
    """The fixer of ``info`` loaded on ``provider`` (FixError where it cannot run there): where
    it really runs, and a call that fixes frame i (interpolators: between frames i and i+1)."""
    from anicurate.core.fix.engines import load_image_model, load_interpolator

    if info.kind == "interpolate":
        interp = load_interpolator(info, provider)
        return interp.providers[0], lambda i: interp(frames[i], frames[i + 1], 0.5)
    image = load_image_model(info, provider)
    return image.providers[0], lambda i: image(frames[i])


def fixers(count: int) -> Report:
    """Every bundled upscaler, denoiser and interpolator on the CPU and on its GPU provider
    (ncnn: Vulkan, onnxruntime: CUDA), timed on the same ``count`` frames after one warm-up:
    frames per second, where each really ran, and the ratio GPU/CPU. The OpenCV built-ins run
    on the CPU only and are left out."""
    import cv2

    from anicurate.core.fix.errors import FixError
    from anicurate.core.fix.models import list_models

    frames = [cv2.resize(f, FIX_SIZE, interpolation=cv2.INTER_AREA)
              for f in anime_like_frames(count + 1)]  # fmt: skip
    out: Report = {"size": f"{FIX_SIZE[0]}x{FIX_SIZE[1]}", "frames": count}
    for info in list_models():
        gpu = FIX_GPU.get(info.engine)
        if gpu is None:
            continue
        row: Report = {}
        for provider in ("cpu", gpu):
            try:
                ran, run = _fix_runner(info, provider, frames)
            except FixError as exc:
                row[provider] = {"not_measured": str(exc)}
                continue
            run(0)  # warm-up: first-call allocations, a GPU's shader or kernel set-up
            start = time.perf_counter()
            for i in range(count):
                run(i)
            row[provider] = {"fps": round(count / (time.perf_counter() - start), 2), "ran_on": ran}
        if "fps" in row.get("cpu", {}) and "fps" in row.get(gpu, {}):
            row[f"ratio_{gpu}_cpu"] = round(row[gpu]["fps"] / row["cpu"]["fps"], 2)
        out[f"{info.kind} {info.name}"] = row
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600, help="1080p frames to decode (600)")
    parser.add_argument("--blocks", type=int, default=32, help="tagger cost, see tagging.py")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--runs", type=int, default=6, help="tagger batches timed per provider")
    parser.add_argument("--fix-frames", type=int, default=4, help="frames timed per fixer (4)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    report: Report = {"environment": environment()}
    env = report["environment"]
    cuda = "CUDAExecutionProvider" in env["onnx_providers"] and not env["gpus"].startswith("none")
    print(f"GPUs: {env['gpus']}")
    print(f"FFmpeg hw devices: {', '.join(env['ffmpeg_hwdevices']) or 'none'}; "
          f"ONNX providers: {', '.join(env['onnx_providers'])}")  # fmt: skip
    if not cuda:
        print("NO CUDA GPU HERE: the GPU figures below say 'not measured' or show the CPU fallback")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report["decode"] = d = decode(work, args.frames)
        print(
            f"decode 1080p H.264, {d['frames']} frames: CPU {d['cpu_fps']} fps ({d['cpu_format']})"
        )
        if "nvdec_fps" in d:
            print(
                f"  NVDEC {d['nvdec_fps']} fps ({d['nvdec_format']}): ratio {d['ratio_nvdec_cpu']}"
            )
            a = d["analysis"]
            ratio = a.get("ratio_cuda_cpu") or f"fell back: {a['cuda']['fallback']}"
            print(f"  analysis (compute_signals): CPU {a['cpu']['fps']} fps, decoder='cuda' "
                  f"{a['cuda']['fps']} fps on {a['cuda']['decoder']}: {ratio}")  # fmt: skip
        else:
            print(f"  NVDEC {d['nvdec']}")
        report["tagger"] = t = tagger(work, args.blocks, args.batch, args.runs)
        print(f"tagger ({t['gmacs_per_frame']} GMACs/frame): CPU {t['cpu']['fps']} fps, "
              f"'cuda' {t['cuda']['fps']} fps on {t['cuda']['provider']}")  # fmt: skip
        print(f"  {t.get('cuda_note') or 'ratio CUDA/CPU ' + str(t['ratio_cuda_cpu'])}")
        report["fixers"] = f = fixers(args.fix_frames)
        print(f"fixers ({f['size']} in, {f['frames']} frames each):")
        for name, row in f.items():
            if isinstance(row, dict):
                parts = [f"{p} " + (f"{r['fps']} fps on {r['ran_on']}" if "fps" in r
                                    else f"not measured: {r['not_measured']}")
                         for p, r in row.items() if isinstance(r, dict)]  # fmt: skip
                ratio = next((f"ratio {v}" for k, v in row.items() if k.startswith("ratio")), "")
                print(f"  {name}: {'; '.join(parts)}{'; ' + ratio if ratio else ''}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
