"""GoogLeNet (Inception v1) as torchvision builds it, without the auxiliary classifiers.

Every BasicConv2d is conv (no bias) -> batch norm (eps 0.001) -> ReLU; pools use ceil_mode.
Like torchvision, the "5×5" branch uses a 3×3 convolution (a long-standing quirk kept so that
ImageNet checkpoints load). Imports: graph, layers (through the builder).
"""

from __future__ import annotations

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset
from netbuilder.presets.settings import NORMALISED, settings

SZEGEDY = Paper("C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke, "
                "A. Rabinovich", "Going deeper with convolutions", "CVPR 2015",
                "https://arxiv.org/abs/1409.4842")

# name: (in, 1×1, 3×3 reduce, 3×3, "5×5" reduce, "5×5", pool projection)
INCEPTIONS = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32), "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64), "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64), "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128), "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}
POOL_AFTER = {"inception3b": ("maxpool3", 3), "inception4e": ("maxpool4", 2)}


def basic_conv(b: DesignBuilder, x: str, prefix: str, filters: int, kernel: int, stride: int = 1,
               padding: int = 0) -> str:
    """torchvision's BasicConv2d: ``<prefix>_conv``, ``<prefix>_bn`` (eps 0.001), ``<prefix>_relu``."""
    x = b.add("conv2d", x, filters=filters, kernel_size=kernel, stride=stride, padding=padding, bias=False,
              id=f"{prefix}_conv")
    x = b.add("batchnorm2d", x, eps=0.001, id=f"{prefix}_bn")
    return b.add("relu", x, id=f"{prefix}_relu")


def inception(b: DesignBuilder, x: str, name: str, ch1: int, ch3r: int, ch3: int, ch5r: int, ch5: int,
              pool_proj: int, *, kernel5: int = 3) -> str:
    """Four parallel branches (1×1; 1×1->3×3; 1×1->"5×5"; 3×3 max pool->1×1) joined by a concat."""
    with b.group(name, "inception module"):
        b1 = basic_conv(b, x, f"{name}_branch1", ch1, 1)
        b2 = basic_conv(b, x, f"{name}_branch2_0", ch3r, 1)
        b2 = basic_conv(b, b2, f"{name}_branch2_1", ch3, 3, padding=1)
        b3 = basic_conv(b, x, f"{name}_branch3_0", ch5r, 1)
        b3 = basic_conv(b, b3, f"{name}_branch3_1", ch5, kernel5, padding=kernel5 // 2)
        b4 = b.add("maxpool2d", x, kernel_size=3, stride=1, padding=1, ceil_mode=True, id=f"{name}_branch4_0")
        b4 = basic_conv(b, b4, f"{name}_branch4_1", pool_proj, 1)
        return b.add("concat", b1, b2, b3, b4, id=f"{name}_concat")


@register_preset("googlenet", aliases=("inception_v1",), gallery=GalleryEntry(
    "GoogLeNet (Inception v1)", 2014,
    "An inception module looks at the same input through 1×1, 3×3 and 5×5 filters and a pooling in "
    "parallel and concatenates the results, letting the network choose the scale. Cheap 1×1 convolutions "
    "shrink the channels first, so it is deeper than VGG with 20 times fewer parameters.",
    SZEGEDY, (3, 224, 224), 1000))
def googlenet() -> Design:
    """torchvision.models.googlenet(aux_logits=False): 6,624,904 parameters.

    torchvision's ImageNet weights expect ``transform_input=True`` (a per-channel rescaling of the
    normalised input) which is not a layer here: normalise images as (x - 0.5) / 0.5 for them."""
    b = DesignBuilder("googlenet", "GoogLeNet / Inception v1 (no auxiliary heads) for 224×224 ImageNet images.",
                      collapsed=True, training=settings(NORMALISED))
    x = b.input([3, 224, 224])
    with b.group("stem", "stem"):
        x = basic_conv(b, x, "conv1", 64, 7, stride=2, padding=3)
        x = b.add("maxpool2d", x, kernel_size=3, stride=2, ceil_mode=True, id="maxpool1")
        x = basic_conv(b, x, "conv2", 64, 1)
        x = basic_conv(b, x, "conv3", 192, 3, padding=1)
        x = b.add("maxpool2d", x, kernel_size=3, stride=2, ceil_mode=True, id="maxpool2")
    for name, cfg in INCEPTIONS.items():
        x = inception(b, x, name, *cfg[1:])
        if name in POOL_AFTER:
            pool_id, k = POOL_AFTER[name]
            x = b.add("maxpool2d", x, kernel_size=k, stride=2, ceil_mode=True, id=pool_id)
    x = b.add("adaptive_avgpool2d", x, output_size=1, id="avgpool")
    x = b.add("flatten", x, id="flatten")
    x = b.add("dropout", x, p=0.2, id="dropout")
    x = b.add("dense", x, units=1000, id="fc")
    b.output(x)
    return b.build()
