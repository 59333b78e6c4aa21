"""The dataset list names what the student chose before truly: a table that was moved away is a CSV table "not
found" (it read "(image folder)"); the skipped-files line names files whose folder holds ": "."""

import os

import pytest

pytestmark = pytest.mark.gui


def test_a_chosen_table_no_longer_there_is_named_as_a_table_not_found(trainer, tmp_path):
    panel = trainer.panel
    folder = tmp_path / "pets"
    folder.mkdir()
    moved = tmp_path / "grades.csv"
    for current in (str(folder), str(moved)):
        panel.set_dataset_list([], current)
    texts = [panel.dataset_box.itemText(i) for i in range(panel.dataset_box.count())]
    assert "pets (image folder)" in texts and "grades.csv (CSV table, not found)" in texts


def test_skipped_files_are_named_when_their_folder_holds_a_colon(tmp_path):
    from netbuilder.ui.training.dataset_link import skipped_text

    folder = tmp_path / "Pets: 2024" / "cats"
    folder.mkdir(parents=True)
    (folder / "a.png").write_bytes(b"x")
    line = f"{os.path.join(folder, 'a.png')}: not a readable image"
    assert skipped_text([line]) == "Skipped 1 unreadable file: a.png"
