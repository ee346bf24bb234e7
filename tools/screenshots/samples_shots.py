"""The samples workspace for the screenshot script: two runs of generated sample videos (a
"base" and a "fine-tuned" run, each prompt with and without the trigger) compared side by side,
a verdict set and a Trace from the open project (read only: the samples are never stored)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from anicurate.core.media.writer import write_video
from anicurate.core.samples import Sample, parse_sample_name, trace, with_trigger
from anicurate.ui.samples import SamplesWorkspace
from tools.screenshots.shot_tools import grab, settle

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

PROMPTS = ("a girl with a red umbrella walks in the rain", "a cat sleeps on a windowsill")
FRAMES, SIZE = 16, (256, 144)


def _frames(seed: int, vivid: bool) -> list[np.ndarray]:
    """A sliding disc on a gradient; the fine-tuned run gets colour, the base run grey mush."""
    w, h = SIZE
    yy, xx = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(seed)
    hue = rng.uniform(0, 1, 3)
    out = []
    for i in range(FRAMES):
        base = np.stack([(xx / w) * 255 * hue[0], (yy / h) * 255 * hue[1],
                         np.full_like(xx, 180 * hue[2])], axis=-1)  # fmt: skip
        cx, cy = int(w * (0.2 + 0.6 * i / FRAMES)), int(h * 0.5 + 20 * np.sin(i / 2.5))
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 < 28**2
        base[disc] = (240, 70, 60) if vivid else (150, 150, 150)
        if not vivid:
            base = base.mean(axis=-1, keepdims=True).repeat(3, -1) * 0.8
        out.append(base.clip(0, 255).astype(np.uint8))
    return out


def make_runs(folder: Path, trigger: str) -> list[Sample]:
    """Write the two runs' sample videos, named as Text-To-Video-Finetuning names them."""
    found: list[Sample] = []
    for run, step, vivid in (("base", 0, False), ("fine-tuned", 2500, True)):
        run_dir = folder / run / "samples"
        run_dir.mkdir(parents=True, exist_ok=True)
        for k, prompt in enumerate(PROMPTS):
            for version in (with_trigger(prompt, trigger), prompt):
                path = run_dir / f"{step}_dataset-json_{version}.mp4"
                write_video(path, _frames(k * 7 + len(version), vivid), Fraction(8))
                parsed = parse_sample_name(path.name)
                found.append(Sample(len(found) + 1, run, parsed.step,
                                    parsed.prompt or version, str(path)))  # fmt: skip
    return found


def render_samples_screenshot(window: MainWindow, tmp: Path, outdir: Path) -> Path:
    """Grab ``samples-compare.png``: the workspace mid-playback with a verdict and a Trace."""
    project = window.project
    trigger = (project.settings().trigger_tag if project is not None else "") or "anime"
    found = make_runs(Path(tmp) / "sample-runs", trigger)
    ws = SamplesWorkspace()
    ws.resize(1180, 760)
    ws.set_samples(found, trigger)
    ws.show()
    bad = next(c for c in ws.cells.values() if c.sample.run == "base")
    bad.note.setText("blurry, no umbrella")
    bad.set_verdict("bad")
    good = next(c for c in ws.cells.values() if c.sample.run == "fine-tuned")
    good.set_verdict("good")
    ws.play()
    ws.tick_at(0.75)
    ws.stop()
    if project is not None:
        ws.show_trace(good.sample, trace(project, good.sample.prompt))
    settle()
    try:
        return grab(ws, Path(outdir) / "samples-compare.png")
    finally:
        ws.close()
        ws.deleteLater()
