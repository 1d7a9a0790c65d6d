"""Training the course GPT on one CPU, one GPU, or many GPUs and nodes: torchrun + DistributedDataParallel.

The notebooks train their GPT in one process (``helpers.lm_data.train_gpt``). This module is the same
model and data scaled out the way real LLMs are trained, for learners who have outgrown a laptop::

    python scripts/train_gpt.py --config configs/gpt_notebook.toml                        # one process
    torchrun --nproc_per_node 4 scripts/train_gpt.py --config configs/gpt_gpu.toml         # 4 GPUs (or CPU processes)

``torchrun`` starts one process per device (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``); each wraps the same model in
``DistributedDataParallel``, which averages the gradients of all processes in ``backward`` (NCCL on GPUs, gloo on CPUs).

One optimiser step, with ``P`` processes and ``A = batch_size / (micro_batch_size * P)`` micro-steps::

    starts = step_starts(...)                 (batch_size,)  window starts of this step, same on every process
    mine   = starts.view(A, P, micro)[:, rank]  (A, micro)   this process's share: disjoint, fixed by (seed, step)
    for a in range(A):                                       gradient accumulation
        with model.no_sync() unless a == A - 1:              DDP all-reduces the gradients only on the last one
            (loss(windows of mine[a]) / A).backward()
    clip, optimizer.step()                                   under bf16 autocast (or fp16 + GradScaler) on GPUs

The windows of a step depend only on ``(train.seed, step)``, so the same config gives the same batches whatever the
number of processes, and a run resumed from a checkpoint (weights, AdamW state, GradScaler, every process's RNG, the
step) continues exactly as if it had never stopped (``tests/test_torchrun.py`` checks both). Progress, validation loss
and checkpoints are printed by rank 0 and appended to ``out_dir/log.jsonl``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F

from .. import _mps_usable, sync as device_sync
from ..checkpoints import CheckpointError, load_weights
from ..gpt import GPT, GPTConfig
from .run_config import ConfigError, RunConfig, TrainSection, apply_overrides, load_config, parse_config
from .train_state import list_checkpoints, load_train_state, save_train_state

__all__ = ["lr_at", "step_starts", "micro_batches", "DistInfo", "train", "main"]


# --- the pieces, each a plain function ------------------------------------------------------

def lr_at(step: int, t: TrainSection) -> float:
    """Learning rate of optimiser step ``step`` (0-based): linear warm-up, then constant or cosine to ``min_lr``."""
    if t.warmup and step < t.warmup:
        return t.lr * (step + 1) / t.warmup
    if t.decay == "constant":
        return t.lr
    progress = min(1.0, (step - t.warmup) / max(1, t.steps - t.warmup - 1))   # 0 -> 1 over the decay
    return t.min_lr + 0.5 * (t.lr - t.min_lr) * (1.0 + math.cos(math.pi * progress))


def step_starts(n_tokens: int, block_size: int, batch_size: int, seed: int, step: int) -> torch.Tensor:
    """``(batch_size,)`` start positions of the windows of step ``step``: a function of ``(seed, step)`` only."""
    generator = torch.Generator().manual_seed(seed * 1_000_000_007 + step)
    return torch.randint(0, n_tokens - block_size, (batch_size,), generator=generator)


def micro_batches(stream: torch.Tensor, block_size: int, starts: torch.Tensor, rank: int, world: int, micro: int):
    """This process's micro-batches of one step: ``A`` pairs ``(idx, targets)``, each ``(micro, block_size)``.

    ``starts (batch_size,)`` is split as ``(A, world, micro)``; process ``rank`` takes column ``rank``. On a GPU the
    starts are copied from page-locked memory, so the copy runs beside the GPU's work instead of waiting for it."""
    mine, cuda = starts.view(-1, world, micro)[:, rank].contiguous(), stream.device.type == "cuda"   # (A, micro)
    mine = (mine.pin_memory() if cuda else mine).to(stream.device, non_blocking=cuda)
    offsets = torch.arange(block_size + 1, device=stream.device)              # (T + 1,)
    for row in mine:
        windows = stream[row[:, None] + offsets[None, :]]                     # (micro, T + 1)
        yield windows[:, :-1], windows[:, 1:]


@dataclass
class DistInfo:
    """Where this process sits: ``rank`` of ``world`` processes, its ``device``, and whether DDP is on."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")
    distributed: bool = False

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()


def setup_distributed(device: str) -> DistInfo:
    """Read torchrun's environment, pick the device, start the process group (NCCL on CUDA, gloo on CPU)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    auto = "cuda" if torch.cuda.is_available() else "mps" if world == 1 and _mps_usable() else "cpu"  # MPS: 1 process
    kind = auto if device == "auto" else device
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError("run.device = 'cuda' but no CUDA GPU is visible: use --set run.device=auto (or cpu)")
    if kind == "mps" and world > 1:
        raise ConfigError("DistributedDataParallel does not run on Apple MPS: use one process, or run.device='cpu'")
    if kind == "cuda":
        torch.cuda.set_device(local_rank)
        dev = torch.device("cuda", local_rank)
        torch.set_float32_matmul_precision("high")    # fp32 runs: TF32 matrix products on Ampere and newer
    else:
        dev = torch.device(kind)
    info = DistInfo(rank, world, local_rank, dev, world > 1)
    if info.distributed:
        backend = "nccl" if kind == "cuda" else "gloo"
        dist.init_process_group(backend, **({"device_id": dev} if kind == "cuda" else {}))
    return info


def precision_setup(device: torch.device, precision: str):
    """``(name, autocast dtype or None, GradScaler or None)`` for ``run.precision`` on ``device``."""
    if precision == "auto":
        native_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported(including_emulation=False)  # not T4/V100
        precision = ("bf16" if native_bf16 else "fp16") if device.type == "cuda" else "fp32"
    if precision == "fp16" and device.type != "cuda":
        raise ConfigError("run.precision = 'fp16' needs a CUDA GPU; use 'fp32' (or 'bf16') on the CPU")
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    scaler = torch.amp.GradScaler("cuda") if precision == "fp16" else None
    return precision, dtype, scaler


def build_optimizer(model: GPT, t: TrainSection, device: torch.device) -> torch.optim.AdamW:
    """AdamW; weight decay on weight matrices (``dim >= 2``) only, not on biases and LayerNorm gains."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": t.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=t.lr, betas=(t.beta1, t.beta2), fused=device.type == "cuda")


@torch.no_grad()
def validation_loss(model: GPT, stream: torch.Tensor, block_size: int, info: DistInfo, autocast,
                    batch_size: int = 64) -> float:
    """Mean next-token loss on consecutive windows of ``stream (N,)``; the windows are shared out among processes."""
    n = (len(stream) - 1) // block_size
    if n < 1:
        raise ConfigError(f"run.valid_tokens gives {len(stream)} tokens: fewer than one window of {block_size + 1}")
    x = stream[: n * block_size + 1].to(info.device)
    idx, targets = x[:-1].view(n, block_size), x[1:].view(n, block_size)     # (n, T) each
    mine = torch.arange(info.rank, n, info.world, device=info.device)         # this process's windows
    total = torch.zeros(2, dtype=torch.float32 if info.device.type == "mps" else torch.float64,  # MPS: no float64
                        device=info.device)                                   # (sum of losses, tokens)
    was_training = model.training
    model.eval()
    for chunk in mine.split(batch_size):
        with autocast():
            logits = model(idx[chunk])                                        # (b, T, V)
        total[0] += F.cross_entropy(logits.float().flatten(0, 1), targets[chunk].flatten(), reduction="sum")
        total[1] += targets[chunk].numel()
    model.train(was_training)
    if info.distributed:
        dist.all_reduce(total)
    return float(total[0] / total[1])


def param_hash(model: torch.nn.Module) -> str:
    """sha256 of every parameter's bytes, in order: equal hashes mean bitwise-equal weights."""
    h = hashlib.sha256()
    for p in model.parameters():
        h.update(p.detach().float().cpu().numpy().tobytes())
    return h.hexdigest()


# --- the run --------------------------------------------------------------------------------

def _config_differences(saved: dict, cfg: RunConfig, gpt: dict) -> list[str]:
    """Settings that decide the weights and differ between a checkpoint and ``cfg`` (``train.steps`` may change)."""
    now = cfg.to_dict()
    diffs = [f"model.{k}: {v!r} in the checkpoint, {gpt.get(k)!r} now"
             for k, v in saved["gpt"].items() if gpt.get(k) != v]
    for table in ("data", "train"):
        for key, value in saved["run"][table].items():
            if now[table].get(key) != value and f"{table}.{key}" != "train.steps":
                diffs.append(f"{table}.{key}: {value!r} in the checkpoint, {now[table].get(key)!r} now")
    return diffs


class _Log:
    """Rank 0 prints and appends JSON lines to ``out_dir/log.jsonl``; other ranks stay quiet."""

    def __init__(self, out_dir: Path, active: bool, fresh: bool):
        self.path, self.active = out_dir / "log.jsonl", active
        if active:
            out_dir.mkdir(parents=True, exist_ok=True)
            if fresh:
                self.path.unlink(missing_ok=True)

    def __call__(self, event: str, text: str | None = None, **fields) -> None:
        if not self.active:
            return
        if text:
            print(text, flush=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"event": event, **fields}) + "\n")


def train(cfg: RunConfig, *, resume=None, overwrite: bool = False, stop_after: int | None = None,
          record_hashes: bool = False) -> dict[str, Any]:
    """Run (or continue) the training that ``cfg`` describes; returns a summary dict on every process.

    ``resume``: ``None`` (a new run), ``True`` (the newest valid checkpoint in ``run.out_dir``) or a
    checkpoint file / run folder. ``overwrite``: a new run may replace the checkpoints in ``out_dir``.
    ``stop_after``: stop (with a checkpoint) after this many steps of the schedule, as an interrupted
    job would. ``record_hashes``: each process appends its parameters' hash after every step to
    ``out_dir/param-hashes-rank{r}.jsonl`` (the test compares processes).
    """
    from ..lm_data import lm_data

    info = setup_distributed(cfg.run.device)
    try:
        return _train(cfg, info, resume, overwrite, stop_after, record_hashes, lm_data)
    finally:
        if info.distributed:
            dist.destroy_process_group()


def _train(cfg, info: DistInfo, resume, overwrite, stop_after, record_hashes, lm_data) -> dict[str, Any]:
    t, r = cfg.train, cfg.run
    out_dir = Path(r.out_dir)
    micro = t.micro_batch_size
    if t.batch_size % (micro * info.world):
        raise ConfigError(f"train.batch_size={t.batch_size} must be a multiple of micro_batch_size x processes = "
                          f"{micro} x {info.world}: change one of them (e.g. --set micro_batch_size=...)")
    accum = t.batch_size // (micro * info.world)

    payload = None
    if resume is not None:
        payload = load_train_state(out_dir if resume is True else resume)
    elif list_checkpoints(out_dir) and not overwrite:
        raise CheckpointError(f"{out_dir} already holds checkpoints of a run: continue it with --resume, start over "
                              "with --overwrite, or choose another folder with --set run.out_dir=...")
    info.barrier()
    if info.main and overwrite and resume is None:
        for old in list_checkpoints(out_dir):
            old.unlink()
            old.with_suffix(".pt.sha256").unlink(missing_ok=True)
    log = _Log(out_dir, info.main, fresh=resume is None)

    # the data: rank 0 first (it trains and caches the BPE tokenizer if needed), then the first process of
    # every other node (a node without a shared folder caches its own), then the rest, which read the cache
    turn = 0 if info.main else (1 if info.local_rank == 0 else 2)
    for stage in range(3):
        if stage == turn:
            data = lm_data(cfg.data.tokenizer, bpe_vocab_size=cfg.data.bpe_vocab_size, seed=cfg.data.shuffle_seed)
        info.barrier()
    gpt_cfg = GPTConfig(vocab_size=data.vocab_size, **cfg.model)
    block = gpt_cfg.block_size
    if len(data.train) < block + 1:
        raise ConfigError(f"the training text has {len(data.train)} tokens, fewer than block_size + 1 = {block + 1}")
    train_stream = data.train.to(info.device)                                  # (N,) on the device: windows cut there
    valid_stream = data.valid[: r.valid_tokens + 1]

    torch.manual_seed(t.seed)                                                   # the same initial weights everywhere
    model = GPT(gpt_cfg).to(info.device)
    optimizer = build_optimizer(model, t, info.device)
    precision, amp_dtype, scaler = precision_setup(info.device, r.precision)
    start, tokens_seen, valid_log = 0, 0, []
    torch.manual_seed(t.seed * 1000 + 1 + info.rank)                           # dropout: its own stream per process
    if payload is not None:
        diffs = _config_differences(payload["config"], cfg, asdict(gpt_cfg))
        if diffs:
            raise ConfigError(f"{payload['path']} was trained with other settings, so it cannot be continued "
                              "exactly:\n  " + "\n  ".join(diffs))
        if payload["extra"].get("data_fingerprint") != data.fingerprint:
            raise CheckpointError(f"{payload['path']} was trained on other data (a different corpus or tokenizer)")
        load_weights(model, payload, payload["path"])
        optimizer.load_state_dict(payload["optimizer"])
        if scaler is not None and payload.get("scaler"):
            scaler.load_state_dict(payload["scaler"])
        start, tokens_seen = payload["step"], payload["extra"]["tokens_seen"]
        valid_log = list(payload["extra"].get("valid", []))
        rng = payload["rng"]
        if len(rng) == info.world:
            torch.set_rng_state(rng[info.rank]["torch"])
            if info.device.type == "cuda" and "cuda" in rng[info.rank]:
                torch.cuda.set_rng_state(rng[info.rank]["cuda"], info.device)
        elif info.main:
            print(f"note: the checkpoint was written by {len(rng)} processes, this run has {info.world}: "
                  "dropout draws new random numbers, so the run continues closely, not bit for bit")
        if t.steps != payload["config"]["run"]["train"]["steps"] and t.decay == "cosine" and info.main:
            print("note: train.steps differs from the checkpoint's, so the cosine schedule changes from here on")

    ddp = torch.nn.parallel.DistributedDataParallel(
        model, device_ids=[info.local_rank] if info.device.type == "cuda" else None) if info.distributed else model
    autocast = (lambda: torch.autocast(info.device.type, dtype=amp_dtype)) if amp_dtype else nullcontext
    tokens_per_step = t.batch_size * block
    end = t.steps if stop_after is None else min(t.steps, stop_after)
    log("start", f"GPT {model.num_parameters():,} parameters | {info.world} process(es) on {info.device.type} | "
        f"{precision} | batch {t.batch_size} = {micro} x {accum} micro-steps x {info.world} | "
        f"{tokens_per_step:,} tokens/step | steps {start} -> {end} of {t.steps}"
        + (f" | resumed from {payload['path']}" if payload else ""),
        parameters=model.num_parameters(), world_size=info.world, device=info.device.type, precision=precision,
        grad_accum=accum, start_step=start, steps=t.steps, resumed_from=payload and payload["path"])
    hash_file = out_dir / f"param-hashes-rank{info.rank}.jsonl"
    if record_hashes and resume is None:
        hash_file.unlink(missing_ok=True)

    def checkpoint(step: int) -> Path | None:
        rng = {"torch": torch.get_rng_state()}
        if info.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(info.device)
        rngs = [rng]
        if info.distributed:
            rngs = [None] * info.world
            dist.all_gather_object(rngs, rng)
        path = None
        if info.main:
            path = save_train_state(out_dir, step, {
                "config": {"gpt": asdict(gpt_cfg), "run": cfg.to_dict()},
                "extra": {"tokens_seen": tokens_seen, "world_size": info.world, "data_fingerprint": data.fingerprint,
                          "valid": valid_log, "precision": precision},
                "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
                "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict() if scaler else {},
                "rng": rngs, "codec": data.codec.state()}, keep=r.keep_checkpoints)
            log("checkpoint", f"saved {path}", step=step, path=str(path))
        info.barrier()
        return path

    model.train()
    running = torch.zeros((), device=info.device)                              # sum of step losses since the last log
    interval_start, untimed, interval_steps, last_path, valid = time.perf_counter(), 0.0, 0, None, None
    for step in range(start, end):
        lr = lr_at(step, t)
        for group in optimizer.param_groups:
            group["lr"] = lr
        starts = step_starts(len(train_stream), block, t.batch_size, t.seed, step)   # (batch_size,)
        data_hash = hashlib.sha256()
        for a, (idx, targets) in enumerate(micro_batches(train_stream, block, starts, info.rank, info.world, micro)):
            if record_hashes:
                data_hash.update(idx.cpu().numpy().tobytes())
            sync = nullcontext() if a == accum - 1 or not info.distributed else ddp.no_sync()
            with sync:
                with autocast():
                    _, loss = ddp(idx, targets)
                loss = loss / accum
                (scaler.scale(loss) if scaler else loss).backward()
            running += loss.detach().float()
        if t.grad_clip:
            if scaler:
                scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), t.grad_clip)
        if scaler:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        done = step + 1
        tokens_seen += tokens_per_step
        interval_steps += 1
        if record_hashes:
            with open(hash_file, "a") as f:
                f.write(json.dumps({"step": done, "params": param_hash(model), "data": data_hash.hexdigest()}) + "\n")
        if done % r.log_every == 0 or done == end:
            if info.distributed:
                dist.all_reduce(running)
            mean_loss = float(running) / (interval_steps * info.world)
            if not math.isfinite(mean_loss):
                raise FloatingPointError(f"the training loss became {mean_loss} by step {done}: lower train.lr")
            device_sync(info.device)                                      # time the steps, not their queueing
            now = time.perf_counter()
            seconds, interval_start, untimed = now - interval_start - untimed, now, 0.0
            ms, tps = 1000 * seconds / interval_steps, tokens_per_step * interval_steps / seconds
            log("train", f"step {done:>6}/{t.steps}  loss {mean_loss:.4f}  lr {lr:.2e}  {ms:8.1f} ms/step  "
                f"{tps:>10,.0f} tokens/s", step=done, loss=mean_loss, lr=lr, ms_per_step=ms, tokens_per_s=tps,
                tokens_seen=tokens_seen)
            running.zero_()
            interval_steps = 0
        paused = time.perf_counter()                                           # evaluation and saving are not timed
        if (r.eval_every and done % r.eval_every == 0) or done == t.steps:
            valid = validation_loss(model, valid_stream, block, info, autocast)
            valid_log.append({"step": done, "valid_loss": valid})
            log("valid", f"step {done:>6}/{t.steps}  validation loss {valid:.4f}", step=done, valid_loss=valid)
        if (r.checkpoint_every and done % r.checkpoint_every == 0) or done == end:
            last_path = checkpoint(done)
        untimed += time.perf_counter() - paused
    if start >= end:
        last_path = Path(payload["path"])
        if info.main:
            print(f"nothing to do: the checkpoint is at step {start} of {t.steps} (--set steps=... to train on)")
    if valid is None and valid_log:
        valid = valid_log[-1]["valid_loss"]
    return {"step": max(start, end), "steps": t.steps, "valid_loss": valid, "checkpoint": last_path and str(last_path),
            "world_size": info.world, "parameters": model.num_parameters()}


# --- the command line -----------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="train_gpt.py", description="Train the course GPT on one CPU, one GPU, or many through torchrun (DDP).",
        epilog="examples:\n  python scripts/train_gpt.py --config configs/gpt_notebook.toml\n"
               "  torchrun --nproc_per_node 8 scripts/train_gpt.py --config configs/gpt_gpu.toml\n"
               "  python scripts/train_gpt.py --config configs/gpt_notebook.toml --resume --set steps=500",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="TOML file (configs/gpt_notebook.toml, configs/gpt_gpu.toml); optional with --resume PATH")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set steps=20 --set run.out_dir=checkpoints/try (repeatable)")
    p.add_argument("--resume", nargs="?", const=True, default=None, metavar="PATH",
                   help="continue from the newest checkpoint in run.out_dir, or from PATH (a checkpoint or a run folder)")
    p.add_argument("--overwrite", action="store_true", help="start a new run even if run.out_dir holds checkpoints")
    p.add_argument("--stop-after", type=int, default=None, metavar="N",
                   help="stop after step N of the schedule (with a checkpoint), e.g. to fit a time slot; --resume continues")
    p.add_argument("--record-param-hashes", action="store_true", help=argparse.SUPPRESS)   # for tests/test_torchrun.py
    return p.parse_args(argv)


def config_from_args(args) -> RunConfig:
    """The run's config: the ``--config`` file, else the checkpoint's own (with ``--resume PATH``), plus ``--set``."""
    if args.config:
        return load_config(args.config, args.overrides)
    if args.resume is None or args.resume is True:
        raise ConfigError("no --config given: pass --config configs/gpt_notebook.toml (or --resume PATH to continue "
                          "a run with the settings stored in its checkpoint)")
    payload = load_train_state(args.resume)
    return parse_config(apply_overrides(payload["config"]["run"], args.overrides), f"the config in {payload['path']}")


def main(argv=None) -> int:
    """Command-line entry point; returns the exit status (2 for a bad config or checkpoint)."""
    args = parse_args(argv)
    try:
        cfg = config_from_args(args)
        summary = train(cfg, resume=args.resume, overwrite=args.overwrite, stop_after=args.stop_after,
                        record_hashes=args.record_param_hashes)
    except (ConfigError, CheckpointError) as err:
        if int(os.environ.get("RANK", "0")) == 0:
            print(f"error: {err}", file=sys.stderr)
        return 2
    if int(os.environ.get("RANK", "0")) == 0:
        valid = "n/a" if summary["valid_loss"] is None else f"{summary['valid_loss']:.4f}"
        print(f"done: step {summary['step']}/{summary['steps']}, validation loss {valid}, "
              f"checkpoint {summary['checkpoint']}")
    return 0
