"""to_python: standalone, readable source whose weights are interchangeable with the compiled model."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest
import torch
from _compiler_helpers import add, branchy, lenet5

from netbuilder.analysis import analyze
from netbuilder.compiler import CompileError, compile_design
from netbuilder.compiler.export import export, format_for, to_python
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph

# Runs a generated file where netbuilder cannot be imported: isolated mode (-I: no cwd, no
# PYTHONPATH, no user site) and ``sys.modules["netbuilder"] = None``, which makes any import of it fail.
_RUNNER = textwrap.dedent("""
    import runpy, sys
    sys.modules["netbuilder"] = None
    try:
        import netbuilder  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("netbuilder is importable here")
    ns = runpy.run_path(sys.argv[1], run_name="__main__")
    if len(sys.argv) > 2:
        import torch
        model = ns[sys.argv[2]]()
        model.load_state_dict(torch.load(sys.argv[3], weights_only=True))
        model.eval()
        inputs = torch.load(sys.argv[4], weights_only=True)
        with torch.no_grad():
            torch.save(model(*inputs), sys.argv[5])
""")


def _run_isolated(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    return subprocess.run([sys.executable, "-I", "-c", _RUNNER, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def _load_class(path, class_name):
    spec = importlib.util.spec_from_file_location(f"generated_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, class_name)


def test_source_is_readable_python():
    src = to_python(lenet5())
    tree = ast.parse(src)
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | {
        n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) == {"torch"}
    assert "class LeNet5(nn.Module):" in src
    assert "self.conv2d_1 = nn.Conv2d(in_channels=1, out_channels=6, kernel_size=5" in src
    assert "conv2d_1 = self.conv2d_1(input_1)  # (batch, 6, 28, 28)" in src
    assert "Parameters: 61,706 trainable." in src
    assert 'if __name__ == "__main__":' in src
    assert src.index("self.conv2d_1(") < src.index("self.conv2d_2(") < src.index("self.dense_3(")


def test_merge_ops_are_copied_in_only_when_used():
    assert "class Add(nn.Module)" not in to_python(lenet5())
    src = to_python(branchy())
    for name in ("Add", "Concat", "Multiply", "GlobalAvgPool"):
        assert f"class {name}(nn.Module):" in src
    assert "add_1 = self.add_1(relu_1, batchnorm2d_2)" in src


def test_class_names():
    g = lenet5().graph
    assert "class Net(nn.Module)" in to_python(g)
    assert "class Net(nn.Module)" in to_python(Design(g.copy()))  # "untitled"
    assert "class MySmallNet(nn.Module)" in to_python(Design(g.copy(), name="my small net"))
    assert "class Net3Layers(nn.Module)" in to_python(Design(g.copy(), name="3 layers"))
    assert "class Custom(nn.Module)" in to_python(g, class_name="Custom")
    with pytest.raises(NetbuilderError):
        to_python(g, class_name="not valid")


def test_state_dict_keys_match_the_compiled_module(tmp_path):
    design = branchy()
    path = tmp_path / "branchy.py"
    path.write_text(to_python(design))
    model = _load_class(path, "BranchyNet")()
    gm = compile_design(design)
    assert list(model.state_dict()) == list(gm.state_dict())
    assert sum(p.numel() for p in model.parameters()) == analyze(design.graph).total_params


def test_runs_without_netbuilder_and_gives_the_same_outputs(tmp_path):
    design = branchy()
    export(design, tmp_path / "branchy.py")
    gm = compile_design(design).eval()
    x = (torch.randn(3, 3, 16, 16),)
    torch.save(gm.state_dict(), tmp_path / "weights.pt")
    torch.save(x, tmp_path / "inputs.pt")

    proc = _run_isolated(tmp_path, "branchy.py", "BranchyNet", "weights.pt", "inputs.pt", "out.pt")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "output shape: (2, 10)" in proc.stdout
    with torch.no_grad():
        expected = gm(*x)
    got = torch.load(tmp_path / "out.pt", weights_only=True)
    torch.testing.assert_close(got, expected, atol=1e-6, rtol=0)


def test_the_isolation_is_real(tmp_path):
    (tmp_path / "uses_netbuilder.py").write_text("import netbuilder\n")
    proc = _run_isolated(tmp_path, "uses_netbuilder.py")
    assert proc.returncode != 0 and "netbuilder" in proc.stderr


def test_invalid_design_is_refused():
    g = Graph()
    add(g, "output", [add(g, "dense", [add(g, "input", shape=[1, 4, 4])])])
    with pytest.raises(CompileError):
        to_python(g)


def test_format_from_suffix_and_name(tmp_path):
    assert format_for("a/net.py") == "python"
    assert format_for("net.PT2") == "pt2"
    assert format_for("net.onnx") == "onnx"
    assert format_for("net.bin", "py") == "python"
    with pytest.raises(NetbuilderError, match="keras"):
        format_for("net.py", "keras")
    with pytest.raises(NetbuilderError, match=r"\.h5"):
        export(lenet5(), tmp_path / "net.h5")
    assert list(tmp_path.iterdir()) == []


def test_a_format_that_contradicts_the_suffix_is_refused(tmp_path):
    with pytest.raises(NetbuilderError, match=r"^net\.py ends in \.py, the suffix of Python source, but "
                                              r"format='onnx' writes an ONNX model: name the file net\.onnx "
                                              r"or choose format='python'$"):
        format_for("net.py", "onnx")
    with pytest.raises(NetbuilderError, match=r"a/net\.onnx ends in \.onnx.*name the file a/net\.py"):
        format_for("a/net.onnx", "py")
    with pytest.raises(NetbuilderError, match=r"--format python writes .* or choose --format pt2"):
        format_for("NET.PT2", "python", option="--format")
    # the format's own suffix (any case), an unknown or a missing one: allowed
    assert format_for("net.PY", "python") == "python"
    assert format_for("net.bin", "onnx") == "onnx"
    assert format_for("net", "pt2") == "pt2"
    assert format_for("net.weights.safetensors", "python") == "python"


def test_export_under_another_formats_suffix_writes_nothing(tmp_path):
    (tmp_path / "net.py").write_text("keep")
    with pytest.raises(NetbuilderError, match="the suffix of Python source"):
        export(lenet5(), tmp_path / "net.py", "onnx")
    with pytest.raises(NetbuilderError, match="the suffix of an ONNX model"):
        export(lenet5(), tmp_path / "net.onnx", "python")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.py"]
    assert (tmp_path / "net.py").read_text() == "keep"


def test_export_writes_atomically(tmp_path):
    target = tmp_path / "net.py"
    target.write_text("old")
    with pytest.raises(CompileError):
        export(Graph(), target)
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
    export(lenet5(), target)
    assert "class LeNet5" in target.read_text()
    assert list(tmp_path.iterdir()) == [target]
    with pytest.raises(NetbuilderError, match="does not exist"):
        export(lenet5(), tmp_path / "missing" / "net.py")


def test_two_inputs_in_the_exported_class(tmp_path):
    g = Graph()
    a = add(g, "input", shape=[4])
    b = add(g, "input", shape=[2, 3, 3])
    f = add(g, "flatten", [b])
    add(g, "output", [add(g, "dense", [add(g, "concat", [a, f])], units=3)])
    path = tmp_path / "two.py"
    export(Design(g, name="two"), path)
    assert "def forward(self, input_1: torch.Tensor, input_2: torch.Tensor) -> torch.Tensor:" in path.read_text()
    model = _load_class(path, "Two")()
    gm = compile_design(g)
    model.load_state_dict(gm.state_dict())
    x = (torch.randn(2, 4), torch.randn(2, 2, 3, 3))
    torch.testing.assert_close(model(*x), gm(*x), atol=1e-6, rtol=0)
