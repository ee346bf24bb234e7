"""Running a core job generator to its end in a test, as the CLI and the job queue do."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

T = TypeVar("T")


def finish(job: Generator[Any, Any, T]) -> T:
    """The job's result, its progress reports ignored."""
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value
