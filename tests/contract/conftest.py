"""Fixtures for the contract suites: a benign photo to hash, encoded once per session."""

from __future__ import annotations

import pytest

from tests.fixtures import images


@pytest.fixture(scope="session")
def sample_png() -> bytes:
    return images.png_bytes("astronaut")
