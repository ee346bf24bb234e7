"""The tagger: layout read from the session, exact tags for known frames, batches equal single
runs, v2 fixed and v3 dynamic batches, typed errors naming the file, and honest providers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from anicurate.core.tagging import model as model_module
from anicurate.core.tagging.errors import (
    TaggerError,
    TaggerFileMissing,
    TaggerLayoutError,
    TaggerModelBroken,
    VocabularyError,
)
from anicurate.core.tagging.merge import select_tags
from anicurate.core.tagging.model import CPU, CUDA, load_tagger
from anicurate.core.tagging.options import TaggingOptions
from anicurate.core.tagging.preprocess import preprocess
from tests.helpers.tagger_samples import (
    COLOURS,
    EXPECTED_TAGS,
    TINY_TAGS,
    make_tiny_tagger,
    reference_scores,
    solid,
    split,
    write_tags_csv,
)


@pytest.fixture(scope="module")
def taggers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("taggers")
    return {
        "v3": make_tiny_tagger(root / "v3", side=64, dynamic_batch=True),
        "v2": make_tiny_tagger(root / "v2", side=64, dynamic_batch=False),
        "v3-448": make_tiny_tagger(root / "v3-448", side=448, dynamic_batch=True),
    }


def frames_by_name() -> dict[str, np.ndarray]:
    return {**{name: solid(name) for name in COLOURS}, "split": split()}


def test_layout_is_read_from_the_session(taggers: dict[str, Path]) -> None:
    v3 = load_tagger(taggers["v3"], "cpu").layout
    v2 = load_tagger(taggers["v2"], "cpu").layout
    big = load_tagger(taggers["v3-448"], "cpu").layout
    assert (v3.input_name, v3.output_name, v3.side, v3.fixed_batch, v3.n_outputs) == (
        "input", "output", 64, None, len(TINY_TAGS)
    )  # fmt: skip
    assert (v2.input_name, v2.output_name, v2.side, v2.fixed_batch) == (
        "input_1:0", "predictions_sigmoid", 64, 1
    )  # fmt: skip
    assert (big.side, big.fixed_batch) == (448, None)


@pytest.mark.parametrize("kind", ["v3", "v2", "v3-448"])
def test_known_frames_give_exact_tags(taggers: dict[str, Path], kind: str) -> None:
    tagger = load_tagger(taggers[kind], "cpu")
    frames = frames_by_name()
    scores = tagger.tag_images([solid(n, tagger.side) if n in COLOURS else split(tagger.side)
                                for n in frames])  # fmt: skip
    for name, row in zip(frames, scores, strict=True):
        assert select_tags(row, tagger.vocab, TaggingOptions()).names == EXPECTED_TAGS[name], name


def test_scores_match_the_numpy_reference_and_batches_equal_single_runs(
    taggers: dict[str, Path],
) -> None:
    rng = np.random.default_rng(5)
    images = [rng.integers(0, 256, (48 + 8 * i, 80, 3), dtype=np.uint8) for i in range(7)]
    v3, v2 = load_tagger(taggers["v3"], "cpu"), load_tagger(taggers["v2"], "cpu")
    batch = np.stack([preprocess(im, 64) for im in images])
    together = v3.run(batch)
    one_by_one = np.concatenate([v3.run(batch[i : i + 1]) for i in range(len(images))])
    np.testing.assert_allclose(together, one_by_one, atol=1e-6)
    np.testing.assert_allclose(together, reference_scores(batch), atol=1e-5)
    # v2-style: batch fixed to 1; a batch of 7 is run one frame at a time with the same result.
    assert v2.batch_size(8) == 1 and v3.batch_size(8) == 8
    np.testing.assert_allclose(v2.run(batch), together, atol=1e-6)


def test_a_wrong_frame_size_is_refused(taggers: dict[str, Path]) -> None:
    tagger = load_tagger(taggers["v3"], "cpu")
    with pytest.raises(ValueError, match="64 x 64"):
        tagger.run(np.zeros((1, 448, 448, 3), np.float32))


# -- errors ---------------------------------------------------------------------------------


def test_missing_files_are_named(tmp_path: Path, taggers: dict[str, Path]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TaggerFileMissing) as err:
        load_tagger(empty, "cpu")
    assert err.value.path == empty / "model.onnx"
    assert str(err.value).startswith(f"{empty / 'model.onnx'}: missing")
    no_csv = tmp_path / "no_csv"
    no_csv.mkdir()
    (no_csv / "model.onnx").write_bytes((taggers["v3"] / "model.onnx").read_bytes())
    with pytest.raises(TaggerFileMissing) as err:
        load_tagger(no_csv, "cpu")
    assert err.value.path == no_csv / "selected_tags.csv"


def test_garbage_bytes_are_a_broken_model_named(tmp_path: Path) -> None:
    folder = tmp_path / "garbage"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"\x00not an onnx model at all\xff" * 40)
    write_tags_csv(folder / "selected_tags.csv")
    with pytest.raises(TaggerModelBroken) as err:
        load_tagger(folder, "cpu")
    assert err.value.path == folder / "model.onnx"
    assert "not a loadable ONNX model" in str(err.value)


def test_truncated_model_is_broken(tmp_path: Path, taggers: dict[str, Path]) -> None:
    folder = tmp_path / "cut"
    folder.mkdir()
    data = (taggers["v3"] / "model.onnx").read_bytes()
    (folder / "model.onnx").write_bytes(data[: len(data) // 2])
    write_tags_csv(folder / "selected_tags.csv")
    with pytest.raises(TaggerModelBroken):
        load_tagger(folder, "cpu")


def test_csv_rows_not_matching_the_outputs_name_the_csv(
    tmp_path: Path, taggers: dict[str, Path]
) -> None:
    folder = tmp_path / "mismatch"
    folder.mkdir()
    (folder / "model.onnx").write_bytes((taggers["v3"] / "model.onnx").read_bytes())
    write_tags_csv(folder / "selected_tags.csv", TINY_TAGS[:-1])
    with pytest.raises(VocabularyError) as err:
        load_tagger(folder, "cpu")
    assert err.value.path == folder / "selected_tags.csv"
    assert f"lists {len(TINY_TAGS) - 1} tags but model.onnx outputs {len(TINY_TAGS)}" in str(
        err.value
    )


def test_bad_csv_header_is_named(tmp_path: Path, taggers: dict[str, Path]) -> None:
    folder = tmp_path / "header"
    folder.mkdir()
    (folder / "model.onnx").write_bytes((taggers["v3"] / "model.onnx").read_bytes())
    (folder / "selected_tags.csv").write_text("id;tag\n1;smile\n")
    with pytest.raises(VocabularyError, match="header must start tag_id,name,category"):
        load_tagger(folder, "cpu")


def test_an_nchw_model_is_not_taken_for_a_tagger(tmp_path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    folder = tmp_path / "nchw"
    folder.mkdir()
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["x"], ["y"], axes=[2, 3], keepdims=0)],
        "nchw",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 64, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(folder / "model.onnx"))
    write_tags_csv(folder / "selected_tags.csv", TINY_TAGS[:3])
    with pytest.raises(TaggerLayoutError, match="NCHW") as err:
        load_tagger(folder, "cpu")
    assert isinstance(err.value, TaggerError) and err.value.path == folder / "model.onnx"


# -- providers ------------------------------------------------------------------------------


def test_cpu_asked_runs_on_cpu_with_no_fallback(taggers: dict[str, Path]) -> None:
    tagger = load_tagger(taggers["v3"], "cpu")
    assert (tagger.provider, tagger.fallback, tagger.provider_label) == (CPU, None, "CPU")


def test_cuda_that_does_not_load_is_reported_never_silent(
    taggers: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ort.InferenceSession

    def cpu_only(path: str, options: object = None, providers: list[str] | None = None) -> object:
        # What onnxruntime does when CUDA is listed but its libraries are missing: CPU quietly.
        return real(path, options, providers=[CPU])

    monkeypatch.setattr(ort, "get_available_providers", lambda: [CUDA, CPU])
    monkeypatch.setattr(ort, "InferenceSession", cpu_only)
    monkeypatch.setattr(model_module, "preload_cuda_libraries", lambda: ["libcudnn.so.9"])
    tagger = load_tagger(taggers["v3"], "cuda")
    assert tagger.provider == CPU
    assert tagger.fallback == "CUDA did not load (missing libcudnn.so.9); running on CPU"
    assert load_tagger(taggers["v3"], "auto").fallback == tagger.fallback


def test_cuda_asked_on_a_cpu_only_build_is_reported(
    taggers: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ort, "get_available_providers", lambda: [CPU])
    tagger = load_tagger(taggers["v3"], "cuda")
    assert tagger.provider == CPU
    assert tagger.fallback == (
        "this onnxruntime build has no CUDA provider (install onnxruntime-gpu); running on CPU"
    )
    # "auto" on a CPU-only build planned CPU from the start: nothing fell back.
    assert load_tagger(taggers["v3"], "auto").fallback is None


def test_cuda_here_either_runs_or_says_why_not(taggers: dict[str, Path]) -> None:
    tagger = load_tagger(taggers["v3"], "cuda")
    if tagger.provider == CUDA:  # a machine with a working GPU
        assert tagger.fallback is None
    else:
        assert tagger.provider == CPU and tagger.fallback and "running on CPU" in tagger.fallback


# -- download -------------------------------------------------------------------------------


def test_download_without_huggingface_hub_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from anicurate.core.tagging.download import download_tagger
    from anicurate.core.tagging.errors import TaggerUnavailable

    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # import fails as if missing
    with pytest.raises(TaggerUnavailable, match="needs huggingface_hub"):
        download_tagger("SmilingWolf/wd-vit-tagger-v3")


def test_download_offline_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from anicurate.core.tagging.download import download_tagger
    from anicurate.core.tagging.errors import TaggerUnavailable

    class LocalEntryNotFoundError(Exception):
        pass

    def offline(repo: str, name: str, cache_dir: str | None = None) -> str:
        raise LocalEntryNotFoundError("cannot find the requested files in the disk cache")

    fake = types.ModuleType("huggingface_hub")
    fake.hf_hub_download = offline  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "huggingface_hub", fake)
    with pytest.raises(TaggerUnavailable, match=r"cannot reach huggingface.co .* \(offline\?\)"):
        download_tagger("SmilingWolf/wd-vit-tagger-v3")


def test_download_returns_the_snapshot_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    from anicurate.core.tagging.discovery import find_taggers
    from anicurate.core.tagging.download import download_tagger

    snapshot = tmp_path / "hub" / "models--SmilingWolf--tiny" / "snapshots" / "abc"

    def fetch(repo: str, name: str, cache_dir: str | None = None) -> str:
        assert repo == "SmilingWolf/tiny"
        make_tiny_tagger(snapshot)
        return str(snapshot / name)

    fake = types.ModuleType("huggingface_hub")
    fake.hf_hub_download = fetch  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "huggingface_hub", fake)
    assert download_tagger("SmilingWolf/tiny") == snapshot
    [found] = find_taggers([], hf_cache=tmp_path / "hub")
    assert (found.name, found.path) == ("SmilingWolf/tiny", snapshot)
    assert load_tagger(found.path, "cpu").vocab.display[4] == "red background"
