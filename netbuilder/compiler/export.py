"""Write a design out as standalone Python, a ``torch.export`` program (.pt2) or ONNX.

Every file is written atomically (a temporary file in the same folder, then ``os.replace``), so a
crash never leaves half a file. Failures inside torch become one-line NetbuilderErrors naming the
path. Imports graph, layers, analysis, the compiler and torch (onnx lazily); never Qt.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import torch
from torch import nn

from netbuilder.compiler.build import CompiledInfo, compile_design, compiled_info
from netbuilder.compiler.pysource import to_python
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph

__all__ = ["FORMATS", "export", "export_onnx", "export_pt2", "example_inputs", "format_for", "to_python"]

FORMATS: dict[str, str] = {"python": ".py", "pt2": ".pt2", "onnx": ".onnx"}
_ALIASES = {"py": "python", "torch.export": "pt2", "export": "pt2"}
EXAMPLE_BATCH = 2  # not 0 or 1, which torch.export would specialise on
MAX_BATCH = 1 << 16
ONNX_OPSET = 18


def format_for(path: str | os.PathLike, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given (python | pt2 | onnx), else from the file's suffix."""
    if fmt is not None:
        key = _ALIASES.get(str(fmt).lower(), str(fmt).lower())
        if key not in FORMATS:
            raise NetbuilderError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return key
    suffix = Path(path).suffix.lower()
    for key, ext in FORMATS.items():
        if suffix == ext:
            return key
    raise NetbuilderError(
        f"{os.fspath(path)}: cannot tell the export format from the suffix {suffix or '(none)'!r}; "
        "use .py (Python), .pt2 (torch.export) or .onnx"
    )


@contextlib.contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; moved onto ``path`` only if the block succeeds."""
    if not path.parent.is_dir():
        raise NetbuilderError(f"{path}: the folder {path.parent} does not exist; create it or pick another")
    # hidden, unique, and keeping the suffix (torch.export.save insists on .pt2)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def _write_bytes(path: Path, data: bytes) -> None:
    with _atomic_path(path) as tmp:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def example_inputs(info: CompiledInfo, batch: int = EXAMPLE_BATCH) -> tuple[torch.Tensor, ...]:
    """Random inputs with a batch dimension in front of every Input node's shape."""
    gen = torch.Generator().manual_seed(0)
    return tuple(torch.randn(batch, *shape, generator=gen) for shape in info.input_shapes)


@contextlib.contextmanager
def _eval_mode(module: nn.Module) -> Iterator[nn.Module]:
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)


def _model(design_or_graph: Design | Graph | None, module: nn.Module | None) -> tuple[nn.Module, CompiledInfo]:
    if module is None:
        if design_or_graph is None:
            raise TypeError("give a design (or a graph) or a compiled module")
        module = compile_design(design_or_graph)
    return module, compiled_info(module)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def export_pt2(module: nn.Module, path: Path) -> None:
    """``torch.export`` the compiled module with a dynamic batch dimension and save it (.pt2).

    The batch dimension is dynamic (1 .. 65536): the loaded program takes any batch size."""
    info = compiled_info(module)
    batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    dynamic = tuple({0: batch} for _ in info.inputs)
    try:
        with _eval_mode(module), torch.no_grad():
            program = torch.export.export(module, example_inputs(info), dynamic_shapes=dynamic)
        with _atomic_path(path) as tmp:
            torch.export.save(program, tmp)
    except NetbuilderError:
        raise
    except Exception as exc:
        raise NetbuilderError(f"{path}: torch.export could not export the model: {_reason(exc)}") from exc


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


def export_onnx(module: nn.Module, path: Path) -> str:
    """Export to ONNX (opset 18, dynamic batch axis named "batch"); returns the exporter used
    ("dynamo", or "torchscript" when the dynamo path fails for some layer)."""
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
        _write_bytes(path, data)
        return name
    raise NetbuilderError(f"{path}: could not export the model to ONNX ({'; '.join(errors)})")


def export(design_or_graph: Design | Graph | None, path: str | os.PathLike, fmt: str | None = None,
           *, module: nn.Module | None = None) -> Path:
    """Write the design to ``path`` as ``python`` (.py), ``pt2`` or ``onnx``; returns the path.

    The format follows the suffix when ``fmt`` is None. ``module`` (a compiled, possibly trained
    GraphModule) is exported instead of fresh random weights for pt2 / onnx; the Python source
    holds code only. pt2 and ONNX are traced in eval mode (inference: batch norm uses its running
    statistics, dropout is off) with a dynamic batch dimension (ONNX: an axis named "batch"); the
    module's own training flag is restored afterwards."""
    target = Path(path)
    kind = format_for(target, fmt)
    if kind == "python":
        if design_or_graph is None:
            raise TypeError("the Python export needs the design (or graph)")
        try:
            _write_bytes(target, to_python(design_or_graph).encode("utf-8"))
        except OSError as exc:
            raise NetbuilderError(f"{target}: could not write the file: {exc.strerror or exc}") from exc
        return target
    model, _ = _model(design_or_graph, module)
    try:
        if kind == "pt2":
            export_pt2(model, target)
        else:
            export_onnx(model, target)
    except OSError as exc:
        raise NetbuilderError(f"{target}: could not write the file: {exc.strerror or exc}") from exc
    return target
