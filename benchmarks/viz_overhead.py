"""Visualisation overhead: the same short training run headless (``netbuilder.training.train``) and
from the window with every view live (Curves, Filters, Feature maps, Evaluation, Decision boundary
all shown as floating docks, so none is hidden behind a tab).

Compares the engine's own run time (``Finished.seconds``) for the two in alternating pairs (headless,
then window); ``slowdown_percent`` is the median of the pairs' own slowdowns (a paired comparison: a slow
minute of a shared machine slows both runs of a pair), ``slowdown_of_medians_percent`` the older figure
from the two medians. Prints ``name: value`` lines, including ``slowdown_percent`` (goal: at most 10), and where the
views' cost goes: their answers between training steps (``view_answers_percent_of_run``, held to the
workbench's budget) and the GUI thread's CPU time (``gui_thread_cpu_percent_of_run``).

Run: ``python benchmarks/viz_overhead.py [--epochs N] [--repeats N] [--dataset digits]``
(offscreen unless QT_QPA_PLATFORM says otherwise).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
GOAL_PERCENT = 10.0
VIEWS = ("Curves", "Filters", "Feature maps", "Evaluation", "Decision boundary")


def headless(design, dataset: str, settings: dict) -> float:
    from netbuilder.compiler import compile_design
    from netbuilder.data import load_dataset
    from netbuilder.training import TrainConfig, train

    data = load_dataset(dataset)
    model = compile_design(design)
    events = list(train(model, data, TrainConfig.from_dict(settings)))
    assert events[-1].kind == "finished", events[-1]
    return events[-1].seconds


def in_window(app, controller, settings: dict) -> tuple[float, dict]:
    from PySide6.QtCore import QEventLoop, QTimer

    from netbuilder.workbench.events import ViewResult

    # the settings live in the design (one owner), edited through the Document as the panel does
    controller.document.set_design_field("training", dict(settings), "benchmark settings")
    assert controller.settings()["epochs"] == settings["epochs"], controller.settings()
    answers: dict[str, int] = {}

    def count(event) -> None:
        if isinstance(event, ViewResult):
            answers[event.view] = answers.get(event.view, 0) + 1
    controller.bridge.received.connect(count)
    gui_cpu = time.thread_time()
    assert controller.train()
    # a real event loop, as app.exec() runs it (a 1 kHz processEvents/sleep poll would wake the GUI
    # thread, and take the GIL, far more often than the window ever does)
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(50)
    poll.timeout.connect(lambda: controller.state == "idle" and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()
    app.processEvents()
    gui_cpu = time.thread_time() - gui_cpu
    controller.bridge.received.disconnect(count)
    result = controller.run.finished  # the engine's Finished event
    assert result is not None, controller.run.fault
    seconds = result.seconds
    # what the shown views cost, counted where it is spent (steadier than the wall-clock ratio on a busy
    # machine): their answers between steps on the training thread, and the GUI thread's CPU time
    details = {"answers": answers, "answers_s": controller.wb.live.budget.spent, "gui_cpu_s": gui_cpu}
    return seconds, details


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5, help="pairs of runs (headless, then window)")
    parser.add_argument("--dataset", default="shapes")
    parser.add_argument("--preset", default="lenet5", help="a preset fitted to the dataset, or 'digits_cnn'")
    parser.add_argument("--views", default=",".join(VIEWS),
                        help="the docks shown, comma-separated ('' for none: the window's own cost)")
    args = parser.parse_args(argv)

    from _window import close_window, make_design, open_window

    from netbuilder.ui.training.settings import merged_settings

    design = make_design(args.preset, args.dataset)
    app, window, controller = open_window("viz_overhead", args.preset, args.dataset)
    shown = [v for v in args.views.split(",") if v]
    for title in VIEWS:
        dock = controller.docks[title]
        if title not in shown:
            dock.hide()
            continue
        dock.setFloating(True)
        dock.resize(700, 420)
        dock.show()
    settings = merged_settings({"epochs": args.epochs, "batch_size": 64, "seed": 0})
    headless(design, args.dataset, dict(settings, epochs=1))  # warm up torch and the dataset
    in_window(app, controller, dict(settings, epochs=1))
    plain, windowed, details = [], [], []
    for _ in range(args.repeats):
        plain.append(headless(design, args.dataset, settings))
        seconds, detail = in_window(app, controller, settings)
        windowed.append(seconds)
        details.append(detail)
    p, w = statistics.median(plain), statistics.median(windowed)
    slowdown = statistics.median(b / a - 1 for a, b in zip(plain, windowed)) * 100
    redraws = controller.curves.run.loss.n if controller.curves.run else 0
    print(f"dataset: {args.dataset}")
    print(f"design: {args.preset}")
    print(f"views: {', '.join(shown) or 'none'}")
    print(f"epochs: {args.epochs}")
    print(f"steps_per_run: {redraws}")
    print(f"headless_s: {p:.3f}")
    print(f"window_all_views_s: {w:.3f}")
    print(f"headless_runs_s: {' '.join(f'{x:.3f}' for x in plain)}")
    print(f"window_runs_s: {' '.join(f'{x:.3f}' for x in windowed)}")
    answers_share = statistics.median(d["answers_s"] / w for d, w in zip(details, windowed)) * 100
    gui_share = statistics.median(d["gui_cpu_s"] / w for d, w in zip(details, windowed)) * 100
    print(f"view_answers_per_run: {details[-1]['answers']}")
    print(f"view_answers_percent_of_run: {answers_share:.1f}")
    print(f"gui_thread_cpu_percent_of_run: {gui_share:.1f}")
    print(f"slowdown_of_medians_percent: {(w / p - 1) * 100:.1f}")
    print(f"slowdown_percent: {slowdown:.1f}")
    print(f"goal_percent: {GOAL_PERCENT:.0f}")
    print(f"goal_met: {slowdown <= GOAL_PERCENT}")
    close_window(window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
