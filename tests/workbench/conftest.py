"""Shared by the workbench tests: the digits example (``helpers``: a host whose model was "trained")."""

import pytest


@pytest.fixture
def digits():
    from netbuilder.ui.app import build_digits_cnn

    return build_digits_cnn()


@pytest.fixture
def example():
    from netbuilder.ui.app import default_example

    return default_example()


@pytest.fixture
def session(example, settled_workbench):
    """A settled Workbench (tests/conftest.py) warmed up, with the digits example open and digits loaded; at the
    end a run still training is stopped and the executor joined."""
    from netbuilder.workbench import events as ev

    s = settled_workbench()
    s.seen = []
    s.wb.warm_up()
    s.pump(lambda e: isinstance(e, ev.Ready))
    s.open(example)
    s.wb.set_dataset({"name": "digits"})
    s.pump(lambda e: isinstance(e, ev.DatasetLoaded))
    yield s
    s.wb.stop()
    assert s.wb.shutdown(20)
