"""Claim D5 (notebook 07b): images as tokens in one decoder, beside an encoder–decoder given the same job.

    python scripts/multimodal_arms.py run --threads 1      # both arms' plans (resumable), then the report
    python scripts/multimodal_arms.py report               # results/multimodal_arms.json from the run log
    python scripts/multimodal_arms.py run --tiny --log /tmp/m --out /tmp/m.json   # seconds-long smoke run

**The task** (``helpers.experiments.multimodal``): 8 × 8 drawn digits, 4 grey levels as 4 pixel tokens, captions in
Chinese and English. One model learns both directions: **read** (image -> caption) and **draw** (caption -> image).
Training images: 100 per digit (seed 0); validation for the choice of recipe: 20 per digit (seed 2); test: 30 per
digit (seed 1), never used to choose.

**The arms** (same data, batches of 32 rows drawn by the same seeded sampler, AdamW, warm-up 20 steps, no dropout):

* ``do``: notebook 07b's decoder-only GPT (2 layers, width 64, 4 heads), next-token loss on whole sequences
  ``<eos> <img> pixels </img> caption <eos>`` and ``<eos> caption <img> pixels </img> <eos>``;
* ``ed``: an encoder–decoder Transformer (1 + 1 layers, width 64, 4 heads, feed-forward 256): the encoder reads the
  image block (read) or the caption (draw), the decoder writes the other; loss on the decoder's tokens.

**Plan of each arm**: learning rate {1e-3, 3e-3, 1e-2} at ``BUDGET`` steps with seed 0, chosen by the mean of reading
accuracy and drawing recognition on the validation images; then seeds 1, 2, 3 at ``LONG`` steps, scored on the test
images at each of ``MARKS`` (reading accuracy: the whole caption right; drawing: 10 drawings per digit at
temperature 0.8, judged by a nearest-mean reader that learns nothing).

**Verdicts** (``helpers.experiments.noise.compare`` on percentages, 3 seeds, minimum effect 5 points): D5 as the
article states it (the decoder-only model reads images, and draws them, better than chance, 10 %), and whether images
as tokens favour the decoder-only family (``do`` against ``ed``, reading and drawing).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.experiments.runlog import RunLog  # noqa: E402
from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402

LOG = RESULTS_DIR / "runs" / "multimodal.jsonl"
OUT = RESULTS_DIR / "multimodal_arms.json"
CODE = ["scripts/multimodal_arms.py", "helpers/experiments/multimodal.py", "helpers/gpt.py", "helpers/transformer.py",
        "helpers/train.py", "helpers/experiments/finetune.py", "helpers/experiments/noise.py"]
ARMS = {"do": "decoder-only (2 layers)", "ed": "encoder–decoder (1 + 1 layers)"}
GRID = (1e-3, 3e-3, 1e-2)
BUDGET, LONG, MARKS = 1000, 2000, (250, 500, 1000, 2000)
SEEDS = (1, 2, 3)
CHANCE = 0.1
MIN_EFFECT = 0.05


def _setup(tiny: bool) -> dict:
    import torch

    from helpers.experiments import multimodal as mm

    codec = mm.ImageTextCodec(levels=4, size=8)
    n_train, n_valid, n_test = (10, 2, 3) if tiny else (100, 20, 30)
    data = {}
    for split, (n, seed) in {"train": (n_train, 0), "valid": (n_valid, 2), "test": (n_test, 1)}.items():
        images, labels = mm.digit_images(n, seed=seed)
        data[split] = (codec.quantise(images), labels)
    pix, labels = data["train"]
    lm_rows = torch.cat([codec.sequences(pix, labels, "read"), codec.sequences(pix, labels, "draw")])
    reader = mm.nearest_mean(codec.dequantise(pix), labels)
    return {"tiny": tiny, "codec": codec, "data": data, "lm_rows": lm_rows, "ed_rows": mm.ed_rows(codec, pix, labels),
            "reader": reader}


def build(arm: str, codec, seed: int, tiny: bool):
    from helpers import seed_everything
    from helpers.experiments.multimodal import EncoderDecoderTwin
    from helpers.gpt import GPT, GPTConfig
    from helpers.transformer import Transformer, TransformerConfig

    seed_everything(seed)
    width = 32 if tiny else 64
    if arm == "do":
        return GPT(GPTConfig(vocab_size=len(codec), block_size=80, n_layer=2, n_head=4, d_model=width))
    return EncoderDecoderTwin(Transformer(TransformerConfig(
        len(codec), len(codec), d_model=width, n_heads=4, n_enc_layers=1, n_dec_layers=1, d_ff=4 * width,
        dropout=0.0, max_len=80)), codec)


def score(model, setup: dict, split: str, seed: int) -> dict:
    """Reading accuracy on every image of ``split``; drawing recognition of 10 drawings per digit (tiny: 2)."""
    import numpy as np
    import torch

    from helpers.experiments import multimodal as mm

    codec, (pix, labels) = setup["codec"], setup["data"][split]
    model.eval()
    read = float((mm.read_captions(model, codec, pix).numpy() == labels).mean())
    asked = np.repeat(np.arange(10), 2 if setup["tiny"] else 10)
    drawn = mm.draw_digits(model, codec, asked, temperature=0.8, generator=torch.Generator().manual_seed(seed))
    drawn_ok = float((setup["reader"](drawn) == asked).mean())
    model.train()
    return {"read": read, "draw": drawn_ok}


def run_one(arm: str, lr: float, seed: int, steps: int, marks, setup: dict, split: str, tiny: bool) -> dict:
    from helpers.experiments.finetune import RandomRows
    from helpers.experiments.multimodal import ed_loss
    from helpers.gpt import lm_loss
    from helpers.train import train

    model = build(arm, setup["codec"], seed, tiny)
    rows = setup["lm_rows"] if arm == "do" else setup["ed_rows"]
    evals, step = [], {"n": 0}

    def at_marks(m):
        step["n"] += 1
        if step["n"] in marks:
            evals.append({"step": step["n"], **score(m, setup, split, seed)})
        return {}

    t0 = time.perf_counter()
    history = train(model, RandomRows(rows, batch_size=32, seed=seed), steps=steps, lr=lr, warmup=20,
                    loss_fn=lm_loss if arm == "do" else ed_loss, progress=False, eval_every=1, eval_fn=at_marks)
    return {"arm": arm, "lr": lr, "seed": seed, "steps": steps, "split": split, "evals": evals,
            "final_loss": history.final_loss, "seconds": time.perf_counter() - t0,
            "parameters": sum(p.numel() for p in model.parameters())}


def plan(arm: str, log: RunLog, setup: dict, tiny: bool) -> float:
    budget, long, marks = (20, 40, (20, 40)) if tiny else (BUDGET, LONG, MARKS)
    tuned = []
    for lr in GRID:
        key = f"{arm} tune lr={lr}"
        row = log.done.get(key) or log.add({"key": key, **run_one(arm, lr, 0, budget, (budget,), setup, "valid", tiny)})
        tuned.append(row)
        print(f"[{arm}] tune lr {lr}: {row['evals'][-1]}", flush=True)
    best = max(tuned, key=lambda r: (r["evals"][-1]["read"] + r["evals"][-1]["draw"]) / 2)["lr"]
    for seed in SEEDS:
        key = f"{arm} long lr={best} seed={seed}"
        row = log.done.get(key) or log.add({"key": key, **run_one(arm, best, seed, long, marks, setup, "test", tiny)})
        print(f"[{arm}] seed {seed} (lr {best}): {row['evals'][-1]} in {row['seconds']:.0f} s", flush=True)
    return best


def report(log: RunLog, out: Path, tiny: bool) -> dict:
    from helpers.experiments import noise

    arms = {}
    for arm, label in ARMS.items():
        tune = [r for r in log.done.values() if r["arm"] == arm and r["split"] == "valid"]
        long = sorted((r for r in log.done.values() if r["arm"] == arm and r["split"] == "test"), key=lambda r: r["seed"])
        if tune and long:
            arms[arm] = {"label": label, "parameters": long[0]["parameters"], "chosen_lr": long[0]["lr"],
                         "tuning": [{"lr": r["lr"], **r["evals"][-1]} for r in tune],
                         "seeds": [r["seed"] for r in long],
                         "curves": {str(r["seed"]): r["evals"] for r in long},
                         "final": {m: [r["evals"][-1][m] for r in long] for m in ("read", "draw")},
                         "seconds": [r["seconds"] for r in long]}
    verdicts = {}       # judged in percentage points, so the minimum effect reads as 5 points
    pct = lambda xs: [100 * x for x in xs]                                              # noqa: E731
    if "do" in arms:
        for m, what in (("read", "reads"), ("draw", "draws")):
            got = arms["do"]["final"][m]
            verdicts[f"D5 one decoder {what} images"] = asdict(noise.compare(
                pct(got), [100 * CHANCE] * len(got), claim="higher", min_effect=100 * MIN_EFFECT))
    if {"do", "ed"} <= set(arms):
        for m in ("read", "draw"):
            verdicts[f"decoder-only {m}s better than encoder–decoder"] = asdict(noise.compare(
                pct(arms["do"]["final"][m]), pct(arms["ed"]["final"][m]), claim="higher",
                min_effect=100 * MIN_EFFECT))
    result = {"arms": arms, "verdicts": verdicts, "chance": CHANCE, "min_effect": MIN_EFFECT, "grid": list(GRID),
              "budget_steps": BUDGET, "long_steps": LONG, "marks": list(MARKS),
              "provenance": make_provenance("python scripts/multimodal_arms.py run --threads 1", [0, *SEEDS],
                                            {"grid": list(GRID), "budget": BUDGET, "long": LONG, "tiny": tiny},
                                            CODE, machine=platform.machine())}
    save_result(str(out), result)
    print(json.dumps(verdicts, indent=1, default=str))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("run", "report"))
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--log", type=Path, default=LOG)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    log = RunLog(args.log)
    if args.command == "run":
        setup = _setup(args.tiny)
        for arm in ARMS:
            plan(arm, log, setup, args.tiny)
    report(log, args.out, args.tiny)
    return 0


if __name__ == "__main__":
    sys.exit(main())
