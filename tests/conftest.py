"""Shared test set-up: Qt offscreen, markers, a deterministic hypothesis profile."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NETBUILDER_TESTING", "1")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def one_thread():
    """One torch CPU thread for the test (tiny models gain nothing from more; on a shared machine threads
    waiting for each other make them many times slower). Used with ``usefixtures`` or a conftest's autouse."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class SettledWorkbench:
    """A Workbench whose events are settled on the caller's thread, as the window's bridge would settle them
    (``accept``); ``seen`` keeps what was accepted. Made by the ``settled_workbench`` fixture."""

    def __init__(self) -> None:
        from netbuilder.workbench import Workbench

        self.inbox: list = []
        self.seen: list = []
        self.wb = Workbench(self.inbox.append)

    def pump(self, test, timeout: float = 120.0):
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            while self.inbox:
                event = self.wb.accept(self.inbox.pop(0))
                if event is not None:
                    self.seen.append(event)
            found = [e for e in self.seen if test(e)]
            if found:
                return found[-1]
            time.sleep(0.005)
        raise AssertionError(f"no such event: {self.seen[-5:]}")

    def done(self, ticket: int):
        from netbuilder.workbench import events as ev

        event = self.pump(lambda e: isinstance(e, ev.TaskDone | ev.TaskFailed) and e.ticket == ticket)
        assert isinstance(event, ev.TaskDone), event.message
        return event

    def open(self, design, revision: int = 1, replaced: bool = True) -> None:
        from netbuilder.analysis import analyze
        from netbuilder.workbench.fit import input_shape_of

        a = analyze(design.graph)
        outs = [n for n in design.graph.iter_nodes() if n.kind == "output"]
        shape = a.nodes[outs[0].id].shape if outs else None
        self.wb.set_design(design, revision, problems=[str(d) for d in a.errors],
                           input_shape=input_shape_of(design.graph),
                           classes=int(shape[0]) if shape is not None and len(shape) == 1 else None,
                           parameters=a.total_params, replaced=replaced)


@pytest.fixture
def settled_workbench():
    """The ``SettledWorkbench`` class (a test makes its own, often in a fixture of its file)."""
    return SettledWorkbench


def pytest_collection_modifyitems(config, items):
    cuda = None
    for item in items:
        if "gpu" in item.keywords:
            if cuda is None:
                import torch

                cuda = torch.cuda.is_available()
            if not cuda:
                item.add_marker(pytest.mark.skip(reason="needs a CUDA GPU"))
