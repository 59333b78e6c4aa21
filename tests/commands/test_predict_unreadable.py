"""predict answers every image it can read: a missing, folder or broken file among them gets its one-line
message (on stderr, or as {"file", "error"} in --json) in its place, and the exit status is 2; the
readable ones are still classified (one bad file cost all of them their answers)."""

from __future__ import annotations

import json

from netbuilder.cli import main


def test_the_readable_images_are_answered_and_each_bad_one_is_named(trained_run, digit_images, tmp_path, capsys):
    out, _ = trained_run
    good = [str(p) for p, _ in digit_images[:2]]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    files = [good[0], str(broken), str(tmp_path / "gone.png"), str(tmp_path), good[1]]
    assert main(["predict", str(out / "mlp.nbd"), *files, "--top", "1"]) == 2
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split(": ")[0] for line in lines] == good  # in order, each with its class
    err = captured.err
    assert "broken.png: not a readable image" in err and "gone.png: no such file" in err
    assert "is a folder, not an image" in err and "3 of 5 images could not be read" in err
    assert "Traceback" not in err
    assert main(["predict", str(out / "mlp.nbd"), *files, "--top", "1", "--json"]) == 2
    answers = json.loads(capsys.readouterr().out)
    assert [a["file"] for a in answers] == files
    assert [("error" in a) for a in answers] == [False, True, True, True, False]
    assert set(answers[0]) == {"file", "class", "probability"}


def test_one_unreadable_image_alone_is_one_line(trained_run, tmp_path, capsys):
    out, _ = trained_run
    (tmp_path / "b.png").write_bytes(b"garbage")
    assert main(["predict", str(out / "mlp.nbd"), str(tmp_path / "b.png")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "b.png: not a readable image" in captured.err
