"""``netbuilder lessons [--json] [--verify [ID ...]]``: list the guided lessons, or run their reference
solutions headless and check that every check passes (one line per lesson; exit 1 when one fails).

``--verify`` trains on the CPU with each lesson's own (small) settings, at most ``--max-epochs`` epochs per
run; ``TorchEngine`` is the torch side the pure ``netbuilder.lessons`` runner asks for (training, attacks,
explanations, dataset shapes). Torch is imported only for ``--verify``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from netbuilder.errors import NetbuilderError

MAX_EPOCHS = 3


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "lessons", help="list the guided lessons, or check their reference solutions",
        description="List the guided lessons (id, title, concepts, minutes). --verify runs each lesson's "
                    "reference solution (its steps applied to the design, then training with few epochs) and "
                    "checks that every check and question passes.")
    p.add_argument("ids", nargs="*", metavar="ID", help="only these lessons (ids or lesson files)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.add_argument("--verify", action="store_true", help="run the reference solutions; exit 1 if one fails")
    p.add_argument("--folder", metavar="DIR", help="a folder of lesson files (default: the bundled lessons)")
    p.add_argument("--max-epochs", type=int, default=MAX_EPOCHS,
                   help=f"--verify: at most this many epochs per training (default: {MAX_EPOCHS})")
    p.set_defaults(func=run)


def _chosen(args: argparse.Namespace) -> list:
    from netbuilder.lessons import find_lesson, load_lessons

    if args.ids:
        return [find_lesson(key, args.folder) for key in args.ids]
    return load_lessons(args.folder)


def run(args: argparse.Namespace) -> int:
    lessons = _chosen(args)
    if not args.verify:
        if args.json:
            print(json.dumps([lesson.summary() for lesson in lessons], indent=1, ensure_ascii=False))
        else:
            for lesson in lessons:
                print(f"{lesson.id:<24} {lesson.minutes:3d} min  {lesson.title}  ({', '.join(lesson.concepts)})")
        return 0
    if args.max_epochs < 1:
        raise NetbuilderError("--max-epochs must be at least 1")
    from netbuilder.lessons import verify_lesson

    start, failed, reports = time.perf_counter(), 0, []
    for lesson in lessons:
        report = verify_lesson(lesson, TorchEngine(max_epochs=args.max_epochs))
        failed += not report.ok
        reports.append(report)
        if not args.json:
            print(report.line(), flush=True)
    total = time.perf_counter() - start
    if args.json:
        print(json.dumps([{"id": r.id, "ok": r.ok, "checks": r.checks, "failures": r.failures,
                           "seconds": round(r.seconds, 2)} for r in reports], indent=1))
    else:
        print(f"{len(lessons) - failed}/{len(lessons)} lessons pass ({total:.1f}s)")
    return 1 if failed else 0


class TorchEngine:
    """Trains, attacks and explains on the CPU; keeps the last model, and on the next run keeps its weights
    whose names and shapes still fit (as the window's workbench does under its ``keep`` policy). ``reset``
    (a design opened, or a lesson's ``start_training`` with ``"fresh": true``) drops them: the next run
    starts from the weights the seed makes."""

    def __init__(self, max_epochs: int = MAX_EPOCHS, device: str = "cpu", threads: int | None = 1):
        import torch

        if threads:  # one thread: as fast for these small runs, and steady on a busy machine
            torch.set_num_threads(threads)
        self.max_epochs, self.device = max_epochs, device
        self.model = None
        self.data = None
        self._data_key: str | None = None

    def reset(self) -> None:
        self.model = None

    def _load(self, dataset: dict[str, Any]):
        from netbuilder.data import load_dataset

        key = json.dumps(dataset, sort_keys=True)
        if key != self._data_key:
            options = {k: v for k, v in dataset.items() if k not in ("name", "options")}
            options.update(dataset.get("options") or {})
            self.data, self._data_key = load_dataset(dataset["name"], **options), key
        return self.data

    def dataset_shape(self, dataset: dict[str, Any]) -> tuple[list[int], int]:
        data = self._load(dataset)
        return list(data.input_shape), data.num_classes

    def train(self, design, settings: dict[str, Any]) -> dict[str, float]:
        from netbuilder.compiler import compile_design
        from netbuilder.training import TrainConfig, seeded
        from netbuilder.training.engine import train

        data = self._load(design.dataset)
        with seeded(int(settings.get("seed", 0))):
            model = compile_design(design)
        if self.model is not None:
            old = self.model.state_dict()
            kept = {k: v for k, v in old.items() if k in model.state_dict() and model.state_dict()[k].shape == v.shape}
            model.load_state_dict(kept, strict=False)
        settings = {**settings, "epochs": min(int(settings["epochs"]), self.max_epochs), "device": self.device}
        config = TrainConfig.from_dict(settings)
        final = None
        for ev in train(model, data, config):
            if ev.kind == "fault":
                raise NetbuilderError(f"{ev.message}. What to do: {ev.advice}")
            if ev.kind == "finished":
                final = ev
        self.model = model
        return {k: float(getattr(final, k)) for k in ("train_accuracy", "val_accuracy", "test_accuracy",
                                                      "train_loss", "val_loss", "test_loss", "epochs",
                                                      "best_epoch")}

    def _model_for(self, design):
        if self.model is None:
            raise NetbuilderError("train the network first")
        return self.model.eval()

    def _examples(self):
        """The normalised test examples, their labels and the model's predictions."""
        import torch

        data = self.data
        x = data.normalize(data.x_test[:200])
        with torch.no_grad():
            predicted = self.model(x).argmax(1)
        return x, data.y_test[:200], predicted

    def attack(self, design, method: str, epsilon: float) -> dict[str, Any]:
        from netbuilder.introspect import fgsm, pgd

        self._model_for(design)
        x, y, predicted = self._examples()
        right = [i for i in range(len(y)) if int(predicted[i]) == int(y[i])]
        data = self.data
        std = float(data.std.mean())  # epsilon in pixel units -> the network's normalised units
        clamp = None
        if data.is_image:  # stay within valid pixels, as the Adversarial view does
            mean, sd = data.mean.flatten(), data.std.flatten()
            clamp = (((0 - mean) / sd).tolist(), ((1 - mean) / sd).tolist())
        for i in right[:20]:  # the first correctly classified example that the attack flips; else the last tried
            attack = pgd if method == "pgd" else fgsm
            res = attack(self.model, x[i], int(y[i]), float(epsilon) / std, clamp=clamp)
            if res.changed:
                break
        else:
            if not right:
                raise NetbuilderError("the network classifies no test example correctly")
        return {"original_class": res.original_class, "adversarial_class": res.adversarial_class,
                "true_class": res.true_class, "epsilon": float(epsilon)}

    def explain(self, design, method: str, layer: str | None) -> bool:
        import numpy as np

        from netbuilder.introspect import grad_cam, occlusion, saliency

        self._model_for(design)
        x, _, predicted = self._examples()
        cls = int(predicted[0])
        if method == "saliency":
            heat = saliency(self.model, x[0], cls)
        elif method == "grad_cam":
            # (no layer: the window's default, the last layer with maps but a final pooling; a network
            # without maps: an IntrospectError, a NetbuilderError, in one line)
            heat = grad_cam(self.model, x[0], cls, layer)
        else:
            side = int(x.shape[-1])
            patch = max(2, side // 6)
            heat = occlusion(self.model, x[0], cls, patch=patch, stride=max(1, patch // 2))
        return bool(np.ptp(np.asarray(heat)) > 0)
