"""Design -> torch: ``compile_design`` builds a ``torch.fx.GraphModule`` whose submodules are named
by node id; ``netbuilder.compiler.export`` writes Python, torch.export (.pt2) or ONNX files. A preprocessing
record (``compiler.preprocess``) makes the model normalise its input itself.

Imports graph, layers, analysis and torch; never Qt. The exporters load only when imported.
"""

from netbuilder.compiler.build import (
    CompiledInfo,
    CompileError,
    compile_design,
    compiled_info,
    node_modules,
    readable_code,
    with_preprocessing,
)
from netbuilder.compiler.preprocess import IMAGENET_PREPROCESSING, PreprocessingError, imagenet_preprocessing

__all__ = ["IMAGENET_PREPROCESSING", "CompileError", "CompiledInfo", "PreprocessingError", "compile_design",
           "compiled_info", "imagenet_preprocessing", "node_modules", "readable_code", "with_preprocessing"]
