"""The rank probe of notebook 06a: causal against bidirectional attention, with heads small enough to bind.

    python scripts/rank_probe.py run --threads 1      # every run (resumable: a run already logged is skipped)
    python scripts/rank_probe.py report               # results/rank_probe.json
    python scripts/rank_probe.py run --tiny --log /tmp/r   # seconds-long smoke run

Two decoder-only translators that differ only in the mask over the prompt ``<zh> source <en>``: ``do`` (causal)
and ``prefix`` (prefix-LM: the prompt read bidirectionally), each with head size 4 (16 heads) and 32 (2 heads) at
the same width, so every pair has the same parameters. Width 64, 2 layers, feed-forward 256, dropout 0.1,
sinusoidal positions; AdamW at 2e-3 with 200 warm-up steps (the decoder-only arm's tuned recipe in
``scripts/fair_arms.py``, given to both masks alike), batch 64, 1,000 steps, seeds 1–3; loss on the answer only.

Each run logs (``checkpoints/rank_probe/runs.jsonl``): the valid cross-entropy of the answer tokens, and the
mean relative numerical rank (``helpers.experiments.rank_probe``) of every head's map over the test prompts of at
least 16 tokens (4x the small head size), at two tolerances.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402

LOG_DIR = ROOT / "checkpoints" / "rank_probe"
OUT = RESULTS_DIR / "rank_probe.json"
CODE = ["scripts/rank_probe.py", "helpers/experiments/rank_probe.py", "helpers/metrics.py", "helpers/gpt.py",
        "helpers/experiments/task_models.py", "helpers/train.py"]
ARMS = {"do": "causal (decoder-only)", "prefix": "bidirectional prompt (prefix-LM)"}
HEAD_SIZES = (4, 32)
SEEDS = (1, 2, 3)
MODEL = {"d_model": 64, "n_layer": 2, "d_ff": 256}
RECIPE = {"lr": 2e-3, "warmup": 200, "steps": 1000, "batch": 64}
MIN_LEN = 16
RTOLS = (1e-2, 1e-4)


def run_one(data, vocab, arm: str, head: int, seed: int, tiny: bool) -> dict:
    import torch

    from helpers import seed_everything
    from helpers.experiments import text_tasks as tt
    from helpers.experiments.rank_probe import prompt_maps, rank_profile
    from helpers.experiments.task_models import TranslationTextLoader, lm_task_loss, mean_loss, task_gpt_config
    from helpers.gpt import GPT
    from helpers.train import train

    model_cfg = {**MODEL, "d_model": 32, "d_ff": 32} if tiny else MODEL
    recipe = {**RECIPE, "steps": 6, "batch": 16, "warmup": 2} if tiny else RECIPE
    seed_everything(seed)
    model = GPT(task_gpt_config(vocab, n_head=model_cfg["d_model"] // head, **model_cfg))
    prefix = arm == "prefix"
    loss_fn = lambda m, b: lm_task_loss(m, b, prefix_lm=prefix)  # noqa: E731
    t0 = time.perf_counter()
    history = train(model, TranslationTextLoader(data, vocab, recipe["batch"], seed), steps=recipe["steps"],
                    lr=recipe["lr"], warmup=recipe["warmup"], loss_fn=loss_fn, progress=False)
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        valid = mean_loss(model, TranslationTextLoader(data, vocab, 256, 0, split="valid"), loss_fn)
    sources = [ex.source for ex in tt.make_examples(data.test, "zh2en")]
    profile = rank_profile(prompt_maps(model, vocab, sources, prefix_lm=prefix), min_len=4 if tiny else MIN_LEN,
                           rtols=RTOLS)
    return {"arm": arm, "head_size": head, "seed": seed, "n_head": model_cfg["d_model"] // head,
            "parameters": sum(p.numel() for p in model.parameters()), "valid_loss": valid,
            "train_loss_last": history.loss[-1], "seconds": seconds, **profile}


def run_all(log_dir: Path, tiny: bool) -> list[dict]:
    import copy

    from helpers.experiments import text_tasks as tt
    from helpers.experiments.runlog import RunLog
    from helpers.recipes import translation_data

    runs = RunLog(log_dir / f"runs{'-tiny' if tiny else ''}.jsonl",
                  key=lambda row: (row["arm"], row["head_size"], row["seed"]))
    done = runs.done
    data = translation_data()
    if tiny:
        data = copy.copy(data)
        data.train, data.valid, data.test = data.train[:400], data.valid[:16], data.test[:8]
    vocab = tt.TaskVocab.from_pairs(data.train)
    rows = []
    for seed in SEEDS[:1] if tiny else SEEDS:
        for head in HEAD_SIZES:
            for arm in ARMS:
                key = (arm, head, seed)
                if key not in done:
                    row = run_one(data, vocab, arm, head, seed, tiny)
                    runs.add(row)
                    print(f"[rank] {arm} head {head} seed {seed}: valid {row['valid_loss']:.4f} relative rank "
                          f"{row['relative_rank']} ({row['seconds']:.0f} s)", flush=True)
                rows.append(done[key])
    return rows


def report(log_dir: Path, out: Path, tiny: bool = False) -> int:
    log = log_dir / f"runs{'-tiny' if tiny else ''}.jsonl"
    if not log.is_file():
        raise SystemExit(f"no log at {log}: run `python scripts/rank_probe.py run` first")
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    result = {"runs": rows, "arms": ARMS, "head_sizes": list(HEAD_SIZES), "model": MODEL, "recipe": RECIPE,
              "min_len": MIN_LEN, "rtols": list(RTOLS),
              "provenance": make_provenance("python scripts/rank_probe.py run --threads 1; python scripts/rank_probe.py "
                                            "report", list(SEEDS), {"model": MODEL, "recipe": RECIPE, "min_len": MIN_LEN,
                                                                    "head_sizes": list(HEAD_SIZES)},
                                            CODE, machine=platform.machine())}
    save_result(str(out), result)
    print(f"wrote {out}")
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("run", "report"))
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tiny", action="store_true", help="tiny models and budgets: a smoke run in seconds")
    parser.add_argument("--log", type=Path, default=LOG_DIR)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.command == "report":
        return report(args.log, args.out, args.tiny)
    run_all(args.log, args.tiny)
    return 0


if __name__ == "__main__":
    sys.exit(main())
