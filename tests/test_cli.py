"""The command line: one clear line and exit 2 for every error, never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder import __version__
from netbuilder.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "netbuilder", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_summary_lenet5_prints_its_61706_parameters(capsys):
    assert main(["summary", "lenet5"]) == 0
    out = capsys.readouterr().out
    assert "61,706" in out
    for shape in ("6×28×28", "6×14×14", "16×10×10", "16×5×5", "400"):
        assert shape in out.replace(" x ", "×").replace("x", "×"), shape


def test_summary_json(capsys):
    assert main(["summary", "lenet5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 61706


def test_check_valid_and_invalid(tmp_path, capsys):
    from netbuilder.api import load, save
    from netbuilder.graph.edits import RemoveEdge

    design = load("lenet5")
    good = tmp_path / "good.nbd"
    save(design, good)
    assert main(["check", str(good)]) == 0
    edge = next(e for e in design.graph.edges if design.graph.node(e.dst).kind == "dense")
    RemoveEdge(edge).apply(design.graph)
    bad = tmp_path / "bad.nbd"
    save(design, bad)
    capsys.readouterr()
    assert main(["check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "error" in out and edge.dst in out


def test_check_refuses_training_settings_that_train_would_refuse(tmp_path, capsys):
    from netbuilder.api import load, save

    design = load("mlp")
    design.training = {"lr": "fast"}
    path = tmp_path / "fast.nbd"
    save(design, path)
    capsys.readouterr()
    assert main(["check", str(path)]) == 2  # (valid, said check; train refused it)
    out = capsys.readouterr().out
    assert "training settings:" in out and "lr" in out and "1 error" in out


@pytest.mark.parametrize("args, needle", [
    (["summary", "no_such_thing"], "neither a design file nor a preset"),
    (["check", "missing.nbd"], "missing.nbd"),
    (["export", "lenet5", "--format", "python"], "-o"),
    (["summary", "lenet5", "--input-shape", "abc"], "--input-shape"),
])
def test_errors_are_one_line_exit_2(args, needle, tmp_path):
    r = run_cli(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_broken_file_is_one_line(tmp_path):
    f = tmp_path / "broken.nbd"
    f.write_text('{"format": "netbuilder-design", "version": 2, "nodes": [', encoding="utf-8")
    r = run_cli("summary", str(f))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "broken.nbd" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_export_python_from_cli(tmp_path):
    out = tmp_path / "lenet.py"
    assert main(["export", "lenet5", "--format", "python", "-o", str(out)]) == 0
    assert "class" in out.read_text() and "nn.Module" in out.read_text()


def test_a_mistyped_command_gets_a_hint_and_no_window(tmp_path):
    r = run_cli("chek", cwd=tmp_path)  # no display here: opening the window would abort
    assert r.returncode == 2 and "did you mean 'check'?" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run_cli("chek", "design.json", cwd=tmp_path)  # with its argument: still the hint
    assert r.returncode == 2 and "did you mean 'check'?" in r.stderr and "unexpected" not in r.stderr


def test_a_file_named_like_a_command_still_opens_the_window(tmp_path, monkeypatch):
    import netbuilder.cli as cli

    opened = []
    monkeypatch.setattr(cli, "_open_window", lambda path, lesson=None: opened.append(path) or 0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chek").write_text("{}")
    assert cli.main(["chek"]) == 0 and opened == ["chek"]
    assert cli.main(["zzzz_not_close_to_anything"]) == 0 and opened[-1] == "zzzz_not_close_to_anything"


def test_an_unexpected_error_is_one_line_naming_the_log_unless_debug(tmp_path, monkeypatch, capsys):
    import netbuilder.commands.check as check
    from netbuilder import log

    def broken(args):
        raise RuntimeError("something deep went wrong\nsecond line")

    monkeypatch.setattr(check, "run", broken)
    log.use_log_file(tmp_path / "errors.log")
    try:
        assert main(["check", "lenet5"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "something deep went wrong" in err and "errors.log" in err
        assert "Traceback" in (tmp_path / "errors.log").read_text()
        with pytest.raises(RuntimeError):
            main(["--debug", "check", "lenet5"])
    finally:
        log.enable_debug(False)
        log.use_log_file(None)


def test_evaluate_and_predict_are_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "evaluate" in out and "predict" in out


def test_input_shapes_are_read_whole():
    from netbuilder.commands._common import parse_shape
    from netbuilder.errors import NetbuilderError

    assert parse_shape("3,32,32") == parse_shape("3x32x32") == parse_shape(" 3 × 32 × 32 ") == [3, 32, 32]
    assert parse_shape("64") == [64]
    for stray in ("3,x", "3,,32", "3,32,32,", ""):  # "3,x" was read as 3 features
        with pytest.raises(NetbuilderError, match="--input-shape"):
            parse_shape(stray)
