"""The load report's sentence about layers that did not fit agrees with their number."""

from netbuilder.training.transfer import LoadReport


def test_one_layer_that_did_not_fit_is_said_in_the_singular():
    one = LoadReport("w.safetensors", "name", loaded=["a"], mismatched=[("conv1", "conv1.weight differs")])
    assert "1 did not fit and keeps the weights it had, not the file's (conv1: random unless trained here)" \
        in one.summary()
    two = LoadReport("w.safetensors", "name", loaded=["a"], mismatched=[("c1", "x"), ("c2", "y")])
    assert "2 did not fit and keep the weights they had, not the file's (c1, c2: random unless trained here)" \
        in two.summary()
