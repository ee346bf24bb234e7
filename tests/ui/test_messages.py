"""Wording of errors and job reports: one place, exact text."""

from __future__ import annotations

from fractions import Fraction

from anicurate.core.errors import (
    AnicurateError,
    MediaError,
    MediaErrorKind,
    ProjectError,
    SchemaTooNew,
)
from anicurate.core.jobs import Progress
from anicurate.core.project import ImportSummary
from anicurate.ui.common.formatting import duration_text, fps_text, frame_range_text, size_text
from anicurate.ui.common.messages import (
    describe_error,
    explain_source_error,
    import_summary_text,
    progress_text,
    short_source_error,
)


def test_describe_error_names_each_core_error_in_plain_words() -> None:
    assert describe_error(ProjectError("x.anicurate: no such project")) == (
        "The project could not be opened or written: x.anicurate: no such project"
    )
    assert describe_error(SchemaTooNew("schema 9")).startswith(
        "This project was saved by a newer version of anicurate."
    )
    err = MediaError("/data/a/b.mp4", MediaErrorKind.TRUNCATED, "moov atom not found")
    assert describe_error(err) == (
        "b.mp4: The file ends early, probably an incomplete download. Download it again. "
        "(truncated: moov atom not found)"
    )
    assert describe_error(AnicurateError("plain")) == "plain"
    assert describe_error(FileNotFoundError(2, "No such file", "/x")) == "No such file: /x"
    assert describe_error(ValueError("boom")) == (
        "Unexpected error (ValueError): boom. This is a bug in anicurate."
    )


def test_source_errors_explain_and_keep_the_decoders_words() -> None:
    assert explain_source_error("zero length", "zero length") == (
        "The file is empty (0 bytes): the download or copy probably failed."
    )
    assert explain_source_error("not media", "not media: invalid data") == (
        "This is not a video, animation or image that anicurate can read, whatever its name "
        "says.\nDetails: not media: invalid data"
    )
    assert explain_source_error(None, "odd") == "odd"
    assert short_source_error("corrupt", None) == "corrupt"
    assert short_source_error("corrupt", "corrupt: bad") == "corrupt: bad"


def test_progress_and_summary_lines() -> None:
    assert progress_text("importing", Progress(12, 40, "/x/name.mp4")) == (
        "importing 12/40: name.mp4"
    )
    assert progress_text("importing", Progress(0, 0)) == "importing\u2026"
    assert progress_text("analysing", Progress(3, 0, "a.gif")) == "analysing 3: a.gif"
    summary = ImportSummary(added=3, relinked=1, unchanged=2, failed=[("/a", "bad")])
    assert import_summary_text(summary) == (
        "Import finished, 7 files: 3 added, 2 unchanged, 1 relinked, 1 failed (see Problems)"
    )
    assert import_summary_text(ImportSummary(added=1)) == (
        "Import finished, 1 file: 1 added, 0 unchanged, 0 relinked, 0 failed"
    )


def test_number_formats() -> None:
    assert fps_text(Fraction(24)) == "24"
    assert fps_text(Fraction(24000, 1001)) == "23.976"
    assert fps_text(Fraction(25, 2)) == "12.5"
    assert duration_text(5.34) == "0:05.3"
    assert duration_text(59.97) == "1:00.0"
    assert duration_text(3723.0) == "1:02:03"
    assert size_text(999) == "999 bytes"
    assert size_text(12_345_678) == "12.3 MB"
    assert frame_range_text(0, 47) == "0\u201347 (48 frames)"
    assert frame_range_text(3, 3) == "3\u20133 (1 frame)"


def test_io_errors_say_what_happened_and_that_work_is_kept() -> None:
    import errno
    import sqlite3

    full = OSError(errno.ENOSPC, "No space left on device", "/out/videos/a.mp4")
    assert describe_error(full) == (
        "/out/videos/a.mp4: The disk is full. Free some space. Work finished before this is "
        "kept; run it again to complete the rest."
    )
    assert describe_error(PermissionError(errno.EACCES, "Permission denied", "/out")) == (
        "/out: anicurate may not write or read here. Check the permissions of the file and "
        "its folder."
    )
    assert describe_error(OSError(errno.EROFS, "Read-only file system")) == (
        "The disk or folder is read-only. Choose a writable place, or make this one writable."
    )
    assert describe_error(sqlite3.OperationalError("database or disk is full")) == (
        "The project could not be read or written: database or disk is full. Work finished "
        "before this is kept; run it again to complete the rest."
    )
