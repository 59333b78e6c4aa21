"""Helpers of the workbench tests: a design with one setting changed, a host whose model was "trained"."""

from netbuilder.workbench.host import ModelHost


def with_param(design, node_id: str, name: str, value):
    changed = design.copy()
    changed.graph.set_param(node_id, name, value)
    return changed


def trained_host(design) -> ModelHost:
    """A host whose model was "trained": every tensor moved away from its initialisation, as a run does."""
    import torch

    host = ModelHost()
    host.build(design, seed=0)
    with torch.no_grad():
        for p in host.model.parameters():
            p.add_(torch.linspace(0.5, 1.5, p.numel()).reshape(p.shape))
    host.trained, host.source = True, "the model being trained"
    host.source = "trained weights"  # (as the run says when it ends)
    return host
