"""Notebook 06a's fair comparison: five ways to build a translator, each tuned the same way, trained to a plateau.

    python scripts/fair_arms.py run --data synthetic --arm ed --threads 1     # one arm's whole plan (resumable)
    python scripts/fair_arms.py run --data synthetic --arm do --threads 1     # ... another arm, in a second process
    python scripts/fair_arms.py timing --data synthetic                       # seconds per step of every arm
    python scripts/fair_arms.py long-range                                    # the long-range probe (trained weights)
    python scripts/fair_arms.py ladder --data synthetic --arm ed --threads 1  # claim D4: the arm at widths 32-96
    python scripts/fair_arms.py report                                        # results/fair_arms.json
    python scripts/fair_arms.py run --data synthetic --arm ed --tiny --log /tmp/f   # seconds-long smoke run

**The arms** (all see the same pairs in the same length-bucketed batches, in the same order; width 128, 4 heads,
feed-forward 512, dropout 0.1, sinusoidal positions, AdamW, batch 64, gradient clipping 1):

* ``ed``: notebook 04's encoder–decoder, 2 encoder + 2 decoder layers;
* ``ed_shared``: an encoder–decoder whose decoder layer i reuses encoder layer i's self-attention, feed-forward and
  norms (3 + 3 layers): the decoder-only model's size to within 0.1 %;
* ``do``: a decoder-only model (4 layers) reading ``<zh> source <en> target <eos>``, loss on the answer only;
* ``do_full``: the same, loss on every next token of the text ("full LM": it also learns to write Chinese);
* ``prefix``: the decoder-only model with a bidirectional prompt (prefix-LM), loss on the answer only.

``--data tatoeba`` runs ``ed``, ``do`` and ``prefix`` on the real Tatoeba pairs (``helpers.recipes.tatoeba_data``).

**Plan of each arm** (every arm gets exactly the same plan; each run appends one JSON line to
``results/runs/fair/DATA-ARM.jsonl``, a tracked folder, so that a sweep split across sittings keeps every finished
run; a run already in the log is skipped, so an interrupted plan resumes; trained weights go to ``checkpoints/fair/``,
which git ignores, or with ``--log DIR`` to ``DIR/weights/``):

1. *Tuning*: learning rate {1e-3, 2e-3, 4e-3} x warm-up {0, 200} at 600 steps, seed 0, scored by the cross-entropy of
   the answer tokens on the ``valid`` pairs (the same tokens for every arm); a best rate on the grid's edge extends
   the grid by a factor 2 that way, at most twice.
2. *Long runs*: the chosen recipe, seeds 1, 2, 3 (held out from tuning), until ``--long-steps`` and at least until
   every compute level below. The valid loss is logged 10 times on the way; BLEU and chrF on ``test``, on its
   longest third and on ``test_long`` at each compute level and at the end.

**Compute levels**: the training FLOPs of one step of each arm are counted (``torch.utils.flop_counter``, forward +
backward, mean over the first batches); the levels are the encoder–decoder's FLOPs after 600, ``long/2`` and
``long`` steps, and each arm is scored at the step where it has spent the same FLOPs.

``report`` gathers the logs, the FLOP counts and the timing into ``results/fair_arms.json`` with its provenance.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.recipes import longest_third  # noqa: E402
from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402

LOG_DIR = RESULTS_DIR / "runs" / "fair"
OUT = RESULTS_DIR / "fair_arms.json"
CODE = ["scripts/fair_arms.py", "helpers/gpt.py", "helpers/transformer.py", "helpers/attention.py", "helpers/train.py",
        "helpers/recipes.py", "helpers/metrics.py", "helpers/generate.py", "helpers/experiments/task_models.py",
        "helpers/experiments/text_tasks.py", "helpers/tatoeba.py"]
ARMS = {
    "ed": "encoder–decoder (2 + 2 layers)",
    "ed_shared": "encoder–decoder, shared layers (3 + 3)",
    "do": "decoder-only, loss on the answer",
    "do_full": "decoder-only, loss on the whole text",
    "prefix": "prefix-LM, loss on the answer",
}
DATA_ARMS = {"synthetic": tuple(ARMS), "tatoeba": ("ed", "do", "prefix")}
LONG_STEPS = {"synthetic": 3000, "tatoeba": 2000}
GRID = [{"lr": lr, "warmup": w} for lr in (1e-3, 2e-3, 4e-3) for w in (0, 200)]
TINY_GRID = [{"lr": 2e-3, "warmup": 0}, {"lr": 4e-3, "warmup": 0}]     # --tiny: the same plan on a smaller grid
MAX_EXTEND = 2
LADDER_WIDTHS = (32, 48, 64, 96)   # claim D4: the ladder's other widths (the plans' runs are its width 128)
BUDGET_STEPS = 600
FINAL_SEEDS = (1, 2, 3)
BATCH = 64
EVALS_PER_RUN = 10
_DATA: dict = {}


def load_data(dataset: str, tiny: bool):
    """The data set's splits (loaded once per process, a copy per call; ``tiny``: a few thousand pairs)."""
    from helpers.recipes import tatoeba_data, translation_data

    if dataset not in _DATA:
        _DATA[dataset] = translation_data() if dataset == "synthetic" else tatoeba_data()
    data = copy.copy(_DATA[dataset])
    if tiny:
        data.train = data.train[:2000]
        data.valid, data.test, data.test_long = data.valid[:32], data.test[:12], data.test_long[:4]
    return data


class Runner:
    """Builds, trains and scores one arm on one data set; logs every run to ``LOG/DATA-ARM.jsonl``."""

    def __init__(self, dataset: str, arm: str, tiny: bool, log_dir: Path, width: int | None = None):
        from helpers.experiments import text_tasks as tt

        if arm not in DATA_ARMS[dataset]:
            raise SystemExit(f"arm {arm!r} is not run on {dataset} (its arms: {', '.join(DATA_ARMS[dataset])})")
        self.dataset, self.arm, self.tiny, self.width = dataset, arm, tiny, width
        self.max_len = 12 if tiny else 80                 # longest answer written when scoring
        self.batch = 16 if tiny else BATCH
        self.data = load_data(dataset, tiny)
        self.vocab = tt.TaskVocab.from_pairs(self.data.train)
        self.splits = {"test": self.data.test, "test_long3": longest_third(self.data.test),
                       **({"test_long": self.data.test_long} if dataset == "synthetic" else {})}
        self.log = log_dir / f"{dataset}-{arm}{'-tiny' if tiny else ''}.jsonl"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.done = {}
        if self.log.is_file():
            for line in self.log.read_text().splitlines():
                row = json.loads(line)
                self.done[row["key"]] = row

    @property
    def is_ed(self) -> bool:
        return self.arm.startswith("ed")

    def build(self, seed: int):
        from helpers import seed_everything
        from helpers.experiments.task_models import task_gpt_config
        from helpers.gpt import GPT
        from helpers.recipes import transformer_config
        from helpers.transformer import Transformer

        seed_everything(seed)
        small = {"d_model": 32, "d_ff": 64, "n_heads" if self.is_ed else "n_head": 2} if self.tiny else {}
        if self.width:          # a rung of the size ladder: the same depth, width w, 4 heads, feed-forward 4w
            small = {"d_model": self.width, "d_ff": 4 * self.width, "n_heads" if self.is_ed else "n_head": 4}
        if self.is_ed:
            layers = 3 if self.arm == "ed_shared" else 2
            return Transformer(transformer_config(self.data, n_enc_layers=layers, n_dec_layers=layers,
                                                  share_layers=self.arm == "ed_shared", **small))
        return GPT(task_gpt_config(self.vocab, **small))

    def loader(self, seed: int, split: str = "train"):
        from helpers.experiments.task_models import TranslationTextLoader

        size = self.batch if split == "train" else 256
        if self.is_ed:
            return self.data.loader(size, seed, split=split)
        loss_on = "all" if self.arm == "do_full" and split == "train" else "target"
        return TranslationTextLoader(self.data, self.vocab, size, seed, split=split, loss_on=loss_on)

    def loss_fn(self):
        from helpers.experiments.task_models import lm_task_loss
        from helpers.train import seq2seq_loss

        if self.is_ed:
            return seq2seq_loss
        prefix = self.arm == "prefix"
        return lambda m, b: lm_task_loss(m, b, prefix_lm=prefix)

    def valid_loss(self, model) -> float:
        """Cross-entropy of the answer tokens (the English and its ``<eos>``) on the valid pairs, in eval mode."""
        import torch

        from helpers.experiments.task_models import mean_loss

        model.eval()
        with torch.no_grad():
            return mean_loss(model, self.loader(0, "valid"), self.loss_fn())

    def scores(self, model) -> dict:
        """BLEU and chrF of greedy translations on each test split, against the same detokenised references."""
        from helpers import metrics
        from helpers.experiments import task_models as tm
        from helpers.experiments import text_tasks as tt

        out = {}
        for name, pairs in self.splits.items():
            exs = tt.make_examples(pairs, "zh2en")
            sources = [ex.source for ex in exs]
            if self.is_ed:
                answers = tm.seq2seq_answers(model, self.data.src_vocab, self.data.tgt_vocab, sources,
                                             max_len=self.max_len)
            else:
                answers = tm.gpt_answers(model, self.vocab, "zh2en", sources, prefix_lm=self.arm == "prefix",
                                         max_new=self.max_len)
            hyps = [tm.detokenize("zh2en", a.tokens, self.vocab) for a in answers]
            refs = [tm.detokenize("zh2en", ex.target, self.vocab) for ex in exs]
            out[f"bleu_{name}"], out[f"chrf_{name}"] = metrics.bleu(hyps, refs), metrics.chrf(hyps, refs)
        return out

    def flops_per_step(self, batches: int = 6) -> float:
        """Counted training FLOPs of one step (forward + backward), the mean over the first batches of seed 1."""
        from torch.utils.flop_counter import FlopCounterMode

        from helpers.train import _to_device

        model, loss_fn, total = self.build(0), self.loss_fn(), 0
        model.train()
        for i, batch in enumerate(self.loader(1)):
            if i == batches:
                break
            with FlopCounterMode(display=False) as counter:
                loss, _ = loss_fn(model, _to_device(batch, "cpu"))
                loss.backward()
            total += counter.get_total_flops()
        return total / batches

    def run(self, stage: str, recipe: dict, seed: int, steps: int, *, eval_steps=()) -> dict:
        """Train one model and log it. ``eval_steps``: also score BLEU/chrF there (long runs)."""
        from helpers.train import train

        key = json.dumps({"stage": stage, "seed": seed, "steps": steps, **recipe,
                          **({"width": self.width} if self.width else {})}, sort_keys=True)
        if key in self.done:
            return self.done[key]
        model = self.build(seed)
        curve = stage in ("long", "ladder")
        every = max(1, steps // EVALS_PER_RUN)
        marks = sorted({*range(every, steps + 1, every), *eval_steps, steps}) if curve else [steps]
        rows, failed, t0 = [], None, time.perf_counter()

        def evaluate(m, step):
            row = {"step": step, "valid_loss": self.valid_loss(m), "seconds": time.perf_counter() - t0}
            if step in eval_steps or (curve and step == steps):
                row.update(self.scores(m))
            rows.append(row)
            m.train()
            return {"valid_loss": row["valid_loss"]}

        # train in segments between the marks: one optimiser and schedule for the whole run
        try:
            history = train(model, self.loader(seed), steps=steps, lr=recipe["lr"], warmup=recipe["warmup"],
                            loss_fn=self.loss_fn(), progress=False, eval_every=1,
                            eval_fn=_at(marks, evaluate))
            train_loss = history.loss
        except FloatingPointError as e:
            failed, train_loss = str(e), []
        if not failed and (not rows or rows[-1]["step"] != steps):
            evaluate(model, steps)
        result = {"key": key, "data": self.dataset, "arm": self.arm, "stage": stage, "seed": seed, "steps": steps,
                  **({"width": self.width} if self.width else {}),
                  "recipe": recipe, "evals": rows, "train_loss": train_loss[::max(1, len(train_loss) // 300)],
                  "failed": failed, "seconds": time.perf_counter() - t0,
                  "valid_loss": rows[-1]["valid_loss"] if rows and not failed else math.inf,
                  "parameters": sum(p.numel() for p in model.parameters())}
        if stage == "long" and not failed and not self.width:      # kept for the probes that need trained models (rank, long range)
            import torch

            if self.dataset == "synthetic":     # the long-range probe, stored with the run (weights are not tracked)
                result["long_range"] = self.long_range_row(model, seed, steps)

            weights = weights_dir(self.log.parent) / f"{self.log.stem}-seed{seed}.pt"
            weights.parent.mkdir(parents=True, exist_ok=True)
            torch.save({"state_dict": model.state_dict(), "recipe": recipe, "steps": steps}, weights)
            result["weights"] = weights.name
        with self.log.open("a") as f:
            f.write(json.dumps(result) + "\n")
        self.done[key] = result
        last = rows[-1] if rows else {}
        print(f"[{self.dataset}/{self.arm}] {stage} seed {seed} {recipe}: valid {result['valid_loss']:.4f} "
              f"{ {k: round(v, 1) for k, v in last.items() if k.startswith('bleu')} } "
              f"{result['seconds']:.0f} s{' FAILED ' + failed if failed else ''}", flush=True)
        return result


    def long_range_row(self, model, seed: int, steps: int) -> dict:
        """The long-range probe (``helpers.experiments.long_range``) of one trained model: the teacher-forced loss of
        the test pairs' English words, grouped by their distance from their Chinese source in the decoder-only text."""
        import dataclasses

        from helpers.experiments import long_range as lr

        pairs = self.data.test
        scores = lr.token_scores(model, pairs, self.data, vocab=None if self.is_ed else self.vocab,
                                 prefix_lm=self.arm == "prefix")
        buckets = lr.by_distance(pairs, scores)
        model.train()
        return {"seed": seed, "steps": steps, "growth": lr.growth(buckets), "log_growth": lr.growth(buckets, log=True),
                "growth_accuracy": lr.growth(buckets, "accuracy"),
                "buckets": [{**{k: v for k, v in dataclasses.asdict(b).items() if k != "hi"}, "label": b.label}
                            for b in buckets]}


def weights_dir(log_dir: Path) -> Path:
    """Where the long runs' weights go: ``checkpoints/fair/`` for the tracked logs (weights are not committed),
    ``LOG/weights/`` for any other log folder."""
    return ROOT / "checkpoints" / "fair" if log_dir.resolve() == LOG_DIR.resolve() else log_dir / "weights"


def _at(marks, evaluate):
    """An ``eval_fn`` for ``helpers.train`` called every step that evaluates only at the ``marks``."""
    state = {"step": 0}
    marks = set(marks)

    def fn(model):
        state["step"] += 1
        if state["step"] in marks:
            return evaluate(model, state["step"])
        return {}
    return fn


def flops_table(dataset: str, tiny: bool, log_dir: Path) -> dict[str, float]:
    """FLOPs per training step of every arm of ``dataset`` (counted once, cached in the log folder)."""
    path = log_dir / f"{dataset}-flops{'-tiny' if tiny else ''}.json"
    if path.is_file():
        return json.loads(path.read_text())
    table = {arm: Runner(dataset, arm, tiny, log_dir).flops_per_step(2 if tiny else 6) for arm in DATA_ARMS[dataset]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, indent=1))
    return table


def compute_levels(flops: dict[str, float], long_steps: int, budget_steps: int) -> list[float]:
    """The FLOP levels every arm is scored at: the encoder–decoder's after the budget, half the long run, all of it."""
    return [flops["ed"] * s for s in (budget_steps, long_steps // 2, long_steps)]


def plan(runner: Runner, long_steps: int, budget_steps: int, levels: list[float], flops: float) -> dict:
    """The arm's whole plan (see the module docstring); returns the chosen recipe."""
    grid = TINY_GRID if runner.tiny else GRID
    results = [runner.run("tune", r, 0, budget_steps) for r in grid]
    best = dict(min(results, key=lambda r: r["valid_loss"])["recipe"])
    for _ in range(MAX_EXTEND):
        lrs = sorted({r["recipe"]["lr"] for r in results})
        if best["lr"] not in (lrs[0], lrs[-1]):
            break
        lr = best["lr"] * (2 if best["lr"] == lrs[-1] else 0.5)
        warmups = sorted({r["warmup"] for r in grid})
        results += [runner.run("tune", {"lr": lr, "warmup": w}, 0, budget_steps) for w in warmups]
        best = dict(min(results, key=lambda r: r["valid_loss"])["recipe"])
        if best["lr"] != lr:
            break
    eval_steps = sorted({max(1, round(level / flops)) for level in levels})
    steps = max(long_steps, eval_steps[-1])
    for seed in FINAL_SEEDS:
        runner.run("long", best, seed, steps, eval_steps=tuple(eval_steps))
    return best


def ladder(dataset: str, arm: str, widths, tiny: bool, log_dir: Path, long_steps: int) -> dict:
    """Claim D4's size ladder: the arm at other widths (same depth), seeds 1-3, ``long_steps`` steps at the recipe its
    tuning chose at the full width (one recipe for every size of both families: a stated simplification), the
    valid loss logged on the way and the scores at the end. Logged in the arm's run log as stage ``ladder``."""
    base = Runner(dataset, arm, tiny, log_dir)
    tuned = [r for r in base.done.values() if r["stage"] == "tune"]
    if not tuned:
        raise SystemExit(f"{dataset}/{arm} has no tuning runs yet: run its plan first (`fair_arms.py run`)")
    recipe = dict(min(tuned, key=lambda r: r["valid_loss"])["recipe"])
    out = {}
    for width in widths:
        runner = Runner(dataset, arm, tiny, log_dir, width=width)
        out[width] = [runner.run("ladder", recipe, seed, long_steps) for seed in FINAL_SEEDS]
    return out


def seconds_per_step(dataset: str, tiny: bool, log_dir: Path, batches: int = 12) -> dict:
    """Median seconds of one training step (forward, backward, update) of every arm, measured interleaved so that
    a load that comes and goes hits all alike, at torch's thread count."""
    import torch

    from helpers.train import _to_device

    runners = {arm: Runner(dataset, arm, tiny, log_dir) for arm in DATA_ARMS[dataset]}
    models = {arm: r.build(0) for arm, r in runners.items()}
    opts = {arm: torch.optim.AdamW(m.parameters(), lr=1e-4) for arm, m in models.items()}
    loaders = {arm: [b for b, _ in zip(r.loader(1), range(batches))] for arm, r in runners.items()}
    times = {arm: [] for arm in runners}
    for i in range(batches):
        for arm, r in runners.items():
            m, batch = models[arm], _to_device(loaders[arm][i], "cpu")
            m.train()
            t = time.perf_counter()
            loss, _ = r.loss_fn()(m, batch)
            opts[arm].zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opts[arm].step()
            times[arm].append(time.perf_counter() - t)
    return {"seconds_per_step": {arm: statistics.median(v[2:]) for arm, v in times.items()}, "batches": batches,
            "threads": torch.get_num_threads()}


def long_range(dataset: str, tiny: bool, log_dir: Path) -> dict:
    """The long-range probe of every long run: the row stored with the run, or (a log from before the probe ran with
    each run) computed again from its kept weights. Written to ``DATA-long_range.json`` in the log folder."""
    import torch

    from helpers.experiments import long_range as lr

    out = {}
    for arm in DATA_ARMS[dataset]:
        runner = Runner(dataset, arm, tiny, log_dir)
        runs = sorted((r for r in runner.done.values() if r["stage"] == "long" and not r["failed"]),
                      key=lambda r: r["seed"])
        rows = []
        for r in runs:
            row = r.get("long_range")
            if row is None:
                model = runner.build(r["seed"])
                state = torch.load(weights_dir(log_dir) / Path(r["weights"]).name, map_location="cpu",
                                   weights_only=True)
                model.load_state_dict(state["state_dict"])
                row = runner.long_range_row(model, r["seed"], r["steps"])
            rows.append(row)
            print(f"[{dataset}/{arm}] long range seed {r['seed']}: growth {row['growth']:+.4f} "
                  f"{[round(b['loss'], 4) for b in row['buckets']]}", flush=True)
        if rows:
            out[arm] = rows
    path = log_dir / f"{dataset}-long_range{'-tiny' if tiny else ''}.json"
    path.write_text(json.dumps({"edges": list(lr.EDGES), "pairs": "test", "arms": out}, indent=1))
    return out


def tokens_per_step(dataset: str, tiny: bool) -> float:
    """Source and target tokens (with ``<eos>``) of one batch, on average: what every arm reads per step."""
    from helpers.tokenize import tokenize_en, tokenize_zh

    pairs = load_data(dataset, tiny).train
    mean = sum(len(tokenize_zh(p.zh)) + len(tokenize_en(p.en)) + 1 for p in pairs) / len(pairs)
    return mean * (16 if tiny else BATCH)


def report(log_dir: Path, out: Path, tiny: bool = False, long_steps: int | None = None) -> int:
    data, suffix = {}, "-tiny" if tiny else ""
    for dataset, arms in DATA_ARMS.items():
        rows = {}
        for arm in arms:
            path = log_dir / f"{dataset}-{arm}{suffix}.jsonl"
            if path.is_file():
                rows[arm] = [json.loads(line) for line in path.read_text().splitlines()]
        if not rows:
            continue
        flops_path, timing_path = log_dir / f"{dataset}-flops{suffix}.json", log_dir / f"{dataset}-timing{suffix}.json"
        lr_path = log_dir / f"{dataset}-long_range{suffix}.json"
        flops = json.loads(flops_path.read_text()) if flops_path.is_file() else None
        data[dataset] = {
            "arms": {arm: {"label": ARMS[arm], "chosen": next((r["recipe"] for r in rs if r["stage"] == "long"), None),
                           "runs": rs} for arm, rs in rows.items()},
            "flops_per_step": flops,
            "levels": compute_levels(flops, long_steps or (30 if tiny else LONG_STEPS[dataset]),
                                     8 if tiny else BUDGET_STEPS) if flops else None,
            "timing": json.loads(timing_path.read_text()) if timing_path.is_file() else None,
            "tokens_per_step": tokens_per_step(dataset, tiny),
            "long_range": json.loads(lr_path.read_text()) if lr_path.is_file() else None,
            "long_steps": LONG_STEPS[dataset]}
    if not data:
        raise SystemExit(f"no logs in {log_dir}: run `python scripts/fair_arms.py run --data synthetic --arm ed` first")
    result = {"data": data, "grid": GRID, "budget_steps": BUDGET_STEPS, "batch_size": BATCH,
              "provenance": make_provenance(
                  "scripts/fair_sweep.sh A synthetic:ed synthetic:ed_shared synthetic:prefix and, beside it, "
                  "scripts/fair_sweep.sh B synthetic:do synthetic:do_full (then the tatoeba arms the same way; each "
                  "runs python scripts/fair_arms.py run --data D --arm A --threads 1); python scripts/fair_arms.py "
                  "timing --data D; python scripts/fair_arms.py report",
                  [0, *FINAL_SEEDS], {"long_steps": LONG_STEPS, "budget_steps": BUDGET_STEPS, "batch_size": BATCH,
                                      "grid": GRID, "max_extend": MAX_EXTEND}, CODE, machine=platform.machine())}
    save_result(str(out), result)
    print(f"wrote {out}")
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("run", "ladder", "flops", "timing", "long-range", "report"))
    parser.add_argument("--data", choices=tuple(DATA_ARMS), default="synthetic")
    parser.add_argument("--arm", choices=tuple(ARMS))
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--tiny", action="store_true", help="tiny models and budgets: a smoke run in seconds")
    parser.add_argument("--long-steps", type=int, default=None)
    parser.add_argument("--widths", type=int, nargs="+", default=list(LADDER_WIDTHS), help="ladder: the widths")
    parser.add_argument("--log", type=Path, default=LOG_DIR, help="folder of the per-arm run logs")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.command == "report":
        return report(args.log, args.out, args.tiny, args.long_steps)
    if args.command == "long-range":
        if args.data != "synthetic":
            parser.error("the long-range probe needs the synthetic corpus's word alignments: --data synthetic")
        long_range(args.data, args.tiny, args.log)
        return 0
    flops = flops_table(args.data, args.tiny, args.log)
    if args.command == "flops":
        print(json.dumps(flops, indent=1))
        return 0
    if args.command == "timing":
        timing = seconds_per_step(args.data, args.tiny, args.log)
        (args.log / f"{args.data}-timing{'-tiny' if args.tiny else ''}.json").write_text(json.dumps(timing, indent=1))
        print(timing)
        return 0
    if not args.arm:
        parser.error(f"{args.command} needs --arm")
    long_steps = args.long_steps or (30 if args.tiny else LONG_STEPS[args.data])
    if args.command == "ladder":
        ladder(args.data, args.arm, args.widths, args.tiny, args.log, long_steps)
        return 0
    budget = 8 if args.tiny else BUDGET_STEPS
    runner = Runner(args.data, args.arm, args.tiny, args.log)
    best = plan(runner, long_steps, budget, compute_levels(flops, long_steps, budget), flops[args.arm])
    print(f"[{args.data}/{args.arm}] chosen recipe: {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
