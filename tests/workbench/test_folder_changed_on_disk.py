"""An image of the student's folder deleted after the folder was opened: the run stops naming the file as no
longer there, and the next Train reads the folder again (the advice "remove or replace the named file, then
start training again" kept failing on the list of files read before)."""

import numpy as np

from netbuilder.workbench import events as ev
from tests.ui.designs import chain


def _folder(root):
    from PIL import Image

    rng = np.random.default_rng(0)
    for c, base in (("a", 40), ("b", 200)):
        (root / c).mkdir(parents=True)
        for i in range(12):
            pixels = np.clip(base + rng.normal(0, 10, (8, 8)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels, "L").save(root / c / f"{i}.png")
    return root


def test_a_file_deleted_after_opening_is_named_and_the_next_run_reads_the_folder_again(session, tmp_path):
    folder = _folder(tmp_path / "pets")
    design = chain(("input", {"shape": [1, 8, 8]}), ("flatten", {}), ("dense", {"units": 2}), ("output", {}))
    design.dataset = {"name": str(folder)}
    session.open(design)
    session.wb.set_dataset({"name": str(folder)})
    session.pump(lambda e: isinstance(e, ev.DatasetLoaded) and e.spec == {"name": str(folder)})
    gone = sorted((folder / "b").iterdir())[-1]
    gone.unlink()
    assert session.wb.train({"epochs": 1, "batch_size": 4})[0]
    end = session.pump(lambda e: isinstance(e, ev.RunEnded))
    assert end.outcome.kind == "fault" and end.outcome.fault == "data"
    assert f"{gone.name}: no longer there (moved or deleted since the folder was opened)" in end.outcome.message
    assert session.wb.train({"epochs": 1, "batch_size": 4})[0]  # as the advice says: start training again
    end = session.pump(lambda e: isinstance(e, ev.RunEnded) and e.run == 2)
    assert end.outcome.kind == "finished", end.outcome
