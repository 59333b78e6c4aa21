"""fit_design and build_preset's fitting options (analysis only, no torch)."""

import pytest

from netbuilder.analysis import analyze
from netbuilder.presets import PresetError, build_preset, fit_design
from netbuilder.presets.fit import classifier_node


def _input_shape(design):
    (inp,) = [n for n in design.graph.iter_nodes() if n.kind == "input"]
    return list(inp.params["shape"])


def test_resnet18_fits_cifar_and_keeps_the_original_untouched():
    original = build_preset("resnet18")
    fitted = fit_design(original, [3, 32, 32], 10)
    result = analyze(fitted.graph)
    assert result.valid
    assert result.nodes["output"].shape == (10,)
    assert result.nodes["layer4_1_relu2"].shape == (512, 1, 1)
    assert _input_shape(fitted) == [3, 32, 32] and _input_shape(original) == [3, 224, 224]
    assert analyze(original.graph).nodes["output"].shape == (1000,)
    assert fitted.meta["fitted"] == {"input_shape": [3, 32, 32], "num_classes": 10}


@pytest.mark.parametrize("name,shape,classes", [
    ("mlp", [1, 28, 28], 10), ("lenet5", [3, 32, 32], 100), ("playground", [2], 1), ("neuron", [5], 1),
    ("vgg_small", [1, 28, 28], 10), ("resnet_cifar", [1, 28, 28], 10), ("inception_small", [1, 28, 28], 10),
    ("densenet_small", [1, 28, 28], 10), ("efficientnet_small", [1, 28, 28], 10),
    ("efficientnet_b0", [3, 64, 64], 5), ("mobilenet_v2", [1, 96, 96], 2), ("googlenet", [3, 32, 32], 10),
])
def test_presets_fit_other_inputs_and_class_counts(name, shape, classes):
    d = build_preset(name, input_shape=shape, num_classes=classes)
    result = analyze(d.graph)
    assert result.valid, [str(x) for x in result.errors]
    assert result.nodes["output"].shape == (classes,)
    assert _input_shape(d) == shape


def test_classifier_is_found_through_pass_through_layers():
    assert classifier_node(build_preset("alexnet").graph).id == "classifier_6"
    assert classifier_node(build_preset("neuron").graph).id == "weighted_sum"  # through the sigmoid


@pytest.mark.parametrize("name,side", [("alexnet", 8), ("lenet5", 4), ("vgg16", 16), ("densenet121", 8)])
def test_too_small_inputs_are_refused_with_the_smallest_that_works(name, side):
    with pytest.raises(PresetError) as info:
        build_preset(name, input_shape=[3, side, side])
    text = str(info.value)
    assert text.startswith(f"{name} cannot take input 3×{side}×{side}")
    assert "too small" in text or "does not fit" in text or "0×0" in text
    assert "\n" not in text
    minimum = int(text.split("at least 3×")[1].split("×")[0])
    ok = analyze(fit_design(build_preset(name), [3, minimum, minimum], None).graph)
    assert ok.valid
    with pytest.raises(PresetError):
        fit_design(build_preset(name), [3, minimum - 1, minimum - 1], None)


def test_alexnet_needs_63_pixels():
    with pytest.raises(PresetError, match="at least 3×63×63"):
        build_preset("alexnet", input_shape=[3, 8, 8])


def test_vector_input_into_a_cnn_is_refused_plainly():
    with pytest.raises(PresetError, match=r"alexnet cannot take input 8: features_0: .*image"):
        build_preset("alexnet", input_shape=[8])


@pytest.mark.parametrize("bad", [[3, 0, 32], [3, 32], "abc", [3.5, 32, 32]])
def test_bad_shapes_and_class_counts_are_refused(bad):
    with pytest.raises(PresetError, match="input shape"):
        build_preset("resnet_cifar", input_shape=bad)
    with pytest.raises(PresetError, match="number of classes"):
        build_preset("resnet_cifar", num_classes=0)


def test_default_arguments_give_the_default_design():
    assert build_preset("lenet5", input_shape=[1, 28, 28], num_classes=10).graph == build_preset("lenet5").graph


def test_fitting_a_miswired_design_names_the_wiring_not_the_input_size():
    mlp = build_preset("mlp")
    mlp.graph.pop_edge(next(e for e in mlp.graph.edges if e.dst == "classifier"))
    with pytest.raises(PresetError) as info:
        fit_design(mlp, [1, 8, 8], 10)
    assert "problem" in str(info.value) and "to fix first" in str(info.value)
    assert "cannot take input" not in str(info.value)  # (it said 'mlp cannot take input 1×8×8: classifier: …')
