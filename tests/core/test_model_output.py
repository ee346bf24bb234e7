"""A tagger whose output is not probabilities is refused by name: NaN, over-1, unbounded and
int64 scores, and a declared input too large to allocate. The run stops on the first bad batch,
keeps the clips already stored, and a re-run with a sound model completes. The tag list reader
raises only its typed error for any text."""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anicurate.cli import main
from anicurate.core.media.writer import write_video
from anicurate.core.project import Project, import_paths
from anicurate.core.tagging import store
from anicurate.core.tagging.errors import (
    TaggerLayoutError,
    TaggerOutputError,
    VocabularyError,
)
from anicurate.core.tagging.model import MAX_SIDE, ModelLayout, Tagger, load_tagger
from anicurate.core.tagging.run import tag_project
from anicurate.core.tagging.vocabulary import load_vocabulary
from tests.helpers.jobs import finish as drive
from tests.helpers.tagger_samples import make_bad_tagger, make_tiny_tagger, solid, write_tags_csv


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    write_video(folder / "a_red.mp4", [solid("red")] * 4, 24)
    write_video(folder / "b_green.mp4", [solid("green")] * 4, 24)
    write_video(folder / "c_mixed.mp4", [solid("red")] * 2 + [solid("blue")] * 4, 24)
    write_video(folder / "d_red.mp4", [solid("red")] * 4, 24)
    return folder


@pytest.fixture
def project(tmp_path: Path, media: Path) -> Path:
    path = tmp_path / "p.anicurate"
    drive(import_paths(path, [media]))
    return path


def tagged_files(path: Path) -> dict[str, list[str]]:
    """Files whose clip has a stored tagging record, with its tags."""
    with Project.open(path) as p:
        return {
            Path(s.path).name: [t.tag for t in store.clip_tags(p, c.id)]
            for c, s in p.clips_with_sources()
            if store.tagging_record(p, c.id) is not None
        }


def nan_in_database(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, float) and math.isnan(value):
                        return True
                    if isinstance(value, str) and ("NaN" in value or "Infinity" in value):
                        return True
        return False
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("fault", "words"),
    [("nan_when_blue", "NaN or infinite"), ("over_one_when_blue", "not 0-1")],
)
def test_bad_scores_stop_the_run_on_the_first_bad_batch_and_keep_what_is_done(
    project: Path, tmp_path: Path, fault: Any, words: str
) -> None:
    bad = make_bad_tagger(tmp_path / fault, fault)
    # One producer, batches of one frame: a and b are stored before c's blue frames run.
    with pytest.raises(TaggerOutputError) as caught:
        drive(tag_project(project, bad, provider="cpu", batch=1, workers=1))
    assert caught.value.path == bad / "model.onnx"
    assert words in str(caught.value)
    assert tagged_files(project) == {
        "a_red.mp4": ["red background"],
        "b_green.mp4": ["hatsune miku", "green hair", "looking at viewer"],
    }
    assert not nan_in_database(project)

    good = make_tiny_tagger(tmp_path / "good")
    summary = drive(tag_project(project, good, provider="cpu", batch=4))
    assert (summary.tagged, summary.failed) == (4, [])
    assert sorted(tagged_files(project)) == ["a_red.mp4", "b_green.mp4", "c_mixed.mp4", "d_red.mp4"]


def test_unbounded_scores_are_refused_naming_the_model(tmp_path: Path) -> None:
    tagger = load_tagger(make_bad_tagger(tmp_path / "logits", "logits"), "cpu")
    with pytest.raises(TaggerOutputError, match=r"scores from -\d.* to \d.*, not 0-1") as caught:
        tagger.tag_images([solid("red")])
    assert caught.value.path == tmp_path / "logits" / "model.onnx"


def test_an_int64_output_is_refused_at_load(tmp_path: Path) -> None:
    with pytest.raises(TaggerLayoutError, match=r"is tensor\(int64\); a tagger outputs float"):
        load_tagger(make_bad_tagger(tmp_path / "int", "int64"), "cpu")


class _FixedSession:
    """A stand-in session that returns the given scores whatever it is fed."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores

    def run(self, names: list[str], feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [self.scores]


@pytest.mark.parametrize(
    ("scores", "words"),
    [
        (np.ones((1, 11), np.int64), "outputs int64 scores"),
        (np.full((1, 11), np.inf, np.float32), "NaN or infinite"),
        (np.full((1, 11), -0.5, np.float64), "from -0.5 to -0.5"),
    ],
)
def test_run_checks_what_the_session_really_returns(
    tmp_path: Path, scores: np.ndarray, words: str
) -> None:
    folder = make_tiny_tagger(tmp_path / "t")
    vocab = load_vocabulary(folder / "selected_tags.csv")
    tagger = Tagger(
        folder=folder, name="t", session=_FixedSession(scores), vocab=vocab,
        layout=ModelLayout("input", "output", 64, None, 11), requested="cpu",
        provider="CPUExecutionProvider", fallback=None,
    )  # fmt: skip
    with pytest.raises(TaggerOutputError, match=words):
        tagger.tag_images([solid("red")])


def test_rounding_just_past_one_is_clipped_not_refused(tmp_path: Path) -> None:
    folder = make_tiny_tagger(tmp_path / "t")
    scores = np.full((1, 11), 1.0004, np.float16)
    tagger = Tagger(
        folder=folder, name="t", session=_FixedSession(scores),
        vocab=load_vocabulary(folder / "selected_tags.csv"),
        layout=ModelLayout("input", "output", 64, None, 11), requested="cpu",
        provider="CPUExecutionProvider", fallback=None,
    )  # fmt: skip
    out = tagger.tag_images([solid("red")])
    assert out.dtype == np.float32 and float(out.max()) == 1.0


def test_a_huge_declared_input_is_refused_at_load_before_any_allocation(tmp_path: Path) -> None:
    folder = make_bad_tagger(tmp_path / "huge", "huge_side")
    t0 = time.perf_counter()
    with pytest.raises(TaggerLayoutError) as caught:
        load_tagger(folder, "cpu")
    assert time.perf_counter() - t0 < 20  # 30000^2 x 3 floats would be 10 GB per frame
    assert caught.value.path == folder / "model.onnx"
    assert f"declares 30000x30000 pixels, outside the limit of 32 to {MAX_SIDE}" in str(
        caught.value
    )


def test_output_width_must_match_the_tag_list(tmp_path: Path) -> None:
    folder = make_tiny_tagger(tmp_path / "t")
    write_tags_csv(folder / "selected_tags.csv", (("general", 9, 0), ("red_background", 0, 1)))
    with pytest.raises(VocabularyError, match=r"lists 2 tags but model\.onnx outputs 11 scores"):
        load_tagger(folder, "cpu")


@pytest.mark.parametrize("fault", ["nan_when_blue", "huge_side", "int64"])
def test_cli_ends_with_one_line_naming_the_model_and_exit_1(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: Any
) -> None:
    bad = make_bad_tagger(tmp_path / fault, fault)
    args = ["tag", "--project", str(project), "--model", str(bad), "--provider", "cpu", "-q"]
    assert main(args) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"anicurate: {bad / 'model.onnx'}: ")
    assert not nan_in_database(project)


# -- the tag list reader ----------------------------------------------------------------------

_CSV_CHARS = st.sampled_from(
    list("tag_id,name,category,count0123456789\n\r\"' -_^\x00\ufeff\u00e9")
)
_HEADER = "tag_id,name,category,count\n"
# One file per example, rewritten in the test's tmp_path (hence the function-scoped fixture).
_FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(_FUZZ, max_examples=300)
@given(
    body=st.one_of(st.text(max_size=300), st.text(_CSV_CHARS, max_size=300)),
    with_header=st.booleans(),
)
def test_any_text_reads_as_a_vocabulary_or_a_vocabulary_error(
    tmp_path: Path, body: str, with_header: bool
) -> None:
    path = tmp_path / "selected_tags.csv"
    path.write_text((_HEADER if with_header else "") + body, encoding="utf-8", newline="")
    try:
        vocab = load_vocabulary(path)
    except VocabularyError as err:
        assert err.path == path
        return
    assert len(vocab) == len(vocab.names) == len(vocab.categories) == len(vocab.counts) > 0


@settings(_FUZZ, max_examples=200)
@given(data=st.binary(max_size=300))
def test_any_bytes_read_as_a_vocabulary_or_a_vocabulary_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "selected_tags.csv"
    path.write_bytes(_HEADER.encode() + data)
    try:
        load_vocabulary(path)
    except VocabularyError as err:
        assert err.path == path


@settings(_FUZZ, max_examples=100)
@given(
    rows=st.lists(
        st.tuples(
            st.text(min_size=1, max_size=20), st.sampled_from([0, 4, 9]), st.integers(0, 10**6)
        ),
        min_size=1,
        max_size=20,
    )
)
def test_well_formed_rows_round_trip(tmp_path: Path, rows: list[tuple[str, int, int]]) -> None:
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["tag_id", "name", "category", "count"])
    for i, (name, cat, count) in enumerate(rows):
        writer.writerow([i, name, cat, count])
    path = tmp_path / "selected_tags.csv"
    path.write_text(text.getvalue(), encoding="utf-8", newline="")
    try:
        vocab = load_vocabulary(path)
    except VocabularyError:
        # Only a name holding a NUL, or whose first row the csv module cannot frame, may fail.
        assert any("\x00" in name for name, _, _ in rows)
        return
    assert vocab.names == tuple(name for name, _, _ in rows)
    assert vocab.categories.tolist() == [cat for _, cat, _ in rows]
    assert vocab.counts.tolist() == [count for _, _, count in rows]


def test_a_tag_list_saved_by_a_spreadsheet_with_a_bom_reads(tmp_path: Path) -> None:
    path = write_tags_csv(tmp_path / "selected_tags.csv")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    vocab = load_vocabulary(path)
    assert (len(vocab), vocab.names[0]) == (11, "general")
