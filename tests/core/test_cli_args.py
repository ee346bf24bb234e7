"""Every numeric option of tag and analyze is checked by argparse: a bad value is a usage error
(exit 2, the option named, no traceback) before any project is opened or created."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from anicurate.cli import main
from anicurate.cli.arguments import float_in, int_in

BAD_TAG_VALUES = [
    ("--frames", "0"),
    ("--frames", "-3"),
    ("--frames", "65"),
    ("--frames", "2.5"),
    ("--frames", "many"),
    ("--batch", "0"),
    ("--batch", "100000"),
    ("--general-threshold", "5"),
    ("--general-threshold", "-1"),
    ("--general-threshold", "nan"),
    ("--general-threshold", "inf"),
    ("--general-threshold", ""),
    ("--character-threshold", "1.01"),
    ("--character-threshold", "-inf"),
    ("--character-threshold", "NaN"),
]


@pytest.mark.parametrize(("option", "value"), BAD_TAG_VALUES)
def test_tag_refuses_bad_numbers_with_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    project = tmp_path / "p.anicurate"
    with pytest.raises(SystemExit) as stop:
        main(["tag", "--project", str(project), f"{option}={value}"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: anicurate tag")
    assert f"error: argument {option}: " in err and "Traceback" not in err
    assert not project.exists()


@pytest.mark.parametrize("value", ["0", "-1", "65", "two", "1e3"])
def test_analyze_refuses_bad_worker_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["analyze", "--project", str(tmp_path / "p.anicurate"), f"--workers={value}"])
    assert stop.value.code == 2
    assert "error: argument --workers: " in capsys.readouterr().err


def test_good_values_pass_through() -> None:
    assert int_in(1, 64)("64") == 64
    assert int_in(1, 64)(" 1 ") == 1
    assert float_in(0.0, 1.0)("0") == 0.0
    assert float_in(0.0, 1.0)("1") == 1.0
    assert float_in(0.0, 1.0)("0.35") == 0.35
    assert float_in(0.0, float("inf"), finite=False)("inf") == float("inf")


@pytest.mark.parametrize(
    ("parse", "text", "words"),
    [
        (int_in(1, 64), "0", "must be from 1 to 64, not 0"),
        (int_in(1, 64), "3.0", "must be a whole number from 1 to 64, not '3.0'"),
        (float_in(0.0, 1.0), "nan", "must be a finite number, not nan"),
        (float_in(0.0, 1.0), "1e400", "must be a finite number, not 1e400"),
        (float_in(0.0, 1.0), "5", "must be from 0 to 1, not 5"),
        (float_in(0.0, float("inf"), finite=False), "nan", "must be a finite number, not nan"),
    ],
)
def test_refusals_say_why(parse: object, text: str, words: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=words):
        parse(text)  # type: ignore[operator]


def test_tag_values_in_range_reach_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Accepted values are the numbers given: the run gets past parsing and stops only at the
    missing tagger (exit 2 from resolve_model, not from argparse)."""
    from anicurate.core.project import Project
    from anicurate.core.tagging import store

    project = tmp_path / "p.anicurate"
    Project.open(project, create=True).close()
    args = ["tag", "--project", str(project), "--model", str(tmp_path / "none"),
            "--frames", "64", "--general-threshold", "0", "--character-threshold", "1"]  # fmt: skip
    assert main(args) == 2
    assert "no tagger" in capsys.readouterr().err
    with Project.open(project) as p:
        options = store.load_options(p)
    # Options are saved only once a tagger is found: the defaults are still there.
    assert (options.sampling.count, options.general_threshold) == (8, 0.35)
