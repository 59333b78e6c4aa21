"""The generated Python reads as the project's own code: no line over 110 characters (forward() calls wrap too),
no variable shadowing a builtin, the output said to be logits or probabilities, the real input scale, locked
layers locked, class names as the design spells them, CLASS_NAMES used, a comment per group. The numbers
stay exactly those of the compiled model."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from _compiler_helpers import add

from netbuilder.compiler import compile_design
from netbuilder.compiler.export import export, to_python
from netbuilder.compiler.preprocess import check_preprocessing, input_contract
from netbuilder.graph import Design, Edge, Graph, Node
from netbuilder.presets import build_preset

DIGITS = {"scale": 1 / 16, "mean": [0.306], "std": [0.376], "kind": "image", "input_shape": [1, 8, 8],
          "class_names": [str(i) for i in range(10)]}
RUFF = Path(sys.executable).with_name("ruff")


def _load(path: Path, name: str = "generated"):
    spec = importlib.util.spec_from_file_location(f"{name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same_outputs(path: Path, design: Design, class_name: str, *inputs: torch.Tensor) -> None:
    model = getattr(_load(path), class_name)().eval()
    gm = compile_design(design).eval()
    model.load_state_dict(gm.state_dict())
    with torch.no_grad():
        assert torch.equal(model(*inputs), gm(*inputs))


def _ruff(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), "check", "--isolated", "--select", "E501,A001,A002", "--line-length", "110",
                           str(path)], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed beside this Python")
def test_densenet121_fits_in_110_columns_and_shadows_no_builtin(tmp_path):
    with torch.device("meta"):  # (no 8 million weights for reading the code)
        src = to_python(build_preset("densenet121"))
    lines = src.splitlines()
    assert max(len(line) for line in lines) <= 110, max(lines, key=len)
    assert "def forward(self, input:" not in src and "def forward(self, input_1: torch.Tensor)" in src
    assert "        # dense block 1 (features_denseblock1)" in lines  # a comment where each group starts
    path = tmp_path / "densenet121.py"
    path.write_text(src)
    proc = _ruff(path)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_wrapped_forward_lines_compute_exactly_what_the_model_computes(tmp_path):
    design = build_preset("densenet_small")
    src = to_python(design)
    assert max(len(line) for line in src.splitlines()) <= 110
    forward = src.split("def forward(self, input_1")[1].split("return")[0]
    assert any(line.endswith("(") for line in forward.splitlines())  # calls did wrap
    path = tmp_path / "small.py"
    path.write_text(src)
    _same_outputs(path, design, "DensenetSmall", torch.randn(2, 3, 32, 32))


def _named_like_builtins() -> Design:
    g = Graph()
    g.insert_node(Node("input", "input", {"shape": [4]}))
    g.insert_node(Node("list", "dense", {"units": 3}))
    g.insert_node(Node("sum", "relu", {}))
    g.insert_node(Node("output", "output", {}))
    for a, b in (("input", "list"), ("list", "sum"), ("sum", "output")):
        g.insert_edge(Edge(a, b))
    return Design(g, name="builtins")


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed beside this Python")
def test_node_ids_that_are_builtins_name_no_variable(tmp_path):
    design = _named_like_builtins()
    src = to_python(design)
    assert "        list = " not in src and "        sum = " not in src and "(self, input:" not in src
    assert "list_1 = self.list(input_1)" in src
    assert "self.list = nn.Linear(" in src  # the attribute keeps the node id: the state dict keys stay
    path = tmp_path / "builtins.py"
    path.write_text(src)
    assert _ruff(path).returncode == 0, _ruff(path).stdout
    _same_outputs(path, design, "Builtins", torch.randn(3, 4))


def test_the_input_contract_states_the_real_scale():
    prep = check_preprocessing(DIGITS, [1, 8, 8])
    contract = input_contract([1, 8, 8], prep, "input_1")
    assert "0.0625" in contract and "0–16 → 0–1" in contract and "/ 255" not in contract
    src = to_python(build_preset("mlp"), preprocessing=DIGITS)
    assert "0.0625" in src and "8-bit" not in src
    imagenet = input_contract([3, 224, 224], check_preprocessing({**DIGITS, "scale": 1 / 255, "mean": [0.5]}))
    assert "8-bit pixel values / 255" in imagenet


def test_the_pt2_note_states_the_real_scale(tmp_path):
    import json

    result = export(build_preset("mlp"), tmp_path / "mlp.pt2", preprocessing=DIGITS)
    assert "0.0625" in result.contract and "8-bit" not in result.contract
    note = {"netbuilder.json": ""}
    torch.export.load(tmp_path / "mlp.pt2", extra_files=note)
    assert "raw values × 0.0625 (0–16 → 0–1)" in json.loads(note["netbuilder.json"])["input_contract"]


def _ending_in(kind: str, units: int = 7) -> Design:
    g = Graph()
    head = add(g, "dense", [add(g, "input", shape=[5])], units=units)
    add(g, "output", [add(g, kind, [head])])
    return Design(g, name=f"ends in {kind}")


def test_the_docstring_says_logits_or_probabilities_and_main_names_them_so(tmp_path):
    probs = to_python(_ending_in("softmax"))
    doc = probs.split('"""')[1]
    assert "probabilities (softmax)" in doc and "not logits" in doc and "NLLLoss" in doc
    assert "probs = model(*example)" in probs and "scores = " not in probs
    sigmoid = to_python(_ending_in("sigmoid", units=1)).split('"""')[1]
    assert "probability of yes (sigmoid)" in sigmoid and "BCEWithLogitsLoss" in sigmoid
    logits = to_python(_ending_in("relu"))
    assert "class scores (logits)" in logits.split('"""')[1] and "CrossEntropyLoss" in logits
    assert "logits = model(*example)" in logits


def _locked_design() -> Design:
    g = Graph()
    conv = add(g, "conv2d", [add(g, "input", shape=[1, 8, 8])], filters=4, kernel_size=3)
    norm = add(g, "batchnorm2d", [conv])
    add(g, "output", [add(g, "dense", [add(g, "flatten", [add(g, "relu", [norm])])], units=3)])
    return Design(g, name="locked", training={"frozen": [conv, norm, "not a node", 7]})


def test_locked_layers_are_locked_in_the_generated_module(tmp_path):
    design = _locked_design()
    path = tmp_path / "locked.py"
    path.write_text(to_python(design))
    src = path.read_text()
    assert "locked (frozen in netbuilder, so not trained: conv2d_1, batchnorm2d_1)" in " ".join(src.split())
    assert "requires_grad_(False)" in src
    model = _load(path).Locked()
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"dense_1.weight", "dense_1.bias"}
    n_locked = sum(p.numel() for n, p in model.named_parameters() if not p.requires_grad)
    assert f"{sum(p.numel() for p in model.parameters()) - n_locked:,} trainable, {n_locked:,} locked" in src
    model.train()
    assert model.training and not model.batchnorm2d_1.training  # keeps its running statistics, as in netbuilder
    _same_outputs(path, design, "Locked", torch.randn(2, 1, 8, 8))


def test_class_names_keep_the_designs_spelling():
    g = _ending_in("relu").graph
    assert "class MonReseau(nn.Module)" in to_python(Design(g.copy(), name="Mon réseau"))
    assert "class GoogLeNet(nn.Module)" in to_python(Design(g.copy(), name="googlenet",
                                                            description="GoogLeNet / Inception v1 for images."))
    assert "class LeNet5(nn.Module)" in to_python(Design(g.copy(), name="LeNet-5"))
    assert "class MySmallNet(nn.Module)" in to_python(Design(g.copy(), name="my small net"))


def test_class_names_are_in_double_quotes_and_name_the_prediction(tmp_path):
    design = build_preset("mlp")
    export(design, tmp_path / "mlp.py", preprocessing=DIGITS)
    src = (tmp_path / "mlp.py").read_text()
    assert 'CLASS_NAMES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]' in src
    proc = subprocess.run([sys.executable, str(tmp_path / "mlp.py")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "predicted: ['" in proc.stdout and "output shape: (2, 10)" in proc.stdout
