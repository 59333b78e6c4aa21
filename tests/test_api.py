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
