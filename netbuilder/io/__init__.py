"""Design files: versioned, human-readable JSON (``.nbd``), validated on load, saved atomically.

Imports graph and layers only (no torch, no numpy, no Qt). Never evaluates code, never unpickles.

The format, version 2 (the current one)::

    {
     "format": "netbuilder-design",        required: anything else is "not a netbuilder design file"
     "version": 2,                         required: older versions are upgraded (io/migrations.py);
                                           a newer one is "made by a newer netbuilder"
     "name": "lenet5",                     text, at most 200 characters
     "description": "...",                 text
     "nodes": [                            required; at most 20,000; file order is the graph's order
      {"id": "conv2d_1",                   a Python identifier, unique among nodes and groups
       "kind": "conv2d",                   a catalogue kind (renamed kinds load under their new name)
       "params": {"filters": 6},           settings: numbers, true/false, text, null or short lists
                                           of them; keys sorted. Out-of-bounds values are legal
                                           (analysis reports them) except absurd numbers (limits.py)
       "pos": [0.0, 120.0]}                canvas position, two finite numbers
     ],
     "edges": [{"src": "conv2d_1", "dst": "relu_1", "port": 0}],
                                           output of src -> input ``port`` of dst; one edge per input;
                                           no cycles
     "groups": [{"id": "block_1", "name": "block", "nodes": ["conv2d_1"], "collapsed": false}],
                                           a node belongs to at most one group
     "layout": {"direction": "TB"},        "TB" (top to bottom) or "LR"; other keys free
     "dataset": {...},                     the dataset settings (free-form JSON object)
     "training": {...},                    TrainConfig.to_dict() (free-form JSON object)
     "weights": "lenet5.safetensors",      trained weights: a plain file name beside the design, or null
                                           (untrained); the one rule for which weights a design file
                                           uses: io/weights_file.py
     "meta": {...}                         free-form (e.g. the preset it came from)
    }

Each node, connection and group is written on a line of its own; the other entries are indented
by one space, with any object or list that fits in 100 characters on one line. So a diff between
two saves shows one line per changed node, and save -> load -> save is byte-identical. Missing optional keys take the defaults above;
unknown keys are refused (with a "did you mean" for typos).

A bad file raises :class:`DesignFileError` with ``path``, ``where`` (a JSON path such as
``nodes[3].params.units``, or ``line 4, column 7`` for a syntax error, or ``whole file``) and
``problem``; ``str(e)`` is ``"<file>: <where>: <problem>"``. Limits (file size, nesting, counts,
string lengths, absurd settings) are in :mod:`netbuilder.io.limits`.
"""

from netbuilder.io.atomic import (
    NotARegularFileError,
    ReadOnlyFileError,
    atomic_target,
    atomic_write_bytes,
    atomic_write_text,
    write_problem,
)
from netbuilder.io.design_file import (
    DESIGN_EXTENSION,
    FORMAT,
    design_from_dict,
    design_to_dict,
    dumps_design,
    load_design,
    loads_design,
    save_design,
)
from netbuilder.io.errors import DesignFileError
from netbuilder.io.migrations import CURRENT_VERSION
from netbuilder.io.subgraph import SUBGRAPH_FORMAT, NotLayersError, loads_subgraph, subgraph_from_data
from netbuilder.io.weights_file import (
    WEIGHTS_EXTENSION,
    design_weights_file,
    existing_design_weights,
    weights_path_for,
)

__all__ = [
    "CURRENT_VERSION",
    "DESIGN_EXTENSION",
    "FORMAT",
    "DesignFileError",
    "NotARegularFileError",
    "NotLayersError",
    "ReadOnlyFileError",
    "SUBGRAPH_FORMAT",
    "WEIGHTS_EXTENSION",
    "atomic_target",
    "atomic_write_bytes",
    "atomic_write_text",
    "design_from_dict",
    "design_to_dict",
    "design_weights_file",
    "dumps_design",
    "existing_design_weights",
    "load_design",
    "loads_design",
    "loads_subgraph",
    "save_design",
    "subgraph_from_data",
    "weights_path_for",
    "write_problem",
]
