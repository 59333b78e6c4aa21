"""The catalogue entries, one module per category. Importing this package registers them all."""

from netbuilder.layers.catalog import core  # noqa: F401  (order here is the palette's order)
