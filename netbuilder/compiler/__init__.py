"""Design -> torch: ``compile_design`` builds a ``torch.fx.GraphModule`` whose submodules are named
by node id; ``netbuilder.compiler.export`` writes Python, torch.export (.pt2) or ONNX files.

Imports graph, layers, analysis and torch; never Qt. The exporters load only when imported.
"""

from netbuilder.compiler.build import (
    CompiledInfo,
    CompileError,
    compile_design,
    compiled_info,
    node_modules,
    readable_code,
)

__all__ = ["CompileError", "CompiledInfo", "compile_design", "compiled_info", "node_modules", "readable_code"]
