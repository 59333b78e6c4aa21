"""Memory benchmark: the peak resident memory of the window after opening a large preset, without training.

Each case runs in a fresh ``python`` process (offscreen): the window opens on the digits example, then the
preset is opened as a student would (File → New from preset), every dock is shown in turn so each view and
the code view ask for their values, and the process idles for ``--seconds`` (15 by default). It prints
``name: value`` lines: the peak resident set (``ru_maxrss``) of that process in MB and, as the baseline
measured in the same run, the peak of the example alone. Goal: VGG-16 peaks at ≤ 1200 MB.

Cases: ``vgg16`` (its own ImageNet-sized input on the built-in digits: the design does not fit, so no model
may be built), ``vgg16_fitted`` (fitted to the digits, so every shown view builds the model once).

Run: ``python benchmarks/memory_open.py [--seconds S] [PRESET ...]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

GOAL_MB = 1200.0

CASE = r"""
import os, resource, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QSettings
from netbuilder.ui.app import default_example, make_application
from netbuilder.ui.main_window import MainWindow
preset, fitted, seconds, settings_file = sys.argv[1], sys.argv[2] == "1", float(sys.argv[3]), sys.argv[4]
app = make_application()
w = MainWindow(settings=QSettings(settings_file, QSettings.Format.IniFormat))
w.set_design(default_example())
w.resize(1280, 720)
w.show()
def pump(s):
    end = time.monotonic() + s
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
pump(2.0)
if preset != "example":
    from netbuilder.presets import build_preset, fit_design
    design = build_preset(preset)
    if fitted:
        design = fit_design(design, [1, 8, 8], 10) if preset != "vgg16" else fit_design(design, [1, 32, 32], 10)
        design.dataset = {"name": "digits"} if preset != "vgg16" else {"name": "shapes", "size": 32}
    w.set_design(design)
docks = [d for d in w.findChildren(type(w.docks["Palette"]))]
end = time.monotonic() + seconds
for dock in docks:  # every view and the code view asks once, as when a student looks at each tab
    dock.show(); dock.raise_()
    pump(max(0.05, min(0.5, end - time.monotonic())))
pump(max(0.0, end - time.monotonic()))
w.workbench.wait_idle(60)
pump(0.2)
w.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"peak_mb {peak:.0f}", flush=True)
"""


def measure(preset: str, fitted: bool, seconds: float, tmp: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NETBUILDER_DATA_DIR=tmp)
    out = subprocess.run([sys.executable, "-c", CASE, preset, "1" if fitted else "0", str(seconds),
                          os.path.join(tmp, "settings.ini")], capture_output=True, text=True, env=env, timeout=600)
    for line in out.stdout.splitlines():
        if line.startswith("peak_mb "):
            return float(line.split()[1])
    raise RuntimeError(f"{preset}: no figure\n{out.stdout}\n{out.stderr[-3000:]}")


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("presets", nargs="*", default=["vgg16"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = measure("example", False, args.seconds, tmp)
        print(f"example_peak_mb: {base:.0f}")
        for preset in args.presets:
            for fitted in (False, True):
                name = f"{preset}{'_fitted' if fitted else ''}"
                peak = measure(preset, fitted, args.seconds, tmp)
                print(f"{name}_peak_mb: {peak:.0f}  (×{peak / base:.2f} the example; goal ≤ {GOAL_MB:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
