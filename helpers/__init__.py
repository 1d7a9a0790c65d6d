"""helpers: the tested code behind the course "From attention to decoder-only LLMs".

Notebooks teach a piece of code in the open, then import the tested version from here.
This top-level module holds the two things every notebook needs first:

- ``seed_everything(seed)``: make a run repeat (Python, NumPy and torch generators);
- ``get_device(prefer=None)``: CUDA, then Apple MPS, else the CPU; override with an
  argument or the ``COURSE_DEVICE`` environment variable;
- ``sync(device)``: wait for a GPU's queued work before reading a timer.
"""

from __future__ import annotations

import os
import random

__version__ = "0.1.0"

__all__ = ["__version__", "seed_everything", "get_device", "sync", "describe_environment", "DEVICE_ENV_VAR"]

DEVICE_ENV_VAR = "COURSE_DEVICE"
_VALID_DEVICES = ("cpu", "cuda", "mps")


def seed_everything(seed: int = 0, *, deterministic: bool = True) -> int:
    """Seed Python's, NumPy's and torch's random generators; return the seed.

    With ``deterministic=True`` torch is also asked for deterministic kernels where it
    offers them ("warn only", so an operation without one still runs). On the CPU the
    same notebook then gives the same numbers run after run.
    """
    import numpy as np
    import torch

    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        # cuBLAS needs this set before its first call to be deterministic (else torch warns at every matmul)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        if hasattr(torch.backends, "cudnn"):
            torch.backends.cudnn.benchmark = False
    return seed


def _mps_usable() -> bool:
    import torch

    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available() and mps.is_built())


def get_device(prefer: str | None = None):
    """Return the ``torch.device`` the course runs on.

    Order of choice: the ``prefer`` argument, else the ``COURSE_DEVICE`` environment
    variable, else CUDA if available, then Apple MPS, else the CPU. Asking for a device
    this machine lacks raises a ``RuntimeError`` that says what is available.
    """
    import torch

    choice = prefer if prefer is not None else os.environ.get(DEVICE_ENV_VAR) or None
    if choice is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_usable():
            return torch.device("mps")
        return torch.device("cpu")

    name = str(choice).strip().lower()
    kind = name.split(":")[0]
    if kind not in _VALID_DEVICES:
        raise ValueError(
            f"unknown device {choice!r}: use one of {', '.join(_VALID_DEVICES)} "
            f"(e.g. get_device('cpu') or {DEVICE_ENV_VAR}=cpu)"
        )
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": _mps_usable()}
    if not available[kind]:
        have = ", ".join(k for k, ok in available.items() if ok)
        raise RuntimeError(f"device {name!r} was asked for but is not available here; available: {have}")
    return torch.device(name)


def sync(device=None) -> None:
    """Wait until the GPU has finished the work queued so far (CUDA or MPS); nothing to do on the CPU.

    GPUs run asynchronously: without this, a timer read after a call measures how long it took to *queue*
    the work. ``device``: the ``torch.device`` (or name) in use, or None for any accelerator present.
    """
    import torch

    kind = torch.device(device).type if device is not None else None
    if kind in (None, "cuda") and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
    if kind in (None, "mps") and _mps_usable():
        torch.mps.synchronize()


def count_true(mask):
    """How many entries of a bool tensor are True: an ``int`` for a CPU tensor; on a GPU a 0-dim tensor on its device.

    Turning a GPU number into a Python ``int`` makes the host wait until the device has finished all its queued work.
    The losses call this every training step, so on a GPU they leave the count on the device, and
    ``helpers.train.train`` reads it only when it logs.
    """
    n = mask.sum()
    return int(n) if n.device.type == "cpu" else n


def describe_environment() -> dict[str, str]:
    """Versions of the packages the course uses, and the device: for the start-here check."""
    import importlib.metadata as md
    import platform

    import torch

    info = {"python": platform.python_version(), "helpers": __version__}
    for dist in ("torch", "numpy", "matplotlib", "ipywidgets", "jupyterlab", "sacrebleu", "tokenizers", "tqdm"):
        try:
            info[dist] = md.version(dist)
        except md.PackageNotFoundError:
            info[dist] = "MISSING"
    info["device"] = str(get_device())
    info["torch threads"] = str(torch.get_num_threads())
    return info
