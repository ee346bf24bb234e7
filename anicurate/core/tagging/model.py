"""A WD14 tagger loaded with onnxruntime: layout read from the session, provider reported truly.

Names, side, layout and whether the batch is fixed (v2 exports take one image, v3 any number)
come from the session, never from assumptions. Providers: CUDA first, then CPU; onnxruntime
falls back to CPU quietly when CUDA cannot start, so the provider that really loaded is read
back and a fallback is recorded in :attr:`Tagger.fallback` for the CLI and window to show.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from anicurate.core.tagging.discovery import MODEL_FILE, TAGS_FILE
from anicurate.core.tagging.errors import (
    TaggerError,
    TaggerFileMissing,
    TaggerLayoutError,
    TaggerModelBroken,
    TaggerOutputError,
    VocabularyError,
)
from anicurate.core.tagging.preprocess import preprocess
from anicurate.core.tagging.providers import preload_cuda_libraries
from anicurate.core.tagging.vocabulary import Vocabulary, load_vocabulary

ProviderChoice = Literal["auto", "cuda", "cpu"]
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
# What WD14 taggers use; only taken when an export leaves the spatial size dynamic.
DEFAULT_SIDE = 448
# Declared input sides outside this are refused at load: one 30000-pixel frame alone would take
# 10 GB before the model ever ran. WD14 taggers use 448; 2048 leaves room for any real tagger.
MIN_SIDE, MAX_SIDE = 32, 2048
# A fixed batch is padded up to this many frames on every run.
MAX_FIXED_BATCH = 256
# Sigmoid scores computed in float16 or fused kernels may overshoot 0-1 by a rounding error.
SCORE_TOLERANCE = 1e-3
FLOAT_OUTPUTS = ("tensor(float)", "tensor(float16)", "tensor(double)")

PROVIDER_LABELS = {CUDA: "CUDA (GPU)", CPU: "CPU"}


@dataclass(frozen=True, slots=True)
class ModelLayout:
    """What the session says about the model's input and output."""

    input_name: str
    output_name: str
    side: int
    fixed_batch: int | None  # 1 for v2-style exports; None when the batch is dynamic
    n_outputs: int | None  # None when the export leaves it dynamic (checked at the first run)


@dataclass(slots=True)
class Tagger:
    """A loaded tagger: session, vocabulary and layout. Use one per thread for ``run``."""

    folder: Path
    name: str
    session: Any  # onnxruntime.InferenceSession
    vocab: Vocabulary
    layout: ModelLayout
    requested: ProviderChoice
    provider: str  # the execution provider that really runs it, e.g. "CPUExecutionProvider"
    fallback: str | None  # why the provider asked for did not load; None when it did
    identity: dict[str, Any] = field(default_factory=dict)

    @property
    def model_path(self) -> Path:
        return self.folder / MODEL_FILE

    @property
    def side(self) -> int:
        return self.layout.side

    @property
    def provider_label(self) -> str:
        return PROVIDER_LABELS.get(self.provider, self.provider)

    def batch_size(self, wanted: int) -> int:
        """The batch that will really be used: the model's fixed one (v2: 1) or ``wanted``."""
        return self.layout.fixed_batch or max(1, wanted)

    def run(self, batch: np.ndarray) -> np.ndarray:
        """Scores (``n x tags``, float32 0-1) for preprocessed frames (``n x side x side x 3``).

        A fixed-batch model is run once per ``fixed_batch`` frames (padding the last run).
        """
        expected = (self.side, self.side, 3)
        if batch.ndim != 4 or batch.shape[1:] != expected:
            raise ValueError(f"expected n x {self.side} x {self.side} x 3, got {batch.shape}")
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        fixed = self.layout.fixed_batch
        if fixed is None or batch.shape[0] == fixed:
            scores = self._run(batch)
        else:
            parts = []
            for start in range(0, batch.shape[0], fixed):
                part = batch[start : start + fixed]
                n = part.shape[0]
                if n < fixed:
                    part = np.concatenate([part, np.zeros((fixed - n, *expected), np.float32)])
                parts.append(self._run(part)[:n])
            scores = np.concatenate(parts)
        return scores

    def tag_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """Preprocess RGB/RGBA frames and score them: ``len(images) x tags``."""
        batch = np.empty((len(images), self.side, self.side, 3), np.float32)
        for i, image in enumerate(images):
            preprocess(image, self.side, out=batch[i])
        return self.run(batch)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        try:
            (scores,) = self.session.run([self.layout.output_name], {self.layout.input_name: batch})
        except Exception as e:  # onnxruntime raises its own exception types per failure
            raise TaggerModelBroken(self.model_path, f"failed to run: {_first_line(e)}") from e
        scores = self._checked(np.asarray(scores))
        if scores.ndim != 2 or scores.shape[0] != batch.shape[0]:
            raise TaggerLayoutError(
                self.model_path, f"output has shape {scores.shape}, not frames x tags"
            )
        if scores.shape[1] != len(self.vocab):
            raise _mismatch(self.vocab, self.model_path, scores.shape[1])
        return scores

    def _checked(self, scores: np.ndarray) -> np.ndarray:
        """Float32 scores in 0-1; anything else (NaN, inf, ints, unbounded) is the model's fault."""
        if scores.dtype.kind != "f":
            raise TaggerOutputError(
                self.model_path, f"outputs {scores.dtype} scores; a tagger must output floats 0-1"
            )
        scores = scores.astype(np.float32, copy=False)
        if scores.size:
            finite = np.isfinite(scores)
            if not finite.all():
                bad = int(scores.size - np.count_nonzero(finite))
                raise TaggerOutputError(
                    self.model_path,
                    f"output {bad} scores that are NaN or infinite; the model is broken",
                )
            low, high = float(scores.min()), float(scores.max())
            if low < -SCORE_TOLERANCE or high > 1.0 + SCORE_TOLERANCE:
                raise TaggerOutputError(
                    self.model_path,
                    f"output scores from {low:g} to {high:g}, not 0-1;"
                    " a tagger must end with a sigmoid",
                )
            np.clip(scores, 0.0, 1.0, out=scores)
        return scores


def load_tagger(
    folder: str | Path,
    provider: ProviderChoice = "auto",
    *,
    threads: int | None = None,
    name: str | None = None,
) -> Tagger:
    """Load ``folder/model.onnx`` and ``folder/selected_tags.csv`` on the best provider asked for.

    ``provider``: "auto" and "cuda" try CUDA and then CPU, "cpu" only CPU. ``threads`` caps
    onnxruntime's CPU threads (None: its default). Raises TaggerError subclasses naming the file.
    """
    import onnxruntime as ort

    folder = Path(folder)
    model_path = folder / MODEL_FILE
    if not model_path.is_file():
        raise TaggerFileMissing(model_path, "missing: a tagger folder needs model.onnx")
    vocab = load_vocabulary(folder / TAGS_FILE)

    ort.set_default_logger_severity(4)  # Tagger.fallback replaces its provider error lines
    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    available = ort.get_available_providers()
    want_cuda = provider in ("auto", "cuda")
    fallback: str | None = None
    missing: list[str] = []
    chain = [CPU]
    if want_cuda:
        if CUDA in available:
            missing = preload_cuda_libraries()
            chain = [CUDA, CPU]
        else:
            fallback = "this onnxruntime build has no CUDA provider (install onnxruntime-gpu)"

    session = None
    try:
        session = _session(ort, model_path, options, chain)
    except TaggerModelBroken:
        if chain == [CPU]:
            raise
        # A CUDA provider that fails to start can raise instead of falling back.
        session = _session(ort, model_path, options, [CPU])
        fallback = "the CUDA provider failed to start"
    active = session.get_providers()[0]
    if want_cuda and CUDA in chain and active != CUDA and fallback is None:
        fallback = "CUDA did not load" + (
            f" (missing {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''})"
            if missing
            else " (its libraries are missing or no GPU is visible)"
        )
    if fallback is not None and provider == "auto" and CUDA not in available:
        fallback = None  # nothing to fall back from on a CPU-only build: CPU is the plan
    if fallback is not None:
        fallback += f"; running on {PROVIDER_LABELS.get(active, active)}"

    layout = read_layout(session, model_path, vocab)
    return Tagger(
        folder=folder,
        name=name or folder.name,
        session=session,
        vocab=vocab,
        layout=layout,
        requested=provider,
        provider=active,
        fallback=fallback,
        identity=_identity(folder, model_path, vocab),
    )


def read_layout(session: Any, model_path: Path, vocab: Vocabulary) -> ModelLayout:
    """Input/output names, side and batch from the session; a non-WD14 layout is an error."""
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or not outputs:
        raise TaggerLayoutError(model_path, f"expected one image input, found {len(inputs)} inputs")
    inp, out = inputs[0], outputs[0]
    shape = list(inp.shape)
    if len(shape) != 4:
        raise TaggerLayoutError(model_path, f"input {inp.name!r} has shape {shape}, not NHWC")
    if shape[3] != 3:
        layout = "NCHW" if shape[1] == 3 else f"shape {shape}"
        raise TaggerLayoutError(
            model_path, f"input {inp.name!r} is {layout}; WD14 taggers take NHWC (n, h, w, 3)"
        )
    if inp.type != "tensor(float)":
        raise TaggerLayoutError(model_path, f"input {inp.name!r} is {inp.type}, not float32")
    h, w = shape[1], shape[2]
    if isinstance(h, int) and isinstance(w, int):
        if h != w:
            raise TaggerLayoutError(model_path, f"input is {w}x{h}; WD14 taggers take squares")
        side = h
    elif isinstance(h, int) or isinstance(w, int):
        side = h if isinstance(h, int) else int(w)
    else:
        side = DEFAULT_SIDE
    if not MIN_SIDE <= side <= MAX_SIDE:
        raise TaggerLayoutError(
            model_path,
            f"input {inp.name!r} declares {side}x{side} pixels, outside the limit of"
            f" {MIN_SIDE} to {MAX_SIDE} pixels a side",
        )
    fixed = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else None
    if fixed is not None and fixed > MAX_FIXED_BATCH:
        raise TaggerLayoutError(
            model_path, f"input {inp.name!r} declares a batch of {fixed}, over {MAX_FIXED_BATCH}"
        )
    if out.type not in FLOAT_OUTPUTS:
        raise TaggerLayoutError(
            model_path, f"output {out.name!r} is {out.type}; a tagger outputs float scores 0-1"
        )
    out_shape = list(out.shape)
    if len(out_shape) != 2:
        raise TaggerLayoutError(
            model_path, f"output {out.name!r} has shape {out_shape}, not (batch, tags)"
        )
    n_out = out_shape[1] if isinstance(out_shape[1], int) else None
    if n_out is not None and n_out != len(vocab):
        raise _mismatch(vocab, model_path, n_out)
    return ModelLayout(inp.name, out.name, side, fixed, n_out)


def _session(ort: Any, model_path: Path, options: Any, providers: list[str]) -> Any:
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            return ort.InferenceSession(str(model_path), options, providers=providers)
    except Exception as e:  # InvalidProtobuf, Fail, NotImplemented ... from the C++ side
        raise TaggerModelBroken(model_path, f"not a loadable ONNX model: {_first_line(e)}") from e


def _mismatch(vocab: Vocabulary, model_path: Path, n_out: int) -> TaggerError:
    return VocabularyError(
        vocab.path,
        f"lists {len(vocab)} tags but {model_path.name} outputs {n_out} scores;"
        " the two files come from different taggers",
    )


def _identity(folder: Path, model_path: Path, vocab: Vocabulary) -> dict[str, Any]:
    """What makes two loads the same tagger for re-tagging decisions (cheap: no model hashing)."""
    digest = hashlib.blake2b(vocab.path.read_bytes(), digest_size=16).hexdigest()
    return {"name": folder.name, "model_bytes": model_path.stat().st_size, "tags": digest}


def _first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:240]
