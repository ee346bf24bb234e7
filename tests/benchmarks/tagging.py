"""Tagging benchmark: frames per second through the whole pipeline (decode, sample, preprocess,
infer, merge, store) with a tagger of realistic cost, and the share of time the model waits for
preprocessed frames (goal: under 10%).

Run by hand: ``.venv/bin/python -m tests.benchmarks.tagging [--clips 6] [--provider cpu]``.

The model is a WD14-layout graph with random weights (NHWC 448 x 448 x 3 BGR in, 10,861 sigmoid
scores out, like wd-vit-tagger-v3): an 8 x 8 stride-8 stem to 56 x 56 x 256, then ``--blocks``
3 x 3 convolutions 256 -> 256 with ReLU (1.85 GMACs each), global pooling and a 256 -> 10,861
head. The default 32 blocks make about 59 GMACs (118 GFLOPs) a frame, the cost of the real
taggers at 448 (ConvNeXt-B ~62 GMACs, ViT-B/16 ~78 GMACs; timm's counts scaled to 448). The
printout gives the exact count.

References measured in the same run: the model alone (session.run on ready batches, the
ceiling the pipeline can reach) and decode + preprocess alone (one thread, no model). The
pipeline is good when its rate is close to the slower of the two and the model rarely waits.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from anicurate.core.media import open_media
from anicurate.core.media.writer import write_video
from anicurate.core.project import Project, import_paths
from anicurate.core.tagging.model import load_tagger
from anicurate.core.tagging.options import TaggingOptions
from anicurate.core.tagging.preprocess import preprocess
from anicurate.core.tagging.run import tag_project
from anicurate.core.tagging.sampling import Sampling, evenly_spaced

SIDE = 448
N_RATING, N_GENERAL, N_CHARACTER = 4, 8106, 2751  # wd-vit-tagger-v3's selected_tags.csv
WIDTH = 256
STEM = 8
HEAD_BIAS = -5.0


def model_macs(blocks: int) -> int:
    grid = SIDE // STEM
    stem = grid * grid * WIDTH * 3 * STEM * STEM
    conv = grid * grid * WIDTH * WIDTH * 9
    head = WIDTH * (N_RATING + N_GENERAL + N_CHARACTER)
    return stem + blocks * conv + head


def build_model(blocks: int, dynamic_batch: bool = True) -> onnx.ModelProto:
    """The WD14-layout conv stack with random weights (He-scaled so activations stay finite)."""
    rng = np.random.default_rng(0)
    n_tags = N_RATING + N_GENERAL + N_CHARACTER
    batch: int | str = "batch_size" if dynamic_batch else 1

    def w(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    inits = [
        numpy_helper.from_array(np.array(1 / 255, np.float32), "scale"),
        numpy_helper.from_array(w((WIDTH, 3, STEM, STEM), 3 * STEM * STEM), "stem_w"),
        numpy_helper.from_array(w((WIDTH, n_tags), WIDTH), "head_w"),
        # A negative bias so that, like a real tagger, a few dozen tags pass 0.35, not thousands.
        numpy_helper.from_array(np.full(n_tags, HEAD_BIAS, np.float32), "head_b"),
    ]
    nodes = [
        helper.make_node("Mul", ["input", "scale"], ["scaled"]),
        helper.make_node("Transpose", ["scaled"], ["nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["nchw", "stem_w"], ["h0"], strides=[STEM, STEM]),
    ]
    for i in range(blocks):
        inits.append(numpy_helper.from_array(w((WIDTH, WIDTH, 3, 3), WIDTH * 9), f"w{i}"))
        nodes.append(helper.make_node("Conv", [f"h{i}", f"w{i}"], [f"c{i}"], pads=[1, 1, 1, 1]))
        nodes.append(helper.make_node("Relu", [f"c{i}"], [f"h{i + 1}"]))
    nodes += [
        helper.make_node("GlobalAveragePool", [f"h{blocks}"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("Gemm", ["flat", "head_w", "head_b"], ["logits"]),
        helper.make_node("Sigmoid", ["logits"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "wd14_sized",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, SIDE, SIDE, 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [batch, n_tags])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def write_tagger(folder: Path, blocks: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(build_model(blocks), str(folder / "model.onnx"))
    rows = ["tag_id,name,category,count"]
    rows += [f"{i},rating_{i},9,0" for i in range(N_RATING)]
    rows += [f"{i},general_tag_{i},0,{N_GENERAL - i}" for i in range(N_GENERAL)]
    rows += [f"{i},character_{i},4,1" for i in range(N_CHARACTER)]
    (folder / "selected_tags.csv").write_text("\n".join(rows) + "\n")
    return folder


def drawn_frames(n: int, w: int, h: int, seed: int) -> list[np.ndarray]:
    """Cel-like frames: flat colours, a moving figure, an outline: codecs treat them as anime."""
    rng = np.random.default_rng(seed)
    bg = rng.integers(40, 220, 3)
    out = []
    for i in range(n):
        f = np.empty((h, w, 3), np.uint8)
        f[:] = bg
        f[h * 2 // 3 :] = bg // 2
        x = (w // 8 + 9 * i) % (w - w // 4)
        f[h // 4 : h * 3 // 4, x : x + w // 6] = 255 - bg
        f[h // 4 : h // 4 + 4, x : x + w // 6] = 0
        out.append(f)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--frames-per-clip", type=int, default=8, help="even sampling N")
    parser.add_argument("--clip-length", type=int, default=48)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--blocks", type=int, default=32, help="3x3 convs (1.85 GMACs each)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--provider", choices=("auto", "cuda", "cpu"), default="cpu")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.split("x"))

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        t0 = time.perf_counter()
        folder = write_tagger(root / "tagger", args.blocks)
        media = root / "media"
        media.mkdir(parents=True, exist_ok=True)
        for c in range(args.clips):
            write_video(media / f"clip{c:03d}.mp4", drawn_frames(args.clip_length, w, h, c), 24)
        project_path = root / "bench.anicurate"
        project_path.unlink(missing_ok=True)
        for _ in import_paths(project_path, [media]):
            pass
        setup = time.perf_counter() - t0

        tagger = load_tagger(folder, args.provider)
        size = tagger.batch_size(args.batch)
        macs = model_macs(args.blocks)
        print(f"model        {args.blocks} conv blocks: {macs / 1e9:.1f} GMACs"
              f" ({2 * macs / 1e9:.0f} GFLOPs) per frame, {(folder / 'model.onnx').stat().st_size / 2**20:.0f} MiB,"  # noqa: E501
              f" {N_RATING + N_GENERAL + N_CHARACTER} tags")  # fmt: skip
        print(
            f"provider     {tagger.provider}" + (f" ({tagger.fallback})" if tagger.fallback else "")
        )
        print(f"media        {args.clips} clips of {args.clip_length} frames {w}x{h} H.264,"
              f" {args.frames_per_clip} sampled each; setup {setup:.1f} s")  # fmt: skip

        # Reference 1: the model alone on ready batches (after one warm-up run).
        batch = np.random.default_rng(1).uniform(0, 255, (size, SIDE, SIDE, 3)).astype(np.float32)
        tagger.run(batch)
        runs = max(2, (args.clips * args.frames_per_clip) // size // 2)
        t0 = time.perf_counter()
        for _ in range(runs):
            tagger.run(batch)
        infer_only = runs * size / (time.perf_counter() - t0)

        # Reference 2: decode + sample + preprocess alone, one thread.
        t0 = time.perf_counter()
        n = 0
        for path in sorted(media.glob("*.mp4")):
            with open_media(path) as reader:
                for i in evenly_spaced(0, len(reader) - 1, args.frames_per_clip):
                    preprocess(reader.frame_at(i), SIDE)
                    n += 1
        prep_only = n / (time.perf_counter() - t0)

        # The pipeline (a fresh project state: every clip is tagged).
        opts = TaggingOptions(sampling=Sampling(count=args.frames_per_clip))
        job = tag_project(project_path, tagger, batch=args.batch, options=opts, force=True,
                          workers=args.workers)  # fmt: skip
        try:
            while True:
                next(job)
        except StopIteration as stop:
            s = stop.value
        with Project.open(project_path) as project:
            n_tags = project.connection.execute("SELECT count(*) FROM tags").fetchone()[0]

    print(f"reference    model alone, batch {size}:            {infer_only:7.2f} frames/s")
    print(f"reference    decode+preprocess alone, 1 thread: {prep_only:7.2f} frames/s")
    per_clip = n_tags / max(1, s.tagged)
    print(f"pipeline     {s.frames} frames in {s.elapsed_s:.2f} s:          {s.frames_per_s:7.2f} frames/s"  # noqa: E501
          f"  ({s.tagged} clips, batch {s.batch}, {per_clip:.0f} tags/clip)")  # fmt: skip
    bound = min(infer_only, prep_only)
    print(f"ratio        pipeline / model alone = {s.frames_per_s / infer_only:.2f};"
          f" pipeline / slower reference = {s.frames_per_s / bound:.2f}")  # fmt: skip
    steady = (s.wait_s - s.first_frame_s) / s.elapsed_s if s.elapsed_s else 0.0
    print(f"time         infer {s.infer_s:.2f} s, model waiting {s.wait_s:.2f} s"
          f" ({s.first_frame_s:.2f} s before the 1st frame), store {s.store_s:.3f} s")  # fmt: skip
    verdict = "ok" if s.wait_share < 0.10 else "ABOVE GOAL"
    print(f"wait share   {100 * s.wait_share:.1f}% of the run (goal < 10%: {verdict});"
          f" {100 * steady:.1f}% after the first frame")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
