"""The torch side of the explore views, run ONLY off the GUI thread: jobs ``f(model, data) -> dict`` of
plain values (numbers, strings, numpy arrays) built on netbuilder.introspect and netbuilder.data.

Images come back in display form: ``(H, W)`` grey or ``(H, W, 3)`` colour, floats in [0, 1]. The views'
input is any one (``pick_input``): a preview sample, an image of the test or validation split by number,
or an image given as an array (a drawing, an image file the window read).
Imports torch, numpy, data and introspect lazily (inside functions); no Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Job = Callable[[Any, Any], dict]
HEALTH_BATCH = 256


def _np():
    import numpy as np

    return np


def hwc(image) -> Any:
    """``(C, H, W)`` -> ``(H, W)`` grey or ``(H, W, 3)`` colour, clipped to [0, 1]."""
    np = _np()
    a = np.asarray(image, np.float32)
    if a.ndim == 3:
        a = a[0] if a.shape[0] == 1 else a[:3].transpose(1, 2, 0)
    return np.clip(a, 0.0, 1.0).astype(np.float32)


def stats(data) -> tuple[Any, Any]:
    """The dataset's per-channel mean and std as ``(C, 1, 1)`` float tensors (normalised units)."""
    import torch

    c = data.input_shape[0]
    mean = data.mean.to(torch.float32).reshape(-1, 1, 1).expand(c, 1, 1) if data.is_image else data.mean
    std = data.std.to(torch.float32).reshape(-1, 1, 1).expand(c, 1, 1) if data.is_image else data.std
    return mean, std


def require_image(data, what: str) -> None:
    """These views draw on images: a feature-vector dataset (the 2-D playground sets, a CSV table) gets a
    plain message instead."""
    if not data.is_image:
        raise ValueError(f"{what} needs an image dataset; {data.name} has feature vectors "
                         f"{tuple(data.input_shape)} (pick digits, shapes or an image folder)")


def sample_input(data, index: int, what: str = "this view"):
    """Preview sample ``index`` as the network's normalised input ``(C, H, W)``, with its display image
    and label."""
    import torch

    require_image(data, what)
    np = _np()
    samples = np.asarray(data.samples, np.float32)
    if samples.shape[0] == 0:
        raise ValueError(f"the dataset {data.name} has no preview samples")
    i = int(index) % samples.shape[0]
    raw = torch.as_tensor(samples[i] / data.scale)
    x = data.normalize(raw[None])[0]
    return x, samples[i], int(np.asarray(data.sample_labels)[i])


SPLITS = {"test": "test", "val": "validation"}


def pick_input(data, source, what: str = "this view"):
    """The input a view asked for: the network's normalised input ``(C, H, W)``, its display image
    ``(C, H, W)`` in [0, 1], its true label (None: an image given without one) and a short name of it.

    ``source``: a preview sample's number (an int); ``{"split": "test" | "val", "index": i}``, image ``i``
    of that split (any of it, not only the previews); ``{"image": array, "name": text}``, an image in
    [0, 1] of the network's input shape (a drawing, an image file)."""
    require_image(data, what)
    if isinstance(source, dict) and "split" in source:
        return split_input(data, str(source["split"]), int(source["index"]))
    if isinstance(source, dict):
        return given_input(data, source["image"], str(source.get("name") or "your image"))
    x, image, label = sample_input(data, int(source), what)
    return x, image, label, f"sample {int(source) % len(data.samples)}"


def split_input(data, split: str, index: int):
    """Image ``index`` of the test or validation split, as ``pick_input`` gives it. The split keeps raw
    values (``uint8`` images, or a streamed set's raw items); the previews are in [0, 1] already."""
    import torch

    if split not in SPLITS:
        raise ValueError(f"no split {split!r}: the test or the validation set")
    name, n = SPLITS[split], data.sizes()[split]
    if n == 0:
        raise ValueError(f"{data.name} has no {name} images")
    if not 0 <= index < n:
        raise ValueError(f"there is no {name} image {index}: {data.name} has {n}, numbered 0 to {n - 1}")
    if data.streamed:
        raw, label = (data.test_set if split == "test" else data.val_set)[index]
    else:
        xs, ys = (data.x_test, data.y_test) if split == "test" else (data.x_val, data.y_val)
        raw, label = xs[index], ys[index]
    if int(label) < 0:  # (an image folder's file that cannot be read)
        raise ValueError(f"{name} image {index} of {data.name} is a file that cannot be read")
    raw = torch.as_tensor(raw)
    x = data.normalize(raw[None])[0]
    return x, (raw.to(torch.float32) * data.scale).numpy(), int(label), f"{name} image {index}"


def given_input(data, image, name: str):
    """An image given in display units ([0, 1], the network's input shape), as ``pick_input`` gives it."""
    import torch

    np = _np()
    a = np.asarray(image, np.float32)
    shape = tuple(int(d) for d in data.input_shape)
    if a.shape != shape:
        raise ValueError(f"{name} is {'×'.join(map(str, a.shape))} but {data.name} takes "
                         f"{'×'.join(map(str, shape))}: open or draw it again")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} has pixels that are not numbers: it cannot be shown to the network")
    a = np.clip(a, 0.0, 1.0)
    x = data.normalize(torch.as_tensor(a / data.scale)[None])[0]
    return x, a, None, name


def spatial_layers(model, x) -> list[str]:
    """Layers whose output for ``x`` is a stack of feature maps (C, h, w), in the order they run."""
    from netbuilder.introspect.activations import map_layers

    return map_layers(model, x)


# ----- augmentation preview -----------------------------------------------------------------------
def augment_job(index: int, augmentation: dict[str, Any], count: int = 16, seed: int = 0) -> Job:
    """A grid: the sample itself first, then ``count - 1`` augmented copies (seeded, repeatable)."""
    def job(_model, data) -> dict:
        import torch

        from netbuilder.data.augment import Augmentation, augment_batch, black_fill
        from netbuilder.introspect import tile

        x, image, label = sample_input(data, index, "the augmentation preview")
        settings = Augmentation(**augmentation)
        batch = x[None].repeat(count - 1, *([1] * x.dim()))
        fill = black_fill(data.mean, data.std)
        out = augment_batch(batch, settings, torch.Generator().manual_seed(seed), fill) if settings.active else batch
        mean, std = stats(data)
        shown = torch.cat([x[None], out]) * std + mean  # back to display units in [0, 1]
        tiles = [hwc(t.numpy()) for t in shown]
        # the gaps tinted and thin, as in every grid: 1 pixel beside tiles of at least 16
        grid = tile(tiles, cols=4, sep=1, sep_value=float("nan"), min_tile=16)
        return {"grid": grid, "tile_shape": list(tiles[0].shape[:2]), "count": count,
                "label": data.class_names[label], "active": settings.active,
                "changed": float((out - x[None]).abs().max()) if count > 1 else 0.0}
    return job


# ----- explainability -----------------------------------------------------------------------------
DISPLAY_SIDE = 96  # an explanation is drawn at least this many pixels across (small images upscaled)
OUTLINE_MIN_SCALE = 4  # an image enlarged at least this many times has its strokes outlined on the overlays
# Occlusion is drawn on an absolute scale: full colour for the biggest drop, but never for less than this
# drop in probability (a confident network loses 0.0001 wherever it is covered: stretched to full colour,
# that noise looked like an answer)
OCCLUSION_FULL_SCALE = 0.05


def display_overlay(image, heat, alpha: float = 0.8, min_side: int = DISPLAY_SIDE, scale: float | None = None) -> Any:
    """The heat map over the image, for the eye: both upscaled by nearest neighbour to at least
    ``min_side`` pixels (an 8×8 digit becomes 96×96, each pixel a sharp block), the heat coloured and
    laid on with an opacity that grows with it (cold parts show the image through), and the outline of
    the image's bright strokes drawn on top so the input stays readable under strong heat. ``(H·s, W·s,
    3)`` floats in [0, 1]. The heat is stretched from its minimum to its maximum, or, with ``scale``, read as
    a fraction of ``scale`` (0 and below: cold)."""
    np = _np()
    from netbuilder.introspect import colormap

    img = hwc(image)
    grey = img if img.ndim == 2 else img.mean(axis=2)
    rgb = np.repeat(grey[..., None], 3, axis=2) if img.ndim == 2 else img
    lo, hi = float(rgb.min()), float(rgb.max())
    rgb = (rgb - lo) / (hi - lo) if hi > lo else np.zeros_like(rgb)
    h = np.nan_to_num(np.asarray(heat, np.float32))
    if scale is not None:
        h = np.clip(h / float(scale), 0.0, 1.0)
    else:
        h = (h - h.min()) / (h.max() - h.min()) if h.max() > h.min() else np.zeros_like(h)
    s = display_scale(grey.shape, min_side)
    up = lambda a: np.repeat(np.repeat(a, s, axis=0), s, axis=1)  # noqa: E731
    rgb, h = up(rgb), up(h)
    w = (float(alpha) * h ** 0.7)[..., None]
    out = (1 - w) * rgb * 0.85 + w * colormap(h)
    if s >= OUTLINE_MIN_SCALE:  # the strokes' outline: where a bright pixel meets a dark one
        g = (grey - grey.min()) / (np.ptp(grey) or 1.0)
        ink = up(g > 0.5)
        edge = np.zeros_like(ink)
        d = 2 if s >= 8 else 1  # lines two pixels wide once the blocks are big
        edge[d:, :] |= ink[d:, :] != ink[:-d, :]
        edge[:, d:] |= ink[:, d:] != ink[:, :-d]
        out[edge] = 1.0
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def display_scale(shape, min_side: int = DISPLAY_SIDE) -> int:
    """How many times ``display_overlay`` enlarges an image of ``shape`` (its height and width first)."""
    return max(1, -(-int(min_side) // max(shape[:2])))


def explain_job(source, target_class: int | None, layer: str | None, occlusion_patch: int | None = None) -> Job:
    """Saliency, Grad-CAM and occlusion for the input ``source`` (``pick_input``: a preview sample's
    number, a split's image, an image given) and class ``target_class`` (None: the predicted class), each
    overlaid on the image for display (``display_overlay``: small images upscaled). ``label`` is None for
    an image given without one.

    Grad-CAM is on ``layer`` when it is one of ``cam_layers`` (every layer with feature maps on the way to
    the output, in the network's order: convolutions, merges, activations, pooling), else on the last of
    them but a final pooling (``default_cam_layer``: a residual block's output, not one branch's convolution
    inside it); ``layer`` in the answer is the one used (None: the network has no layer with maps)."""
    def job(model, data) -> dict:
        from netbuilder.introspect import class_probabilities, grad_cam, occlusion, saliency
        from netbuilder.introspect.saliency import cam_layers, default_cam_layer

        x, image, label, name = pick_input(data, source, "explaining a prediction")
        probs = class_probabilities(model, x)
        cls = int(probs.argmax()) if target_class is None else int(target_class)
        maps = cam_layers(model, x)
        out: dict[str, Any] = {"image": hwc(image), "probs": probs, "class": cls, "label": label, "input": name,
                               "class_names": list(data.class_names), "cam_layers": maps}
        out["outlined"] = display_scale(out["image"].shape) >= OUTLINE_MIN_SCALE  # (the overlays say how to read)
        sal = saliency(model, x, cls)
        out["saliency"], out["saliency_overlay"] = sal, display_overlay(image, sal)
        chosen = layer if layer in maps else default_cam_layer(model, maps)
        out["layer"] = chosen
        if chosen is not None:
            cam = grad_cam(model, x, cls, chosen)
            out["grad_cam"], out["grad_cam_overlay"] = cam, display_overlay(image, cam)
        h = x.shape[-1]
        patch = occlusion_patch or max(2, h // 6)
        occ = occlusion(model, x, cls, patch=patch, stride=max(1, patch // 2))
        top = float(occ.max()) if occ.size else 0.0
        out["occlusion"], out["occlusion_overlay"] = occ, display_overlay(
            image, occ, scale=max(top, OCCLUSION_FULL_SCALE))
        out["occlusion_drop"] = top  # the biggest drop in the class's probability (the caption says it)
        out["patch"] = patch
        return out
    return job


# ----- adversarial examples -------------------------------------------------------------------------
def attack_job(source, epsilon: float, method: str = "fgsm", steps: int = 5,
               search: tuple[int, int] | None = None) -> Job:
    """FGSM or PGD on the input ``source`` (``pick_input``), against its true label or, for an image given
    without one, the network's own prediction (``label``: the class attacked; ``labelled``: whether it is
    the true one), with ``epsilon`` in pixel units (0..1 of the image's range: every pixel of every
    channel moves by at most ε, exactly ε under FGSM unless the clamp stops it), clamped to valid pixels; ``max_change`` is the largest change, in pixel units.
    ``search = (top, per_unit)``: instead, the smallest ε of the grid ``k / per_unit`` (k up to ``top``)
    that changes the prediction, found by bisection (a larger ε is taken to fool the network whenever a
    smaller one does), and the attack at it; ``smallest`` is None when even the top of the grid does not
    change the prediction (the attack is then at the top)."""
    def job(model, data) -> dict:
        np = _np()
        from netbuilder.introspect import class_probabilities, fgsm, pgd
        from netbuilder.introspect.adversarial import amplified

        x, image, label, name = pick_input(data, source, "an adversarial example")
        labelled = label is not None
        label = label if labelled else int(class_probabilities(model, x).argmax())
        mean, std = stats(data)
        clamp = None
        if data.is_image:
            clamp = (((0 - mean) / std).flatten().tolist(), ((1 - mean) / std).flatten().tolist())

        def attack(pixels: float):
            # pixel units -> the network's normalised units, channel by channel (x = (pixel - mean) / std)
            eps = (float(pixels) / std.double()).flatten().tolist()
            if method == "pgd":
                return pgd(model, x, label, eps, steps=int(steps), clamp=clamp)
            return fgsm(model, x, label, eps, clamp=clamp)

        smallest, tries, shown = None, 0, float(epsilon)
        if search is not None:
            top, per_unit = int(search[0]), int(search[1])
            res, tries, shown = attack(top / per_unit), 1, top / per_unit
            if res.changed:
                low, high = 0, top  # the prediction holds at ``low`` (ε = 0) and changes at ``high``
                while high - low > 1:
                    mid = (low + high) // 2
                    tried, tries = attack(mid / per_unit), tries + 1
                    if tried.changed:
                        high, res = mid, tried
                    else:
                        low = mid
                smallest = shown = high / per_unit
        else:
            res = attack(shown)
        adv = np.asarray(res.image) * std.numpy() + mean.numpy() if data.is_image else res.image
        change = np.asarray(res.perturbation) * std.numpy() if data.is_image else res.perturbation  # pixel units
        return {"image": hwc(image), "adversarial": hwc(adv), "perturbation": hwc(amplified(change)),
                "max_change": float(np.abs(change).max()) if change.size else 0.0, "label": label,
                "labelled": labelled, "input": name,
                "class_names": list(data.class_names), "before": res.original_class,
                "before_p": res.original_probability, "after": res.adversarial_class,
                "after_p": res.adversarial_probability, "true_before": res.true_probability_before,
                "true_after": res.true_probability_after, "changed": res.changed, "epsilon": shown,
                "method": method, "steps": res.steps, "searched": search is not None, "smallest": smallest,
                "tries": tries}
    return job


# ----- inside the network ---------------------------------------------------------------------------
def feature_map_job(source, layer: str | None) -> Job:
    """The mean feature map (over channels) of ``layer`` (or the first layer with maps) for the input
    ``source`` (``pick_input``)."""
    def job(model, data) -> dict:
        from netbuilder.introspect import feature_maps
        from netbuilder.introspect._util import normalise01

        x, image, _label, name = pick_input(data, source, "the receptive-field view")
        layers = spatial_layers(model, x)
        chosen = layer if layer in layers else (layers[0] if layers else None)
        out: dict[str, Any] = {"image": hwc(image), "layers": layers, "layer": chosen, "input": name}
        if chosen is not None:
            maps = feature_maps(model, x, chosen)[chosen]
            mean = abs(maps).mean(axis=0)
            out["map"] = normalise01(mean)
            out["map_range"] = (float(mean.min()), float(mean.max()))  # (a flat map's caption says its value)
            out["channels"] = int(maps.shape[0])
        return out
    return job


def health_level(dead: float | None, norm: float | None, hinted: bool) -> str:
    if hinted or (dead is not None and dead > 0.5):
        return "bad"
    if dead is not None and dead > 0.2:
        return "warn"
    return "ok"


def health_job(batch: int = HEALTH_BATCH) -> Job:
    """Per layer on a batch of training data: the share of dead ReLU units, the gradient norm of its
    parameters after one backward pass (on a copy: the model given is not changed), and the hints."""
    def job(model, data) -> dict:
        import copy

        import torch

        from netbuilder.compiler.scores import scores_of
        from netbuilder.introspect import activation_stats, gradient_norms, health_hints
        from netbuilder.training.parts import make_loss

        np = _np()
        net = copy.deepcopy(model)
        if data.x_train is not None:
            xb, yb = data.normalize(data.x_train[:batch]), data.y_train[:batch]
        else:
            items = [data.train_set[i] for i in range(min(batch, len(data.train_set)))]
            xb = data.normalize(torch.stack([a for a, _ in items]))
            yb = torch.as_tensor([int(b) for _, b in items])
        device = next(net.parameters()).device if any(True for _ in net.parameters()) else torch.device("cpu")
        xb, yb = xb.to(device), yb.to(device)
        act = activation_stats(net, xb)
        for p in net.parameters():
            p.grad = None
        net.eval()
        with torch.enable_grad():
            loss = make_loss("cross_entropy", len(data.class_names), scores_of(net))(net(xb), yb)
            loss.backward()
        norms = gradient_norms(net)
        hints = health_hints(act, norms)
        hinted = {n for n, _ in hints}
        layers: dict[str, dict[str, Any]] = {}
        for name in dict.fromkeys([*norms, *act]):
            dead = (act.get(name) or {}).get("dead_fraction")
            norm = norms.get(name)
            text = f"{dead:.0%} dead" if dead is not None else (f"∇{norm:.2g}" if norm is not None else "")
            layers[name] = {"dead_fraction": dead, "grad_norm": norm,
                            "level": health_level(dead, norm, name in hinted), "text": text}
        return {"layers": layers, "hints": hints, "loss": float(loss.detach()),
                "norms": np.asarray([v for v in norms.values()], np.float64)}
    return job
