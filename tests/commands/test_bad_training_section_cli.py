"""A design whose ``training`` section holds something no setting can be (a hand edit, another tool): ``check``
says which key and which value in one line and exits 2, never "unexpected error"; ``--lr`` takes only a
finite number."""

import json

import pytest

from netbuilder.cli import main


def _design_with(tmp_path, training: dict) -> str:
    from netbuilder import io as nio
    from netbuilder import presets

    data = json.loads(nio.dumps_design(presets.build_preset("mlp")))
    data["training"] = training
    path = tmp_path / "bad.nbd"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("training, needle", [
    ({"augmentation": "yes"}, "augmentation='yes' must be an object like"),
    ({"augmentation": True}, "augmentation=True must be an object like"),
    ({"augmentation": None}, "augmentation=None must be an object like"),
    ({"augmentation": []}, "augmentation=[] must be an object like"),
    ({"augmentation": {"shift": "x"}}, "augmentation.shift='x'"),
    ({"augmentation": {"zoom": 2}}, "unknown augmentation setting(s) zoom"),
    ({"weight_decay": None}, "weight_decay=None"),
    ({"early_stopping_patience": 1e300}, "early_stopping_patience=1e+300"),
    ({"train_fraction": "x"}, "train_fraction='x'"),
    ({"epochs": 1e300}, "epochs=1e+300"),
    ({"frozen": True}, "frozen=True"),
])
def test_check_names_the_bad_setting_and_exits_2(tmp_path, capsys, training, needle):
    path = _design_with(tmp_path, training)
    assert main(["check", path]) == 2
    captured = capsys.readouterr()
    assert needle in captured.out and "training settings:" in captured.out
    assert "unexpected" not in captured.out + captured.err


@pytest.mark.parametrize("value", ["inf", "-inf", "nan"])
def test_train_refuses_a_learning_rate_that_is_not_finite(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as stop:
        main(["train", "mlp", "--dataset", "xor", f"--lr={value}", "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--lr" in err and "finite" in err
    assert not (tmp_path / "out").exists()
