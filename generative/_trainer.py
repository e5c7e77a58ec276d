"""One small training loop for every model: it knows nothing of what it trains."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch
from tqdm.auto import tqdm

from generative._base import GenerativeModel
from generative._batches import BatchSource
from generative._checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from generative._distributed import (
    barrier, broadcast_buffers, is_main_process, mean_across_ranks, rank_and_world,
)
from generative._images import to_float


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


@dataclass
class TrainerConfig:
    """How to train (not what).

    Attributes
    ----------
    epochs : int
        Passes over the batch source.
    lr : float, optional
        Learning rate of every optimizer; default: the model's own.
    decay_start_epoch : int, optional
        From this epoch on, the learning rate falls linearly to reach 0 after the last
        epoch (CycleGAN's schedule). None: constant.
    device : {"auto", "cpu", "cuda"}
        ``auto`` takes CUDA when present.
    amp : bool
        Mixed precision on CUDA (bf16 when supported, else fp16 with a grad scaler).
    channels_last : bool
        On CUDA, keep the model and image batches in channels-last memory format (faster
        convolutions on tensor cores). Ignored on the CPU.
    seed : int
        Seeds parameters' init is not affected by; seeds shuffling and sampling per epoch,
        so a resumed run draws what an uninterrupted one would.
    checkpoint : path, optional
        Where to write the checkpoint (every ``checkpoint_every`` epochs and at the end).
    resume : bool
        Continue from ``checkpoint`` when it exists.
    max_steps : int, optional
        Stop after this many optimizer steps in total.
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    checkpoint_extra : dict
        Plain data stored with every checkpoint under ``extra`` (e.g. class names).
    weight_decay : float
        Decoupled weight decay (AdamW) of every optimizer; 0: plain Adam, as before.
    select : callable, optional
        ``select(model, epoch) -> float`` after every epoch (model in eval mode, then back in
        train mode): a score, higher better (e.g. a validation split's worst-class recall).
        The weights of the best-scoring epoch (the earliest among ties) are restored at the
        end and written to the checkpoint, with ``selected_epoch`` and the scores in its
        extra. The selection state is not checkpointed: a resumed run selects among the
        epochs it ran itself.
    patience : int, optional
        With ``select``: stop after this many epochs without a better score.
    """

    epochs: int = 10
    lr: float | None = None
    decay_start_epoch: int | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"
    amp: bool = True
    channels_last: bool = True
    seed: int = 0
    checkpoint: str | None = None
    checkpoint_every: int = 1
    resume: bool = False
    max_steps: int | None = None
    progress: bool | None = None
    checkpoint_extra: dict = field(default_factory=dict)
    weight_decay: float = 0.0
    select: Callable[[GenerativeModel, int], float] | None = None
    patience: int | None = None


@dataclass
class TrainResult:
    """The fitted model and one dict of float losses per optimizer step.

    With ``TrainerConfig.select``: ``scores`` (one per epoch run, epoch -> score) and
    ``selected_epoch`` (1-based: the epoch whose weights the model holds)."""

    model: GenerativeModel
    history: list[dict[str, float]] = field(default_factory=list)
    steps: int = 0
    epochs_run: int = 0
    seconds: float = 0.0  # training wall time, summed over resumed runs
    scores: dict[int, float] = field(default_factory=dict)
    selected_epoch: int | None = None


class _Selection:
    """Model selection by ``config.select``: the best epoch's weights (a CPU copy), and
    whether ``config.patience`` epochs passed without a better score."""

    def __init__(self, config: TrainerConfig, result: TrainResult) -> None:
        self.config, self.result = config, result
        self.best: float | None = None
        self.state: dict | None = None
        self.since = 0

    def update(self, model: GenerativeModel, epoch: int) -> bool:
        """Score ``epoch``; keep its weights when best. True: stop (patience ran out)."""
        model.eval()
        try:
            score = float(self.config.select(model, epoch))
        finally:
            model.train()
        self.result.scores[epoch] = score
        if self.best is None or score > self.best:
            self.best, self.since = score, 0
            self.result.selected_epoch = epoch
            self.state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        else:
            self.since += 1
        return self.config.patience is not None and self.since >= self.config.patience

    def restore(self, model: GenerativeModel) -> bool:
        """Load the best epoch's weights when they are not the last; True if loaded."""
        if self.state is None or self.result.selected_epoch == self.result.epochs_run:
            return False
        model.load_state_dict(self.state)
        return True


def resolve_device(device: str) -> torch.device:
    """``auto``: CUDA when present. On CUDA, the current device (under torchrun, the rank's
    ``LOCAL_RANK`` GPU, which :func:`generative.init_from_env` selects)."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' was asked for, but no CUDA device is available")
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device(device)


def linear_decay(epoch: int, *, epochs: int, decay_start: int | None) -> float:
    """LR multiplier of 0-based ``epoch``: CycleGAN's linear decay.

    1 before ``decay_start``; then 1 − (epoch − decay_start + 1) / (D + 1) with
    D = epochs − decay_start, so epoch ``decay_start`` has D / (D + 1) and the last epoch
    1 / (D + 1) (Zhu et al.'s ``lambda_rule`` with ``n_epochs = decay_start``, ``n_epochs_decay = D``).
    """
    if decay_start is None or epoch < decay_start:
        return 1.0
    return 1.0 - (epoch - decay_start + 1) / (epochs - decay_start + 1)


def _to_device(batch: dict[str, torch.Tensor], device: torch.device, *,
               channels_last: bool = False) -> dict[str, torch.Tensor]:
    """Move a batch; uint8 image batches (B, 3, S, S) become float in [0, 1] on the device.

    On CUDA the host tensors are pinned first so the copy is asynchronous (images travel as
    uint8, 4x fewer bytes than float).
    """
    out = {}
    for key, value in batch.items():
        if device.type == "cuda" and not value.is_cuda:
            value = value.pin_memory()
        value = value.to(device, non_blocking=True)
        if value.dtype == torch.uint8 and value.ndim == 4:
            value = to_float(value)  # a new float tensor, divided in place
            if channels_last:
                value = value.contiguous(memory_format=torch.channels_last)
        out[key] = value
    return out


class _Losses(torch.nn.Module):
    """The model's ``training_losses`` as a forward pass, so DistributedDataParallel (which
    hooks ``forward``) can wrap it and average gradients across ranks."""

    def __init__(self, model: GenerativeModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: dict[str, torch.Tensor], group: str) -> dict[str, torch.Tensor]:
        return self.model.training_losses(batch, group=group)


def _loss_function(model: GenerativeModel, device: torch.device, n_groups: int):
    """``losses(batch, group)``: the model's own under one process, DDP-wrapped under several."""
    _, world = rank_and_world()
    if world == 1:
        return model.training_losses
    if n_groups != 1:
        raise ValueError("distributed training supports models with one optimizer (the "
                         "classifiers, AE, VAE); train GANs in one process")
    from torch.nn.parallel import DistributedDataParallel

    wrapped = DistributedDataParallel(
        _Losses(model), device_ids=[device.index] if device.type == "cuda" else None)
    return lambda batch, group: wrapped(batch, group)


def train(model: GenerativeModel, batches: BatchSource, config: TrainerConfig | None = None) -> TrainResult:
    """Fit ``model`` on ``batches``; returns it with the per-step loss history.

    Raises
    ------
    TrainingDiverged
        When a loss is NaN or infinite; the checkpoint on disk is the last good one.
    """
    config = config or TrainerConfig()
    device = resolve_device(config.device)
    channels_last = config.channels_last and device.type == "cuda"
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    groups = model.optimizer_groups()
    settings = dict(model.optimizer_settings())
    if config.lr is not None:
        settings["lr"] = config.lr
    if config.weight_decay:
        settings["weight_decay"] = config.weight_decay
    optimizer = torch.optim.AdamW if config.weight_decay else torch.optim.Adam
    # The multi-tensor update: the same arithmetic as the per-tensor loop (bit-identical
    # weights, checked on the classifiers), about 3x faster on the CPU, where it is not the
    # default (measured in benchmarks/debiasing.py --throughput).
    settings["foreach"] = True
    optimizers = {name: optimizer(params, **settings) for name, params in groups.items()}
    base_lr = settings["lr"]
    use_amp = config.amp and device.type == "cuda"
    amp_dtype = torch.bfloat16 if use_amp and torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp and amp_dtype == torch.float16)
    main = is_main_process()

    result = TrainResult(model)
    start_epoch = 0
    checkpoint = Path(config.checkpoint) if config.checkpoint else None
    found = config.resume and checkpoint is not None and checkpoint.exists()
    if mean_across_ranks({"found": float(found)})["found"] not in (0.0, 1.0):
        raise CheckpointError(f"{checkpoint} is visible to some processes only: under torchrun "
                              "on several machines, checkpoints must be on a filesystem all of "
                              "them see")
    if found:
        state = load_checkpoint(checkpoint, map_location=device)
        model.load_state_dict(state["state_dict"])
        for name, opt in optimizers.items():
            if name in state["optimizer"]:
                opt.load_state_dict(state["optimizer"][name])
        start_epoch, result.steps = state["epoch"], state["step"]
        result.history = list(state["extra"].get("history", []))
        result.seconds = float(state["extra"].get("train_seconds", 0.0))
        result.epochs_run = start_epoch

    # After a resume: DDP starts by broadcasting rank 0's weights.
    losses_of = _loss_function(model, device, len(optimizers))
    total = len(batches) * (config.epochs - start_epoch)
    if config.max_steps is not None:
        total = min(total, max(config.max_steps - result.steps, 0))
    enabled = (sys.stderr.isatty() if config.progress is None else config.progress) and main
    bar = tqdm(total=total, desc=f"training {type(model).__name__}", unit="step",
               disable=not enabled, file=sys.stderr, dynamic_ncols=True, leave=False)

    saved_epoch = start_epoch
    previous_seconds, started = result.seconds, time.perf_counter()

    def save(epoch: int) -> None:
        nonlocal saved_epoch
        saved_epoch = epoch
        result.seconds = previous_seconds + time.perf_counter() - started
        if checkpoint is not None and main:  # ranks hold the same weights; one writes
            selected = {} if result.selected_epoch is None else {
                "selected_epoch": result.selected_epoch,
                "selection_scores": {str(k): v for k, v in result.scores.items()}}
            save_checkpoint(checkpoint, model, optimizers=optimizers, step=result.steps,
                            epoch=epoch, extra={**config.checkpoint_extra,
                                                 "history": result.history,
                                                 "train_seconds": result.seconds,
                                                 **selected})

    selection = _Selection(config, result)
    model.train()
    try:
        for epoch in range(start_epoch, config.epochs):
            if config.max_steps is not None and result.steps >= config.max_steps:
                break
            factor = linear_decay(epoch, epochs=config.epochs, decay_start=config.decay_start_epoch)
            for opt in optimizers.values():
                for group in opt.param_groups:
                    group["lr"] = base_lr * factor
            torch.manual_seed(config.seed * 100_003 + epoch)
            generator = torch.Generator().manual_seed(config.seed * 100_003 + epoch)
            for batch in batches.epoch(epoch, generator, model):
                batch = _to_device(batch, device, channels_last=channels_last)
                record: dict[str, float] = {"step": result.steps, "epoch": epoch,
                                            "lr": base_lr * factor}
                for name, opt in optimizers.items():
                    opt.zero_grad(set_to_none=True)
                    with torch.autocast(device.type, dtype=amp_dtype, enabled=use_amp):
                        losses = losses_of(batch, name)
                    # Logged losses are the whole (all ranks') batch's; every rank then
                    # agrees on divergence and stops together.
                    values = mean_across_ranks({k: float(v.detach()) for k, v in losses.items()})
                    bad = [k for k, v in values.items() if not math.isfinite(v)]
                    if bad:
                        kept = f"; the last good checkpoint is {checkpoint}" if checkpoint else ""
                        raise TrainingDiverged(
                            f"loss {bad[0]!r} became {values[bad[0]]} at step {result.steps} "
                            f"(epoch {epoch}){kept}; try a lower learning rate")
                    scaler.scale(losses["loss"]).backward()
                    scaler.step(opt)
                    prefix = "" if len(optimizers) == 1 else f"{name}/"
                    record.update({f"{prefix}{k}": v for k, v in values.items()})
                scaler.update()
                result.history.append(record)
                result.steps += 1
                bar.update(1)
                bar.set_postfix({k: f"{v:.4f}" for k, v in record.items()
                                 if k.endswith("loss")}, refresh=False)
                if config.max_steps is not None and result.steps >= config.max_steps:
                    break
            result.epochs_run = epoch + 1
            # Ranks leave the epoch with rank 0's BatchNorm statistics: the next latent pass
            # and the checkpoint see one model.
            broadcast_buffers(model)
            if (epoch + 1) % config.checkpoint_every == 0 or epoch + 1 == config.epochs:
                save(epoch + 1)
            if config.select is not None and selection.update(model, epoch + 1):
                break
    finally:
        bar.close()
    if result.epochs_run > saved_epoch:
        save(result.epochs_run)
    if config.select is not None and selection.restore(model):
        save(result.epochs_run)  # the checkpoint holds the selected weights
    result.seconds = previous_seconds + time.perf_counter() - started
    barrier()  # the checkpoint is complete before any rank goes on to read it
    if channels_last:
        model.to(memory_format=torch.contiguous_format)
    model.eval()
    return result
