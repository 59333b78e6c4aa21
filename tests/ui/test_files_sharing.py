"""Files shared between windows, classmates and teachers: a file changed on disk since it was opened is not
silently overwritten, a read-only handout is not replaced, names with dots keep their extension, a design
name is never a folder, a vanished recent file leaves the list, a failed save changes nothing."""

import os
import stat

import pytest

from netbuilder.io import load_design, save_design

pytestmark = pytest.mark.gui


def _saved(window, path):
    files = window.files
    files.ask_save_path = lambda *a: str(path)
    assert files.save_as()
    return files


def _changed_elsewhere(path, units: int) -> None:
    """Another window (or a classmate) saves the same file with a change of its own."""
    other = load_design(path)
    other.graph.node("dense_1").params["units"] = units
    save_design(other, path)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # (a coarse clock: a later time, surely)


@pytest.mark.parametrize("answer", ["cancel", "overwrite", "save_as"])
def test_saving_over_a_file_changed_on_disk_asks_first(window, tmp_path, answer):
    path = tmp_path / "shared.nbd"
    files = _saved(window, path)
    _changed_elsewhere(path, 99)
    window.document.set_param("conv2d_1", "filters", 5)
    asked = []
    files.ask_changed_on_disk = lambda p: asked.append(p) or answer
    files.ask_save_path = lambda *a: str(tmp_path / "mine.nbd")
    saved = files.save()
    assert asked == [str(path)]
    on_disk = load_design(path).graph
    if answer == "cancel":
        assert not saved and on_disk.node("dense_1").params["units"] == 99 and window.document.is_modified
    elif answer == "overwrite":
        assert saved and on_disk.node("conv2d_1").params["filters"] == 5
    else:  # their file stays theirs; mine is saved beside it
        assert saved and on_disk.node("dense_1").params["units"] == 99
        assert load_design(tmp_path / "mine.nbd").graph.node("conv2d_1").params["filters"] == 5
        assert window.document.path == tmp_path / "mine.nbd"
    asked.clear()
    window.document.set_param("conv2d_1", "filters", 6)
    if answer != "cancel":
        assert files.save() and asked == []  # saved here since: no question


def test_an_unchanged_file_saves_without_a_question(window, tmp_path):
    files = _saved(window, tmp_path / "mine.nbd")
    files.ask_changed_on_disk = lambda p: pytest.fail("nothing changed on disk")
    window.document.set_param("conv2d_1", "filters", 5)
    assert files.save()
    (tmp_path / "mine.nbd").unlink()  # deleted meanwhile: saving puts it back
    window.document.set_param("conv2d_1", "filters", 6)
    assert files.save() and (tmp_path / "mine.nbd").exists()


def test_a_read_only_file_is_not_replaced(window, tmp_path):
    path = tmp_path / "handout.nbd"
    files = _saved(window, path)
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = path.read_bytes()
    window.document.set_param("conv2d_1", "filters", 5)
    errors = []
    files.show_error = lambda title, text: errors.append(text)
    assert not files.save()
    assert path.read_bytes() == before and window.document.is_modified
    assert errors == [f"{path}: the file is read-only; it is left as it is: save under another name"]


def test_a_failed_save_keeps_the_design_as_it_was(window, tmp_path, monkeypatch):
    files = window.files
    monkeypatch.setattr(window.workbench, "has_weights", True)
    files.show_error = lambda title, text: None
    assert window.document.design.weights is None
    assert not files.save_to(tmp_path / "no such folder" / "x.nbd")
    assert window.document.design.weights is None  # it named x.safetensors only while it tried


@pytest.mark.parametrize("typed", ["lab.week3", "resnet v1.5", "shout.NBD"])
def test_save_as_keeps_the_extension_of_a_name_with_a_dot(window, tmp_path, typed):
    files = _saved(window, tmp_path / typed)
    expected = tmp_path / (typed if typed.lower().endswith(".nbd") else f"{typed}.nbd")
    assert window.document.path == expected and expected.exists()
    assert files.recent_files()[0] == str(expected.resolve())


def test_a_design_name_with_a_slash_suggests_a_file_not_a_folder(window, tmp_path):
    suggested = []
    window.document.path = None
    window.document.design.name = "week 3/cnn"
    window.files.settings.setValue("last_dir", str(tmp_path))
    window.files.ask_save_path = lambda title, s, filters: suggested.append(s) or None
    window.files.save_as()
    window.export_diagram("png")
    assert suggested == [str(tmp_path / "week 3-cnn.nbd"), str(tmp_path / "week 3-cnn.png")]


def test_diagram_and_curve_exports_get_their_extension(window, tmp_path):
    window.files.ask_save_path = lambda *a: str(tmp_path / "picture")
    window.export_diagram("svg")
    assert (tmp_path / "picture.svg").read_text().startswith("<?xml")
    assert window.training.export_csv(str(tmp_path / "metrics"))
    assert (tmp_path / "metrics.csv").exists()


def test_a_recent_design_that_is_gone_leaves_the_list(window, tmp_path):
    files = window.files
    path = tmp_path / "gone.nbd"
    _saved(window, path)
    window.files.add_recent(tmp_path / "kept.nbd")
    path.unlink()
    menu = window.menus["recent"]
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()][1] == f"gone.nbd (not found)  —  {tmp_path.name}"
    errors = []
    files.show_error = lambda title, text: errors.append(text)
    assert not files.open_path(path)
    assert errors == [f"{path}: whole file: no such file (taken off the recent designs)"]
    assert files.recent_files() == [str((tmp_path / "kept.nbd").resolve())]
    assert len(menu.actions()) == 1


def test_dropping_a_file_that_is_not_a_design_says_so(window, tmp_path):
    before = window.document.graph.to_dict()
    window.view.files_dropped.emit([str(tmp_path / "photo.png")])
    assert window.statusBar().currentMessage() == "photo.png is not a design: drop a .nbd file to open it"
    assert window.document.graph.to_dict() == before
    path = tmp_path / "LOUD.NBD"
    save_design(window.document.snapshot(), path)
    window.view.files_dropped.emit([str(path)])
    assert window.document.path == path


@pytest.mark.parametrize("fmt", ["csv", "png"])
def test_curve_exports_over_a_read_only_file_or_onto_a_folder_say_so(window, tmp_path, fmt):
    export = window.training.export_csv if fmt == "csv" else window.training.export_png
    handout = tmp_path / f"metrics.{fmt}"
    handout.write_bytes(b"theirs")
    os.chmod(handout, stat.S_IRUSR)
    assert not export(str(handout))  # (an AttributeError reached the error box)
    assert handout.read_bytes() == b"theirs"
    assert window.training.panel.messages.label.text() == (
        f"{handout}: the file is read-only; it is left as it is: save under another name")
    (tmp_path / f"folder.{fmt}").mkdir()
    assert not export(str(tmp_path / f"folder.{fmt}"))
    assert "is a folder" in window.training.panel.messages.label.text()

