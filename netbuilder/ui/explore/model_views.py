"""The explore views that look into a model: Explain (saliency, Grad-CAM, occlusion overlaid on an
input), Adversarial (FGSM / PGD with an ε slider) and Inside (receptive field of a feature-map pixel,
training health of every layer). Each view only asks (``requested``) and shows results (plain values).
The input is any one (``InputPicker``): a dataset sample, a test or validation image by number, a
drawing, an image file.

Qt only; no torch. The receptive field is computed here from the design graph (no torch needed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netbuilder.ui.explore.widgets import AnswerView, ImageView, fill_choices, note
from netbuilder.ui.training.input_picker import InputPicker

SOURCES = ("sample", "test", "val", "drawing", "file")
MAX_SAMPLE = 15  # the previews' numbers until the dataset says how many it has (16: data.bundle.pick_samples)
NO_LABEL = "no label: attacking the prediction"
HEALTH_NOTE = ("Colours each layer on the canvas: green healthy, amber some dead ReLUs, red a problem (dead "
               "units, vanishing or exploding gradients).")
FLAT_NOTE = ("This layer's maps are flat for this input: every pixel has (nearly) the same value, so the map "
             "is drawn in one shade (its ReLUs may be dead here, or the input blank).")
CAM_DEFAULT = "last maps before pooling"  # Grad-CAM's automatic layer (default_cam_layer; Inside: "first layer with maps")
CAM_TIP = ("Grad-CAM can use any layer with feature maps. The usual choice, and the automatic one, is the last "
           "maps before they are pooled (a final pooling only halves them): a residual block's ReLU after its Add, an "
           "Inception block's Concat, so it sees the whole block, not one branch's convolution inside it.")
EPSILON_STEPS = 400  # the ε slider's steps per unit of the pixel range (its 100 steps: ε up to 0.25)


def _weights_note(result: dict[str, Any]) -> str:
    if result.get("trained"):
        return f"Using {result.get('source') or 'trained weights'}."
    return "Untrained weights: the network has not learnt anything yet, so these pictures show noise. Train it first."


def _outline_note(result: dict[str, Any]) -> str:
    """How to read the overlays of a small image, enlarged with its strokes outlined (``outlined``)."""
    if not result.get("outlined"):
        return ""
    return "Warm colours mark what mattered; white lines outline the input's bright strokes. "


def _occlusion_caption(result: dict[str, Any]) -> str:
    """The patch and the biggest drop in the class's probability it causes (the map's scale: full colour
    at that drop, or at 0.05 when it is smaller)."""
    patch, drop = result.get("patch"), result.get("occlusion_drop")
    text = f"occlusion {patch}×{patch}" if patch else "occlusion"
    if drop is None:
        return text + ": drop in probability" if not patch else text
    return text + (f": −{drop:.2f} at most" if drop > 0.005 else ": almost no change")


def _class_name(result: dict[str, Any], k: int) -> str:
    names = result.get("class_names") or []
    return names[k] if 0 <= k < len(names) else str(k)


def _input_caption(result: dict[str, Any]) -> str:
    """What the input is, and its true class when it has one."""
    name = result.get("input") or "input"
    if result.get("label") is None or not result.get("labelled", True):
        return f"{name} (no label)"
    return f"{name}: {_class_name(result, result['label'])}"


class _SampleBar(QWidget):
    """The input choice (``picker``: its ``pad`` is for the view to place) and the view's own settings."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = InputPicker(SOURCES)
        self.sample = self.picker.sample
        self.sample.setRange(0, MAX_SAMPLE)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(QLabel("input"))
        self.layout_.addWidget(self.picker)
        self.picker.changed.connect(self.changed)

    def add(self, label: str, widget: QWidget) -> None:
        if label:
            self.layout_.addWidget(QLabel(label))
        self.layout_.addWidget(widget)
        signal = getattr(widget, "currentIndexChanged", None) or getattr(widget, "valueChanged", None)
        if signal is not None:
            signal.connect(lambda *_a: self.changed.emit())

    def finish(self) -> None:
        self.layout_.addStretch(1)


class ExplainView(AnswerView):
    requested = Signal()
    ERROR = "Cannot explain: "

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = _SampleBar()
        self.class_box = QComboBox()
        self.class_box.addItem("predicted class", None)
        self.layer_box = QComboBox()
        self.layer_box.addItem(CAM_DEFAULT, None)
        self.layer_box.setToolTip(CAM_TIP)
        self.bar.add("class", self.class_box)
        self.bar.add("Grad-CAM layer", self.layer_box)
        self.bar.finish()
        self._wanted: str | None = None  # a layer chosen before the box lists it (``select_layer``)
        self.layer_box.activated.connect(self._forget_wanted)
        self.images = {key: ImageView(title, 130) for key, title in (
            ("image", "input"), ("saliency", "saliency |∂score/∂x|"), ("grad_cam", "Grad-CAM"),
            ("occlusion", "occlusion: drop in probability"))}
        _image_row_layout(self, self.bar, self.images.values(), self.info)
        self.bar.changed.connect(self.requested.emit)

    def layer_boxes(self) -> tuple[QComboBox, ...]:
        return (self.layer_box,)

    def query(self) -> dict[str, Any]:
        """``input``: the picker's choice (None: none yet)."""
        return {"input": self.bar.picker.query(), "target_class": self.class_box.currentData(),
                "layer": self.layer_box.currentData() or self._wanted}

    def select_layer(self, node_id: str) -> None:
        """Grad-CAM on ``node_id``. The box lists the layers with maps once the first answer has come (a
        lesson's Show me asks before that): until then the choice is kept, asked for and shown with it."""
        i = self.layer_box.findData(node_id)
        self._wanted = None if i >= 0 else node_id
        if i >= 0 and i != self.layer_box.currentIndex():
            self.layer_box.setCurrentIndex(i)

    def _forget_wanted(self, *_args) -> None:
        self._wanted = None

    def set_classes(self, names: list[str]) -> bool:
        """The classes to explain (the dataset's that the network predicts), at once when the dataset
        or the network changes; a class that is gone falls back to "predicted class". True when the choice
        changed (a new question is due)."""
        before = self.class_box.currentData()
        fill_choices(self.class_box, [(f"class {k}: {n}", k) for k, n in enumerate(names)], "predicted class")
        return self.class_box.currentData() != before

    def is_error(self, result: dict[str, Any]) -> bool:
        return "error" in result and "image" not in result  # (with an image: what could be shown, and why not all)

    def show_result(self, result: dict[str, Any]) -> None:
        self.set_classes(list(result.get("class_names", [])))
        fill_choices(self.layer_box, [(n, n) for n in result.get("cam_layers", [])], CAM_DEFAULT)
        wanted, self._wanted = self._wanted, None  # (a layer this network lacks: the answer used the default)
        if wanted is not None and self.layer_box.findData(wanted) >= 0:
            self.layer_box.blockSignals(True)  # (this answer is on it already: no second question)
            self.layer_box.setCurrentIndex(self.layer_box.findData(wanted))
            self.layer_box.blockSignals(False)
        self.images["image"].set_array(result["image"], _input_caption(result))
        layer = result.get("layer")
        captions = {"saliency": None, "grad_cam": f"Grad-CAM on {layer}" if layer else "Grad-CAM",
                    "occlusion": _occlusion_caption(result)}
        for key, caption in captions.items():
            self.images[key].set_array(result.get(f"{key}_overlay"), caption)
        probs = np.asarray(result["probs"])
        cls = result["class"]
        outline = _outline_note(result)
        self.info.setText(f"The network says {_class_name(result, int(probs.argmax()))} ({probs.max():.0%}); "
                          f"explaining class {_class_name(result, cls)} ({probs[cls]:.0%}). {outline}"
                          + _weights_note(result) + (f" {result['error']}" if "error" in result else ""))


class AdversarialView(AnswerView):
    requested = Signal()
    ERROR = "No attack: "

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = _SampleBar()
        self.method = QComboBox()
        self.method.addItem("FGSM (one step)", "fgsm")
        self.method.addItem("PGD (several steps)", "pgd")
        self.steps = QSpinBox()
        self.steps.setRange(1, 40)
        self.steps.setValue(5)
        self.epsilon = QSlider(Qt.Orientation.Horizontal)
        self.epsilon.setRange(0, 100)  # ε = value / EPSILON_STEPS of the pixel range: 0 .. 0.25
        self.epsilon.setValue(8)
        self.epsilon_label = QLabel()
        self.search_button = QPushButton("Smallest ε that fools it")
        self.search_button.setToolTip("Search for the smallest ε (on the slider's steps) that changes the "
                                      "network's prediction for this sample, and show that attack")
        self.search_button.clicked.connect(self.search)
        self.bar.add("", self.method)
        self.bar.add("steps", self.steps)
        self.bar.add("ε", self.epsilon)
        self.bar.layout_.addWidget(self.epsilon_label)
        self.bar.layout_.addWidget(self.search_button)
        self.bar.finish()
        self._search = False
        self.images = {key: ImageView(title, 140) for key, title in (
            ("image", "original"), ("adversarial", "adversarial"), ("perturbation", "perturbation (amplified)"))}
        _image_row_layout(self, self.bar, self.images.values(), self.info)
        self.bar.changed.connect(self._changed)
        self._changed(emit=False)

    @property
    def epsilon_value(self) -> float:
        return self.epsilon.value() / EPSILON_STEPS

    def _changed(self, emit: bool = True) -> None:
        self.epsilon_label.setText(f"{self.epsilon_value:.3f} ({self.epsilon_value * 255:.0f}/255)")
        self.steps.setEnabled(self.method.currentData() == "pgd")
        if emit:  # (the student's change: a plain attack at the slider's ε, not the search asked before it)
            self._search = False
            self.requested.emit()

    def search(self) -> None:
        """Ask for the smallest ε that changes the prediction (the slider moves to it with the result)."""
        self._search = True
        self.requested.emit()

    def query(self) -> dict[str, Any]:
        """What to attack. A search asked for stays in the queries until its answer has come (a question
        asked again, for an edited design, searches too) or the student changes the attack."""
        search = self._search
        return {"input": self.bar.picker.query(), "epsilon": self.epsilon_value,
                "method": self.method.currentData(), "steps": self.steps.value(),
                "search": (self.epsilon.maximum(), EPSILON_STEPS) if search else None}

    def show_result(self, r: dict[str, Any]) -> None:
        if r.get("searched"):  # the slider to the ε found (no new request: this is its result)
            self._search = False
            self.epsilon.blockSignals(True)
            self.epsilon.setValue(round(r["epsilon"] * EPSILON_STEPS))
            self.epsilon.blockSignals(False)
            self._changed(emit=False)
        self.images["image"].set_array(r["image"], f"original, {_input_caption(r)}")
        self.images["adversarial"].set_array(r["adversarial"], f"adversarial, ε = {r['epsilon']:.3f}")
        self.images["perturbation"].set_array(r["perturbation"], f"perturbation (largest change {r['max_change']:.3f})")
        verdict = ("The prediction changed!" if r["changed"] else "The prediction held.")
        if r.get("searched"):
            verdict = (f"The smallest ε that changes it: {r['epsilon']:.4f} ({r['epsilon'] * 255:.1f}/255), "
                       f"found in {r['tries']} attacks." if r["smallest"] is not None else
                       f"No ε up to {r['epsilon']:.2f} changes the prediction: this sample is robust to it.")
        whose = (f"the true class {_class_name(r, r['label'])}" if r.get("labelled", True) else
                 f"{NO_LABEL}, {_class_name(r, r['label'])},")
        self.info.setText(
            f"{'PGD, ' + str(r['steps']) + ' steps' if r['method'] == 'pgd' else 'FGSM'}: before "
            f"{_class_name(r, r['before'])} ({r['before_p']:.0%}), after {_class_name(r, r['after'])} "
            f"({r['after_p']:.0%}); {whose} went from {r['true_before']:.0%} "
            f"to {r['true_after']:.0%}. {verdict} " + _weights_note(r))


class InsideView(AnswerView):
    """Receptive field (click a pixel of the selected layer's feature map) and training health."""

    requested = Signal()
    health_requested = Signal()
    NOTE = "Click a pixel of the feature map to light up the part of the input it sees."
    ERROR = "No feature maps: "

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.bar = _SampleBar()
        self.layer_box = QComboBox()
        self.layer_box.addItem("first layer with maps", None)
        self.bar.add("layer", self.layer_box)
        self.bar.finish()
        self.feature = ImageView("feature map: click a pixel", 150)
        self.input = ImageView("input: the region that pixel sees", 150)
        self.images = {"feature": self.feature, "input": self.input}
        self.rf_info = self.info  # (what the clicked pixel sees, or why there are no maps)
        self.health_button = QPushButton("Check training health")
        self.live = QCheckBox("refresh after every epoch")
        self.live.setChecked(True)
        self.hints = QListWidget()
        self.health_info = note(HEALTH_NOTE)
        self.bar.picker.failed.connect(self.rf_info.setText)
        row = QHBoxLayout()
        row.addWidget(self.bar.picker.pad, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.feature)
        row.addWidget(self.input)
        left = QVBoxLayout()
        left.addWidget(self.bar)
        left.addLayout(row, 1)
        left.addWidget(self.rf_info)
        right = QVBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.health_button)
        buttons.addWidget(self.live)
        right.addLayout(buttons)
        right.addWidget(self.hints, 1)
        right.addWidget(self.health_info)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.region: tuple[int, int, int, int] | None = None
        self.health: dict[str, Any] | None = None
        self.bar.changed.connect(self.requested.emit)
        self.feature.clicked.connect(self.show_receptive_field)
        self.health_button.clicked.connect(self.health_requested.emit)

    def query(self) -> dict[str, Any]:
        return {"input": self.bar.picker.query(), "layer": self.layer_box.currentData()}

    def select_layer(self, node_id: str) -> bool:
        i = self.layer_box.findData(node_id)
        if i >= 0 and i != self.layer_box.currentIndex():
            self.layer_box.setCurrentIndex(i)
            return True
        return False

    def layer_boxes(self) -> tuple[QComboBox, ...]:
        return (self.layer_box,)

    def forget(self) -> None:
        self.region = None

    def reset(self, text: str) -> None:
        """Another design was opened: its maps, layers and the previous network's health check go."""
        super().reset(text)
        self.health = None
        self.hints.clear()
        self.health_info.setText(HEALTH_NOTE)

    def show_result(self, r: dict[str, Any]) -> None:
        self.region = None  # (a new map: the pixel clicked on the one before is no longer on screen)
        fill_choices(self.layer_box, [(n, n) for n in r.get("layers", [])], "first layer with maps")
        self.input.set_array(r["image"])
        self.input.set_highlight(None)
        self.feature.set_marker(None)
        if r.get("layer") is None:
            self.feature.set_array(None, "this network has no layer with feature maps")
            return
        h, w = r["map"].shape
        caption, flat = f"mean of {r['channels']} maps, {h}×{w}", _flat_caption(r)
        self.rf_info.setText(self.NOTE)  # (a new map: not the note of the one before, flat or clicked)
        if h * w == 1:  # one value per map (pooled channels, an SE gate): no picture to be flat, no dead ReLU
            span = r.get("map_range")
            self.feature.set_array(r["map"], f"{r['layer']}: one pixel"
                                   + (f", mean |value| ≈ {span[0]:.3g}" if span else "") + f" ({caption})")
            return
        self.feature.set_array(r["map"], f"{r['layer']}: " + (f"{flat} ({caption})" if flat else caption))
        if flat:
            self.rf_info.setText(f"{FLAT_NOTE} {self.NOTE}")

    def show_receptive_field(self, y: int, x: int) -> tuple[int, int, int, int] | None:
        from netbuilder.analysis.receptive_field import receptive_field, receptive_field_size
        from netbuilder.errors import NetbuilderError

        if self.result is None or not self.result.get("layer"):
            return None
        layer = self.result["layer"]
        try:
            region = receptive_field(self.document.graph, layer, int(y), int(x))
            size, jump = receptive_field_size(self.document.graph, layer)
        except NetbuilderError as e:
            self.rf_info.setText(str(e))
            return None
        self.region = region
        self.feature.set_marker((y, x))
        self.input.set_highlight(region)
        y0, y1, x0, x1 = region
        self.rf_info.setText(f"Pixel ({y}, {x}) of {layer} sees input rows {y0}–{y1 - 1} and columns {x0}–{x1 - 1} "
                             f"({y1 - y0}×{x1 - x0} pixels). Its full receptive field is {size}×{size}; "
                             f"neighbouring pixels are {jump} input pixels apart.")
        return region

    def set_health(self, r: dict[str, Any]) -> None:
        self.hints.clear()
        if "error" in r:
            self.health_info.setText(f"No health check: {r['error']}")
            return
        self.health = r
        for _node_id, message in r["hints"]:
            self.hints.addItem(f"⚠ {message}")
        if not r["hints"]:
            self.hints.addItem("✔ No problem found: gradients reach every layer and the ReLUs fire.")
        layers = r["layers"]
        dead = [v["dead_fraction"] for v in layers.values() if v["dead_fraction"] is not None]
        self.health_info.setText(
            f"Checked {len(layers)} layers on a batch (loss {r['loss']:.3f})"
            + (f"; dead ReLUs: {max(dead):.0%} at most" if dead else "") + ". " + _weights_note(r))


def _flat_caption(r: dict[str, Any]) -> str:
    """What the Inside view's map is when it is flat ("flat: all values ≈ x"), "" when it is not. Its scaling
    (``introspect._util.normalise01``) draws a map whose values (nearly) all agree in one shade, not
    stretched to full contrast; x is known only when the answer gives the unscaled ``map_range`` (lo, hi)."""
    m = np.asarray(r["map"], np.float32)
    if m.size == 0 or np.ptp(m) > 0:  # (a map with any structure is scaled to span 0 .. 1)
        return ""
    span = r.get("map_range")
    return f"flat: all values ≈ {(span[0] + span[1]) / 2:.3g}" if span else "flat: all values ≈ equal"


def _image_row_layout(view: QWidget, bar: _SampleBar, images, info: QWidget) -> None:
    """The input bar on top, the images side by side (after the drawing pad, when drawing), the
    explanation below."""
    bar.picker.failed.connect(info.setText)  # (an image file that cannot be read: one line; nothing else changes)
    row = QHBoxLayout()
    row.addWidget(bar.picker.pad, 0, Qt.AlignmentFlag.AlignTop)
    for image in images:
        row.addWidget(image)
    layout = QVBoxLayout(view)
    layout.addWidget(bar)
    layout.addLayout(row, 1)
    layout.addWidget(info)
