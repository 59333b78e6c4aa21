"""Look inside a network: filters, feature maps, saliency, Grad-CAM, occlusion, adversarial examples,
receptive fields, training health and layer freezing. Torch in, numpy and plain values out.

Imports torch and numpy (receptive fields are worked out torch-free in netbuilder.analysis and named
here too); never Qt.
The functions are imported here eagerly, so that ``netbuilder.introspect.freeze`` and ``.saliency``
name the functions, not the modules of the same name.
"""

from netbuilder.analysis.receptive_field import ReceptiveFieldError, receptive_field, receptive_field_size
from netbuilder.introspect._util import tile
from netbuilder.introspect.activations import (
    activation_stats,
    class_probabilities,
    feature_grid,
    feature_maps,
)
from netbuilder.introspect.adversarial import AdversarialResult, fgsm, pgd
from netbuilder.introspect.errors import IntrospectError
from netbuilder.introspect.filters import conv_filters, filter_grid, grad_histograms, weight_histograms
from netbuilder.introspect.freeze import apply_frozen_bn_eval, freeze, frozen_nodes, unfreeze
from netbuilder.introspect.health import gradient_norms, health_hints
from netbuilder.introspect.saliency import colormap, grad_cam, occlusion, overlay, saliency

__all__ = [
    "AdversarialResult", "IntrospectError", "ReceptiveFieldError",
    "activation_stats", "apply_frozen_bn_eval", "class_probabilities", "colormap", "conv_filters",
    "feature_grid", "feature_maps", "fgsm", "filter_grid", "freeze", "frozen_nodes", "grad_cam",
    "grad_histograms", "gradient_norms", "health_hints", "occlusion", "overlay", "pgd", "receptive_field",
    "receptive_field_size", "saliency", "tile", "unfreeze", "weight_histograms",
]
