"""The optimiser the engine builds: the fast multi-tensor step where the device has one (fused SGD, Adam
and AdamW; foreach RMSprop), the same arithmetic as torch's plain per-parameter loop, and the plain loop
where no fast step applies. No timings here (see benchmarks/train_throughput.py)."""

import pytest
import torch

from netbuilder.training import TrainConfig
from netbuilder.training.parts import make_optimizer

from .helpers import small_cnn

PLAIN = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
         "rmsprop": torch.optim.RMSprop}


def _steps(opt, model, batches):
    for x, y in batches:
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model.state_dict()


@pytest.mark.parametrize("kind", sorted(PLAIN))
def test_fast_step_on_the_cpu_matches_the_plain_loop(kind):
    cfg = TrainConfig(optimizer=kind, lr=1e-2, momentum=0.9, weight_decay=1e-3, nesterov=kind == "sgd")
    fast_model, plain_model = small_cnn(1, 4, seed=3, size=12), small_cnn(1, 4, seed=3, size=12)
    fast = make_optimizer(fast_model.parameters(), cfg)
    group = fast.param_groups[0]
    if kind == "rmsprop":
        assert group["foreach"] is True
    else:
        assert group["fused"] is True
    kw = {"lr": cfg.lr, "weight_decay": cfg.weight_decay}
    if kind in ("sgd", "rmsprop"):
        kw["momentum"] = cfg.momentum
    if kind == "sgd":
        kw["nesterov"] = cfg.nesterov
    plain = PLAIN[kind](plain_model.parameters(), foreach=False, **kw)
    g = torch.Generator().manual_seed(0)
    batches = [(torch.randn(8, 1, 12, 12, generator=g), torch.randint(0, 4, (8,), generator=g)) for _ in range(4)]
    a, b = _steps(fast, fast_model, batches), _steps(plain, plain_model, batches)
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6)


def test_frozen_parameters_stay_put_under_the_fused_step():
    model = small_cnn(1, 4, seed=1, size=12)
    first = next(model.parameters())
    first.requires_grad_(False)
    before = first.detach().clone()
    opt = make_optimizer(model.parameters(), TrainConfig(optimizer="adamw", lr=1e-2, weight_decay=0.1))
    _steps(opt, model, [(torch.randn(4, 1, 12, 12), torch.tensor([0, 1, 2, 3]))])
    assert torch.equal(first, before)


def test_parameters_without_a_fast_step_get_the_plain_loop():
    meta = [torch.zeros(3, device="meta", requires_grad=True)]  # neither the CPU nor CUDA
    opt = make_optimizer(meta, TrainConfig(optimizer="sgd"))
    assert isinstance(opt, torch.optim.SGD)
    assert not opt.param_groups[0].get("fused") and not opt.param_groups[0].get("foreach")
