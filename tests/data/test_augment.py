"""Augmentation works on whole batches, per sample, on the batch's device."""

import torch

from netbuilder.data.augment import Augmentation, add_noise, augment_batch, random_affine, random_flip


def _batch(n=64):
    x = torch.zeros(n, 1, 8, 8)
    x[:, :, :, :2] = 1.0  # a bright band on the left
    return x


def test_flip_mirrors_some_samples_and_keeps_the_rest():
    x = _batch()
    y = random_flip(x, torch.Generator().manual_seed(0))
    flipped = (y[:, 0, 0, -1] == 1).sum().item()
    kept = (y[:, 0, 0, 0] == 1).sum().item()
    assert flipped + kept == 64 and 10 < flipped < 54
    assert torch.equal(y[y[:, 0, 0, -1] == 1], x.flip(-1)[y[:, 0, 0, -1] == 1])


def test_shift_moves_content_by_whole_pixels_and_differs_per_sample():
    x = torch.zeros(32, 1, 9, 9)
    x[:, :, 4, 4] = 1.0
    y = random_affine(x, shift=2, rotation=0, generator=torch.Generator().manual_seed(1))
    centres = [(yy * torch.arange(9.0).view(1, 9, 1)).sum() / yy.sum() for yy in y[:, 0]]
    assert all(2 - 1e-3 <= float(c) <= 6 + 1e-3 for c in centres)
    assert len({round(float(c), 2) for c in centres}) > 5
    assert torch.allclose(y.sum(dim=(1, 2, 3)), torch.ones(32), atol=0.05) or y.sum() > 0


def test_rotation_by_zero_is_identity_and_rotation_changes_images():
    x = torch.rand(4, 3, 10, 10)
    same = random_affine(x, 0, 0, torch.Generator().manual_seed(0))
    assert torch.allclose(same, x, atol=1e-5)
    turned = random_affine(x, 0, 45, torch.Generator().manual_seed(0))
    assert not torch.allclose(turned, x, atol=1e-2)


def test_noise_has_the_asked_spread_and_augment_batch_is_seeded():
    x = torch.zeros(256, 1, 8, 8)
    assert abs(float(add_noise(x, 0.5, torch.Generator().manual_seed(0)).std()) - 0.5) < 0.02
    settings = Augmentation(flip=True, shift=1, rotation=10, noise=0.1)
    a = augment_batch(_batch(), settings, torch.Generator().manual_seed(3))
    b = augment_batch(_batch(), settings, torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and a.shape == (64, 1, 8, 8)


def test_tables_get_only_noise():
    x = torch.zeros(10, 2)
    y = augment_batch(x, Augmentation(flip=True, shift=2, rotation=30), torch.Generator().manual_seed(0))
    assert torch.equal(x, y)
    assert augment_batch(x, Augmentation(noise=1.0), torch.Generator().manual_seed(0)).abs().sum() > 0


def test_shifted_and_rotated_borders_are_black_not_the_mean_grey():
    from netbuilder.data.augment import black_fill

    mean, std = torch.tensor([0.3, 0.5, 0.1]).view(3, 1, 1), torch.tensor([0.2, 0.25, 0.4]).view(3, 1, 1)
    raw = torch.zeros(16, 3, 12, 12)  # black images with a bright square in the middle
    raw[:, :, 4:8, 4:8] = 1.0
    x = (raw - mean) / std
    fill = black_fill(mean, std)
    y = augment_batch(x, Augmentation(shift=3, rotation=30), torch.Generator().manual_seed(0), fill)
    back = y * std + mean  # display units: the corners a rotation empties are black
    corners = back[:, :, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert corners.abs().max() < 1e-5
    assert back.min() > -1e-5 and back.max() < 1 + 1e-5
    grey = augment_batch(x, Augmentation(shift=3, rotation=30), torch.Generator().manual_seed(0))  # no fill
    assert (grey * std + mean)[:, :, [0, 0, -1, -1], [0, -1, 0, -1]].max() > 0.2  # (the old mean-grey corners)
