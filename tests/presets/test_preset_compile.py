"""Every preset compiles to a torch model that runs forward (and the small ones learn a step)."""

import pytest

torch = pytest.importorskip("torch")

from netbuilder.analysis import analyze  # noqa: E402
from netbuilder.compiler import compile_design  # noqa: E402
from netbuilder.presets import build_preset, gallery_entry, list_presets  # noqa: E402

IMAGENET = {"alexnet", "vgg11", "vgg16", "resnet18", "resnet34", "resnet50", "googlenet", "densenet121",
            "efficientnet_b0", "mobilenet_v2"}
FAST_IMAGENET = {"resnet18", "mobilenet_v2", "efficientnet_b0"}  # about a second each on two cores
NAMES = [p.name for p in list_presets()]
SMALL = [n for n in NAMES if n not in IMAGENET]
BIG = [pytest.param(n, marks=() if n in FAST_IMAGENET else pytest.mark.slow) for n in sorted(IMAGENET)]


def _check_forward(name: str, batch: int) -> None:
    design = build_preset(name)
    result = analyze(design.graph)
    model = compile_design(design).eval()
    g = gallery_entry(name)
    assert sum(p.numel() for p in model.parameters()) == result.total_params
    assert sum(b.numel() for b in model.buffers()) >= result.nodes[next(iter(design.graph.nodes))].buffers
    with torch.no_grad():
        y = model(torch.randn(batch, *g.input_shape))
    assert tuple(y.shape) == (batch, g.num_classes)
    assert torch.isfinite(y).all()
    # submodules are the node ids, registered in the order the nodes were added
    names = [n for n, _ in model.named_children()]
    layer_ids = [n for n in design.graph.nodes if design.graph.node(n).kind not in ("input", "output")]
    assert names == layer_ids


@pytest.mark.parametrize("name", SMALL)
def test_small_presets_compile_and_run(name):
    _check_forward(name, batch=4)


@pytest.mark.parametrize("name", BIG)
def test_imagenet_presets_compile_and_run_at_batch_1(name):
    torch.manual_seed(0)
    _check_forward(name, batch=1)


TEACHING = ["vgg_small", "resnet_cifar", "inception_small", "densenet_small", "efficientnet_small"]


def _teaching_model(name: str):
    g = gallery_entry(name)
    shape = [g.input_shape[0], 16, 16] if len(g.input_shape) == 3 else list(g.input_shape)  # quick
    model = compile_design(build_preset(name, input_shape=shape)).train()
    return model, torch.randn(8, *shape), torch.arange(8) % g.num_classes


@pytest.mark.parametrize("name", TEACHING)
def test_teaching_presets_backpropagate(name):
    torch.manual_seed(0)
    model, x, target = _teaching_model(name)
    torch.nn.functional.cross_entropy(model(x), target).backward()
    grads = [p.grad for p in model.parameters()]
    assert all(gr is not None and torch.isfinite(gr).all() for gr in grads)
    assert sum(float(gr.abs().sum()) for gr in grads) > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", [*TEACHING, "lenet5"])
def test_teaching_presets_learn_a_tiny_batch(name):
    torch.manual_seed(0)
    model, x, target = _teaching_model(name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.8, losses
