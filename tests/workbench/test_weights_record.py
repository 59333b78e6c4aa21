"""Weights keep what they were trained with. A teacher's design opened where its dataset is missing (a
``C:\\Users\\teacher\\...`` folder): its weights load, and the export and the weights saved again (Save As)
keep the normalisation and class names recorded with them (they went out un-normalised, and the new
weights file said ``preprocessing: None``). A bound dataset that fits replaces that record only once a run
has trained the weights on it."""

from __future__ import annotations

import importlib.util
import time

import pytest

from netbuilder.workbench import Workbench
from netbuilder.workbench import events as ev
from netbuilder.workbench.host import ModelHost

SHAPE = [1, 8, 8]
NAMES = [f"digit {i}" for i in range(10)]
TEACHER = {"scale": 1 / 16, "mean": [0.3], "std": [0.2], "kind": "image", "input_shape": SHAPE,
           "class_names": NAMES}


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def teacher(tmp_path):
    """lenet.nbd (its dataset a folder on the teacher's machine) and its trained weights, lenet.safetensors,
    recording the teacher's normalisation, class names and dataset."""
    import torch

    import netbuilder
    from netbuilder.training.weights import save_weights

    design = netbuilder.load("mlp", input_shape=SHAPE, num_classes=10)
    design.dataset = {"name": "C:\\Users\\teacher\\Documents\\digits_folder"}
    design.weights = "lenet.safetensors"
    folder = tmp_path / "from teacher"
    folder.mkdir()
    netbuilder.save(design, folder / "lenet.nbd")
    model = netbuilder.compile(design)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    save_weights(model, folder / "lenet.safetensors", metadata={"dataset": "teacher digits"},
                 preprocessing=TEACHER)
    return design, folder / "lenet.safetensors"


def trained_model(design, weights):
    """What the weights compute on [0, 1] images, normalised as they were trained (the CLI's model)."""
    from netbuilder.commands._model import compile_normalising, load_weights_into, read_preprocessing

    model = compile_normalising(design, read_preprocessing(weights))
    load_weights_into(model, design, weights)
    return model.eval()


def python_export(path):
    spec = importlib.util.spec_from_file_location("exported_net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_model().eval()


class Session:
    """A Workbench whose events are settled on this thread, as the window's bridge would."""

    def __init__(self, design) -> None:
        from netbuilder.analysis import analyze

        self.inbox: list = []
        self.wb = Workbench(self.inbox.append)
        a = analyze(design.graph)
        self.wb.set_design(design, 1, problems=[], input_shape=SHAPE, classes=10, parameters=a.total_params,
                           replaced=True)

    def wait(self, ticket: int, timeout: float = 120.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            while self.inbox:
                event = self.wb.accept(self.inbox.pop(0))
                if isinstance(event, ev.TaskDone | ev.TaskFailed) and event.ticket == ticket:
                    assert isinstance(event, ev.TaskDone), event.message
                    return event
            time.sleep(0.005)
        raise AssertionError("the task did not finish")


def test_a_teachers_design_without_its_dataset_exports_and_saves_with_its_weights_normalisation(teacher, tmp_path):
    import torch

    from netbuilder.training.weights import read_weights_metadata

    design, weights = teacher
    s = Session(design)
    try:
        assert s.wb.dataset is None  # the teacher's folder is not here
        s.wait(s.wb.load_weights(weights))
        assert s.wb.has_weights
        done = s.wait(s.wb.export(tmp_path / "net.py", "python"))
        assert done.value["trained"] and "mean (0.3)" in done.value["contract"]
        x = torch.rand(4, *SHAPE)
        with torch.no_grad():
            torch.testing.assert_close(python_export(tmp_path / "net.py")(x), trained_model(design, weights)(x))
        s.wait(s.wb.save_weights(tmp_path / "mine.safetensors"))  # Save As
    finally:
        assert s.wb.shutdown(20)
    meta = read_weights_metadata(tmp_path / "mine.safetensors")
    assert meta["preprocessing"]["mean"] == [0.3] and meta["preprocessing"]["std"] == [0.2]
    assert meta["preprocessing"]["class_names"] == NAMES
    assert meta["dataset"] == "teacher digits"


def test_a_bound_dataset_replaces_the_record_only_once_the_weights_are_trained_on_it(teacher, tmp_path):
    from netbuilder.training.weights import read_weights_metadata

    design, weights = teacher
    host = ModelHost()
    host.load_design_weights(design, weights)
    data = host.ensure_data({"name": "digits"})  # bound, and it fits the design
    assert data.preprocessing()["mean"] != [0.3]
    out = host.export(design, tmp_path / "a.py", "python", trained=True, spec={"name": "digits"}, seed=0,
                      input_shape=SHAPE, classes=10)
    assert "mean (0.3)" in out["contract"]  # the weights' record, not the bound dataset's
    host.save_weights(tmp_path / "a.safetensors", SHAPE, 10)
    assert read_weights_metadata(tmp_path / "a.safetensors")["preprocessing"]["class_names"] == NAMES

    host.training_on(data)  # a run starts training them on the bound dataset
    out = host.export(design, tmp_path / "b.py", "python", trained=True, spec={"name": "digits"}, seed=0,
                      input_shape=SHAPE, classes=10)
    assert "mean (0.3)" not in out["contract"]
    host.save_weights(tmp_path / "b.safetensors", SHAPE, 10)
    meta = read_weights_metadata(tmp_path / "b.safetensors")
    assert meta["preprocessing"] == data.preprocessing() and meta["dataset"] == data.name


def test_class_names_for_another_number_of_classes_are_not_kept(teacher, tmp_path):
    from netbuilder.training.weights import read_weights_metadata

    design, weights = teacher
    host = ModelHost()
    host.load_design_weights(design, weights)
    host.save_weights(tmp_path / "three.safetensors", SHAPE, 3)  # the head replaced since: 3 classes
    prep = read_weights_metadata(tmp_path / "three.safetensors")["preprocessing"]
    assert prep["mean"] == [0.3] and prep["class_names"] == []


def test_fresh_weights_forget_the_record(teacher):
    design, weights = teacher
    host = ModelHost()
    host.load_design_weights(design, weights)
    assert host.trained_with(SHAPE, 10)["mean"] == [0.3]
    host.reset()
    assert host.record is None and host.trained_with(SHAPE, 10) is None


def test_the_views_see_the_bound_data_normalised_as_the_weights_were_trained(teacher):
    """A view's job gets the bound dataset normalised with the weights' record (the teacher's mean 0.3, std
    0.2), not the dataset's own statistics, while the weights are trained; Start fresh gives it its own."""
    design, weights = teacher
    design = design.copy()
    design.dataset = {"name": "digits"}
    s = Session(design)

    def seen_mean() -> list[float]:
        ticket = s.wb.compute("probe", lambda model, data: {"mean": data.mean.flatten().tolist()})
        end = time.monotonic() + 120
        while time.monotonic() < end:
            while s.inbox:
                event = s.wb.accept(s.inbox.pop(0))
                if isinstance(event, ev.ViewResult) and event.ticket == ticket:
                    assert event.message is None, event.message
                    return event.value["mean"]
            time.sleep(0.005)
        raise AssertionError("no answer")

    try:
        own = seen_mean()
        assert own != pytest.approx([0.3])  # fresh weights: the dataset's own normalisation
        s.wait(s.wb.load_weights(weights))
        assert seen_mean() == pytest.approx([0.3])
        s.wb.forget_weights()
        assert seen_mean() == pytest.approx(own)
    finally:
        assert s.wb.shutdown(20)


def test_loading_weights_trained_on_other_data_says_how_the_bound_data_is_normalised(teacher):
    """The window's "Loaded the trained weights…" line names the normalisation when it is not the data's own
    (the CLI's train and evaluate print the same line)."""
    design, weights = teacher
    host = ModelHost()
    host.ensure_data({"name": "digits"})
    value = host.load_design_weights(design, weights)
    assert value["normalised"].startswith("normalising digits as lenet.safetensors was trained (mean 0.3, std 0.2)")
    host.reset()
    host.record = None
    assert ModelHost().load_design_weights(design, weights)["normalised"] is None  # no data bound: nothing to say
