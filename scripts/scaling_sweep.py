"""The scaling sweep of notebook 07: GPTs of every size of ``helpers.experiments.scaling.LADDER``, matched tokens, several seeds.

One command (about half an hour with one thread on the course's 2-core machine while it was shared)::

    OMP_NUM_THREADS=1 python scripts/scaling_sweep.py            # -> results/scaling_sweep.json

Options: ``--steps`` (optimiser steps per run, the same for every size: matched tokens), ``--seeds``,
``--sizes`` (how many sizes of the ladder, from the smallest), ``--out``, ``--device``. ``--tiny`` is a
smoke run of a few seconds (tests/test_scaling.py uses it). The JSON holds every run (config, seed,
parameters, tokens, compute, validation loss, seconds), the power-law fit, and provenance without git:
versions, thread count, device, the data fingerprint and checksums of the code that trained the models.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


import helpers  # noqa: E402
from helpers.lm_data import lm_data  # noqa: E402
from helpers.corpus import current_manifest  # noqa: E402
from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402
from helpers.experiments.scaling import KAPLAN_ALPHA_N, LADDER, fit_power_law, train_point  # noqa: E402

TINY_SIZES = [{"n_layer": 1, "n_head": 2, "d_model": 8}, {"n_layer": 1, "n_head": 2, "d_model": 16},
              {"n_layer": 1, "n_head": 2, "d_model": 32}]


CODE = ["helpers/gpt.py", "helpers/experiments/scaling.py", "helpers/lm_data.py", "helpers/train.py",
        "scripts/scaling_sweep.py"]


def provenance(command: str, settings: dict, sizes: list[dict], data, device) -> dict:
    """The stored result's provenance (``helpers.results``): command, seeds, config, code hashes, versions."""
    return make_provenance(command, settings["seeds"], {"settings": settings, "sizes": sizes}, CODE,
                           platform=platform.platform(), device=str(device), helpers=helpers.__version__,
                           data_fingerprint=data.fingerprint, corpus_manifest=current_manifest())


def summarise(runs: list[dict]) -> list[dict]:
    """Mean and spread of the validation loss per size, smallest first."""
    by_size: dict[int, list[dict]] = {}
    for r in runs:
        by_size.setdefault(r["non_embedding"], []).append(r)
    rows = []
    for n in sorted(by_size):
        rs, losses = by_size[n], [r["valid_loss"] for r in by_size[n]]
        rows.append({"size": rs[0]["size"], "params": rs[0]["params"], "non_embedding": n, "tokens": rs[0]["tokens"],
                     "flops": rs[0]["flops"], "valid_loss": statistics.mean(losses),
                     "valid_loss_min": min(losses), "valid_loss_max": max(losses), "seeds": [r["seed"] for r in rs],
                     "seconds": statistics.mean(r["seconds"] for r in rs)})
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=400, help="optimiser steps per run (the same for every size)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--sizes", type=int, default=len(LADDER), help="use the first SIZES sizes of the ladder")
    parser.add_argument("--device", default="cpu", help="cpu (the reference), cuda or mps")
    parser.add_argument("--tiny", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "scaling_sweep.json")
    args = parser.parse_args(argv)

    sizes = TINY_SIZES if args.tiny else LADDER[: args.sizes]
    steps, seeds = (5, [0]) if args.tiny else (args.steps, args.seeds)
    device = helpers.get_device(args.device)
    data = lm_data()
    runs, start = [], time.perf_counter()
    for size in sizes:
        for seed in seeds:
            r = train_point(data, size, steps=steps, batch_size=args.batch_size, block_size=args.block_size,
                            seed=seed, device=device, valid_tokens=2_000 if args.tiny else 20_000)
            runs.append(r)
            print(f"L={size['n_layer']} d={size['d_model']:>3} seed {seed}: N={r['non_embedding']:>9,} "
                  f"valid {r['valid_loss']:.3f}  ({r['seconds']:.0f} s)", flush=True)
    rows = summarise(runs)
    fit = fit_power_law([r["non_embedding"] for r in rows], [r["valid_loss"] for r in rows])
    command = "OMP_NUM_THREADS=1 python scripts/scaling_sweep.py" + (" --tiny" if args.tiny else "")
    settings = {"steps": steps, "batch_size": args.batch_size, "block_size": args.block_size, "seeds": seeds,
                     "lr": runs[0]["lr"], "warmup": runs[0]["warmup"], "tokenizer": "bpe-1024",
                     "valid_tokens": 2_000 if args.tiny else 20_000}
    result = {
        "what": "validation loss of GPTs of several sizes trained on the course text with matched tokens",
        "command": command,
        "settings": settings,
        "fit": {"law": "L(N) = a * N^(-alpha) + c, N = non-embedding parameters", "a": fit.a, "alpha": fit.alpha,
                "c": fit.c, "rmse": fit.rmse, "kaplan_alpha_n": KAPLAN_ALPHA_N},
        "sizes": rows, "runs": runs, "total_seconds": time.perf_counter() - start,
        "provenance": provenance(command, settings, sizes, data, device),
    }
    save_result(str(args.out), result)
    print(f"fit: L(N) = {fit.a:.3g} N^-{fit.alpha:.3f} + {fit.c:.3f} (Kaplan et al.: alpha_N = {KAPLAN_ALPHA_N}); "
          f"{result['total_seconds']:.0f} s; wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
