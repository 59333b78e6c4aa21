"""netbuilder: build neural networks by drawing them, see every shape, train them, watch them learn.

``import netbuilder`` is cheap (no torch, no Qt). The notebook API::

    import netbuilder
    design = netbuilder.load("lenet5")        # a preset name or a design file path
    print(netbuilder.summary(design))
    model = netbuilder.compile(design)        # a torch.fx.GraphModule; submodules named by node id
"""

__version__ = "0.1.0"

_API = {"load", "save", "compile", "analyze", "summary", "export"}


def __getattr__(name: str):
    if name in _API:
        from netbuilder import api

        return getattr(api, name)
    raise AttributeError(f"module 'netbuilder' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_API))
