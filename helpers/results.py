"""Where the course keeps what long runs produced, and what each stored result must say about itself.

Three homes, one rule each (the README's "What is where" says the same):

- ``results/`` (committed): the results of long runs (sweeps, benchmarks) as JSON. Each file has a
  ``provenance`` block with at least the ``command`` that produced it, the ``seeds``, the ``config`` and a
  ``code_sha256`` of the sources that ran (plus versions and date). Notebooks read them with
  ``load_result(name)``, scripts write them with ``save_result(name, result)``; both refuse a file whose
  provenance is incomplete.
- ``data/weights/`` (committed): trained weights the course ships, each ``NAME.pt`` with ``NAME.pt.sha256``
  beside it, loaded through ``helpers.checkpoints.load_checkpoint`` (sha256 checked, ``weights_only=True``).
- ``checkpoints/`` (git-ignored, ``helpers.checkpoints.CHECKPOINT_DIR``): local caches only, such as
  train-or-load weights, notebook 06's verdict store and ``scripts/train_gpt.py`` runs. Deleting it loses
  nothing that cannot be re-made.

Example::

    from helpers.results import load_result
    sweep = load_result("scaling_sweep")        # results/scaling_sweep.json, provenance checked
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "results"
WEIGHTS_DIR = ROOT / "data" / "weights"
REQUIRED_PROVENANCE = ("command", "seeds", "config", "code_sha256")

__all__ = ["ROOT", "RESULTS_DIR", "WEIGHTS_DIR", "REQUIRED_PROVENANCE", "ResultError", "code_sha256",
           "make_provenance", "check_provenance", "result_path", "load_result", "save_result"]


class ResultError(ValueError):
    """A stored result is missing, unreadable, or does not say how it was made."""


def code_sha256(paths: Iterable[str], root: Path = ROOT) -> dict[str, str]:
    """``{path: first 16 hex digits of its sha256}`` for source files given relative to ``root``."""
    out = {}
    for p in paths:
        f = Path(root) / p
        if not f.is_file():
            raise ResultError(f"cannot fingerprint {p}: no such file under {root}")
        out[str(p)] = hashlib.sha256(f.read_bytes()).hexdigest()[:16]
    return out


def make_provenance(command: str, seeds: list[int], config: dict[str, Any], code: Iterable[str],
                    **extra: Any) -> dict[str, Any]:
    """The provenance block of a result: the four required fields, then date, versions and ``extra``."""
    import torch

    return {"command": command, "seeds": list(seeds), "config": json.loads(json.dumps(config)),
            "code_sha256": code_sha256(code),
            "date_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), **extra}


def check_provenance(result: dict[str, Any], name: str = "result") -> dict[str, Any]:
    """Raise ``ResultError`` naming what is missing unless ``result["provenance"]`` has every required field."""
    prov = result.get("provenance") if isinstance(result, dict) else None
    if not isinstance(prov, dict):
        raise ResultError(f"{name} has no 'provenance' block: a stored result must say how it was made "
                          f"({', '.join(REQUIRED_PROVENANCE)})")
    missing = [k for k in REQUIRED_PROVENANCE if k not in prov or prov[k] in (None, "", [], {})]
    if missing:
        raise ResultError(f"{name}: provenance lacks {', '.join(missing)} (needs {', '.join(REQUIRED_PROVENANCE)})")
    if not isinstance(prov["code_sha256"], dict):
        raise ResultError(f"{name}: provenance code_sha256 must map each source file to its hash")
    return result


def result_path(name: str) -> Path:
    """``results/NAME.json`` for a bare name (``"scaling_sweep"``); any name with a suffix or a folder in it
    (``"sweep.json"``, ``"/tmp/x.json"``) is taken as the path itself."""
    p = Path(name)
    return p if p.suffix or len(p.parts) > 1 or p.is_absolute() else RESULTS_DIR / f"{name}.json"


def load_result(name: str) -> dict[str, Any]:
    """Read a stored result (``"scaling_sweep"`` → ``results/scaling_sweep.json``) and check its provenance.

    A result measured on an earlier version of the generated corpus carries a ``"stale"`` note (what changed and
    the command that re-makes it); loading it prints the note, so a notebook that plots it says so beside the plot.
    """
    path = result_path(name)
    if not path.is_file():
        have = sorted(p.stem for p in RESULTS_DIR.glob("*.json")) if RESULTS_DIR.is_dir() else []
        raise ResultError(f"no stored result {name!r} at {path}; stored results: {', '.join(have) or 'none'}")
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ResultError(f"{path} is not valid JSON ({e}); restore it with `git checkout -- {path.name}` "
                          "or re-run the command in its provenance") from None
    check_provenance(result, str(path.name))
    if result.get("stale"):
        print(f"STALE: {path.name}: {result['stale']}")
    return result


def save_result(name: str, result: dict[str, Any]) -> Path:
    """Write a result (with a complete provenance block) to ``results/NAME.json``, atomically; returns the path."""
    check_provenance(result, name)
    path = result_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
