"""The error of the introspect package (a leaf: imports only netbuilder.errors, no torch)."""

from netbuilder.errors import NetbuilderError


class IntrospectError(NetbuilderError):
    """A look inside a network that cannot be made: what, where and what to do, in one line."""
