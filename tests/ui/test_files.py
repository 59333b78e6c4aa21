"""Files from the window: open, save, compare; bad files; recent files; autosave and recovery;
prompts for unsaved changes; diagram export."""

import json

import pytest

from netbuilder.io import design_to_dict, load_design, save_design

pytestmark = pytest.mark.gui


def test_save_open_and_compare(window, tmp_path):
    doc, files = window.document, window.files
    doc.set_param("dense_1", "units", 48)
    assert doc.is_modified and window.isWindowModified()
    path = tmp_path / "mine.nbd"
    files.ask_save_path = lambda *a: str(tmp_path / "mine")  # the suffix is added
    assert files.save()
    assert path.exists() and not doc.is_modified and doc.path == path
    saved = doc.graph.to_dict()
    assert load_design(path).graph.to_dict() == saved
    doc.delete(["dense_1"])
    assert files.open_path(path)
    assert doc.graph.to_dict() == saved and not doc.is_modified
    assert doc.undo_stack.count() == 0
    assert files.recent_files()[0] == str(path.resolve())
    assert window.menus["recent"].actions()[0].text() == f"mine.nbd  —  {tmp_path.name}"  # which folder, too
    assert "mine.nbd" in window.windowTitle()


def test_a_bundled_example_opens_as_a_new_design_and_save_asks_where(window, tmp_path):
    """Opened by its path (File ▸ Open in the install, a recent entry, the command line), an example is a
    template: Save asks where, and the installation's file is never written."""
    from netbuilder.paths import resource

    example = resource("examples", "digits_cnn.nbd")
    before = example.read_bytes()
    doc, files = window.document, window.files
    assert files.open_path(example)
    assert doc.path is None and not doc.is_modified and doc.design.name == "Digits CNN"
    assert files.recent_files()[0] == str(example.resolve())  # (opened again from there, it is a template again)
    doc.set_param("dense_1", "units", 48)
    asked = []
    files.ask_save_path = lambda _title, suggested, _filters: asked.append(suggested) or str(tmp_path / "mine")
    assert files.save()
    assert asked and not asked[0].startswith(str(example.parent))  # suggested in the user's folder, not the install
    assert doc.path == tmp_path / "mine.nbd" and example.read_bytes() == before


def test_a_bad_file_shows_where_and_leaves_the_design_alone(window, tmp_path):
    bad = tmp_path / "bad.nbd"
    bad.write_text('{"format": "netbuilder-design", "version": 2, "nodes": [{"id": "x", "kind": "dense", '
                   '"params": {"units": "many"}}], "edges": [')
    errors = []
    window.files.show_error = lambda title, text: errors.append(text)
    before = window.document.graph.to_dict()
    assert not window.files.open_path(bad)
    assert window.document.graph.to_dict() == before
    assert len(errors) == 1 and "bad.nbd" in errors[0] and "line" in errors[0]


def test_unsaved_changes_prompt_on_new_and_close(window, qtbot, tmp_path):
    doc, files = window.document, window.files
    doc.set_param("dense_1", "units", 48)
    asked = []
    files.ask_unsaved = lambda: asked.append(1) or "cancel"
    assert not files.new_design()
    assert doc.graph.node("dense_1").params["units"] == 48
    assert not window.close() and window.isVisible()
    files.ask_unsaved = lambda: asked.append(1) or "discard"
    assert files.new_design()
    assert len(asked) == 3
    kinds = sorted(n.kind for n in doc.graph.iter_nodes())
    assert kinds == ["input", "output"] and len(doc.graph.edges) == 1


def test_autosave_and_recovery_after_a_crash(window, data_dir, example):
    from netbuilder.ui.autosave import autosave_dir

    doc, files = window.document, window.files
    assert files.autosave() is None  # nothing to save while clean
    doc.set_param("dense_1", "units", 77)
    written = files.autosave()
    assert written is not None and written.parent == autosave_dir()
    crashed = autosave_dir() / "autosave_999999.nbd"  # as if left by a process that died
    written.rename(crashed)
    written.with_suffix(".json").rename(crashed.with_suffix(".json"))
    doc.set_design(example)  # the next start: the example, unchanged
    assert doc.graph.node("dense_1").params["units"] == 32
    files.ask_recover = lambda when: True
    assert files.offer_recovery()
    assert doc.graph.node("dense_1").params["units"] == 77 and doc.is_modified
    assert files.leftover_autosaves() == []


def test_dropping_a_design_file_opens_it(window, tmp_path):
    from netbuilder.presets import build_preset

    path = tmp_path / "dropped.nbd"
    design = build_preset("lenet5")
    save_design(design, path)
    window.view.files_dropped.emit([str(path)])
    assert window.document.path == path
    assert window.document.graph.to_dict()["edges"] == design_to_dict(design)["edges"]


def test_diagram_exports_png_and_svg(window, tmp_path):
    from PySide6.QtGui import QImage

    from netbuilder.ui.diagram import export_png, export_svg

    png = export_png(window.scene, tmp_path / "d.png")
    image = QImage(str(png))
    assert image.width() > 100 and image.height() > 200
    svg = export_svg(window.scene, tmp_path / "d.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "conv2d_1" in svg


def test_window_state_is_remembered(window, settings):
    window.docks["Inspector"].hide()
    window.save_state()
    from netbuilder.ui.main_window import MainWindow

    again = MainWindow(settings=settings, probe_device=False)
    try:
        assert again.docks["Inspector"].isHidden()
        assert again.docks["Palette"].isVisibleTo(again)
    finally:
        again.files.ask_unsaved = lambda: "discard"
        again.close()
        again.deleteLater()


def test_recent_files_are_limited_and_deduplicated(window, tmp_path):
    files = window.files
    for i in range(12):
        files.add_recent(tmp_path / f"f{i}.nbd")
    files.add_recent(tmp_path / "f5.nbd")
    recent = files.recent_files()
    assert len(recent) == 8 and recent[0].endswith("f5.nbd") and len(set(recent)) == 8
    assert json.dumps(recent)


@pytest.mark.slow
def test_export_python_and_errors_in_a_message_box(window, tmp_path, qtbot):
    files = window.files
    errors, reported = [], []
    files.show_error = lambda title, text: errors.append(text)
    files.message_reported.connect(reported.append)
    assert files.export_model_to(tmp_path / "model.py", "python")  # in the background: the window stays live
    qtbot.waitUntil(lambda: any("Exported" in r for r in reported), timeout=60_000)
    assert "conv2d_1" in (tmp_path / "model.py").read_text()
    assert "untrained" in reported[-1]  # said plainly: there are no trained weights yet
    window.document.delete(["flatten_1"])
    assert not files.export_model_to(tmp_path / "broken.onnx", "onnx")
    assert errors and not (tmp_path / "broken.onnx").exists()


def _crashed(folder, pid: int, design, path) -> None:
    import os
    import time

    save_design(design, folder / f"autosave_{pid}.nbd")
    (folder / f"autosave_{pid}.json").write_text(json.dumps({"path": str(path) if path else None}))
    stamp = time.time() - 600 + pid % 100  # (the later pid autosaved later)
    os.utime(folder / f"autosave_{pid}.nbd", (stamp, stamp))


def test_every_crashed_autosave_is_offered_by_name_and_kept_until_answered(window, data_dir, example, tmp_path):
    from netbuilder.ui.autosave import autosave_dir

    files, doc = window.files, window.document
    folder = autosave_dir()
    folder.mkdir(parents=True)
    a, b = example.copy(), example.copy()
    a.name, b.name = "work of window A", "work of window B"
    b.graph.node("dense_1").params["units"] = 55
    _crashed(folder, 999901, a, None)  # an unsaved design
    _crashed(folder, 999902, b, tmp_path / "b.nbd")  # the newest
    asked, answers = [], iter(["later", "recover"])
    files.ask_recover = lambda what: asked.append(what) or next(answers)
    assert files.offer_recovery()
    assert len(asked) == 2
    assert asked[0].startswith("b.nbd (in ") and "1 of 2 unsaved designs" in asked[0] and "autosaved" in asked[0]
    assert asked[1].startswith('an unsaved design, "work of window A" (autosaved ') and "2 of 2" in asked[1]
    assert doc.design.name == "work of window A" and doc.path is None and doc.is_modified
    assert files.leftover_autosaves() == [folder / "autosave_999902.nbd"]  # kept: "later"
    # the next start offers what was kept; discarding it is the student's choice
    asked.clear()
    files.ask_recover = lambda what: asked.append(what) or "discard"
    assert not files.offer_recovery()
    assert len(asked) == 1 and asked[0].startswith("b.nbd") and files.leftover_autosaves() == []


def test_after_one_recovery_the_other_autosaves_are_kept_for_the_next_start(window, data_dir, example, tmp_path):
    from netbuilder.ui.autosave import autosave_dir

    files = window.files
    folder = autosave_dir()
    folder.mkdir(parents=True)
    _crashed(folder, 999911, example, tmp_path / "a.nbd")
    _crashed(folder, 999912, example, tmp_path / "b.nbd")
    asked, said = [], []
    files.message_reported.connect(said.append)
    files.ask_recover = lambda what: asked.append(what) or "recover"
    assert files.offer_recovery()
    assert len(asked) == 1 and window.document.path == tmp_path / "b.nbd"
    assert files.leftover_autosaves() == [folder / "autosave_999911.nbd"]
    assert any("1 more autosaved design kept" in s for s in said)
