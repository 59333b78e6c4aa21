"""Engine tests use one CPU thread: tiny models gain nothing from more, and on a shared machine
threads waiting for each other make them many times slower."""

import pytest


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    """Every test here runs on one torch thread (tests/conftest.py's ``one_thread``)."""
