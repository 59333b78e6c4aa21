"""PresetError: a preset that does not exist, or cannot be fitted to the asked input. Imports nothing heavy."""

from netbuilder.errors import NetbuilderError


class PresetError(NetbuilderError):
    """A preset problem in plain language: which preset, what went wrong, what to do."""
