"""Show me goes on from the network the student built by hand: the palette gives its own ids (``relu_1``,
``maxpool2d_1``; no layer can be renamed in the app), so a step's Show me must not need the ids an earlier
Show me would have made."""

from __future__ import annotations

import os


def _student_builds(doc, *layers):
    """Append layers after the node before the output, as the palette does, with the app's own ids."""
    made = []
    for kind, params in layers:
        last = next(e.src for e in doc.graph.edges if e.dst == "output")
        node = doc.append(kind, after=last)
        for name, value in params.items():
            assert doc.set_param(node, name, value)
        made.append(node)
    return made


def test_lenet_show_me_goes_on_from_a_network_the_student_built(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("lenet")
    step1 = lc.lesson.steps[0]
    assert lc.driver.perform([a for a in step1.show_me if a["do"] == "open_design"],
                             os.path.dirname(lc.lesson.path))
    doc = window.document
    assert _student_builds(doc, ("conv2d", {"filters": 6, "kernel_size": 5, "padding": 2}),
                           ("relu", {})) == ["conv2d_1", "relu_1"]
    assert all(r.met for r in lc.evaluate())
    for index in (1, 2, 3):  # pooling, the second stage, the classifier: each by Show me
        lc.go(index)
        lc.show_me()
        assert lc.panel.status.text() == "", lc.panel.status.text()
        assert all(r.met for r in lc.evaluate()), (index, [r.detail for r in lc.results])


def test_lenet_asks_for_nothing_the_app_cannot_do():
    from netbuilder.lessons import find_lesson

    text = find_lesson("lenet").steps[0].text
    assert "named conv1" not in text  # the app has no way to rename a layer


def test_transfer_new_head_as_the_student_does_it_in_the_training_panel(window, qtbot):
    """The Training panel picks a dataset by its name (the shapes at 28×28): the step must not promise the
    16×16 images only its Show me chooses."""
    lc = window.lessons
    assert lc.open_lesson("transfer")
    assert lc.driver.perform(lc.lesson.steps[0].show_me[:1])  # the Digits CNN
    lc.go(1)
    text = lc.lesson.steps[1].text
    window.training.data_link.choose("shapes")
    qtbot.waitUntil(lambda: (window.workbench.dataset or {}).get("name") == "shapes", timeout=60000)
    assert window.training.link.fit_design()
    shape = next(n.params["shape"] for n in window.document.graph.iter_nodes() if n.kind == "input")
    assert shape == [1, 28, 28]
    assert "16×16 images" not in text and "(16×16," not in text, text
    qtbot.waitUntil(lambda: all(r.met for r in lc.evaluate()), timeout=2000)


def test_convolution_step_1_is_not_met_by_a_convolutional_network(window, qtbot):
    """Step 1, "Open the multilayer perceptron": the window's Digits CNN (it flattens too) must not tick the step, or
    its question takes the CNN's parameter count for the MLP's."""
    lc = window.lessons
    assert lc.open_lesson("convolution")
    assert any(n.kind == "conv2d" for n in window.document.graph.iter_nodes())
    assert not all(r.met for r in lc.evaluate())
    lc.show_me()
    qtbot.waitUntil(lambda: not lc.driver.waiting, timeout=60000)
    assert all(r.met for r in lc.evaluate())
