"""``anicurate doctor``: what was found (versions, working ONNX providers, GPUs, models)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from anicurate import paths
from anicurate.cli.common import EXIT_OK


def register(sub: Any) -> None:
    doc = sub.add_parser("doctor", help="versions, ONNX providers that work, GPUs and models found")
    doc.add_argument("--json", action="store_true")
    doc.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from anicurate.core import doctor

    models_dirs = paths.models_dirs()
    report = doctor.collect(paths.resources_dir() / "onnx" / "provider_probe.onnx", models_dirs)
    versions = dict(report.versions)
    try:
        from PySide6 import QtCore

        versions["Qt"] = f"{QtCore.qVersion()} (PySide6 {_pyside_version()})"
    except ImportError as err:
        versions["Qt"] = f"not importable: {err}"
    if args.json:
        print(
            json.dumps(
                {
                    "versions": versions,
                    "providers": [
                        {"name": p.name, "works": p.works, "detail": p.detail}
                        for p in report.providers
                    ],
                    "gpus": report.gpus,
                    "hardware_decoding": None
                    if report.decoding is None
                    else {
                        "ffmpeg_device_types": report.decoding.device_types,
                        "cuda_starts": report.decoding.cuda_failure is None,
                        "cuda_failure": report.decoding.cuda_failure,
                    },
                    "models": [
                        {"name": m.name, "path": str(m.path), "origin": m.origin}
                        for m in report.models
                    ],
                },
                indent=2,
            )
        )
        return EXIT_OK
    for key, value in versions.items():
        print(f"{key:12} {value}")
    print("ONNX providers")
    for p in report.providers:
        print(f"  {'ok ' if p.works else 'no '} {p.name:28} {p.detail}")
    working = [p.name for p in report.providers if p.works]
    gpu_ok = "CUDAExecutionProvider" in working
    print(f"tagger runs on  {'CUDA (GPU)' if gpu_ok else 'CPU only'}")
    print(
        "GPUs         "
        + (
            "; ".join(report.gpus)
            if report.gpus
            else "none visible (no nvidia-smi or no NVIDIA driver)"
        )
    )
    if report.decoding is not None:
        hw = report.decoding
        print(f"FFmpeg hw    {', '.join(hw.device_types) or 'no hardware device types'}")
        works = hw.cuda_failure is None
        state = "NVDEC (CUDA device starts)" if works else f"CPU only: {hw.cuda_failure}"
        print(f"decoding on  {state}")
    print("models")
    for m in report.models:
        print(f"  {m.name:36} {m.path}  ({m.origin})")
    if not report.models:
        print("  none found. Put a tagger folder (model.onnx + selected_tags.csv) in:")
        for d in report.models_dirs:
            print(f"    {d}")
        print("  or download one into the Hugging Face cache; see models/README.md")
    return EXIT_OK


def _pyside_version() -> str:
    import PySide6

    return str(PySide6.__version__)
