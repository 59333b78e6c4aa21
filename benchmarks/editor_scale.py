"""Editor-scale benchmark: how fast the largest presets are built, analysed and saved/loaded.

Prints ``name: value`` lines (seconds, medians of several runs, time.perf_counter), e.g.
``densenet121_build_analyse_s: 0.031``. Goal: DenseNet-121 built and analysed in under 0.3 s.

Run: ``python benchmarks/editor_scale.py [--repeats N] [PRESET ...]``. The core part needs no Qt and
no torch; the window part (scene population, layout, repaint) is for a later extension: add its
timings to ``measure`` under new keys.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

LARGEST = ("densenet121", "resnet50", "efficientnet_b0", "vgg16", "googlenet")
GOAL_S = {"densenet121_build_analyse_s": 0.3}


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(name: str, repeats: int = 7) -> dict[str, float]:
    """Timings for one preset: build, analyse, both, save, load (file in a temporary folder)."""
    from netbuilder.analysis import analyze
    from netbuilder.io import load_design, save_design
    from netbuilder.presets import build_preset

    design = build_preset(name)
    result = analyze(design.graph)
    out: dict[str, float] = {
        f"{name}_nodes": len(design.graph),
        f"{name}_build_s": median_time(lambda: build_preset(name), repeats),
        f"{name}_analyse_s": median_time(lambda: analyze(design.graph), repeats),
        f"{name}_build_analyse_s": median_time(lambda: analyze(build_preset(name).graph), repeats),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.nbd"
        out[f"{name}_save_s"] = median_time(lambda: save_design(design, path), repeats)
        out[f"{name}_load_s"] = median_time(lambda: load_design(path), repeats)
        out[f"{name}_save_load_s"] = median_time(lambda: (save_design(design, path), load_design(path)), repeats)
        out[f"{name}_file_kb"] = round(path.stat().st_size / 1024, 1)
    out[f"{name}_valid"] = float(result.valid)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=list(LARGEST))
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    failed = False
    for name in args.presets:
        for key, value in measure(name, args.repeats).items():
            print(f"{key}: {value:.4f}" if key.endswith("_s") else f"{key}: {value:g}")
            if key in GOAL_S and value > GOAL_S[key]:
                print(f"{key}_goal_missed: {GOAL_S[key]}")
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
