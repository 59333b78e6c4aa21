"""The training loop: ``train(model, data, config, control)``, a generator of plain-value events.

In-memory datasets move to the device once and are batched by indexing a seeded permutation (no
per-sample DataLoader); streamed (folder) datasets use a DataLoader with worker processes. Metrics
accumulate on the device and are read every ``log_every`` steps (on a GPU one window late, without
waiting for it: readout.py); for in-memory data each step only writes its predictions into a buffer,
compared with the epoch's labels when metrics are read. On the CPU a convolutional model trains in the
channels-last layout and is given back in the standard one when the run ends
(parts.fast_memory_format). On CUDA the whole step is captured once as a CUDA graph and replayed
(graphed.py), with an eager fallback.
Receives a plain ``nn.Module``; imports torch, the data layer and this package; never Qt.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
import torch

from netbuilder.compiler.scores import scores_of
from netbuilder.data.augment import augment_batch, black_fill
from netbuilder.data.bundle import DatasetBundle
from netbuilder.introspect import IntrospectError, apply_frozen_bn_eval, freeze
from netbuilder.training import distributed, faults, graphed, memory
from netbuilder.training.checkpoint import load_checkpoint, save_checkpoint
from netbuilder.training.config import ConfigError, TrainConfig
from netbuilder.training.control import Control
from netbuilder.training.evaluate import answer_request, evaluate
from netbuilder.training.events import (
    CheckpointSaved,
    Epoch,
    Event,
    Fault,
    Finished,
    Notice,
    Predictions,
    Started,
    StateChanged,
    Step,
)
from netbuilder.training.feed import Feed, UnreadableItem
from netbuilder.training.parts import (
    amp_dtype,
    device_name,
    fast_memory_format,
    give_standard_layout,
    grad_params,
    log_every,
    lr_factor,
    lr_of,
    make_loss,
    make_optimizer,
    match_state_layout,
    predictions,
    resolve_device,
    retune,
    set_lr,
    standard_layout,
    step_function,
)
from netbuilder.training.readout import Mark, Readout, Window
from netbuilder.training.weights import WeightsError

# Under DDP every rank polls the stop flag together (an all-reduce) before the first batch of an epoch
# and then every this many steps.
STOP_POLL_STEPS = 8


class _Abort(Exception):
    def __init__(self, fault: Fault):
        self.fault = fault


def train(model: torch.nn.Module, data: DatasetBundle, config: TrainConfig | None = None,
          control: Control | None = None, *, checkpoint_dir: str | None = None,
          resume_from: str | None = None) -> Iterator[Event]:
    """Train ``model`` on ``data``; yields Started, Step, Epoch, StateChanged, Response, CheckpointSaved,
    then Finished, or a Fault (and nothing after it). The model is trained in place.

    A stop ends the run at the next batch; an epoch cut short is marked ``complete=False``, and a stop
    seen before an epoch's first batch yields no epoch at all. Under DDP every rank polls stop together
    (before each epoch and every ``STOP_POLL_STEPS`` steps); pause, setting changes and requests are for
    single-process runs."""
    run = _Run(model, data, (config or TrainConfig()).validate(), control or Control(), checkpoint_dir)
    try:
        for event in run.execute(resume_from):
            if event.kind in ("finished", "fault"):  # the last event: the model is the caller's again
                run.standard_layout()
            yield event
    finally:
        run.standard_layout()  # also when the caller drops the generator early
        distributed.teardown(run.ctx)


class _Run:
    def __init__(self, model, data: DatasetBundle, config: TrainConfig, control: Control, checkpoint_dir):
        self.data, self.config, self.control, self.checkpoint_dir = data, config, control, checkpoint_dir
        rank, world, local = distributed.env_world()
        self.device = resolve_device(config.device, local)
        self.ctx = distributed.setup(self.device.type)
        self.amp = amp_dtype(config, self.device)
        self.model = model.to(self.device)
        self.net = self.model
        if config.frozen:  # before DDP (it registers only trainable parameters) and before the optimiser
            try:
                freeze(self.model, config.frozen)
            except IntrospectError as e:
                raise ConfigError(f"training setting frozen: {e}") from e
        # A faster memory layout for the run (channels-last convolutions on the CPU), given back to the
        # standard one when the run ends; weights files and checkpoints are written in the standard one.
        self.layout = None if self.ctx.active else fast_memory_format(self.model, self.device)
        if self.layout is not None:
            self.model.to(memory_format=self.layout)
        if self.ctx.active:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.net = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=ids)
        self.scores = scores_of(model)  # logits, or the probabilities of a final Sigmoid / Softmax
        self.loss_fn = make_loss(config.loss, data.num_classes, self.scores)
        self.num_classes = data.num_classes
        self.optimizer = make_optimizer(self.model.parameters(), config)
        self.scaler = torch.amp.GradScaler("cuda") if self.amp == torch.float16 else None
        self.base_lr = config.lr
        self.log_every = config.log_every  # 0: chosen in execute() once the batch size is known
        self.step = 0
        self.epoch = 0
        self.start = time.perf_counter()
        self.first_loss: float | None = None  # the run's first reported loss (is the last far above it?)
        self.graphed: graphed.GraphedSteps | None = None
        self.readout = Readout(self.device)  # on a GPU, step metrics are read one window late: no waiting

    # ------------------------------------------------------------------ set-up
    def standard_layout(self) -> None:
        """Give the model (weights and gradients) back in the standard memory layout."""
        if self.layout is not None:
            self.layout = None
            give_standard_layout(self.model)

    def _graph_steps(self) -> str | None:
        """Capture the training step as a CUDA graph where the device and run allow it (``self.graphed``);
        the note to show when a CUDA run cannot."""
        graphs = graphed.backend(self.device)
        if graphs is None:
            return None
        reason = graphed.why_not(self.data.streamed, self.ctx.active, self.amp)
        if reason:
            return f"training step by step (no CUDA graph): {reason}"
        self.graphed = graphed.GraphedSteps(graphs, self.net, self.loss_fn, self.optimizer, self.amp,
                                            self.num_classes, self.normalize, self.device, self.scores)
        return None

    # ------------------------------------------------------------------ the run
    def execute(self, resume_from: str | None) -> Iterator[Event]:
        cfg = self.config
        torch.manual_seed(cfg.seed)
        try:
            self.feed = Feed(self.data, cfg, self.device, self.ctx)
            self.n_train = self.feed.n_train
            self.aug_gen = torch.Generator(device=self.device).manual_seed(cfg.seed + 1)
            self.normalize = self.feed.normalizer()
            self.aug_fill = black_fill(self.data.mean, self.data.std).to(self.device)  # borders a shift leaves
            self.batch_size = cfg.effective_batch_size(self.feed.local_count)
            self.log_every = self.log_every or log_every(self.device, self.feed.local_count, self.batch_size)
            if (refused := self._check_memory()) is not None:  # before the first step allocates anything
                yield refused
                return
            if resume_from:
                self._restore(resume_from)
            note = self._graph_steps()
        except torch.OutOfMemoryError:
            yield self._oom_fault(0)
            return
        first_step = self.step  # (a resumed run goes on from its checkpoint's step)
        sizes = self.data.sizes()
        yield Started(str(self.device), device_name(self.device),
                      sum(p.numel() for p in self.model.parameters()), self.n_train, sizes["val"], sizes["test"],
                      cfg.epochs, self.batch_size, math.ceil(self.feed.local_count / self.batch_size),
                      self.ctx.world_size, {None: "off", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.amp],
                      self.epoch)
        if note:
            yield Notice(note, self.epoch, self.step)
        reason = "completed"
        best = (math.inf, -1, None, 0)  # val loss, epoch, state copy, epochs without improvement
        if resume_from and "best_val_loss" in self._resumed:
            best = (self._resumed["best_val_loss"], self._resumed["best_epoch"], None, self._resumed["bad_epochs"])
        last_epoch: Epoch | None = None
        try:
            while self.epoch < cfg.epochs:
                t0 = time.perf_counter()
                stopped = yield from self._train_epoch()
                if stopped and not self._epoch_seen:  # stopped before the epoch's first batch: no epoch
                    reason = "stopped"
                    break
                train_loss, train_acc = self._epoch_train_metrics
                wanted = self.control.keep_predictions if not self.ctx.active else 0
                kept: list = []
                val_loss, val_acc, _ = self._evaluate("val", keep=(wanted, kept) if wanted > 0 else None)
                last_epoch = Epoch(self.epoch, train_loss, train_acc, val_loss, val_acc, self._lr(),
                                   time.perf_counter() - t0, complete=not stopped)
                if not math.isfinite(train_loss):
                    raise _Abort(self._nan_fault(train_loss))
                self.epoch += 1
                yield last_epoch
                if wanted > 0:
                    yield self._predictions(last_epoch.epoch, kept)
                if stopped:
                    reason = "stopped"
                    break
                if cfg.early_stopping_patience:
                    if val_loss < best[0]:
                        state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
                        best = (val_loss, self.epoch - 1, state, 0)
                    else:
                        best = (best[0], best[1], best[2], best[3] + 1)
                        if best[3] >= cfg.early_stopping_patience:
                            reason = "early_stopping"
                            if best[2] is not None:
                                self.model.load_state_dict(best[2])
                            break
                elif val_loss < best[0]:
                    best = (val_loss, self.epoch - 1, None, 0)
                if self.checkpoint_dir and cfg.checkpoint_every and self.epoch % cfg.checkpoint_every == 0:
                    if self.ctx.is_main:
                        weights = standard_layout(self.model.state_dict()) if self.layout else self.model
                        save_checkpoint(self.checkpoint_dir, weights, self._state(best))
                        yield CheckpointSaved(str(self.checkpoint_dir), self.epoch)
            test_loss, test_acc, confusion = self._evaluate("test", confusion=True)
            if reason == "early_stopping" and best[2] is not None:
                val_loss, val_acc, _ = self._evaluate("val")
                train_loss, train_acc = (last_epoch.train_loss, last_epoch.train_accuracy)
            elif last_epoch is not None:
                val_loss, val_acc = last_epoch.val_loss, last_epoch.val_accuracy
                train_loss, train_acc = last_epoch.train_loss, last_epoch.train_accuracy
            else:
                train_loss = train_acc = val_loss = val_acc = math.nan
        except _Abort as abort:
            yield abort.fault
            return
        except UnreadableItem as e:
            yield Fault("data", str(e), faults.DATA_ADVICE, self.epoch, self.step)
            return
        except torch.OutOfMemoryError:
            yield self._oom_fault(self.batch_size)
            return
        except (RuntimeError, IndexError, ValueError) as e:  # torch's own complaints (IndexError: a label
            # beyond the outputs, ValueError: shapes a loss refuses): a fault in one line, not a crash
            msg = faults.first_line(e)
            if faults.is_memory_error(msg):  # the CPU's allocator (DefaultCPUAllocator), or MPS's
                yield self._oom_fault(self.batch_size)
                return
            yield Fault("error", f"training stopped at epoch {self.epoch + 1}, step {self.step}: {msg}",
                        faults.runtime_advice(msg), self.epoch, self.step)
            return
        if (grew := faults.loss_grew(self.first_loss, train_loss, self._lr())) is not None:
            yield Notice(grew, self.epoch, self.step)
        yield Finished(reason, self.epoch, time.perf_counter() - self.start, train_loss, train_acc, val_loss,
                       val_acc, test_loss, test_acc, confusion, list(self.data.class_names), str(self.device),
                       best[1], self.step - first_step)

    # ------------------------------------------------------------------ one epoch
    def _train_epoch(self) -> Iterator[Event]:
        """Generator returning True when a stop was requested."""
        cfg, net, opt, device = self.config, self.net, self.optimizer, self.device
        net.train()
        if cfg.frozen:
            apply_frozen_bn_eval(self.model, cfg.frozen)  # frozen BatchNorm keeps its running statistics
        aug = cfg.augmentation if cfg.augmentation.active else None
        steps = self.graphed  # the captured steps (CUDA), or None: eager steps
        if steps is not None:
            loss_sum, correct = steps.reset_metrics()
        else:
            loss_sum = torch.zeros((), device=device, dtype=torch.float64)
            correct = torch.zeros((), device=device, dtype=torch.int64)
        seen = 0
        # In-memory data: each step's predictions go into one buffer in the epoch's batch order (one op),
        # compared with the epoch's labels only when metrics are read; streamed data and captured steps:
        # counted per step.
        preds = None if self.data.streamed or steps else torch.empty(self.feed.local_count, dtype=torch.int64,
                                                                     device=device)
        counted = 0  # predictions compared so far (in-memory data)
        argmax = self.num_classes != 1
        params, step = grad_params(opt), step_function(opt)
        readout = self.readout
        readout.begin()
        steps_in_epoch = max(1, math.ceil(self.feed.local_count / self.batch_size))
        schedule = cfg.schedule != "none"
        stopped = False
        batches = self.feed.batches(lambda: self.batch_size, self.epoch)
        i = -1
        while True:
            if self.ctx.active:
                # Every rank asks at the same steps (all have as many batches), so the collective matches.
                if (i + 1) % STOP_POLL_STEPS == 0 and distributed.any_rank(
                        self.control.stop_requested, self.ctx, self.device):
                    stopped = True
                    break
            elif self.control.has_work():  # before the next batch is cut, so a new batch size applies to it
                stopped = yield from self._service()
                if stopped:
                    break
                cfg, opt = self.config, self.optimizer  # a setting change may have replaced them
                schedule = cfg.schedule != "none"
                params, step = grad_params(opt), step_function(opt)
            batch = next(batches, None)
            if batch is None:
                break
            xr, yb = batch
            i += 1
            if schedule:
                set_lr(opt, self.base_lr * lr_factor(cfg, self.epoch + i / steps_in_epoch))
            xb = xr if aug is None and steps is not None else self.normalize(xr)
            if aug is not None:
                xb = augment_batch(xb, aug, self.aug_gen, self.aug_fill)
            if steps is not None:
                trained = steps.step(xb, yb, normalized=aug is not None)
                note = steps.take_note()
                if note:
                    yield Notice(note, self.epoch, self.step, steps.fast)
                if not trained:  # the capture failed: this batch and the rest of the run train eagerly
                    steps = self.graphed = None
                    params, step = grad_params(opt), step_function(opt)
                    if aug is None:
                        xb = self.normalize(xr)
            n = yb.shape[0]
            if steps is None:
                # the last step's gradients go before the forward pass (as in the idiomatic loop), so their
                # memory is free for this step's activations; between steps they stay readable for the views.
                # (What opt.zero_grad(set_to_none=True) does, without its per-call overhead.)
                for p in params:
                    p.grad = None
                if self.amp is not None:
                    with torch.autocast(device_type="cuda", dtype=self.amp):
                        out = net(xb)
                        loss = self.loss_fn(out, yb)
                else:
                    out = net(xb)
                    loss = self.loss_fn(out, yb)
                if self.scaler is not None:
                    self.scaler.scale(loss).backward()
                    self.scaler.step(opt)
                    self.scaler.update()
                else:
                    loss.backward()
                    step()
                loss_sum.add_(loss.detach(), alpha=n)
                if preds is None:
                    correct.add_((predictions(out.detach(), self.num_classes, self.scores) == yb).sum())
                elif argmax and out.dim() == 2 and out.shape[1] > 1:  # batches are consecutive slices
                    torch.argmax(out.detach(), 1, out=preds[seen:seen + n])
                else:
                    preds[seen:seen + n] = predictions(out.detach(), self.num_classes, self.scores)
            seen += n
            self.step += 1
            if self.step % self.log_every == 0:
                if preds is not None:
                    correct.add_((preds[counted:seen] == self.feed.epoch_labels[counted:seen]).sum())
                    counted = seen
                progress = min(1.0, (self.epoch + (i + 1) / steps_in_epoch) / cfg.epochs)
                mark = Mark(self.epoch, self.step, progress, seen, self._lr(), time.perf_counter())
                yield from self._steps(readout.post(loss_sum, correct, mark))
        yield from self._steps(readout.flush())
        if preds is not None and counted < seen:
            correct.add_((preds[counted:seen] == self.feed.epoch_labels[counted:seen]).sum())
        totals = distributed.all_reduce_sum(
            torch.stack([loss_sum, correct.double(), torch.tensor(float(seen), device=device, dtype=torch.float64)]),
            self.ctx).tolist()
        self._epoch_train_metrics = (totals[0] / max(1, totals[2]), totals[1] / max(1, totals[2]))
        self._epoch_seen = int(totals[2])
        return stopped

    def _steps(self, windows: list[Window]) -> Iterator[Event]:
        for w in windows:
            if not math.isfinite(w.loss):
                raise _Abort(self._nan_fault(w.loss, w.mark.step))
            if self.first_loss is None:
                self.first_loss = w.loss
            m = w.mark
            yield Step(m.epoch, m.step, m.progress, w.loss, w.accuracy, m.lr,
                       w.samples_per_second * self.ctx.world_size)

    # ------------------------------------------------------------------ control
    def _service(self) -> Iterator[Event]:
        """Answer requests, apply setting changes, pause; generator returning True to stop."""
        control = self.control
        yield from self._answer()
        if control.paused and not control.stop_requested:
            yield StateChanged("paused", self.epoch, self.step)
            while not control.wait_resumed(0.05):
                yield from self._answer()
            applied = self._apply_updates()
            yield from self._answer()
            if not control.stop_requested:
                yield StateChanged("resumed", self.epoch, self.step, applied)
        elif control._updates:
            applied = self._apply_updates()
            if applied:
                yield StateChanged("updated", self.epoch, self.step, applied)
        return control.stop_requested  # single process only: under DDP, stop is polled collectively

    def _answer(self) -> Iterator[Event]:
        for req in self.control.take_requests():
            yield answer_request(req, self.model, self.data, self.device)

    def _apply_updates(self) -> dict:
        updates = self.control.take_updates()
        if not updates:
            return {}
        try:
            new = self.config.replace(**updates)
        except ConfigError as e:
            raise _Abort(Fault("error", f"the new settings were refused: {e}", "change them and resume",
                               self.epoch, self.step)) from e
        old = self.config
        if new.optimizer != old.optimizer:
            self.optimizer = make_optimizer(self.model.parameters(), new)
            if self.graphed is not None:
                self.graphed.adopt(self.optimizer)
        else:
            retune(self.optimizer, new)  # a captured step reads its rate from the device: no new capture
            held = (old.weight_decay, old.momentum, old.nesterov) != (new.weight_decay, new.momentum, new.nesterov)
            if held and self.graphed is not None:
                self.graphed.forget()  # the graphs hold these numbers: captured again after a warm-up
        self.config, self.base_lr, before = new, new.lr, self.batch_size
        self.batch_size = new.effective_batch_size(self.feed.local_count)
        if self.batch_size > before and (refused := self._check_memory(held=True)) is not None:
            raise _Abort(refused)  # a larger batch that clearly does not fit: said now, not an OOM mid-step
        return dict(updates)

    # ------------------------------------------------------------------ evaluation and state
    def _predictions(self, epoch: int, kept: list) -> Predictions:
        probs = np.concatenate([p for p, _ in kept]) if kept else np.zeros((0, self.num_classes), np.float32)
        labels = np.concatenate([y for _, y in kept]) if kept else np.zeros((0,), np.int64)
        return Predictions(epoch, "val", probs, labels)

    def _evaluate(self, part: str, confusion: bool = False, keep: tuple[int, list] | None = None):
        return evaluate(self.model, self.feed.eval_batches(part), self.data, self.loss_fn, self.amp, confusion, keep)

    def _lr(self) -> float:
        return lr_of(self.optimizer)

    def _nan_fault(self, value: float, step: int | None = None) -> Fault:
        step = self.step if step is None else step
        return Fault("nan", faults.NAN_MESSAGE.format(value=value, epoch=self.epoch + 1, step=step),
                     faults.NAN_ADVICE, self.epoch, step)

    def _oom_fault(self, batch: int) -> Fault:
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        return Fault("oom", *faults.oom_text(self.device.type, self.epoch, self.step, batch), self.epoch, self.step)

    def _check_memory(self, held: bool = False) -> Fault | None:
        """A Fault when the first steps clearly do not fit in memory at the run's batch size (memory.py);
        else the evaluation batch is capped to what fits. Not under DDP (one rank would stop alone).
        ``held``: mid-run, the gradients and optimiser state are allocated already."""
        est = None if self.ctx.active else memory.estimate(self.model, self.normalize(self.feed.sample()),
                                                           self.config, self.device, self.amp, held=held)
        batch = min(self.batch_size, self.feed.local_count)  # the largest batch the epochs really cut
        if est is not None and est.refuses(batch):
            return Fault("oom", est.message(batch), est.advice(batch, self.config.batch_mode == "full"), self.epoch,
                         self.step)
        if est is not None:
            self.feed.eval_size = est.eval_batch(batch, self.config.eval_batch_size)
        return None

    def _state(self, best) -> dict:
        state = {"optimizer": graphed.plain_groups(standard_layout(self.optimizer.state_dict())), "epoch": self.epoch, "step": self.step,
                 "data_generator": self.feed.data_gen.get_state(), "aug_generator": self.aug_gen.get_state(),
                 "torch_rng": torch.get_rng_state(), "best_val_loss": float(best[0]), "best_epoch": int(best[1]),
                 "bad_epochs": int(best[3]), "optimizer_kind": self.config.optimizer,
                 "config": self.config.to_dict()}
        if self.device.type == "cuda":
            state["cuda_rng"] = torch.cuda.get_rng_state(self.device)
        if self.scaler is not None:
            state["scaler"] = self.scaler.state_dict()
        return state

    def _restore(self, folder: str) -> None:
        weights, state = load_checkpoint(folder)
        try:
            self.model.load_state_dict(weights)
        except RuntimeError as e:
            raise WeightsError(f"{folder}: the checkpoint is of another network and does not fit this one "
                               f"({faults.first_line(e)})") from e
        if state.get("optimizer_kind") == self.config.optimizer:
            self.optimizer.load_state_dict(state["optimizer"])
            match_state_layout(self.optimizer)  # written in the standard layout; this run's may differ
        self.epoch, self.step = int(state["epoch"]), int(state["step"])
        self.feed.data_gen.set_state(state["data_generator"])
        self.aug_gen.set_state(state["aug_generator"])
        torch.set_rng_state(state["torch_rng"])
        if "cuda_rng" in state and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["cuda_rng"], self.device)
        if self.scaler is not None and "scaler" in state:
            self.scaler.load_state_dict(state["scaler"])
        self._resumed = state
