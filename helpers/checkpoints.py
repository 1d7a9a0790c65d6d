"""Saving and loading trained models safely, and reusing a run instead of repeating it.

- ``save_checkpoint(path, model, config, extra)`` writes a plain dict of tensors and
  primitives with ``torch.save`` and a ``.sha256`` file beside it.
- ``load_checkpoint(path)`` verifies the checksum, then loads with
  ``torch.load(weights_only=True)``: no arbitrary pickles, so a checkpoint from the
  internet cannot run code. A missing or corrupt file raises ``CheckpointError`` that says
  what to do.
- ``train_or_load(name, key, build, fit)``: notebooks 02 and 03 train the same seeded
  models; the second one to run reuses the first one's weights when the settings (the
  ``key``) are identical, and trains them itself otherwise. On the CPU a seeded run
  repeats exactly, so reusing and retraining give the same model.

Checkpoints go to ``checkpoints/`` in the course folder (ignored by git), or to the folder
named by the environment variable ``COURSE_CHECKPOINT_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

import torch

FORMAT = "course-checkpoint-v1"
CHECKPOINT_DIR = Path(os.environ.get("COURSE_CHECKPOINT_DIR", Path(__file__).resolve().parents[1] / "checkpoints"))


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupt, or does not fit the model."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_checkpoint(path, model: torch.nn.Module, config: dict[str, Any], extra: dict[str, Any] | None = None) -> Path:
    """Write ``model``'s weights, its ``config`` (JSON-able) and ``extra`` (JSON-able) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    json.dumps(config), json.dumps(extra or {})  # fail early, with a clear error, on what cannot be stored safely
    payload = {"format": FORMAT, "config": config, "extra": extra or {},
               "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)
    path.with_suffix(path.suffix + ".sha256").write_text(_sha256(path) + "\n")
    return path


def load_checkpoint(path, *, expected_sha256: str | None = None) -> dict[str, Any]:
    """Load a checkpoint written by ``save_checkpoint``; returns its dict (``state_dict``, ``config``, ``extra``).

    The file's sha256 must match ``expected_sha256`` if given, else the ``.sha256`` file
    beside it. Loading uses ``weights_only=True``.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}: train the model first (run the notebook's training cell)")
    want = expected_sha256
    side = path.with_suffix(path.suffix + ".sha256")
    if want is None and side.is_file():
        want = side.read_text().strip()
    if want is None:
        raise CheckpointError(f"{path} has no checksum ({side.name} is missing): refusing to load an unverified file")
    got = _sha256(path)
    if got != want:
        raise CheckpointError(f"{path} is corrupt or was changed: its sha256 is {got[:12]}…, expected {want[:12]}…; "
                              "delete it and train again")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise CheckpointError(f"{path} could not be read as a safe checkpoint ({type(err).__name__}: {err})") from err
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a course checkpoint (format {FORMAT!r} expected)")
    return payload


def load_weights(model: torch.nn.Module, payload: dict[str, Any], path: str = "the checkpoint") -> torch.nn.Module:
    """Put a loaded checkpoint's weights into ``model``, explaining any mismatch."""
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as err:
        raise CheckpointError(f"{path} does not fit this model (was it saved with other settings?): {err}") from err
    return model


def checkpoint_path(name: str, key: dict[str, Any]) -> Path:
    """``checkpoints/<name>-<hash of key>.pt``: one file per distinct set of settings."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return CHECKPOINT_DIR / f"{name}-{digest}.pt"


def train_or_load(name: str, key: dict[str, Any], build: Callable[[], torch.nn.Module],
                  fit: Callable[[torch.nn.Module], dict[str, Any]], *, retrain: bool = False, verbose: bool = True):
    """Return ``(model, info)``: weights from an earlier identical run if there is one, else trained now.

    ``key`` must hold everything that decides the result (model config, data, steps,
    seed, ...). ``fit(model)`` trains in place and returns JSON-able facts about the run
    (e.g. seconds, losses); they are stored with the weights and returned as ``info``,
    with ``info["loaded"]`` telling which way it went.
    """
    path = checkpoint_path(name, key)
    model = build()
    if path.is_file() and not retrain:
        try:
            payload = load_checkpoint(path)
            if payload["config"] == json.loads(json.dumps(key, default=str)):
                load_weights(model, payload, str(path))
                model.eval()
                if verbose:
                    print(f"loaded {name} from {path.name} (trained earlier with identical settings)")
                return model, {**payload["extra"], "loaded": True}
        except CheckpointError as err:
            if verbose:
                print(f"ignoring {path.name}: {err}")
    info = fit(model)
    model.eval()
    save_checkpoint(path, model, json.loads(json.dumps(key, default=str)), info)
    return model, {**info, "loaded": False}
