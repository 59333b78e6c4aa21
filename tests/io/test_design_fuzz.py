"""Fuzzing the reader: thousands of mutated and garbage design files each either load (and then
save and load back identically) or raise a clear DesignFileError, never any other exception."""

from __future__ import annotations

import copy
import json
import random
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.io import FORMAT, DesignFileError, design_from_dict, dumps_design, loads_design


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


SOURCE = "fuzzed.nbd"

SCALARS = (st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.integers()
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(["input_1", "conv2d_1", "relu_1", "dense", "conv2d", "TB", "LR", "", "class",
                              "block_1", FORMAT, "x.safetensors", 2, 1, 3, 0, -1, 10**12]))
GARBAGE = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=6)


def check(load, *args: Any) -> bool:
    """Load; a refusal must be a clear DesignFileError; a success must survive save -> load."""
    try:
        design = load(*args)
    except DesignFileError as e:
        assert str(e).startswith(f"{SOURCE}: ") and e.path == SOURCE
        assert e.where and e.problem and "\n" not in str(e), str(e)
        assert "please report" not in e.problem, str(e)
        return False
    text = dumps_design(design)
    again = loads_design(text, SOURCE)
    assert again == design and dumps_design(again) == text
    return True


def _containers(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if isinstance(value, (dict, list)) else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _containers(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _containers(v, (*path, i))
    return out


def _at(root: Any, path: tuple) -> Any:
    for key in path:
        root = root[key]
    return root


def mutate(data: dict, rng: random.Random, garbage: Any) -> None:
    """One random structural change: delete, replace, swap, insert, or nudge a value."""
    container = _at(data, rng.choice(_containers(data)))
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    op = rng.randrange(6)
    if op == 0 or not keys:  # insert garbage
        if isinstance(container, dict):
            container[rng.choice(["extra", "id", "kind", "params", "pos", "src", "port", "nodes", "x"])] = garbage
        else:
            container.insert(rng.randint(0, len(container)), garbage)
        return
    key = rng.choice(keys)
    if op == 1:
        del container[key]
    elif op == 2:
        container[key] = garbage
    elif op == 3:  # swap with a value somewhere else in the design
        other = _at(data, rng.choice(_containers(data)))
        other_keys = list(other) if isinstance(other, dict) else list(range(len(other)))
        if other_keys:
            okey = rng.choice(other_keys)
            container[key], other[okey] = copy.deepcopy(other[okey]), copy.deepcopy(container[key])
    elif op == 4:  # nudge numbers, rename strings to other ids of the design
        value = container[key]
        if isinstance(value, bool):
            container[key] = not value
        elif isinstance(value, (int, float)):
            container[key] = rng.choice([value + 1, value - 1, -value, value * 1000, 0])
        elif isinstance(value, str):
            container[key] = rng.choice(["input_1", "relu_1", "output_1", "block_1", value + "x", value[:-1]])
    else:  # duplicate a list item / copy a value to another key
        if isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
        else:
            container[rng.choice(keys)] = copy.deepcopy(container[key])


def mutate_bytes(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    op = rng.randrange(5)
    i = rng.randrange(len(data) + 1)
    if op == 0:
        return bytes(data[:i])  # truncated
    if op == 1 and data:
        data[min(i, len(data) - 1)] ^= 1 << rng.randrange(8)  # one flipped bit
    elif op == 2:
        data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))  # inserted bytes
    elif op == 3:
        del data[i:i + rng.randint(1, 40)]
    else:
        j = rng.randrange(len(data) + 1)
        data[i:i] = data[j:j + rng.randint(1, 60)]  # a duplicated slice
    return bytes(data)


@fuzz(300)
@given(seed=st.integers(0, 2**32 - 1), garbage=GARBAGE, n=st.integers(1, 4))
def test_mutated_dicts(lenet_dict, seed, garbage, n):
    rng = random.Random(seed)
    data = copy.deepcopy(lenet_dict)
    for _ in range(n):
        mutate(data, rng, copy.deepcopy(garbage))
    check(design_from_dict, data, SOURCE)
    check(loads_design, json.dumps(data, allow_nan=True), SOURCE)


@fuzz(400)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3))
def test_mutated_bytes(lenet_dict, seed, n):
    rng = random.Random(seed)
    raw = json.dumps(lenet_dict, indent=1, ensure_ascii=False).encode()
    for _ in range(n):
        raw = mutate_bytes(raw, rng)
    check(loads_design, raw, SOURCE)


@fuzz(200)
@given(raw=st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_garbage_bytes(raw):
    assert not check(loads_design, raw, SOURCE) or raw.strip()


@fuzz(200)
@given(body=st.dictionaries(st.sampled_from(["name", "description", "nodes", "edges", "groups", "layout",
                                             "dataset", "training", "weights", "meta", "version"]),
                            GARBAGE, max_size=6),
       nodes=st.lists(st.fixed_dictionaries({"id": SCALARS, "kind": SCALARS},
                                            optional={"params": GARBAGE, "pos": GARBAGE}), max_size=4))
def test_garbage_with_a_valid_header(body, nodes):
    data = {"format": FORMAT, "version": 2, "nodes": nodes, **body}
    check(design_from_dict, data, SOURCE)
    check(loads_design, json.dumps(data, allow_nan=True), SOURCE)


def _random_run(lenet_dict: dict, count: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    raw = json.dumps(lenet_dict, indent=1, ensure_ascii=False).encode()
    garbage_pool = [None, True, -1, 0, 2.5, 10**12, float("nan"), "", "relu_1", "class", [], {}, [1, [2]],
                    {"id": "x"}, "x" * 300, [0.0] * 20]
    loaded = refused = 0
    for i in range(count):
        if i % 2:
            data = copy.deepcopy(lenet_dict)
            for _ in range(rng.randint(1, 4)):
                mutate(data, rng, copy.deepcopy(rng.choice(garbage_pool)))
            ok = check(design_from_dict, data, SOURCE)
        else:
            mutated = raw
            for _ in range(rng.randint(1, 3)):
                mutated = mutate_bytes(mutated, rng)
            ok = check(loads_design, mutated, SOURCE)
        loaded += ok
        refused += not ok
    return loaded, refused


def test_thousands_of_mutated_files(lenet_dict):
    start = time.perf_counter()
    loaded, refused = _random_run(lenet_dict, 2500, seed=20240611)
    assert loaded + refused == 2500
    assert refused > 1200 and loaded > 100  # both paths are exercised
    assert time.perf_counter() - start < 30


@pytest.mark.slow
def test_many_more_mutated_files(lenet_dict):
    for seed in range(5):
        _random_run(lenet_dict, 10_000, seed=seed)
