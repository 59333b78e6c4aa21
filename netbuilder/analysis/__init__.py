"""Shape, parameter and MAC inference with plain-language diagnostics. Imports graph and layers only
(no torch, no numpy)."""

from netbuilder.analysis.analyze import analyze, physical_memory_bytes
from netbuilder.analysis.result import Analysis, Diagnostic, NodeInfo

__all__ = ["Analysis", "Diagnostic", "NodeInfo", "analyze", "physical_memory_bytes"]
