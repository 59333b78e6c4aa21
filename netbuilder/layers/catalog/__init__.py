"""The catalogue entries, one module per category. Importing this package registers them all."""
# ruff: noqa: I001  (the import order below is the palette order)

# The order of these imports is the palette's order.
from netbuilder.layers.catalog import core  # noqa: F401  (input, output, dense, flatten)
from netbuilder.layers.catalog import conv  # noqa: F401
from netbuilder.layers.catalog import pooling  # noqa: F401
from netbuilder.layers.catalog import activations  # noqa: F401
from netbuilder.layers.catalog import normalisation  # noqa: F401
from netbuilder.layers.catalog import regularisation  # noqa: F401
from netbuilder.layers.catalog import merge  # noqa: F401
