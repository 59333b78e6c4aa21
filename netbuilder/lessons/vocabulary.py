"""The words a lesson file may use: action kinds, check kinds, question answers, views, metrics, operators.

Each kind maps its keys to a type name that ``schema.py`` knows how to check; ``*`` marks a required key.
This table is the format's single definition: the validator, ``docs/lessons.md`` and the tests read it.
Imports: choices only.
"""

from __future__ import annotations

from netbuilder import choices

FORMAT = "netbuilder-lesson"
VERSION = 1
EXTENSION = ".json"

# The window's workspaces and docks (netbuilder.ui.workspaces spells the same titles; the lesson panel maps
# a name to the workspace that holds it). Kept here because lessons may not import the ui.
WORKSPACES = ("Build", "Train", "Explore")
VIEWS = WORKSPACES + (
    "Palette", "Inspector", "Problems", "Summary", "Code",
    "Training", "Curves", "Evaluation", "Decision boundary",
    "Feature maps", "Filters", "Inside the network", "Explain", "Adversarial", "Augmentation",
    "Overfitting lab", "Transfer",
)

METRICS = ("train_accuracy", "val_accuracy", "test_accuracy", "train_loss", "val_loss", "test_loss",
           "epochs", "best_epoch")
OPS = ("==", "!=", "<", "<=", ">", ">=", "between", "contains", "not_contains")
EXPLAIN_METHODS = ("saliency", "grad_cam", "occlusion")
ATTACK_METHODS = ("fgsm", "pgd")
# what an ``answer_from`` question may ask of a node (or, for the totals, of the whole design)
ANSWER_WHAT = ("output_shape", "output_size", "channels", "input_shape", "params", "macs",
               "total_params", "total_macs")
NODE_FREE_WHAT = ("total_params", "total_macs")

# key -> type; "*" in front means required. Types: see schema._CHECKERS.
ACTIONS: dict[str, dict[str, str]] = {
    "open_design": {"preset": "preset", "example": "example", "file": "str", "dataset": "dataset",
                    "dataset_options": "dict"},
    "set_dataset": {"*name": "dataset", "options": "dict"},
    "select_node": {"*node": "node"},
    "switch_view": {"*view": "view"},
    "set_setting": {"*key": "setting", "*value": "any"},
    "set_param": {"*node": "node", "*param": "str", "*value": "any"},
    "add_layer": {"*kind": "layer_kind", "*after": "node", "params": "dict", "id": "str"},
    "remove_layer": {"*node": "node"},
    "start_training": {"epochs": "positive_int", "fresh": "bool"},
    "attack": {"method": "attack_method", "epsilon": "number"},
    "explain": {"*method": "explain_method", "layer": "node"},
}

_COMMON_CHECK = {"text": "str", "hint": "str"}
CHECKS: dict[str, dict[str, str]] = {
    "has_layer": {"*kind": "layer_kind", "params": "dict", "count": "positive_int"},
    "layer_count": {"kind": "layer_kind", "*op": "op", "*value": "bound"},
    "metric": {"*name": "metric", "*op": "op", "*value": "bound", "from_scratch": "bool"},
    "gap": {"of": "gap_of", "*op": "op", "*value": "bound", "from_scratch": "bool"},
    "prediction_flipped": {},
    "explained": {"*method": "explain_method", "layer": "node"},
    "setting": {"*key": "setting", "*op": "op", "*value": "any"},
    "param_count": {"*op": "op", "*value": "bound"},
    "macs": {"*op": "op", "*value": "bound"},
    "valid": {},
    "selected": {"kind": "layer_kind", "node": "node"},
    "view": {"*view": "view"},
    "output_shape": {"*node": "node", "*value": "shape"},
    "trained": {"from_scratch": "bool"},
}
CHECKS = {kind: {**keys, **_COMMON_CHECK} for kind, keys in CHECKS.items()}

LESSON_KEYS = {"*format": "str", "*version": "positive_int", "*id": "lesson_id", "*title": "str",
               "*concepts": "str_list", "*minutes": "positive_int", "*text": "str", "*steps": "list"}
STEP_KEYS = {"title": "str", "*text": "str", "show_me": "actions", "solution": "actions", "checks": "list",
             "questions": "list"}
QUESTION_KEYS = {"*id": "lesson_id", "*text": "str", "answer_from": "dict", "choices": "str_list",
                 "answer": "any", "explain": "str", "hint": "str"}
ANSWER_FROM_KEYS = {"node": "node", "*what": "answer_what"}

# size limits (a lesson is a small text file)
MAX_FILE_BYTES = 512 * 1024
MAX_STEPS = 40
MAX_PER_STEP = 20  # actions, checks or questions in one step
MAX_TEXT = 20_000
MAX_CHOICES = 10


def setting_keys() -> tuple[str, ...]:
    """Every training setting a lesson may set or check: ``choices.DEFAULTS`` and ``augmentation.<name>``."""
    return tuple(choices.DEFAULTS) + tuple(f"augmentation.{k}" for k in choices.AUGMENTATION_DEFAULTS)


def setting_default(key: str):
    """The default of a setting key (``augmentation.flip`` included)."""
    if key.startswith("augmentation."):
        return choices.AUGMENTATION_DEFAULTS[key.split(".", 1)[1]]
    return choices.DEFAULTS[key]

# the datasets a lesson may name (netbuilder.data.dataset_names(); a test keeps the two in step)
DATASETS = ("circle", "xor", "gaussian", "spiral", "shapes", "digits", "mnist", "fashion_mnist", "kmnist",
            "cifar10")
GAP_OF = ("accuracy", "loss")
