"""One training loop for every model in the course.

``train(model, loader, steps=...)`` runs a **fixed number of optimiser steps** (not a
time budget), so a seeded run repeats exactly on the same machine. It clips gradients,
shows a ``tqdm`` progress bar, can draw a live loss curve (in Jupyter, also when a
notebook is executed headless), calls an evaluation hook every ``eval_every`` steps, and
returns a ``History`` the notebook can plot.

What a model must offer is one function, ``loss_fn(model, batch) -> (loss, n_tokens)``;
``seq2seq_loss`` (the default) fits every encoder–decoder of the course, whose forward is
``model(src, src_mask, tgt_in) -> logits (B, T, vocab)``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
import torch.nn.functional as F

from . import count_true

PAD_ID = 0  # padded target positions carry this id and are ignored by the loss
INTERRUPTED_ATTR = "_course_interrupted"  # set on a model whose train(...) was interrupted: (steps done, planned)


def seq2seq_loss(model: torch.nn.Module, batch, label_smoothing: float = 0.0) -> tuple[torch.Tensor, int]:
    """Teacher-forced cross-entropy of an encoder–decoder on a ``helpers.batching.Batch``.

    ``model(batch.src (B, S), batch.src_mask (B, S), batch.tgt_in (B, T))`` must return
    logits ``(B, T, vocab)``; the loss compares them with ``batch.tgt_out (B, T)``,
    ignoring padding. ``label_smoothing`` moves that share of each target's probability
    onto the whole vocabulary (Szegedy et al., 2016; the Transformer used 0.1).
    Returns the mean loss over real tokens and their count (``helpers.count_true``: a 0-dim tensor on a GPU).
    """
    logits = model(batch.src, batch.src_mask, batch.tgt_in)  # (B, T, V)
    if logits.shape[:2] != batch.tgt_out.shape:
        raise ValueError(f"model returned logits {tuple(logits.shape)}; expected (B, T, vocab) "
                         f"with (B, T) = {tuple(batch.tgt_out.shape)}")
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), batch.tgt_out.reshape(-1), ignore_index=PAD_ID,
                           label_smoothing=label_smoothing)
    return loss, count_true(batch.tgt_out != PAD_ID)


def lr_factor(step: int, steps: int, warmup: int = 0, decay: str = "constant", floor: float = 0.1) -> float:
    """The learning-rate multiplier after ``step`` optimiser steps of a ``steps``-step run.

    Linear warm-up over ``warmup`` steps, then constant (``decay="constant"``) or a cosine from 1 down to
    ``floor`` at the last step (``decay="cosine"``).
    """
    if warmup and step < warmup:
        return (step + 1) / warmup
    if decay == "constant":
        return 1.0
    if decay != "cosine":
        raise ValueError(f"decay must be 'constant' or 'cosine', got {decay!r}")
    span = max(1, steps - warmup)
    progress = min(1.0, (step - warmup) / span)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


@dataclass
class History:
    """What happened during training: losses per logged step, evaluations, time and tokens."""

    steps: list[int] = field(default_factory=list)         # step numbers at which the loss was logged
    loss: list[float] = field(default_factory=list)        # mean training loss since the previous log
    seconds: list[float] = field(default_factory=list)     # wall time since the start, at each log
    evals: list[dict[str, float]] = field(default_factory=list)  # {"step": s, metric: value, ...}
    tokens_seen: int = 0                                   # target tokens the loss was computed on
    total_seconds: float = 0.0                             # wall time of the whole run
    n_steps: int = 0                                       # optimiser steps taken

    @property
    def final_loss(self) -> float:
        return self.loss[-1] if self.loss else math.nan

    def metric(self, name: str) -> tuple[list[int], list[float]]:
        """(steps, values) of one evaluation metric, e.g. ``history.metric("valid_loss")``."""
        rows = [e for e in self.evals if name in e]
        return [int(e["step"]) for e in rows], [float(e[name]) for e in rows]

    def plot(self, ax=None, *, title: str | None = None, label: str = "train loss"):
        """Training loss (and any ``*loss`` evaluation) against steps. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.2))
        ax.plot(self.steps, self.loss, label=label)
        names = sorted({k for e in self.evals for k in e if k.endswith("loss")})
        for name in names:
            ax.plot(*self.metric(name), marker="o", label=name.replace("_", " "))
        ax.set_xlabel("step")
        ax.set_ylabel("cross-entropy (nats/token)")
        if title:
            ax.set_title(title)
        ax.legend()
        return ax


class LivePlot:
    """A loss curve that redraws in place in Jupyter (also when executed headless); a no-op elsewhere."""

    def __init__(self, title: str = "training loss", every: int = 1):
        self.title, self.every, self.handle, self._count = title, max(1, every), None, 0
        try:
            from IPython import get_ipython

            self.enabled = get_ipython() is not None
        except ImportError:  # pragma: no cover
            self.enabled = False

    def update(self, history: History, *, final: bool = False) -> None:
        self._count += 1
        if not self.enabled or (not final and self._count % self.every):
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig, ax = plt.subplots(figsize=(6, 3.2))
        history.plot(ax, title=self.title)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)


def _to_device(obj: Any, device: torch.device) -> Any:
    if hasattr(obj, "to") and not isinstance(obj, torch.nn.Module):
        return obj.to(device)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_to_device(x, device) for x in obj)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


def _reads_are_cheap(device: torch.device) -> bool:
    """Whether reading a number of ``device`` into Python costs nothing (the CPU), or stalls the host (a GPU)."""
    return device.type == "cpu"


def _endless(loader):
    """Yield batches forever, telling a seeded sampler which epoch it is on."""
    epoch = 0
    while True:
        sampler = getattr(loader, "batch_sampler", None) or getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("the data loader yielded no batches: is the dataset empty?")
        epoch += 1


def train(
    model: torch.nn.Module,
    loader,
    *,
    steps: int,
    lr: float = 2e-3,
    weight_decay: float = 0.0,
    clip: float | None = 1.0,
    warmup: int = 0,
    decay: str = "constant",
    device: torch.device | str | None = None,
    loss_fn: Callable[[torch.nn.Module, Any], tuple[torch.Tensor, int]] = seq2seq_loss,
    eval_fn: Callable[[torch.nn.Module], dict[str, float]] | None = None,
    eval_every: int | None = None,
    log_every: int = 25,
    live_plot: bool = False,
    progress: bool = True,
    optimizer: torch.optim.Optimizer | None = None,
    history: History | None = None,
    title: str = "training loss",
) -> History:
    """Train ``model`` for exactly ``steps`` optimiser steps on batches from ``loader``.

    AdamW with ``lr`` (linear warm-up over ``warmup`` steps, then constant or, with
    ``decay="cosine"``, a cosine down to a tenth; see ``lr_factor``), gradients clipped to norm
    ``clip``. ``eval_fn(model) -> {"name": value}`` runs every ``eval_every`` steps and at the end
    (in eval mode, without gradients). Pass an existing ``history`` (and ``optimizer``) to continue
    a run. Returns the ``History``.
    """
    if not isinstance(steps, int) or steps <= 0:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    interrupted = getattr(model, INTERRUPTED_ATTR, None)
    if interrupted is not None:
        done, planned = interrupted
        raise RuntimeError(f"this model's last train(...) was interrupted after {done} of {planned} steps, so its "
                           "weights are part-trained and training it again would give numbers no run of the notebook "
                           "gives: re-run the cell that builds the model first, then this one")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device)
    if optimizer is None:
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    lr_factor(0, steps, warmup, decay)                  # a bad ``decay`` fails here, before any work
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, steps, warmup, decay))
    history = history or History()
    plot = LivePlot(title) if live_plot else None
    start_step = history.n_steps
    start = time.perf_counter() - history.total_seconds

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="training", mininterval=0.5)  # kept when done; few updates (nbval reads them all)

    def evaluate(step: int) -> None:
        if eval_fn is None:
            return
        model.eval()
        with torch.no_grad():
            result = eval_fn(model)
        model.train()
        history.evals.append({"step": step, **{k: float(v) for k, v in result.items()}})

    model.train()
    # On the CPU, reading a loss costs nothing, so every step is checked. On a GPU, reading it would make the host
    # wait for the device every step: the losses and token counts stay on the device until the next log line.
    on_host = _reads_are_cheap(device)
    running, running_n = 0.0, 0
    tokens_on_device = 0
    batches = _endless(loader)
    done = 0  # optimiser steps taken, for the message if the run is interrupted
    try:
        for i in range(1, steps + 1):
            batch = _to_device(next(batches), device)
            loss, n_tokens = loss_fn(model, batch)
            if on_host and not torch.isfinite(loss):
                raise FloatingPointError(f"the loss became {loss.item()} at step {start_step + i}: "
                                         "lower the learning rate")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            done = i                                    # the weights have moved: count the step as taken
            scheduler.step()
            if on_host:
                history.tokens_seen += n_tokens
                running += loss.item()
            else:
                tokens_on_device = tokens_on_device + n_tokens
                running = running + loss.detach()
            running_n += 1
            step = start_step + i
            if i % log_every == 0 or i == steps:
                if not on_host:                         # one read of the device per log line
                    history.tokens_seen += int(tokens_on_device)
                    running, tokens_on_device = float(running), 0
                    if not math.isfinite(running):
                        raise FloatingPointError(f"the loss became {running / running_n} between steps "
                                                 f"{step - running_n + 1} and {step}: lower the learning rate")
                history.steps.append(step)
                history.loss.append(running / running_n)
                history.seconds.append(time.perf_counter() - start)
                running, running_n = 0.0, 0
                if bar is not None:
                    bar.set_postfix(loss=f"{history.loss[-1]:.3f}")
                if plot is not None:
                    plot.update(history)
            if eval_every and i % eval_every == 0 and i != steps:
                evaluate(step)
            if bar is not None:
                bar.update(1)
        evaluate(start_step + steps)
        history.n_steps = start_step + steps
        history.total_seconds = time.perf_counter() - start
        if bar is not None:
            bar.close()
        if plot is not None:
            plot.update(history, final=True)
    except KeyboardInterrupt:
        # Interrupted (the ■ button): mark the model, so a re-run of this cell alone cannot silently train on
        # from part-trained weights; nothing half-done has been stored anywhere.
        setattr(model, INTERRUPTED_ATTR, (done, steps))
        if bar is not None:
            bar.close()
        raise KeyboardInterrupt(f"training interrupted after {done} of {steps} steps; re-run the "
                                "cell that builds the model, then train again") from None
    model.eval()
    return history


def count_parameters(model: torch.nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
