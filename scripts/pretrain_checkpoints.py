#!/usr/bin/env python3
"""Pre-train the course's models once, before class: ``make checkpoints`` (= ``python3 course.py checkpoints``).

Notebooks 02-05 train their models through ``helpers.checkpoints.train_or_load``: when ``checkpoints/`` already
holds a model trained with identical settings, the notebook loads it (checksum-verified, ``weights_only``) in a
second instead of training it for a minute or more. This script runs the same training recipes the notebooks
call, with the same settings and the same device choice (``helpers.get_device()``, or ``COURSE_DEVICE``), so
every notebook then finds its model ready. It prints each checkpoint's SHA-256 and writes them to
``checkpoints/SHA256SUMS`` (the format ``sha256sum -c`` reads), so a lecturer who copies the folder to the
classroom machines (or a USB stick) can check the copies.

    python3 scripts/pretrain_checkpoints.py               # train what is missing, load what is there
    python3 scripts/pretrain_checkpoints.py --verify      # only verify: fail if a model is missing or corrupt
    python3 scripts/pretrain_checkpoints.py --retrain     # train everything again, overwriting
    python3 scripts/pretrain_checkpoints.py --only gpt    # one recipe (names: see --help)

The first run trains each model once (a few minutes on a 2-core CPU); a run with every checkpoint present takes
seconds. Checkpoints go to ``checkpoints/`` or ``$COURSE_CHECKPOINT_DIR``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@dataclass(frozen=True)
class Recipe:
    name: str                 # the checkpoint's name prefix (helpers.checkpoints: <name>-<hash of settings>.pt)
    notebooks: str            # where it is used
    train: Callable           # (device, retrain) -> (model, info): the notebook's own call


def _translation():
    from helpers.recipes import translation_data

    return translation_data()


def _rnn(attention: bool):
    def train(device, retrain):
        from helpers.recipes import train_rnn

        return train_rnn(_translation(), attention=attention, device=device, live_plot=False, retrain=retrain)
    return train


def _transformer(device, retrain):
    from helpers.recipes import train_transformer

    return train_transformer(_translation(), device=device, live_plot=False, retrain=retrain)


def _gpt(device, retrain):
    from helpers.lm_data import lm_data, train_gpt

    return train_gpt(lm_data(), device=device, live_plot=False, retrain=retrain, progress=False)


# Notebooks 06 and 07 add their recipes here as they land.
RECIPES = (
    Recipe("rnn-plain", "02, 03", _rnn(False)),
    Recipe("rnn-attention", "03, 04", _rnn(True)),
    Recipe("transformer", "04", _transformer),
    Recipe("gpt", "05", _gpt),
)


def _say(msg: str) -> None:
    print(f"[checkpoints] {msg}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", choices=[r.name for r in RECIPES], help="only this recipe (repeatable)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--verify", action="store_true", help="train nothing; fail if a checkpoint is missing/corrupt")
    mode.add_argument("--retrain", action="store_true", help="train every model again, overwriting its checkpoint")
    args = ap.parse_args(argv)

    import helpers
    from helpers import checkpoints

    device = helpers.get_device()
    chosen = [r for r in RECIPES if not args.only or r.name in args.only]
    _say(f"device {device}; checkpoints in {checkpoints.CHECKPOINT_DIR}")
    sums, failed = [], []
    used: list[Path] = []
    original_path = checkpoints.checkpoint_path

    def recording_path(name, key):   # train_or_load asks this for the file it loads or writes: note which
        path = original_path(name, key)
        used.append(path)
        return path

    for recipe in chosen:
        start = time.perf_counter()
        if args.verify:
            found = sorted(checkpoints.CHECKPOINT_DIR.glob(f"{recipe.name}-*.pt"))
            if not found:
                failed.append(f"{recipe.name}: no checkpoint (run `make checkpoints` first)")
                continue
            bad = []
            for path in found:
                try:
                    checkpoints.load_checkpoint(path)
                except checkpoints.CheckpointError as err:
                    bad.append(f"{recipe.name}: {err}")
            failed += bad
            for path in ([] if bad else found):
                digest = path.with_suffix(path.suffix + ".sha256").read_text().strip()
                sums.append(f"{digest}  {path.name}")
                _say(f"{recipe.name:<14} notebooks {recipe.notebooks:<7} verified  {path.name}  sha256 {digest}")
            continue
        else:
            used.clear()
            checkpoints.checkpoint_path = recording_path
            try:
                _, info = recipe.train(device, args.retrain)
            finally:
                checkpoints.checkpoint_path = original_path
            path = [p for p in used if p.name.startswith(recipe.name + "-")][-1]
            checkpoints.load_checkpoint(path)   # verifies the checksum written beside it
            how = "loaded (already trained)" if info.get("loaded") else f"trained in {info.get('seconds', 0):.0f} s"
        digest = path.with_suffix(path.suffix + ".sha256").read_text().strip()
        sums.append(f"{digest}  {path.name}")
        _say(f"{recipe.name:<14} notebooks {recipe.notebooks:<7} {how:<28} {path.name}  sha256 {digest[:16]}… "
             f"({time.perf_counter() - start:.0f} s)")
    if sums:
        manifest = checkpoints.CHECKPOINT_DIR / "SHA256SUMS"
        old = manifest.read_text().splitlines() if manifest.exists() else []
        names = {line.split("  ", 1)[1] for line in sums}
        keep = [line for line in old if "  " in line and line.split("  ", 1)[1] not in names]
        manifest.write_text("\n".join(sorted(keep + sums, key=lambda s: s.split("  ", 1)[1])) + "\n")
        _say(f"checksums in {manifest} (check copies with: cd {manifest.parent} && sha256sum -c SHA256SUMS)")
    for problem in failed:
        _say(f"error: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
