"""Small hand-written models and data for the engine tests."""

import torch

from netbuilder.data import load_dataset


def mlp(inputs: int, classes: int, seed: int = 0, hidden: int = 32) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(inputs, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, classes))


def small_cnn(channels: int, classes: int, seed: int = 0, size: int = 28) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(channels, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(4 * (size // 2) ** 2, classes))


def digits():
    return load_dataset("digits")


def run(model, data, config, control=None, **kw):
    from netbuilder.training import train

    return list(train(model, data, config, control, **kw))


def epochs(events):
    return [e for e in events if e.kind == "epoch"]
