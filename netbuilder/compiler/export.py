"""Write a design out as standalone Python, a ``torch.export`` program (.pt2) or ONNX.

Every file is serialised in memory, then written atomically through ``netbuilder.io.atomic`` (a temporary
file beside the target, then ``os.replace``): a crash never leaves half a file, a symbolic link is written
through (its target is replaced, the link stays), and a folder, FIFO or device is refused before any work.
Never torch's or safetensors' own file writers: on a full disk torch's archive writer aborts the whole
process (an exception thrown in a destructor). Failures inside torch, and a full disk, become one-line
NetbuilderErrors naming the path.

Weights and preprocessing: ``export(..., weights=state_dict)`` exports those trained weights (the design's
key names, all of them); ``module=`` exports a compiled model as it is. ``preprocessing`` (see
``compiler.preprocess``) makes every format normalise its input itself, and each states its input
contract: the Python file in its docstring, ONNX in its metadata (``metadata_props`` and ``doc_string``),
.pt2 in an extra file ``netbuilder.json`` inside the archive. ``ExportResult.trained`` says whether trained
weights went out. Loading weights files (netbuilder's or torchvision's) is the caller's part
(``netbuilder.api.export`` does it with ``training.transfer.load_into``).

Imports graph, layers, analysis, io, the compiler and torch (onnx and safetensors lazily); never Qt.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netbuilder.compiler.build import (
    CompiledInfo,
    _split,
    analyse_for_compile,
    compile_design,
    compiled_info,
    with_preprocessing,
)
from netbuilder.compiler.preprocess import check_preprocessing, input_contract
from netbuilder.compiler.pysource import to_python
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph
from netbuilder.io.atomic import atomic_write_bytes, resolve_target, write_problem

__all__ = ["FORMATS", "ExportResult", "export", "export_onnx", "export_pt2", "example_inputs", "format_for",
           "not_over_inputs", "to_python"]

FORMATS: dict[str, str] = {"python": ".py", "pt2": ".pt2", "onnx": ".onnx"}
_ALIASES = {"py": "python", "torch.export": "pt2", "export": "pt2"}
_WRITES = {"python": "Python source", "pt2": "a torch.export program", "onnx": "an ONNX model"}
EXAMPLE_BATCH = 2  # not 0 or 1, which torch.export would specialise on
MAX_BATCH = 1 << 16
ONNX_OPSET = 18
PT2_NOTE = "netbuilder.json"  # the extra file inside a .pt2 archive: input contract, preprocessing, trained
WEIGHTS_SUFFIX = ".weights.safetensors"  # the Python export's weights, beside it: net.py -> net.weights...


@dataclass(frozen=True)
class ExportResult:
    """What ``export`` wrote. ``trained`` is False when the model went out with fresh random weights
    (say "untrained" plainly); ``files`` also lists the Python export's weights file. Path-like."""

    path: Path
    format: str
    trained: bool
    preprocessing: dict[str, Any] | None = None
    contract: str = ""
    exporter: str | None = None  # ONNX: "dynamo" or "torchscript"
    files: tuple[Path, ...] = field(default=())
    load_report: Any = None  # how the weights were loaded from a file (``training.transfer.LoadReport``)

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __str__(self) -> str:
        return str(self.path)


def format_for(path: str | os.PathLike, fmt: str | None = None, *, option: str = "format",
               prefix: str = "") -> str:
    """The export format: ``fmt`` if given (python | pt2 | onnx), else from the file's suffix.

    A ``fmt`` that contradicts the suffix, one that belongs to another format (``net.py`` with onnx), is
    refused: the file would hold the one format under the other's name. An unknown or missing suffix is
    fine. ``option`` names the format in the message (the CLI's ``--format``; else ``format='onnx'``),
    ``prefix`` starts it (the CLI's ``export: ``)."""
    suffix = Path(path).suffix.lower()
    if fmt is not None:
        key = _ALIASES.get(str(fmt).lower(), str(fmt).lower())
        if key not in FORMATS:
            raise NetbuilderError(f"{prefix}unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
        other = next((k for k, ext in FORMATS.items() if ext == suffix and k != key), None)
        if other is not None:
            name = os.fspath(path)
            stem = name[:-len(suffix)]  # (the suffix is a known one, so not empty)
            named = (lambda k: f"{option} {k}") if option.startswith("-") else (lambda k: f"{option}={k!r}")
            raise NetbuilderError(
                f"{prefix}{name} ends in {Path(name).suffix}, the suffix of {_WRITES[other]}, but {named(fmt)} "
                f"writes {_WRITES[key]}: name the file {stem}{FORMATS[key]} or choose {named(other)}")
        return key
    for key, ext in FORMATS.items():
        if suffix == ext:
            return key
    raise NetbuilderError(
        f"{prefix}{os.fspath(path)}: cannot tell the export format from the suffix {suffix or '(none)'!r}; "
        "use .py (Python), .pt2 (torch.export) or .onnx"
    )


def _check_target(path: Path) -> None:
    """Refuse, before any work, a target that is not a regular file or whose folder is missing."""
    real = Path(resolve_target(path))
    if not real.parent.is_dir():
        raise NetbuilderError(f"{path}: the folder {real.parent} does not exist; create it or pick another")


def _write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` atomically; a failure (a full disk) is one line naming the file."""
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise NetbuilderError(f"{path}: could not write the file: {write_problem(exc)}") from exc


def example_inputs(info: CompiledInfo, batch: int = EXAMPLE_BATCH) -> tuple[torch.Tensor, ...]:
    """Random inputs with a batch dimension in front of every Input node's shape."""
    gen = torch.Generator().manual_seed(0)
    return tuple(torch.randn(batch, *shape, generator=gen) for shape in info.input_shapes)


@contextlib.contextmanager
def _eval_mode(module: nn.Module) -> Iterator[nn.Module]:
    """Eval mode for the block; afterwards every submodule gets its own flag back (a wrapper may share
    its layers with the caller's model)."""
    flags = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield module
    finally:
        for m, flag in flags:
            m.training = flag


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _note(info: CompiledInfo, trained: bool) -> dict[str, Any]:
    """The input contract and facts every file states about itself."""
    return {"producer": "netbuilder", "name": info.name, "input_contract": _contract(info, info.preprocessing),
            "trained": trained,
            "preprocessing": info.preprocessing, "inputs": list(info.inputs),
            "input_shapes": [list(s) for s in info.input_shapes], "output": info.output,
            "class_names": list((info.preprocessing or {}).get("class_names") or [])}


def export_pt2(module: nn.Module, path: Path, *, trained: bool = False) -> None:
    """``torch.export`` the compiled module with a dynamic batch dimension and save it (.pt2).

    The batch dimension is dynamic (1 .. 65536): the loaded program takes any batch size. The archive
    holds an extra file ``netbuilder.json`` (input contract, preprocessing, trained): read it with
    ``torch.export.load(path, extra_files={"netbuilder.json": ""})``."""
    info = compiled_info(module)
    batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    dynamic = tuple({0: batch} for _ in info.inputs)
    try:
        with _eval_mode(module), torch.no_grad():
            program = torch.export.export(module, example_inputs(info), dynamic_shapes=dynamic)
        buffer = io.BytesIO()  # never straight to disk: a full disk makes torch's archive writer abort the process
        torch.export.save(program, buffer, extra_files={PT2_NOTE: json.dumps(_note(info, trained))})
    except NetbuilderError:
        raise
    except Exception as exc:
        raise NetbuilderError(f"{path}: torch.export could not export the model: {_reason(exc)}") from exc
    _write_bytes(path, buffer.getvalue())


@contextlib.contextmanager
def _quiet_onnx() -> Iterator[None]:
    """Silence the exporters' progress lines, deprecation notes and optional-package log lines."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", (DeprecationWarning, FutureWarning))
            yield
    finally:
        logger.setLevel(level)


def _onnx_dynamo(module: nn.Module, info: CompiledInfo) -> bytes:
    batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    with _quiet_onnx():
        program = torch.onnx.export(
            module, example_inputs(info), None, dynamo=True, opset_version=ONNX_OPSET, verbose=False,
            input_names=list(info.inputs), output_names=[info.output],
            dynamic_shapes=tuple({0: batch} for _ in info.inputs), external_data=False,
        )
    return program.model_proto.SerializeToString()


def _onnx_torchscript(module: nn.Module, info: CompiledInfo) -> bytes:
    buffer = io.BytesIO()
    axes = {name: {0: "batch"} for name in (*info.inputs, info.output)}
    with _quiet_onnx():
        torch.onnx.export(
            module, example_inputs(info), buffer, dynamo=False, opset_version=ONNX_OPSET,
            input_names=list(info.inputs), output_names=[info.output], dynamic_axes=axes,
        )
    return buffer.getvalue()


def _with_metadata(data: bytes, note: dict[str, Any]) -> bytes:
    """The ONNX model with the note in ``metadata_props`` (netbuilder.*) and the contract as its doc string."""
    try:
        import onnx
    except ImportError:  # the torchscript exporter works without the onnx package; keep the file as it is
        return data
    model = onnx.load_from_string(data)
    entries = {"netbuilder.input_contract": note["input_contract"], "netbuilder.trained": str(note["trained"]).lower(),
               "netbuilder.preprocessing": json.dumps(note["preprocessing"]),
               "netbuilder.class_names": json.dumps(note["class_names"])}
    for key, value in entries.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    model.doc_string = note["input_contract"]
    model.producer_name = model.producer_name or "netbuilder"
    return model.SerializeToString()


def export_onnx(module: nn.Module, path: Path, *, trained: bool = False) -> str:
    """Export to ONNX (opset 18, dynamic batch axis named "batch"); returns the exporter used
    ("dynamo", or "torchscript" when the dynamo path fails for some layer). The input contract,
    preprocessing and trained flag go in ``metadata_props`` (keys ``netbuilder.*``)."""
    info = compiled_info(module)
    attempts: list[tuple[str, Callable[[nn.Module, CompiledInfo], bytes]]] = [
        ("dynamo", _onnx_dynamo), ("torchscript", _onnx_torchscript)]
    errors = []
    for name, attempt in attempts:
        try:
            with _eval_mode(module), torch.no_grad():
                data = attempt(module, info)
        except Exception as exc:  # try the next exporter, report all if none works
            errors.append(f"{name}: {_reason(exc)}")
            continue
        _write_bytes(path, _with_metadata(data, _note(info, trained)))
        return name
    raise NetbuilderError(f"{path}: could not export the model to ONNX ({'; '.join(errors)})")


def _export_model(design_or_graph: Design | Graph | None, module: nn.Module | None,
                  weights: Mapping[str, torch.Tensor] | None, prep: dict[str, Any] | None) -> nn.Module:
    """The model to export: ``module``, or the design compiled (with ``weights`` loaded, all of them), made
    to normalise its input when ``prep`` is given."""
    if module is None:
        if design_or_graph is None:
            raise TypeError("give a design (or a graph) or a compiled module")
        module = compile_design(design_or_graph)
    elif weights is not None:
        raise TypeError("give either a module or weights for it, not both")
    if weights is not None:
        try:
            module.load_state_dict(dict(weights))
        except RuntimeError as exc:
            raise NetbuilderError(f"the weights do not fit the design: {_reason(exc)}") from exc
    own = compiled_info(module).preprocessing
    if prep is not None and own is not None and (own["mean"], own["std"]) != (prep["mean"], prep["std"]):
        raise NetbuilderError("the model already normalises its input with other numbers; export it without "
                              "preprocessing, or compile it without")
    return with_preprocessing(module, prep) if prep is not None and own is None else module


def _python_weights(module: nn.Module, target: Path, prep: dict[str, Any] | None) -> Path:
    """Write the model's weights for the Python file (safetensors, preprocessing in the metadata)."""
    from safetensors.torch import save

    state = {k: v.detach().to("cpu").contiguous().clone() for k, v in module.state_dict().items()}
    # serialised in memory, then written atomically: safetensors' own file writer reports a full disk as
    # a SafetensorError, not the OSError it is
    _write_bytes(target, save(state, metadata={"format": "netbuilder", "preprocessing": json.dumps(prep)}))
    return target


def _contract(info: CompiledInfo, prep: dict[str, Any] | None) -> str:
    return " ".join(input_contract(s, prep, i) for i, s in zip(info.inputs, info.input_shapes))


def _export_python(design_or_graph: Design | Graph, target: Path, model: nn.Module | None,
                   prep: dict[str, Any] | None) -> ExportResult:
    if model is not None and prep is None:
        prep = compiled_info(model).preprocessing
    weights_path = target.with_name(target.stem + WEIGHTS_SUFFIX) if model is not None else None
    if weights_path is not None:
        _check_target(weights_path)
    source = to_python(design_or_graph, preprocessing=prep,
                       weights_file=weights_path.name if weights_path is not None else None)
    files = [target]
    earlier: bytes | None = None  # an earlier export's weights there, put back if the code then fails
    try:
        if model is not None and weights_path is not None:
            real = Path(resolve_target(weights_path))
            earlier = real.read_bytes() if real.is_file() else None
            files.append(_python_weights(model, weights_path, prep))
        _write_bytes(target, source.encode("utf-8"))
    except (OSError, NetbuilderError) as exc:
        if len(files) > 1:  # the weights went out, the code did not: the folder as it was
            with contextlib.suppress(OSError, NetbuilderError):
                if earlier is not None:
                    atomic_write_bytes(weights_path, earlier)
                else:
                    real.unlink()
        if isinstance(exc, NetbuilderError):
            raise
        raise NetbuilderError(f"{target}: could not write the file: {write_problem(exc)}") from exc
    _, info = analyse_for_compile(_split(design_or_graph)[0])
    return ExportResult(target, "python", model is not None, prep, _contract(info, prep), None, tuple(files))


def not_over_inputs(path: str | os.PathLike, fmt: str | None, inputs, prefix: str = "") -> None:
    """Refuse an export ``path`` that is one of the files it reads (``inputs``: (path or None, "the design
    file") pairs), or whose Python export's weights (``NAME.weights.safetensors``) would land on one: the
    export would destroy what it exports. ``prefix`` starts the message (the CLI's ``-o ``)."""
    out = os.path.abspath(os.fspath(path))
    python = fmt == "python" or (fmt is None and out.lower().endswith(".py"))
    targets = [out] + ([os.path.splitext(out)[0] + WEIGHTS_SUFFIX] if python else [])
    for source, what in inputs:
        if source is None or not os.path.isfile(os.fspath(source)):
            continue
        for target in targets:
            if os.path.exists(target) and os.path.samefile(os.fspath(source), target):
                stem, suffix = os.path.splitext(os.fspath(path))[0], FORMATS.get(fmt or "", ".onnx")
                raise NetbuilderError(f"{prefix}{os.fspath(path)}: {target if target != out else 'it'} is {what} "
                                      f"being exported ({os.fspath(source)}); give the export another name, "
                                      f"such as {stem}{suffix}")


def export(design_or_graph: Design | Graph | None, path: str | os.PathLike, fmt: str | None = None, *,
           module: nn.Module | None = None, weights: Mapping[str, torch.Tensor] | None = None,
           preprocessing: Mapping[str, Any] | None = None) -> ExportResult:
    """Write the design to ``path`` as ``python`` (.py), ``pt2`` or ``onnx``; returns an ExportResult.

    The format follows the suffix when ``fmt`` is None; a ``fmt`` whose file ends in another format's
    suffix is refused before any work (``format_for``). The weights: ``module`` (a compiled, possibly
    trained GraphModule) as it is, or ``weights`` (a state dict with the design's keys, every layer) loaded
    into the compiled design, else fresh random ones (``trained`` False). ``preprocessing``: the exported
    model normalises its input itself (a module compiled with preprocessing keeps its own). The Python
    file holds code; its weights, when trained, go beside it (``net.py`` -> ``net.weights.safetensors``),
    read by the file's ``load_model()`` with torch alone. pt2 and ONNX are traced in eval mode (batch norm
    uses its running statistics, dropout is off) with a dynamic batch dimension (ONNX: an axis named
    "batch"); the module's own training flags are restored afterwards."""
    target = Path(path)
    kind = format_for(target, fmt)
    _check_target(target)
    prep = check_preprocessing(preprocessing) if preprocessing is not None else None
    trained = module is not None or weights is not None
    if kind == "python":
        if design_or_graph is None:
            raise TypeError("the Python export needs the design (or graph)")
        model = _export_model(design_or_graph, module, weights, None) if trained else None
        return _export_python(design_or_graph, target, model, prep)
    model = _export_model(design_or_graph, module, weights, prep)
    info = compiled_info(model)
    exporter = None
    try:
        if kind == "pt2":
            export_pt2(model, target, trained=trained)
        else:
            exporter = export_onnx(model, target, trained=trained)
    except OSError as exc:
        raise NetbuilderError(f"{target}: could not write the file: {write_problem(exc)}") from exc
    return ExportResult(target, kind, trained, info.preprocessing, _contract(info, info.preprocessing), exporter,
                        (target,))
