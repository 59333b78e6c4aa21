"""Training settings the presets carry (their Design's ``training``), so that a preset opened in the window,
trained by the CLI or by a lesson starts with settings that work for it. Only the settings that differ in
kind from the shared defaults (``netbuilder.choices.DEFAULTS``: Adam at 0.01) are written; the rest stay the
student's defaults. The basics and LeNet-5 carry none: they train fast and well on the defaults, and the
lessons build on that.

Imports nothing of netbuilder (plain data).
"""

from __future__ import annotations

import copy
from typing import Any

# Deep networks without batch normalisation (AlexNet, VGG): at Adam's 0.01 the first steps throw the
# weights so far that the loss goes from 1.1 to 3e11 at step 2 (VGG-16 on 224×224 images); at 1e-4 they
# train from fresh weights without blowing up.
PLAIN_DEEP: dict[str, Any] = {"optimizer": "adam", "lr": 1e-4}

# Networks with batch normalisation after their convolutions (ResNet, DenseNet, GoogLeNet, MobileNet,
# EfficientNet, the teaching-size ones): Adam's usual 1e-3 (on the digits it beats 0.01 for all five
# teaching-size presets; the small VGG hardly learns at 0.01).
NORMALISED: dict[str, Any] = {"optimizer": "adam", "lr": 1e-3}


def settings(which: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of one of the settings above (a design owns its dict)."""
    return copy.deepcopy(which)
