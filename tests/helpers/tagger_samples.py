"""Tiny WD14-layout taggers built at test time, with scores that depend on the picture.

``make_tiny_tagger(folder)`` writes ``model.onnx`` + ``selected_tags.csv``. The model takes
``[batch, side, side, 3]`` BGR float32 0-255 (input ``input`` with a dynamic batch like v3
exports, or ``input_1:0`` with batch fixed to 1 like v2 ones) and returns ``[batch, tags]``
sigmoid scores computed from the mean B, G, R of the whole frame and of its left and right
halves. So a red frame is tagged ``red background``, a blue one ``blue sky``, a green one
``green hair`` + ``looking at viewer`` + the character ``hatsune miku`` (above 0.85), a dark
green one the character at only 0.73, a yellow one the kaomoji ``^_^``, and a frame red on the
left and blue on the right ``split screen``. ``reference_scores`` computes the same in numpy.

``make_bad_tagger(folder, fault)`` writes the same tagger broken one way (see BAD_FAULTS): NaN
or over-1 scores for frames that are mostly blue (others stay right), int64 or unbounded
(logit) scores for every frame, or a declared input of 30000x30000 pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (name, category, count): ratings 9, general 0, character 4, in the order of the outputs.
TINY_TAGS: tuple[tuple[str, int, int], ...] = (
    ("general", 9, 0),
    ("sensitive", 9, 0),
    ("questionable", 9, 0),
    ("explicit", 9, 0),
    ("red_background", 0, 500),
    ("blue_sky", 0, 400),
    ("green_hair", 0, 300),
    ("split_screen", 0, 200),
    ("^_^", 0, 100),
    ("looking_at_viewer", 0, 900),
    ("hatsune_miku", 4, 50),
)

# Features: mean b, g, r (0-1) of the whole frame, of its left half, of its right half.
_B, _G, _R, _BL, _GL, _RL, _BR, _GR, _RR = range(9)
_WEIGHTS: dict[str, tuple[dict[int, float], float]] = {
    "general": ({}, 2.0),
    "sensitive": ({_R: 4.0}, -3.0),
    "questionable": ({}, -3.0),
    "explicit": ({}, -5.0),
    "red_background": ({_R: 12.0, _G: -12.0, _B: -12.0}, -4.0),
    "blue_sky": ({_B: 12.0, _R: -12.0, _G: -12.0}, -4.0),
    "green_hair": ({_G: 12.0, _R: -12.0, _B: -12.0}, -4.0),
    "split_screen": ({_RL: 12.0, _RR: -12.0}, -4.0),
    "^_^": ({_R: 10.0, _G: 10.0, _B: -10.0}, -14.0),
    "looking_at_viewer": ({_G: 2.0}, -1.0),
    "hatsune_miku": ({_G: 20.0, _R: -20.0, _B: -20.0}, -8.0),
}

# RGB colours and the tags (characters first, then general by score) the tiny model gives them.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "blue": (0, 0, 255),
    "green": (0, 255, 0),
    "dark green": (0, 115, 0),
    "yellow": (255, 255, 0),
    "gray": (128, 128, 128),
}
EXPECTED_TAGS: dict[str, list[str]] = {
    "red": ["red background"],
    "blue": ["blue sky"],
    "green": ["hatsune miku", "green hair", "looking at viewer"],
    "dark green": ["green hair", "looking at viewer"],  # the character only at 0.73
    "yellow": ["^_^", "looking at viewer"],
    "gray": ["looking at viewer"],  # 0.50: just above the 0.35 threshold
    "split": ["split screen"],
}


def weight_matrix(
    tags: tuple[tuple[str, int, int], ...] = TINY_TAGS,
) -> tuple[np.ndarray, np.ndarray]:
    w = np.zeros((9, len(tags)), np.float32)
    b = np.zeros(len(tags), np.float32)
    for j, (name, _, _) in enumerate(tags):
        coeffs, bias = _WEIGHTS[name]
        for k, v in coeffs.items():
            w[k, j] = v
        b[j] = bias
    return w, b


def write_tags_csv(path: Path, tags: tuple[tuple[str, int, int], ...] = TINY_TAGS) -> Path:
    lines = ["tag_id,name,category,count"]
    lines += [f"{1000 + i},{name},{cat},{count}" for i, (name, cat, count) in enumerate(tags)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


Fault = Literal["nan_when_blue", "over_one_when_blue", "int64", "logits", "huge_side"]
BAD_FAULTS: tuple[Fault, ...] = (
    "nan_when_blue", "over_one_when_blue", "int64", "logits", "huge_side",
)  # fmt: skip


def tiny_model(
    side: int = 64, dynamic_batch: bool = True, fault: Fault | None = None
) -> onnx.ModelProto:
    """The ONNX graph: ReduceMean over the frame and its halves, MatMul, Add, Sigmoid.

    ``fault`` breaks the output (see BAD_FAULTS); ``huge_side`` only declares the input as
    30000x30000 (the graph itself works for any size).
    """
    batch: int | str = "batch_size" if dynamic_batch else 1
    in_name, out_name = (
        ("input", "output") if dynamic_batch else ("input_1:0", "predictions_sigmoid")
    )
    w, b = weight_matrix()
    half = side // 2
    inits = [
        numpy_helper.from_array(np.array(1 / 255, np.float32), "scale"),
        numpy_helper.from_array(w, "W"),
        numpy_helper.from_array(b, "B"),
        numpy_helper.from_array(np.array([0], np.int64), "zero"),
        numpy_helper.from_array(np.array([half], np.int64), "half"),
        numpy_helper.from_array(np.array([side], np.int64), "end"),
        numpy_helper.from_array(np.array([2], np.int64), "width_axis"),
    ]
    nodes = [
        helper.make_node("Mul", [in_name, "scale"], ["x"]),
        helper.make_node("ReduceMean", ["x"], ["whole"], axes=[1, 2], keepdims=0),
        helper.make_node("Slice", ["x", "zero", "half", "width_axis"], ["left_px"]),
        helper.make_node("Slice", ["x", "half", "end", "width_axis"], ["right_px"]),
        helper.make_node("ReduceMean", ["left_px"], ["left"], axes=[1, 2], keepdims=0),
        helper.make_node("ReduceMean", ["right_px"], ["right"], axes=[1, 2], keepdims=0),
        helper.make_node("Concat", ["whole", "left", "right"], ["features"], axis=1),
        helper.make_node("MatMul", ["features", "W"], ["mm"]),
        helper.make_node("Add", ["mm", "B"], ["logits"]),
        helper.make_node("Sigmoid", ["logits"], ["probs"]),
    ]
    nodes += _fault_nodes(fault, "probs", out_name, inits)
    out_type = TensorProto.INT64 if fault == "int64" else TensorProto.FLOAT
    declared = 30000 if fault == "huge_side" else side
    graph = helper.make_graph(
        nodes,
        "tiny_wd14",
        [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, [batch, declared, declared, 3])],
        [helper.make_tensor_value_info(out_name, out_type, [batch, len(TINY_TAGS)])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _fault_nodes(
    fault: Fault | None, probs: str, out: str, inits: list[onnx.TensorProto]
) -> list[onnx.NodeProto]:
    """Nodes from the sigmoid ``probs`` to the output ``out``, broken as ``fault`` says.

    "Mostly blue": the whole frame's mean blue (feature 0) is over 0.6, so ``excess`` =
    Relu(blue - 0.6) is 0 for red, green, gray and split frames and positive for blue ones.
    """
    excess = [
        numpy_helper.from_array(np.array([0], np.int64), "blue_at"),
        numpy_helper.from_array(np.array([1], np.int64), "blue_end"),
        numpy_helper.from_array(np.array([1], np.int64), "feature_axis"),
        numpy_helper.from_array(np.array(0.6, np.float32), "blue_floor"),
    ]
    blue = [
        helper.make_node("Slice", ["features", "blue_at", "blue_end", "feature_axis"], ["b"]),
        helper.make_node("Sub", ["b", "blue_floor"], ["b_off"]),
        helper.make_node("Relu", ["b_off"], ["excess"]),
    ]
    if fault is None or fault == "huge_side":
        return [helper.make_node("Identity", [probs], [out])]
    if fault == "int64":
        return [helper.make_node("Cast", [probs], [out], to=TensorProto.INT64)]
    if fault == "logits":  # the sigmoid left out: scores run from about -8 to 8
        return [helper.make_node("Identity", ["logits"], [out])]
    inits.extend(excess)
    if fault == "nan_when_blue":  # sqrt(-0) is 0, sqrt(-x) NaN
        return [*blue, helper.make_node("Neg", ["excess"], ["neg"]),
                helper.make_node("Sqrt", ["neg"], ["nan_or_zero"]),
                helper.make_node("Add", [probs, "nan_or_zero"], [out])]  # fmt: skip
    if fault == "over_one_when_blue":  # scores times 1 + 10 * excess: up to 5x
        inits.append(numpy_helper.from_array(np.array(10.0, np.float32), "gain"))
        inits.append(numpy_helper.from_array(np.array(1.0, np.float32), "one"))
        return [*blue, helper.make_node("Mul", ["excess", "gain"], ["extra"]),
                helper.make_node("Add", ["extra", "one"], ["factor"]),
                helper.make_node("Mul", [probs, "factor"], [out])]  # fmt: skip
    raise ValueError(f"unknown fault {fault!r}")


def make_bad_tagger(folder: Path, fault: Fault, dynamic_batch: bool = True) -> Path:
    """Write a tagger folder whose model is broken as ``fault`` says (selected_tags.csv fine)."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(tiny_model(64, dynamic_batch, fault), str(folder / "model.onnx"))
    write_tags_csv(folder / "selected_tags.csv")
    return folder


def make_tiny_tagger(folder: Path, side: int = 64, dynamic_batch: bool = True) -> Path:
    """Write a tagger folder (model.onnx + selected_tags.csv) and return it.

    ``dynamic_batch``: v3-style (input ``input``, any batch); False: v2-style (``input_1:0``,
    batch fixed to 1).
    """
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(tiny_model(side, dynamic_batch), str(folder / "model.onnx"))
    write_tags_csv(folder / "selected_tags.csv")
    return folder


def solid(colour: str | tuple[int, int, int], side: int = 64) -> np.ndarray:
    """An RGB uint8 frame of one colour (a name of COLOURS or an RGB triple)."""
    rgb = COLOURS[colour] if isinstance(colour, str) else colour
    return np.full((side, side, 3), rgb, np.uint8)


def split(side: int = 64) -> np.ndarray:
    """Red on the left half, blue on the right: tagged ``split screen`` only."""
    frame = solid("blue", side)
    frame[:, : side // 2] = COLOURS["red"]
    return frame


def reference_scores(bgr: np.ndarray) -> np.ndarray:
    """What the tiny model outputs for preprocessed frames (n x side x side x 3 BGR 0-255)."""
    x = bgr.astype(np.float64) / 255.0
    half = x.shape[2] // 2
    feats = np.concatenate(
        [x.mean(axis=(1, 2)), x[:, :, :half].mean(axis=(1, 2)), x[:, :, half:].mean(axis=(1, 2))],
        axis=1,
    )
    w, b = weight_matrix()
    out: np.ndarray = 1.0 / (1.0 + np.exp(-(feats @ w + b)))
    return out.astype(np.float32)
