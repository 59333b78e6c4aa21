"""The model and the dataset of the session, touched ONLY on the executor's thread: loaded and built
lazily, once per dataset and once per design structure, keeping the trained weights that still fit.

The weights are tagged with the structure they were trained for (``signature``), whether they are
trained at all, and what they were trained with (``record``: the preprocessing and dataset recorded in the
weights file they were loaded from, or the data of the run that trained them). That record, not whatever
dataset is bound now, goes into the weights files and exports written from them: a design opened without
its dataset (a teacher's folder missing here) keeps its normalisation and class names, and a dataset
bound since replaces them only once a run has trained on it. Trained weights see any bound data normalised
as they were trained (``seen``: the views, and a run that goes on training them, so the normalisation stays
theirs); fresh weights see the data's own. Imports torch, compiler, data and training
lazily (inside functions); no Qt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from netbuilder.graph import Design
from netbuilder.workbench.fit import (
    compatible_keys,
    layer_of,
    layers_of,
    settings_of,
    structure_signature,
    untrained_note,
    why_fresh,
)


class ModelHost:
    def __init__(self) -> None:
        self.model = None
        self.signature: tuple | None = None
        self.trained = False  # the model holds trained (or loaded) weights (all of it, or all but ``untrained``)
        self.untrained: dict[str, str] = {}  # layer -> why it holds fresh weights while the others are trained
        self._source = "untrained weights"
        self._run_fresh: dict[str, str] = {}  # the fresh layers as the run now training started (training_on)
        self.kept = KeptWeights()  # the last trained tensors of every layer, restored when a layer fits again
        self._settings: dict[str, tuple[str, dict]] = {}  # node id -> (kind, settings) of the model's design
        self.data = None
        self.data_key: tuple | None = None
        # what the weights were trained with: {"preprocessing": dict | None, "dataset": str | None}, or None
        self.record: dict[str, Any] | None = None

    @property
    def source(self) -> str:
        """What the views say their weights are ("trained weights"), naming the layers that are fresh."""
        if self.trained and self.untrained:
            return f"{self._source}, {untrained_note(self.untrained)}"
        return self._source

    @source.setter
    def source(self, text: str) -> None:
        """The weights named anew (a run started or ended, a file loaded): they are what ``text`` says, every
        layer of them (a run trains the layers that were fresh), except a fresh layer the run that ends left
        locked: it was not trained, so it stays untrained (``training_on``)."""
        left = {layer: why for layer, why in self._run_fresh.items() if self._locked(layer)}
        self._source, self.untrained, self._run_fresh = text, left, {}

    def _locked(self, layer: str) -> bool:
        """Layer ``layer`` of the model is frozen: none of its parameters is trained."""
        try:
            params = list(self.model.get_submodule(layer).parameters()) if self.model is not None else []
        except AttributeError:
            return False
        return bool(params) and not any(p.requires_grad for p in params)

    def reset(self) -> None:
        """Forget the model (a new design was opened, or fresh weights were asked for): its memory and the
        trained weights kept for later are freed at once."""
        self.model, self.signature, self.trained, self.source = None, None, False, "untrained weights"
        self.record = None
        self.kept.clear()

    # ----- data ------------------------------------------------------------------------------------
    def ensure_data(self, spec: dict[str, Any], progress=None):
        """The dataset of ``spec`` (the design's ``dataset`` dict), loaded once and kept."""
        from netbuilder.data import load_dataset

        key = dataset_key(spec)
        if self.data is None or self.data_key != key:
            options = {k: v for k, v in spec.items() if k != "name"}
            self.data = None  # free the old one before loading the next
            if progress is not None:
                options["progress"] = progress
            self.data = load_dataset(spec.get("name") or "digits", **options)
            self.data_key = key
        return self.data

    def seen(self, data):
        """``data`` as the model's weights see it: while they are trained, normalised as they were trained (the
        record's preprocessing: ImageNet's for torchvision weights); fresh weights see the data's own."""
        from netbuilder.training.weights import seen_by

        prep = (self.record or {}).get("preprocessing") if self.trained else None
        return seen_by(data, prep)

    # ----- the model ---------------------------------------------------------------------------------
    def build(self, design: Design, seed: int | None = None) -> dict[str, Any]:
        """Make ``self.model`` the network of ``design``. Same structure: kept as is. Changed: compiled anew
        (initialised from ``seed`` when given), and every layer whose tensors fit (in names and shapes) the
        last trained ones of that layer gets them back: an unchanged layer keeps its weights, and a layer
        changed and changed back (Undo) has its trained weights again. The others start fresh (``untrained``)."""
        from netbuilder.compiler import compile_design

        signature = structure_signature(design.graph)
        if self.model is not None and signature == self.signature:  # (its fresh layers were not kept)
            kept = [layer for layer in layers_of(self.model.state_dict()) if layer not in self.untrained]
            return {"kept": kept if self.trained else [], "fresh": not self.trained}
        if self.model is not None and self.trained:
            self.kept.remember(self.model.state_dict(), self._settings, self._source, skip=self.untrained)
        self.model = None  # the old model's memory may go before the new one is built (unless kept)
        with _seeded(seed):
            model = compile_design(design)
        settings = settings_of(design)
        kept, fresh = self.kept.restore(model)
        self.model, self.signature, self.trained, self._settings = model, signature, bool(kept), settings
        self.source = self.kept.name if kept else "untrained weights"
        if kept:  # (after ``source``, which clears it) the layers that start fresh, and why
            self.untrained = {layer: self.kept.why_fresh(layer, settings) for layer in layers_of(fresh)}
        return {"kept": layers_of(kept), "fresh": not kept}

    def load_design_weights(self, design: Design, path: Path, seed: int | None = None) -> dict[str, Any]:
        """Compile ``design`` and load its weights file with the one loader (``training.transfer.load_into``,
        as the CLI and the Transfer view do); layers the file does not cover start fresh and are reported,
        initialised from ``seed`` (the design's) as wherever the model is built: the same every time it opens."""
        from netbuilder.compiler import compile_design
        from netbuilder.training.transfer import load_into

        self.model = None
        self.kept.clear()  # the file's weights replace the trained ones
        with _seeded(seed):
            model = compile_design(design)
        report = load_into(model, design, path, partial=True)
        kept = list(report.loaded)
        self.model, self.signature, self.trained = model, structure_signature(design.graph), bool(kept)
        self._settings = settings_of(design)
        self.source = f"trained weights from {Path(path).name}" if kept else "untrained weights"
        self.record = recorded_in(path, report.preprocessing) if kept else None
        untrained = dict(report.untrained)  # layers the file records as untrained: fresh, with the file's why
        dropped = [n for n, _ in (*report.fresh, *report.missing) if n not in untrained]
        if kept:  # (after ``source``, which clears it) the layers the file did not fill start fresh
            self.untrained = dict.fromkeys(dropped, "the weights file had none that fit it") | untrained
        normalised = self.normalised(Path(path).name)
        return {"kept": kept, "dropped": dropped, "untrained": untrained, "path": str(path),
                "summary": report.summary(), "normalised": normalised}

    def normalised(self, source: str) -> str | None:
        """One line when the weights (from ``source``) see the loaded data normalised as they were trained, not
        with its own statistics (``seen``); None when they see it as it is, or no data is loaded."""
        from netbuilder.training.weights import seen_text

        return seen_text(self.data, self.seen(self.data), source) if self.data is not None else None

    def loaded_into(self, path: str | Path, report) -> None:
        """Weights loaded into the model from ``path`` (the Transfer view): they are trained weights now, and
        what the file records (ImageNet's normalisation for a torchvision checkpoint) goes with them. A layer
        the file did not fill keeps what it had: random weights unless it was trained (``untrained``, why)."""
        loaded = set(report.loaded)
        if self.trained:
            left = {layer: why for layer, why in self.untrained.items() if layer not in loaded}
        else:
            why = {layer: "the weights file had none that fit it" for layer, _ in report.mismatched}
            why |= {layer: "the head was replaced for another number of classes" for layer, _ in report.fresh}
            why |= {layer: f"untrained in the weights file: {w}" for layer, w in report.untrained}
            left = {layer: why.get(layer, "the weights file had none for it")
                    for layer in layers_of(self.model.state_dict()) if layer not in loaded}
        self.trained, self.source = True, f"weights loaded from {Path(path).name}"
        self.untrained = left
        if report.preprocessing is not None:
            self.record = recorded_in(path, report.preprocessing)

    def weights_state(self) -> tuple:
        """What the weights are said to be (trained, source, untrained layers, record), for ``give_back``."""
        return self.trained, self._source, dict(self.untrained), self.record

    def give_back(self, state: tuple) -> None:
        """A run that failed before its first step (refused for memory): the weights are what they were."""
        self.trained, self._source, self.untrained, self.record = state
        self._run_fresh = {}

    def training_on(self, data) -> None:
        """A run starts training the model on ``data``: from now on the weights go with that data. Every layer
        trains unless the run locks it again (a layer locked by an earlier run is not locked for this one);
        a fresh layer the run leaves locked stays untrained when it ends (``source``)."""
        if self.model is not None:
            for p in self.model.parameters():
                p.requires_grad_(True)
        fresh = dict(self.untrained) if self.trained else {}
        self.trained, self.source = True, "the model being trained"
        self._run_fresh = fresh
        self.record = {"preprocessing": data.preprocessing(), "dataset": str(data.name)}

    def save_weights(self, path: Path, input_shape=None, classes: int | None = None) -> str:
        """Write the trained weights with what they were trained with (``preprocessing``): the record kept
        with them, else the bound dataset's normalisation. The layers that hold fresh (random) weights among
        trained ones are recorded as untrained (``untrained``, with why): loading the file leaves them fresh."""
        from netbuilder.training import save_weights
        from netbuilder.training.transfer import untrained_metadata

        if self.model is None or not self.trained:
            raise ValueError("there are no trained weights to save")
        prep = self.trained_with(input_shape, classes)
        if prep is None and self.data is not None:
            prep = self.data.preprocessing()
        metadata = {"format": "netbuilder"}
        if self.record is not None and self.record.get("dataset"):
            metadata["dataset"] = str(self.record["dataset"])
        metadata |= untrained_metadata(self.untrained)
        return str(save_weights(self.model, path, metadata=metadata, preprocessing=prep))

    def trained_with(self, input_shape=None, classes: int | None = None) -> dict[str, Any] | None:
        """The preprocessing the model's trained weights go with (the model then takes [0, 1] images, or a
        table's features as in the file), as recorded (``record``); None when untrained or not recorded.
        Checked against the design as it is now (``input_shape``, ``classes``): a normalisation for another
        number of channels is not used, and the class names only while there are as many classes."""
        from netbuilder.compiler.preprocess import PreprocessingError, check_preprocessing

        prep = (self.record or {}).get("preprocessing") if self.trained else None
        if prep is None:
            return None
        try:
            prep = check_preprocessing(prep, input_shape)
        except PreprocessingError:
            return None
        if classes is not None and prep.get("class_names") and len(prep["class_names"]) != classes:
            prep["class_names"] = []
        return prep

    def export(self, design: Design, path: str | Path, fmt: str, *, trained: bool, spec: dict[str, Any] | None,
               seed: int | None, input_shape=None, classes: int | None = None, check=None) -> dict[str, Any]:
        """Export ``design`` with the model's weights when ``trained`` (every layer that fits them has them)
        and the preprocessing they were trained with; without a record of it, the normalisation of the
        dataset ``spec`` (given only when it fits the design)."""
        from netbuilder.compiler.export import export

        module = None
        if trained:  # the model the views use: every layer that fits the trained weights has them
            self.build(design, seed=seed)
            module = self.model if self.trained else None
        prep = self.trained_with(input_shape, classes) if module is not None else None
        if prep is None and spec is not None:
            prep = self.ensure_data(spec).preprocessing()
        if check is not None:
            check()
        result = export(design, path, fmt, module=module, preprocessing=prep)
        return {"path": str(path), "trained": bool(result.trained), "contract": result.contract,
                "weights": self.source if module is not None else "untrained weights"}

    def python_code(self, design: Design, *, trained: bool, spec: dict[str, Any] | None, input_shape=None,
                    classes: int | None = None) -> str:
        """The Python source ``export(design, ..., "python")`` would write now, for the Code view: the same
        preprocessing and class names (those the trained weights go with, else the fitting dataset ``spec``'s,
        as ``export`` picks them), and a docstring naming the trained weights an export would carry beside the
        file. Nothing is built with real tensors: the model's structure is made on the meta device."""
        import torch

        from netbuilder.compiler.pysource import to_python

        carried = self.weights_for(design) if trained else None
        prep = self.trained_with(input_shape, classes) if carried is not None else None
        if prep is None and spec is not None:
            prep = self.ensure_data(spec).preprocessing()
        with torch.device("meta"):
            return to_python(design, preprocessing=prep, weights_note=carried)

    def weights_for(self, design: Design) -> str | None:
        """What ``build(design)`` would leave in the model without building it: the name of its trained weights
        (``source``), or None when no layer would keep trained weights."""
        after = self.fresh_layers(design)
        if after is None:
            return None
        name, why = after
        return f"{name}, {untrained_note(why)}" if why else name

    def fresh_layers(self, design: Design) -> tuple[str, dict[str, str]] | None:
        """What ``build(design)`` would leave in the model, without building it: the name of its trained
        weights and the layers that would hold fresh (random) weights among them, with why; None when no layer
        would keep trained weights. A changed structure is compiled on the meta device only, to match its
        tensors' names and shapes with the trained ones kept."""
        import torch

        from netbuilder.compiler import compile_design

        if self.model is not None and structure_signature(design.graph) == self.signature:
            return (self._source, dict(self.untrained)) if self.trained else None
        shapes = state_shapes_of(self.kept.tensors)
        name = self.kept.name
        if self.model is not None and self.trained:  # build() keeps these before it compiles the new structure
            current = state_shapes_of(self.model.state_dict())
            shapes |= {k: v for k, v in current.items() if layer_of(k) not in self.untrained}
            name = self._source
        with torch.device("meta"):
            new = state_shapes_of(compile_design(design).state_dict())
        kept, fresh = compatible_keys(shapes, new)
        if not kept:
            return None
        settings, before = settings_of(design), {**self.kept.settings, **(self._settings if self.trained else {})}
        why = {layer: why_fresh(before.get(layer.split(".", 1)[0]), settings.get(layer.split(".", 1)[0]))
               for layer in layers_of(fresh)}
        return name, why


def fresh_layers_job(host: ModelHost, design: Design):
    """A job for ``Workbench.compute(..., needs_model=False)`` (run on the executor, which owns ``host``):
    which layers the model of ``design`` would hold with fresh (random) weights beside trained ones, as plain
    values ``{"trained": bool, "weights": name | None, "fresh": {node id: why}}`` (a layer is named by its
    node). ``trained`` is False when no layer would hold trained weights (then ``fresh`` is empty)."""
    def job(_model, _data) -> dict[str, Any]:
        after = host.fresh_layers(design)
        if after is None:
            return {"trained": False, "weights": None, "fresh": {}}
        fresh: dict[str, str] = {}
        for layer, why in after[1].items():
            fresh.setdefault(layer.split(".", 1)[0], why)
        return {"trained": True, "weights": after[0], "fresh": fresh}
    return job


class KeptWeights:
    """The last trained tensors of every layer, by state-dict key (node id and parameter name), on the CPU,
    with the settings of the node they were trained with and what the weights were called. A rebuilt layer
    whose tensors all fit them (names and shapes) gets them back, so an edit and its Undo lose nothing."""

    def __init__(self) -> None:
        self.tensors: dict[str, Any] = {}
        self.settings: dict[str, tuple[str, dict]] = {}  # node id -> (kind, settings) it was trained with
        self.name = "trained weights"

    def clear(self) -> None:
        self.tensors, self.settings, self.name = {}, {}, "trained weights"

    def remember(self, state: dict, settings: dict[str, tuple[str, dict]], name: str,
                 skip: Iterable[str] = ()) -> None:
        """Keep the tensors of ``state`` (a trained model's state dict, the model about to go), layer by
        layer, except the layers in ``skip`` (fresh ones: the trained tensors kept for them stay)."""
        skip = set(skip)
        layers = {layer_of(k) for k in state} - skip
        self.tensors = {k: v for k, v in self.tensors.items() if layer_of(k) not in layers}
        for k, v in state.items():
            if layer_of(k) in layers:
                self.tensors[k] = v.detach().to("cpu")
        for layer in layers:
            node = layer.split(".", 1)[0]
            if node in settings:
                self.settings[node] = settings[node]
        self.name = name

    def restore(self, model) -> tuple[list[str], list[str]]:
        """Load the kept tensors into ``model`` wherever a layer fits them: ``(kept, fresh)`` state-dict keys."""
        kept, fresh = compatible_keys(state_shapes_of(self.tensors), state_shapes_of(model.state_dict()))
        if kept:
            model.load_state_dict({k: self.tensors[k] for k in kept}, strict=False)
        return kept, fresh

    def why_fresh(self, layer: str, settings: dict[str, tuple[str, dict]]) -> str:
        node = layer.split(".", 1)[0]
        return why_fresh(self.settings.get(node), settings.get(node))


def recorded_in(path: str | Path, preprocessing: dict[str, Any] | None) -> dict[str, Any]:
    """What a weights file records about the data its weights were trained with (its ``dataset`` entry, when
    netbuilder's command line wrote it), with ``preprocessing`` as the loader read it."""
    from netbuilder.errors import NetbuilderError
    from netbuilder.training.weights import read_weights_metadata

    try:
        dataset = read_weights_metadata(path).get("dataset")
    except NetbuilderError:
        dataset = None
    return {"preprocessing": preprocessing, "dataset": dataset if isinstance(dataset, str) else None}


def dataset_key(spec: dict[str, Any]) -> tuple:
    return (spec.get("name"), tuple(sorted((k, repr(v)) for k, v in spec.items() if k != "name")))


def state_shapes_of(state: dict) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in state.items()}


def _seeded(seed: int | None):
    """Initialise from ``seed`` (the design's training seed) without disturbing the global generator."""
    if seed is None:
        return contextlib.nullcontext()
    from netbuilder.training import seeded

    return seeded(int(seed))


@contextlib.contextmanager
def grads_kept(model) -> Iterator[None]:
    """Run a view's job on the model itself: whatever gradients it leaves are dropped and the training's
    own are put back (so a saliency map neither costs a copy of the weights nor changes the histograms)."""
    saved = {p: p.grad for p in model.parameters()} if model is not None else {}
    try:
        yield
    finally:
        for p, g in saved.items():
            p.grad = g


def warm_up() -> dict[str, Any]:
    """Import torch, list the datasets and say which device training would use."""
    from netbuilder.data import list_datasets
    from netbuilder.training.parts import device_name, resolve_device

    device = resolve_device("auto")
    return {"device": device_name(device), "device_type": device.type,
            "datasets": [i.row() for i in list_datasets()]}


def prime_training() -> None:
    """Import what the first run would otherwise import when it makes its optimiser (``torch._dynamo``,
    about 1 s on 2 cores): done once the dataset is loaded, so Train starts at once."""
    import torch._dynamo  # noqa: F401


def sample_grid(samples, cols: int = 8):
    """Preview images ``(N, C, H, W)`` in [0, 1] as one grid image ``(H', W')`` or ``(H', W', 3)``, eight
    to a row, with 1-pixel NaN gaps (the panel draws them in a tint, like every grid)."""
    import numpy as np

    from netbuilder.introspect import tile

    tiles = samples.transpose(0, 2, 3, 1) if samples.shape[1] == 3 else samples[:, 0]
    return tile(tiles, cols=cols, sep_value=np.nan)


def describe_data(data) -> dict[str, Any]:
    """What the panel shows of a dataset: shape, classes, sizes, preview samples and their grid (or points)."""
    import numpy as np

    out = {"name": data.name, "kind": data.kind, "input_shape": list(data.input_shape),
           "class_names": list(data.class_names), "sizes": data.sizes(), "is_image": bool(data.is_image),
           "samples": np.asarray(data.samples, np.float32), "sample_labels": np.asarray(data.sample_labels)}
    if data.kind == "points" and data.x_train is not None:
        out["points"] = (data.x_train.numpy().astype(np.float32), data.y_train.numpy())
    elif out["samples"].ndim == 4 and len(out["samples"]):
        out["sample_grid"] = sample_grid(out["samples"])
    info = getattr(data, "info", None) or {}
    for key in ("warnings", "skipped"):
        if info.get(key):
            out[key] = list(info[key])
    if info.get("input_shape_reason"):  # why an image folder's images are read at this size
        out["input_shape_reason"] = str(info["input_shape_reason"])
    return out
