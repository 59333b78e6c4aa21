"""The notebook API: netbuilder.load / save / analyze / summary / compile / export."""

import pytest

import netbuilder
from netbuilder.errors import NetbuilderError


def test_load_preset_compile_and_run():
    torch = pytest.importorskip("torch")
    design = netbuilder.load("lenet5")
    model = netbuilder.compile(design)
    assert isinstance(model, torch.fx.GraphModule)
    assert sum(p.numel() for p in model.parameters()) == 61706
    names = dict(model.named_children())
    assert set(names) <= set(design.graph.nodes)
    out = model(torch.randn(2, 1, 28, 28))
    assert tuple(out.shape) == (2, 10)


def test_load_fits_a_preset_to_a_dataset():
    design = netbuilder.load("resnet18", input_shape=[3, 32, 32], num_classes=10)
    analysis = netbuilder.analyze(design)
    assert analysis.valid
    out = analysis.nodes[next(n for n in design.graph.nodes if design.graph.node(n).kind == "output")]
    assert out.shape == (10,)


def test_save_and_load_a_file(tmp_path):
    design = netbuilder.load("lenet5")
    path = tmp_path / "lenet.nbd"
    netbuilder.save(design, path)
    again = netbuilder.load(path)
    assert again.graph == design.graph
    assert "61,706" in netbuilder.summary(again)


def test_unknown_source_is_a_clear_error():
    with pytest.raises(NetbuilderError, match="neither a design file nor a preset"):
        netbuilder.load("lenet6")


def test_options_apply_to_presets_only(tmp_path):
    path = tmp_path / "d.nbd"
    netbuilder.save(netbuilder.load("mlp"), path)
    with pytest.raises(NetbuilderError, match="presets only"):
        netbuilder.load(path, num_classes=3)


def test_export_from_the_api(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "net.py"
    netbuilder.export(netbuilder.load("mlp"), out)
    assert "class" in out.read_text(encoding="utf-8")


def test_export_refuses_a_format_under_another_formats_suffix(tmp_path):
    pytest.importorskip("torch")
    netbuilder.save(netbuilder.load("mlp"), tmp_path / "mlp.nbd")
    with pytest.raises(NetbuilderError, match=r"net\.py ends in \.py.*format='onnx'.*name the file .*net\.onnx"):
        netbuilder.export(tmp_path / "mlp.nbd", tmp_path / "net.py", "onnx")
    # named before a weights file is read (this one does not even exist)
    with pytest.raises(NetbuilderError, match=r"net\.onnx ends in \.onnx.*format='python'"):
        netbuilder.export(tmp_path / "mlp.nbd", tmp_path / "net.onnx", "python", weights=tmp_path / "none.pth")
    assert [p.name for p in tmp_path.iterdir()] == ["mlp.nbd"]


def _randomised(model, seed=5):
    import torch

    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=gen) * (1.0 if "running_var" in name else 0.4) +
                        (0.5 if "running_var" in name else -0.2))
    return model


def test_export_of_a_design_file_uses_its_weights_and_preprocessing(tmp_path):
    torch = pytest.importorskip("torch")
    ort = pytest.importorskip("onnxruntime")
    from netbuilder.io import weights_path_for
    from netbuilder.training.weights import save_weights

    design = netbuilder.load("lenet5")
    design.weights = "mynet.safetensors"  # the design names its weights (the one rule: io.weights_file)
    netbuilder.save(design, tmp_path / "mynet.nbd")
    untrained = netbuilder.export(tmp_path / "mynet.nbd", tmp_path / "untrained.onnx")
    assert untrained.trained is False and untrained.load_report is None
    model = _randomised(netbuilder.compile(design)).eval()
    prep = {"scale": 1 / 255, "mean": [0.13], "std": [0.31], "kind": "image", "input_shape": [1, 28, 28],
            "class_names": [str(i) for i in range(10)]}
    save_weights(model, weights_path_for(tmp_path / "mynet.nbd"), preprocessing=prep)
    result = netbuilder.export(tmp_path / "mynet.nbd", tmp_path / "mynet.onnx")
    assert result.trained and result.load_report.complete and result.preprocessing["mean"] == [0.13]
    x = torch.rand(3, 1, 28, 28)
    session = ort.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    with torch.no_grad():
        expected = model((x - 0.13) / 0.31)
    torch.testing.assert_close(torch.from_numpy(got), expected, atol=1e-4, rtol=1e-4)


def test_export_with_a_torchvision_checkpoint_uses_imagenet_normalisation(tmp_path):
    torch = pytest.importorskip("torch")
    design = netbuilder.load("resnet_cifar")
    model = _randomised(netbuilder.compile(design))
    # saved under torchvision-style module paths (layer1.0.conv1.weight), as torchvision would name them
    state = {f"{k.rpartition('.')[0].replace('_', '.')}.{k.rpartition('.')[2]}": v
             for k, v in model.state_dict().items()}
    torch.save(state, tmp_path / "resnet.pth")
    result = netbuilder.export(design, tmp_path / "net.py", weights=tmp_path / "resnet.pth")
    assert result.trained and result.load_report.matched_by == "torchvision" and result.load_report.complete
    assert result.preprocessing["mean"] == [0.485, 0.456, 0.406]
    assert "(0.485, 0.456, 0.406)" in result.path.read_text(encoding="utf-8")
    assert (tmp_path / "net.weights.safetensors").is_file()
