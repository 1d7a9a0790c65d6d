"""Tune notebook 04's two translators with the same effort, then compare them at the notebook's budget and converged.

    python scripts/tune_translators.py run --arm gru --threads 1           # one arm's whole plan (resumable)
    python scripts/tune_translators.py run --arm transformer --threads 1   # the other arm, in a second process
    python scripts/tune_translators.py timing                              # per-step cost of both, interleaved
    python scripts/tune_translators.py report                              # results/translator_tuning.json
    python scripts/tune_translators.py run --arm gru --tiny --log /tmp/t   # seconds-long smoke run (the test)

The two arms are the GRU encoder–decoder with attention (notebook 03) and the encoder–decoder Transformer
(notebook 04), both at the course's size, batch 64, the same length-bucketed batches, AdamW, gradient clipping 1.

**Plan of each arm** (every arm gets exactly the same plan; each run appends one JSON line to
``checkpoints/tune/ARM.jsonl``, and a run already in the log is skipped, so an interrupted plan resumes):

1. *Tuning* at the notebooks' budget (600 steps, seed 0), scored by the cross-entropy on the ``valid`` pairs
   (label smoothing off when scoring), a coordinate search: learning rate {1e-3, 2e-3, 4e-3} x warm-up {0, 200}
   (a best rate on the grid's edge extends it by a factor 2 that way, at most twice);
   then, at the best of those, label smoothing {0, 0.1} x dropout {0.1, 0.3}; then, at the best so far, a cosine
   decay of the learning rate to a tenth. 10 runs per arm (more if the grid extends).
2. *Budget*: the chosen recipe, 600 steps, seeds 1, 2, 3 (held out from tuning). BLEU on the longest third of
   ``test`` (lengths seen in training) and on ``test_long`` (longer than any training sentence).
3. *Long*: the chosen recipe for ``--long-steps`` (default 3000) steps, seeds 1, 2, 3, scored the same way at
   several points on the way, so the curves show whether both have converged and allow an equal-wall-time
   reading (with the per-step cost from ``timing``).

``report`` gathers the logs into ``results/translator_tuning.json`` with its provenance.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.corpus import current_manifest  # noqa: E402
from helpers.recipes import longest_third  # noqa: E402
from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402

LOG_DIR = ROOT / "checkpoints" / "tune"
OUT = RESULTS_DIR / "translator_tuning.json"
CODE = ["scripts/tune_translators.py", "helpers/rnn.py", "helpers/transformer.py", "helpers/attention.py",
        "helpers/train.py", "helpers/recipes.py", "helpers/evaluate.py", "helpers/metrics.py"]
ARMS = ("gru", "transformer")
BASE = {"lr": 2e-3, "warmup": 0, "label_smoothing": 0.0, "dropout": 0.1, "decay": "constant"}
STAGE1 = [{"lr": lr, "warmup": w} for lr in (1e-3, 2e-3, 4e-3) for w in (0, 200)]
STAGE2 = [{"label_smoothing": ls, "dropout": d} for ls in (0.0, 0.1) for d in (0.1, 0.3)]
STAGE3 = [{"decay": "cosine"}]
MAX_EXTEND = 2       # how many times stage 1 may extend its learning-rate grid when the best is on its edge
BUDGET_STEPS = 600
FINAL_SEEDS = (1, 2, 3)
LONG_EVAL_FRACTIONS = (0.2, 0.4, 0.7, 1.0)   # where a long run is also scored with BLEU


class Runner:
    def __init__(self, arm: str, tiny: bool, log_dir: Path):
        from helpers.recipes import translation_data

        self.arm, self.tiny = arm, tiny
        self.data = translation_data()
        if tiny:
            self.data.valid, self.data.test, self.data.test_long = (self.data.valid[:32], self.data.test[:30],
                                                                    self.data.test_long[:8])
        self.test_long3 = longest_third(self.data.test)
        self.log = log_dir / f"{arm}{'-tiny' if tiny else ''}.jsonl"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.done = {}
        if self.log.is_file():
            for line in self.log.read_text().splitlines():
                row = json.loads(line)
                self.done[row["key"]] = row

    def build(self, recipe: dict, seed: int):
        from helpers import seed_everything
        from helpers.recipes import rnn_config, transformer_config
        from helpers.rnn import Seq2Seq
        from helpers.transformer import Transformer

        seed_everything(seed)
        small = {"hidden_dim": 32, "emb_dim": 16, "attn_dim": 16} if self.tiny else {}
        if self.arm == "gru":
            return Seq2Seq(rnn_config(self.data, True, dropout=recipe["dropout"], **small))
        small = {"d_model": 32, "d_ff": 64, "n_heads": 2} if self.tiny else {}
        return Transformer(transformer_config(self.data, dropout=recipe["dropout"], **small))

    def valid_loss(self, model) -> float:
        """Token-weighted cross-entropy on the valid pairs (no label smoothing), in eval mode."""
        import torch

        from helpers.experiments.task_models import mean_loss
        from helpers.train import seq2seq_loss

        model.eval()
        with torch.no_grad():
            return mean_loss(model, self.data.loader(256, 0, split="valid"), seq2seq_loss)

    def bleu(self, model) -> dict:
        from helpers.evaluate import evaluate_translation

        out = {}
        for name, pairs in (("test_long3", self.test_long3), ("test_long", self.data.test_long)):
            report = evaluate_translation(model, pairs, self.data.src_vocab, self.data.tgt_vocab)
            out[f"bleu_{name}"], out[f"chrf_{name}"] = report.bleu, report.chrf
        return out

    def run(self, stage: str, recipe: dict, seed: int, steps: int, *, curve: bool = False) -> dict:
        """Train one model; score it on ``valid`` (and, unless tuning, BLEU); log it. ``curve``: score on the way."""
        from functools import partial

        from helpers.train import seq2seq_loss, train

        key = json.dumps({"stage": stage, "seed": seed, "steps": steps, **recipe}, sort_keys=True)
        if key in self.done:
            return self.done[key]
        model = self.build(recipe, seed)
        every = max(1, steps // 10) if curve else None
        bleu_at = {round(steps * f) for f in LONG_EVAL_FRACTIONS} if curve else set()
        rows = []

        def evaluate(m):
            step = every * (len(rows) + 1) if every and every * (len(rows) + 1) < steps else steps
            row = {"step": step, "valid_loss": self.valid_loss(m)}
            if step in bleu_at or (step == steps and stage != "tune"):
                row.update(self.bleu(m))
            rows.append(row)
            return {"valid_loss": row["valid_loss"]}

        failed, t0 = None, time.perf_counter()
        try:
            history = train(model, self.data.loader(64, seed), steps=steps, lr=recipe["lr"], warmup=recipe["warmup"],
                            decay=recipe["decay"], loss_fn=partial(seq2seq_loss, label_smoothing=recipe["label_smoothing"]),
                            eval_fn=evaluate if curve else None, eval_every=every, progress=False)
            train_loss = history.loss
        except FloatingPointError as e:
            failed, train_loss = str(e), []
        if not rows or rows[-1]["step"] != steps:            # tuning runs: one evaluation, at the end
            if not failed:
                evaluate(model)
        result = {"key": key, "arm": self.arm, "stage": stage, "seed": seed, "steps": steps, "recipe": recipe,
                  "evals": rows, "train_loss": train_loss, "failed": failed, "seconds": time.perf_counter() - t0,
                  "valid_loss": rows[-1]["valid_loss"] if rows and not failed else math.inf,
                  "parameters": sum(p.numel() for p in model.parameters())}
        with self.log.open("a") as f:
            f.write(json.dumps(result) + "\n")
        self.done[key] = result
        last = rows[-1] if rows else {}
        print(f"[{self.arm}] {stage} seed {seed} {recipe}: valid {result['valid_loss']:.4f} "
              f"{ {k: round(v, 1) for k, v in last.items() if k.startswith('bleu')} } "
              f"{result['seconds']:.0f} s{' FAILED ' + failed if failed else ''}", flush=True)
        return result


def plan(runner: Runner, long_steps: int, budget_steps: int) -> dict:
    """The arm's whole plan (see the module docstring); returns the chosen recipe."""
    best = dict(BASE)
    for stage in (STAGE1, STAGE2, STAGE3):
        # every stage also counts the best recipe so far (a run already in the log is not repeated)
        results = [runner.run("tune", r, 0, budget_steps) for r in [best] + [{**best, **c} for c in stage]]
        best = dict(min(results, key=lambda r: r["valid_loss"])["recipe"])
        while stage is STAGE1 and len(results) < len(STAGE1) + 1 + 2 * MAX_EXTEND:
            # a best learning rate on the edge of the grid: extend the grid by a factor 2 that way (both warm-ups)
            lrs = sorted({r["recipe"]["lr"] for r in results})
            if best["lr"] not in (lrs[0], lrs[-1]):
                break
            lr = best["lr"] * (2 if best["lr"] == lrs[-1] else 0.5)
            results += [runner.run("tune", {**best, "lr": lr, "warmup": w}, 0, budget_steps) for w in (0, 200)]
            new_best = dict(min(results, key=lambda r: r["valid_loss"])["recipe"])
            if new_best["lr"] != lr:
                best = new_best
                break
            best = new_best
    for seed in FINAL_SEEDS:
        runner.run("budget", best, seed, budget_steps)
    for seed in FINAL_SEEDS:
        runner.run("long", best, seed, long_steps, curve=True)
    return best


def seconds_per_step(tiny: bool = False, batches: int = 12) -> dict:
    """Median forward+backward+update seconds per training batch of both arms, measured interleaved (so a load
    that comes and goes hits both alike), with their default recipes, at torch's thread count."""
    import torch

    from helpers.train import seq2seq_loss

    runners = {arm: Runner(arm, tiny, LOG_DIR) for arm in ARMS}
    models = {arm: r.build(BASE, 0) for arm, r in runners.items()}
    opts = {arm: torch.optim.AdamW(m.parameters(), lr=1e-4) for arm, m in models.items()}
    data = runners["gru"].data
    loader = [b for b, _ in zip(data.loader(64, 1), range(batches))]
    times = {arm: [] for arm in ARMS}
    for batch in loader:
        for arm in ARMS:
            m = models[arm]
            m.train()
            t = time.perf_counter()
            loss, _ = seq2seq_loss(m, batch)
            opts[arm].zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opts[arm].step()
            times[arm].append(time.perf_counter() - t)
    med = {arm: statistics.median(v[2:]) for arm, v in times.items()}
    return {"seconds_per_step": med, "transformer_over_gru": med["transformer"] / med["gru"], "batches": batches,
            "threads": torch.get_num_threads()}


def report(log_dir: Path, out: Path, argv) -> int:
    rows = {}
    for arm in ARMS:
        path = log_dir / f"{arm}.jsonl"
        if not path.is_file():
            raise SystemExit(f"no log {path}: run `python scripts/tune_translators.py run --arm {arm}` first")
        rows[arm] = [json.loads(line) for line in path.read_text().splitlines()]
    timing_path = log_dir / "timing.json"
    timing = json.loads(timing_path.read_text()) if timing_path.is_file() else None
    chosen = {}
    for arm, rs in rows.items():
        final = [r for r in rs if r["stage"] == "budget"]
        chosen[arm] = final[0]["recipe"] if final else None
    result = {"arms": {arm: {"chosen": chosen[arm], "runs": rs} for arm, rs in rows.items()},
              "grid": {"stage1": STAGE1, "stage2": STAGE2, "stage3": STAGE3, "base": BASE},
              "timing": timing,
              "provenance": make_provenance(
                  "python scripts/tune_translators.py run --arm gru --threads 1 & "
                  "python scripts/tune_translators.py run --arm transformer --threads 1; "
                  "python scripts/tune_translators.py timing; python scripts/tune_translators.py report",
                  [0, *FINAL_SEEDS], {"budget_steps": BUDGET_STEPS, "batch_size": 64,
                                      "long_eval_fractions": LONG_EVAL_FRACTIONS}, CODE,
                  machine=platform.machine(), corpus_manifest=current_manifest())}
    save_result(str(out), result)
    print(f"wrote {out}")
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("run", "timing", "report"))
    parser.add_argument("--arm", choices=ARMS)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tiny", action="store_true", help="tiny models and budgets: a smoke run in seconds")
    parser.add_argument("--long-steps", type=int, default=3000)
    parser.add_argument("--log", type=Path, default=LOG_DIR, help="folder of the per-arm run logs")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.command == "run":
        if not args.arm:
            parser.error("run needs --arm gru or --arm transformer")
        runner = Runner(args.arm, args.tiny, args.log)
        best = plan(runner, 40 if args.tiny else args.long_steps, 20 if args.tiny else BUDGET_STEPS)
        print(f"[{args.arm}] chosen recipe: {best}")
        return 0
    if args.command == "timing":
        timing = seconds_per_step(args.tiny)
        args.log.mkdir(parents=True, exist_ok=True)
        (args.log / "timing.json").write_text(json.dumps(timing, indent=1))
        print(timing)
        return 0
    return report(args.log, args.out, argv)


if __name__ == "__main__":
    sys.exit(main())
