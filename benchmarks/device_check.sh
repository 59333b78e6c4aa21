#!/usr/bin/env bash
# The GPU checks of the speed issue, as one prepared command for a session that has the device machine
# (its image's python3 holds a CUDA torch and pytest; nothing is installed):
#   1. the CUDA tests: the captured training step against eager steps (tests/training/test_graphed_cuda.py),
#      its logic through the CPU stand-in (test_graphed.py) and the introspection on CUDA; about a minute;
#   2. benchmarks/gpu_check.py: samples/s and the ratios against the eager hand-written loop.
# Writes tests.log and gpu_check.txt under $OUT (or ./device_out). Run from the repository root:
#   bash benchmarks/device_check.sh
set -uo pipefail
out="${OUT:-device_out}"
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
timeout 300 python3 -m pytest -q -p no:cacheprovider -o addopts="" -W ignore::pytest.PytestConfigWarning \
    tests/training/test_graphed_cuda.py tests/training/test_graphed.py tests/introspect/test_introspect_gpu.py \
    2>&1 | tee "$out/tests.log"
tests=$?
timeout 400 python3 benchmarks/gpu_check.py 2>&1 | tee "$out/gpu_check.txt"
bench=$?
echo "tests exit $tests, gpu_check exit $bench"
exit $(( tests || bench ))
