"""Fixtures for tests/core: media files generated at test time (see media_samples.py)."""

from __future__ import annotations

import pytest

from tests.helpers.media_samples import SampleMedia


@pytest.fixture(scope="session")
def sample_media(tmp_path_factory: pytest.TempPathFactory) -> SampleMedia:
    """``sample_media(name)`` -> Sample, for the names in SAMPLE_NAMES."""
    return SampleMedia(tmp_path_factory.mktemp("media"))
