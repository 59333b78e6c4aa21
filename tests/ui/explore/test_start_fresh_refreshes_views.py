"""An explore view left open follows the weights its network has: after Start fresh (the trained weights
dropped), the Explain, Adversarial and Inside views on screen answer again for the fresh network instead of keeping the
trained network's answer, labelled "Using trained weights", as current."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


EPOCHS = 1  # the runs of this file (the ``both`` fixture: conftest.py)


def test_start_fresh_asks_the_open_views_again(window, both, qtbot, show):
    tc, ex = both
    show(ex, "adversarial")  # (the docks are tabbed together: one is on screen)
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    after_run = lambda k: (ex.results.get(k) or {}).get("trained") and "live" not in ex.results[k]["source"]  # noqa: E731
    qtbot.waitUntil(lambda: after_run("adversarial") and not ex.wb.busy, timeout=30_000)
    assert "Untrained weights" not in ex.adversarial.info.text()
    tc.reset_weights()  # Train ▸ Start fresh
    qtbot.waitUntil(lambda: (ex.results.get("adversarial") or {}).get("trained") is False, timeout=10_000)
    assert ex.adversarial.info.text().endswith("Train it first.")
