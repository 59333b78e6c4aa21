"""``netbuilder presets``: the table and --json (no torch)."""

import argparse
import json

from netbuilder.commands import presets as command
from netbuilder.presets import list_presets


def _run(capsys, *argv):
    parser = argparse.ArgumentParser()
    command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["presets", *argv])
    assert args.func(args) == 0
    return capsys.readouterr().out


def test_table_lists_every_preset_with_its_numbers(capsys):
    out = _run(capsys)
    lines = out.splitlines()
    assert lines[0].split() == ["name", "aliases", "year", "parameters", "MACs", "input", "classes"]
    assert len(lines) == 2 + len(list_presets())
    vgg = next(line for line in lines if line.startswith("vgg16 "))
    assert "138,357,544" in vgg and "3×224×224" in vgg and "2014" in vgg and "15.47 G" in vgg
    googlenet = next(line for line in lines if line.startswith("googlenet "))
    assert "inception_v1" in googlenet and "6,624,904" in googlenet


def test_json_has_the_gallery_entries(capsys):
    rows = json.loads(_run(capsys, "--json"))
    by_name = {r["name"]: r for r in rows}
    assert by_name["lenet5"]["params"] == 61_706
    assert by_name["resnet_cifar"]["aliases"] == ["resnet20"]
    assert by_name["densenet121"]["input_shape"] == [3, 224, 224]
    assert by_name["efficientnet_b0"]["paper"]["url"].startswith("https://arxiv.org/")
    assert {r["category"] for r in rows} == {"basics", "classic", "teaching"}
