"""The data options on ``train``: --image-size, --channels, --skip-bad, --label-column; the chosen shape is
printed and recorded; scan and download progress are plain lines when stderr is not a terminal."""

import io
import json

from netbuilder.cli import main
from netbuilder.commands._progress import Progress

from .conftest import run_cli


def _folder(root, bad=False):
    from PIL import Image

    for c, colour in (("red", (200, 30, 30)), ("blue", (30, 30, 200))):
        (root / c).mkdir(parents=True)
        for i in range(10):
            Image.new("RGB", (12, 10), tuple(max(0, v - 5 * i) for v in colour)).save(root / c / f"{i}.png")
    if bad:
        (root / "red" / "broken.png").write_bytes(b"not an image")
    return root


def test_image_folder_shape_is_printed_recorded_and_overridable(tmp_path):
    data = _folder(tmp_path / "img")
    r = run_cli("train", "mlp", "--dataset", data, "--epochs", "1", "--out", tmp_path / "a")
    assert r.returncode == 0, r.stderr
    assert "input 3×10×12" in r.stderr  # colour kept, the images' own size
    assert "\r" not in r.stderr and "checked 20 of 20 image files" in r.stderr  # the scan, as plain lines
    assert json.loads((tmp_path / "a" / "report.json").read_text())["input_shape"] == [3, 10, 12]
    assert main(["train", "mlp", "--dataset", str(data), "--epochs", "1", "--image-size", "8,8", "--channels", "1",
                 "--out", str(tmp_path / "b"), "-q"]) == 0
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert report["input_shape"] == [1, 8, 8]
    from netbuilder.api import load

    stored = load(tmp_path / "b" / "mlp.nbd").dataset
    assert stored["channels"] == 1 and stored["image_size"] == "8,8" and stored["name"] == str(data)


def test_bad_files_are_named_before_training_or_skipped_and_listed(tmp_path, capsys):
    data = _folder(tmp_path / "img", bad=True)
    assert main(["train", "mlp", "--dataset", str(data), "--epochs", "1", "--out", str(tmp_path / "a"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "broken.png" in err and "--skip-bad" in err and not (tmp_path / "a" / "report.json").exists()
    assert main(["train", "mlp", "--dataset", str(data), "--epochs", "1", "--skip-bad", "--out",
                 str(tmp_path / "b"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 unreadable file" in err and "broken.png" in err  # listed even under -q


def test_label_column_picks_the_labels_of_a_csv(tmp_path):
    rows = ["label,a,b"] + [f"{'yes' if i % 7 > 3 else 'no'},{i % 7},{(i * 3) % 5}" for i in range(200)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    assert main(["train", "mlp", "--dataset", str(tmp_path / "t.csv"), "--label-column", "label", "--epochs", "1",
                 "--out", str(tmp_path / "o"), "-q"]) == 0
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert sorted(report["class_names"]) == ["no", "yes"] and report["input_shape"] == [2]


def test_plain_progress_reports_a_download_in_a_few_lines():
    stream = io.StringIO()
    progress = Progress(True, stream)
    total = 10_000_000
    for done in range(0, total + 1, 100_000):
        progress.data("train.gz", done, total)
    for i in range(1, 21):
        progress.data(f"checked {i * 5} of 100 image files", i / 20)
    lines = stream.getvalue().splitlines()
    downloads = [ln for ln in lines if ln.startswith("downloading")]
    assert 3 <= len(downloads) <= 6 and downloads[-1].endswith("10.0 MB of 10.0 MB")
    scans = [ln for ln in lines if ln.startswith("checked")]
    assert 3 <= len(scans) <= 6 and scans[-1] == "checked 100 of 100 image files"


def test_quiet_progress_shows_nothing_but_notes():
    stream = io.StringIO()
    progress = Progress(False, stream)
    progress.line("epoch 1/1")
    progress.data("x.gz", 5, 10)
    progress.note("netbuilder: warning: one class only")
    assert stream.getvalue() == "netbuilder: warning: one class only\n"
