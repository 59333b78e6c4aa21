"""Typed errors for structure the graph refuses (shape problems are diagnostics, not errors)."""


from netbuilder.errors import NetbuilderError


class GraphError(NetbuilderError):
    """Base class: an edit the design graph cannot take."""


class CycleError(GraphError):
    """Connecting would make a loop: a network must flow one way, from input to output."""

    def __init__(self, src: str, dst: str):
        super().__init__(
            f"connecting {src} -> {dst} would make a cycle: data must flow one way from input to output"
        )
        self.src, self.dst = src, dst


class PortTakenError(GraphError):
    """An input port already has an incoming edge."""

    def __init__(self, node_id: str, port: int):
        super().__init__(f"input {port} of {node_id} is already connected; disconnect it first")
        self.node_id, self.port = node_id, port


class UnknownLayerKindError(GraphError):
    """A node names a layer kind that the catalogue does not have."""

    def __init__(self, kind: str, suggestion: str | None = None):
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"unknown layer kind {kind!r}{hint}")
        self.kind, self.suggestion = kind, suggestion


class NodeNotFoundError(GraphError, KeyError):
    def __init__(self, node_id: str):
        GraphError.__init__(self, f"no node named {node_id!r} in the design")
        self.node_id = node_id

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class DuplicateIdError(GraphError):
    def __init__(self, node_id: str):
        super().__init__(f"a node or group named {node_id!r} already exists")
        self.node_id = node_id
