"""Every view, fed every combination of design {the example, a new empty design, a preset that does not fit,
a design with an error} × dataset kind {images, 2-D points, a CSV table}, answers with values or a plain
message: never an exception, never a traceback in the log."""

from __future__ import annotations

import pytest

from netbuilder.workbench import events as ev

pytestmark = [pytest.mark.gui, pytest.mark.slow]

TRAIN_VIEWS = ("filters", "features", "evaluation", "boundary")
EXPLORE_VIEWS = ("augment", "explain", "adversarial", "inside", "health")


def _designs(example):
    from netbuilder.presets import build_preset
    from netbuilder.ui.files import blank_design

    broken = example.copy()
    broken.graph.node("dense_2").params["units"] = 0
    return {"example": example, "empty": blank_design(), "unfitted": build_preset("resnet18"), "broken": broken}


def _fitting(kind: str):
    """A design that fits each dataset kind (so the views compute real values on it)."""
    from netbuilder.presets import build_preset, fit_design

    design = build_preset("playground")
    return fit_design(design, [3], 2) if kind == "table" else design


def _datasets(tmp_path):
    csv = tmp_path / "table.csv"
    rows = ["a,b,c,label"] + [f"{i % 7},{(i * 3) % 5},{i % 2},{'yes' if i % 3 else 'no'}" for i in range(90)]
    csv.write_text("\n".join(rows) + "\n")
    return {"images": {"name": "digits"}, "points": {"name": "circle"}, "table": {"name": str(csv)}}


@pytest.mark.timeout(900)
def test_every_view_answers_every_design_on_every_dataset(window, qtbot, tmp_path, example):
    from netbuilder import log

    log.use_log_file(tmp_path / "errors.log")
    tc, ex = window.training, window.explore
    wb = window.workbench
    qtbot.waitUntil(lambda: wb.ready is not None, timeout=60_000)
    answers: dict[str, ev.ViewResult] = {}
    window.bridge.received.connect(lambda e: answers.__setitem__(e.view, e) if isinstance(e, ev.ViewResult) else None)
    failures = []
    try:
        combos = [(dname, design, kind, spec) for dname, design in _designs(example).items()
                  for kind, spec in _datasets(tmp_path).items()]
        combos += [("fitting", _fitting(kind), kind, spec) for kind, spec in _datasets(tmp_path).items()
                   if kind != "images"]
        for dname, design, kind, spec in combos:
            d = design.copy()
            d.dataset = dict(spec)
            window.set_design(d)
            qtbot.waitUntil(lambda: wb.dataset is not None or not wb.executor.busy, timeout=60_000)
            assert wb.wait_idle(60)
            qtbot.wait(50)
            answers.clear()
            expected = set(EXPLORE_VIEWS)
            for key in TRAIN_VIEWS:
                tc.request_view(key)
                if key != "boundary" or tc.boundary.applicable:
                    expected.add(key)
            if tc.features.current_input() is None:
                expected.discard("features")
            for key in EXPLORE_VIEWS:
                ex.request(key, now=True)
            qtbot.waitUntil(lambda e=expected: e <= set(answers) and not wb.busy, timeout=120_000)
            for key in sorted(expected):
                a = answers[key]
                if (a.value is None) == (a.message is None):
                    failures.append(f"{dname} × {kind}: {key} gave neither values nor one message")
                if a.message is not None and ("Traceback" in a.message or "\n" in a.message):
                    failures.append(f"{dname} × {kind}: {key} message is not one plain line: {a.message!r}")
                if a.message is not None and "details in" in a.message:
                    failures.append(f"{dname} × {kind}: {key} failed unexpectedly: {a.message}")
            if dname in ("unfitted",) and kind == "images":
                assert answers["explain"].offer_fit and "does not fit" in answers["explain"].message
            if dname == "example" and kind == "images":
                assert answers["evaluation"].value is not None and answers["explain"].value is not None
            if dname == "fitting":
                assert answers["evaluation"].value is not None, answers["evaluation"].message
                assert answers["explain"].message and "needs an image dataset" in answers["explain"].message
                if kind == "points":
                    assert answers["boundary"].value is not None, answers["boundary"].message
            if not tc.boundary.applicable:
                assert "2-D" in tc.boundary.grid["error"]
    finally:
        log.use_log_file(None)
    assert not failures, "\n".join(failures)
    assert not (tmp_path / "errors.log").exists() or not (tmp_path / "errors.log").read_text().strip()
