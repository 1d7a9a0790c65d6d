"""Checkpoints of ``scripts/train_gpt.py``: everything a run needs to continue exactly, saved safely.

A training checkpoint is a plain dict of tensors, numbers and strings (no pickled objects), in the
format of ``helpers.checkpoints`` (so ``load_checkpoint`` verifies and reads it), plus what resuming
needs::

    state_dict   the model's weights                      optimizer  AdamW's state (moments, step counts)
    scaler       the fp16 GradScaler's state ({} if none)  rng        every process's torch (and CUDA) RNG state
    step         optimiser steps done                      codec      the tokenizer, so the file stands alone
    config       {"gpt": GPTConfig fields, "run": the RunConfig as a dict}
    extra        {"tokens_seen", "world_size", "data_fingerprint", "valid": [{"step", "valid_loss"}], ...}

The data position needs no state of its own: the windows of step ``s`` are drawn from a generator
seeded with ``(train.seed, s)`` (``helpers.distributed.train_ddp.step_windows``), so ``step`` is the position.

- ``save_train_state(out_dir, step, payload, keep)`` writes ``out_dir/ckpt-step000123.pt`` through a
  temporary file and ``os.replace`` (a crash leaves either the old files or the new one, never half a
  file), then its ``.sha256`` the same way, and deletes all but the newest ``keep``.
- ``latest_checkpoint(out_dir)``: the newest checkpoint whose checksum verifies (a damaged newest
  one is skipped with a warning, so a crash while saving costs at most ``checkpoint_every`` steps).
- ``load_trained_gpt(path)`` -> ``(model, codec)``: the trained GPT (eval mode) and its tokenizer, for
  notebooks 05–07. ``path`` is a checkpoint file or a run's ``out_dir``.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import torch

from ..checkpoints import FORMAT, CheckpointError, _sha256, load_checkpoint, load_weights

__all__ = ["KIND", "save_train_state", "list_checkpoints", "latest_checkpoint", "load_train_state",
           "codec_from_state", "load_trained_gpt"]

KIND = "gpt-train-state-v1"          # marks a checkpoint written by scripts/train_gpt.py
_NAME = re.compile(r"^ckpt-step(\d+)\.pt$")


def _atomic_write(path: Path, write) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, flush it to disk, then rename it to ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def list_checkpoints(out_dir) -> list[Path]:
    """The ``ckpt-step*.pt`` files in ``out_dir``, oldest (lowest step) first."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in out_dir.iterdir() if (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def save_train_state(out_dir, step: int, payload: dict[str, Any], keep: int = 2) -> Path:
    """Write ``payload`` (see the module doc) as ``out_dir/ckpt-step{step:06d}.pt`` with its sha256 file.

    Only one process may call this (rank 0). ``keep`` newest checkpoints stay; 0 keeps all.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"ckpt-step{step:06d}.pt"
    payload = {"format": FORMAT, "kind": KIND, "step": step, **payload}
    _atomic_write(path, lambda f: torch.save(payload, f))
    digest = _sha256(path)
    _atomic_write(path.with_suffix(".pt.sha256"), lambda f: f.write((digest + "\n").encode()))
    if keep:
        for old in list_checkpoints(out_dir)[:-keep]:
            old.unlink(missing_ok=True)
            old.with_suffix(".pt.sha256").unlink(missing_ok=True)
    return path


def _check_kind(payload: dict, path) -> dict:
    if payload.get("kind") != KIND:
        raise CheckpointError(f"{path} is a course checkpoint but not one written by scripts/train_gpt.py "
                              f"(kind {payload.get('kind')!r}, expected {KIND!r}); notebook checkpoints load "
                              "with helpers.checkpoints.load_checkpoint")
    return payload


def latest_checkpoint(out_dir) -> Path:
    """The newest checkpoint in ``out_dir`` that verifies; ``CheckpointError`` if there is none."""
    candidates = list_checkpoints(out_dir)
    if not candidates:
        raise CheckpointError(f"no checkpoint (ckpt-step*.pt) in {out_dir}: train first, e.g. "
                              "python scripts/train_gpt.py --config configs/gpt_notebook.toml")
    for path in reversed(candidates):
        side = path.with_suffix(".pt.sha256")
        if side.is_file() and side.read_text().strip() == _sha256(path):
            return path
        warnings.warn(f"skipping {path}: its checksum is missing or does not match (a save was interrupted?)",
                      stacklevel=2)
    raise CheckpointError(f"every checkpoint in {out_dir} is damaged ({len(candidates)} found): train again")


def load_train_state(path) -> dict[str, Any]:
    """Verify and load a training checkpoint (a file, or a run folder: its newest valid checkpoint)."""
    path = Path(path)
    if path.is_dir():
        path = latest_checkpoint(path)
    payload = _check_kind(load_checkpoint(path), path)
    payload["path"] = str(path)
    return payload


def codec_from_state(state: dict[str, Any]):
    """Rebuild a ``CharCodec`` or ``BPECodec`` (``helpers.lm_data``) from its ``codec.state()`` dict."""
    from ..lm_data import BPECodec, CharCodec
    from ..tokenize import Vocab

    kind = state.get("kind")
    if kind == "char":
        return CharCodec(Vocab(state["tokens"]))
    if kind == "bpe":
        from tokenizers import Tokenizer

        return BPECodec(Tokenizer.from_str(state["tokenizer"]))
    raise CheckpointError(f"unknown tokenizer kind {kind!r} in the checkpoint (expected 'char' or 'bpe')")


def load_trained_gpt(path, device=None):
    """``(model, codec)`` from a checkpoint of ``scripts/train_gpt.py``: the GPT in eval mode and its tokenizer.

    ``path``: a ``ckpt-step*.pt`` file or a run's ``out_dir`` (the newest valid checkpoint there).
    ``device``: where to put the model (default: the CPU). The codec is the one the model was
    trained with: ``codec.encode(text) -> ids``, ``codec.decode(ids) -> text``. With the default
    BPE settings it equals ``helpers.lm_data.lm_data("bpe").codec``, so the notebooks' validation
    streams fit the model. Example::

        gpt, codec = load_trained_gpt("checkpoints/gpt_gpu")
        ids = torch.tensor([codec.encode("The boy")])                  # (1, T)
        print(codec.decode(gpt.generate(ids, 30, temperature=0.8)[0]))
    """
    from ..gpt import GPT, GPTConfig

    payload = load_train_state(path)
    try:
        cfg = GPTConfig(**payload["config"]["gpt"])
    except (TypeError, ValueError, KeyError) as err:
        raise CheckpointError(f"{payload['path']} holds a model config this version of helpers.gpt cannot build: {err}") from err
    model = load_weights(GPT(cfg), payload, payload["path"])
    return model.to(device or "cpu").eval(), codec_from_state(payload["codec"])
