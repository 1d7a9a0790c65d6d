"""Notebook 06b's unpaired-text experiment made fair: both families pre-trained on the same unpaired sentences.

    python scripts/unpaired_arms.py run --threads 1      # the whole plan (resumable: logged runs are skipped)
    python scripts/unpaired_arms.py report               # results/unpaired_arms.json
    python scripts/unpaired_arms.py run --tiny --log /tmp/u   # seconds-long smoke run

The claim (E2, D3): paired data is scarce and plain text is not, so a model that learns from plain text wins. But
an encoder–decoder can learn from plain text too (BART, T5). So four arms, each fine-tuned on the same ``K``
translation pairs (the same draw per seed):

* ``gpt_pretrained``: a decoder-only GPT pre-trained on unpaired sentences by next-token prediction, then fine-tuned;
* ``gpt_scratch``: the same GPT trained on the ``K`` pairs only;
* ``ed_pretrained``: an encoder–decoder (half the layers each side, same width, one shared vocabulary) pre-trained on
  the *same* sentences by BART-style text infilling (``helpers.experiments.denoising``), then fine-tuned;
* ``ed_scratch``: the same encoder–decoder trained on the ``K`` pairs only.

The unpaired sentences: Chinese from one half of the training pairs, English from the other half
(``helpers.experiments.unpaired.monolingual_examples``), so no sentence meets its translation. Pre-training: 400
steps of 64 sentences at learning rate 2e-3 for both families (untuned, alike). **Tuning**: the fine-tuning learning
rate of every arm from {1e-3, 2e-3, 4e-3} on ``K`` = 1,000 pairs, seed 0, by the answer tokens' cross-entropy on
500 valid pairs (a winner on the grid's edge extends it by a factor 2 that way, at most twice). **Runs**: the chosen rate, ``K`` in {250, 1000, 4000}, seeds 1–3 (each seed pre-trains its own
models and draws its own ``K`` pairs), 200 fine-tuning steps of 64; scored by the valid loss and by BLEU and chrF of
greedy translations of 500 test pairs.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402

LOG_DIR = ROOT / "results" / "runs" / "unpaired"     # tracked: a sweep split across sittings keeps its runs
OUT = RESULTS_DIR / "unpaired_arms.json"
CODE = ["scripts/unpaired_arms.py", "helpers/experiments/unpaired.py", "helpers/experiments/denoising.py",
        "helpers/experiments/task_models.py", "helpers/experiments/text_tasks.py", "helpers/gpt.py",
        "helpers/transformer.py", "helpers/train.py"]
ARMS = {"gpt_pretrained": "decoder-only, pre-trained then fine-tuned", "gpt_scratch": "decoder-only, pairs only",
        "ed_pretrained": "encoder–decoder, pre-trained (denoising) then fine-tuned", "ed_scratch": "encoder–decoder, pairs only"}
KS = (250, 1000, 4000)
SEEDS = (1, 2, 3)
GRID = (1e-3, 2e-3, 4e-3)
TUNE_K, TUNE_SEED = 1000, 0
N_VALID, N_TEST = 500, 500


class Plan:
    """Data, models and the run log of the experiment (``tiny``: small models, budgets and splits)."""

    def __init__(self, tiny: bool, log_dir: Path):
        import copy

        from helpers.experiments import text_tasks as tt
        from helpers.experiments.unpaired import UnpairedSetup
        from helpers.recipes import translation_data

        self.tiny = tiny
        self.setup = UnpairedSetup(n_test=N_TEST)
        self.ks, self.seeds, self.grid = KS, SEEDS, GRID
        self.tune_k, n_valid = TUNE_K, N_VALID
        data = translation_data()
        if tiny:
            data = copy.copy(data)
            data.train = data.train[:600]
            self.setup = replace(self.setup, d_model=16, n_layer=2, pretrain_steps=4, finetune_steps=3, batch_size=8,
                                 n_test=6)
            self.ks, self.seeds, self.grid, self.tune_k, n_valid = (20, 40), (1,), (2e-3, 4e-3), 20, 12
        self.data, self.vocab = data, tt.TaskVocab.from_pairs(data.train)
        self.valid, self.test = data.valid[:n_valid], data.test[:self.setup.n_test]
        from helpers.experiments.runlog import RunLog

        self.runs = RunLog(log_dir / f"runs{'-tiny' if tiny else ''}.jsonl")
        self.log, self.done = self.runs.path, self.runs.done

    def _gpt_sizes(self) -> dict:
        s = self.setup
        return dict(d_model=s.d_model, n_layer=s.n_layer, n_head=4 if s.d_model >= 32 else 2, d_ff=4 * s.d_model)

    def _ed_sizes(self) -> dict:
        from helpers.experiments.denoising import ed_sizes

        sizes = ed_sizes(self.setup.d_model, self.setup.n_layer)
        return {**sizes, "n_heads": 4 if self.setup.d_model >= 32 else 2}

    def pretrained(self, family: str, seed: int):
        """The family's model pre-trained on the unpaired sentences (cached by the course's checkpoints)."""
        from helpers.experiments import denoising as dn
        from helpers.experiments import task_models as tm
        from helpers.experiments.unpaired import monolingual_examples

        s = self.setup
        mono = monolingual_examples(self.data.train)
        common = dict(steps=s.pretrain_steps, batch_size=s.batch_size, lr=s.lr, seed=seed, progress=False)
        if family == "gpt":
            return tm.train_task_gpt("unpaired-gpt-pre", self.vocab, mono, **common,
                                     **self._gpt_sizes())[0]
        return tm.train_task_transformer("unpaired-ed-pre", self.vocab, self.vocab, dn.denoising_examples(mono, seed=seed),
                                         **common, **self._ed_sizes())[0]

    def examples(self, family: str, pairs):
        from helpers.experiments import denoising as dn
        from helpers.experiments import text_tasks as tt

        exs = tt.make_examples(pairs, "zh2en")
        return exs if family == "gpt" else dn.translation_examples(exs)

    def finetune(self, arm: str, k: int, seed: int, lr: float):
        from helpers.experiments import task_models as tm
        from helpers.experiments.unpaired import k_pairs

        family = arm.split("_")[0]
        init = self.pretrained(family, seed) if arm.endswith("pretrained") else None
        exs = self.examples(family, k_pairs(self.data, k, seed))
        common = dict(steps=self.setup.finetune_steps, batch_size=self.setup.batch_size, lr=lr, seed=seed,
                      progress=False, init=init)
        if family == "gpt":
            return tm.train_task_gpt(f"unpaired-{arm}", self.vocab, exs, **common, **self._gpt_sizes())
        return tm.train_task_transformer(f"unpaired-{arm}", self.vocab, self.vocab, exs, **common, **self._ed_sizes())

    def evaluate(self, arm: str, model) -> dict:
        """Valid loss (English tokens and ``<eos>``) and test BLEU / chrF of greedy translations."""
        import torch

        from helpers import metrics
        from helpers.experiments import task_models as tm
        from helpers.experiments import text_tasks as tt
        from helpers.train import seq2seq_loss

        family = arm.split("_")[0]
        model.eval()
        with torch.no_grad():
            if family == "gpt":
                valid = tm.mean_loss(model, tt.lm_batches(self.vocab, self.examples("gpt", self.valid), 256, 0),
                                     tm.lm_task_loss)
            else:
                valid = tm.mean_loss(model, tt.seq2seq_batches(self.vocab, self.vocab, self.examples("ed", self.valid),
                                                               256, 0), seq2seq_loss)
        test = self.examples(family, self.test)
        sources = [ex.source for ex in test]
        max_len = 12 if self.tiny else 80
        if family == "gpt":
            answers = tm.gpt_answers(model, self.vocab, "zh2en", sources, max_new=max_len)
        else:
            answers = tm.seq2seq_answers(model, self.vocab, self.vocab, sources, max_len=max_len)
        hyps = [tm.detokenize("zh2en", a.tokens, self.vocab) for a in answers]
        refs = [tm.detokenize("zh2en", ex.target, self.vocab) for ex in test]
        return {"valid_loss": valid, "bleu": metrics.bleu(hyps, refs), "chrf": metrics.chrf(hyps, refs)}

    def run(self, stage: str, arm: str, k: int, seed: int, lr: float) -> dict:
        key = json.dumps({"stage": stage, "arm": arm, "k": k, "seed": seed, "lr": lr}, sort_keys=True)
        if key in self.done:
            return self.done[key]
        t0 = time.perf_counter()
        model, info = self.finetune(arm, k, seed, lr)
        row = {"key": key, "stage": stage, "arm": arm, "k": k, "seed": seed, "lr": lr, **self.evaluate(arm, model),
               "parameters": info["parameters"], "seconds": time.perf_counter() - t0}
        self.runs.add(row)
        print(f"[unpaired] {stage} {arm} K={k} seed {seed} lr {lr:g}: valid {row['valid_loss']:.3f} "
              f"BLEU {row['bleu']:.1f} ({row['seconds']:.0f} s)", flush=True)
        return row

    def chosen(self, arm: str) -> float:
        """The rate with the lowest valid loss; a winner on the grid's edge extends it by a factor 2 that way
        (at most twice): ``helpers.experiments.fair.extend_grid``."""
        rows = [self.run("tune", arm, self.tune_k, TUNE_SEED, lr) for lr in self.grid]
        from helpers.experiments.fair import extend_grid

        return extend_grid(rows, lambda lr: self.run("tune", arm, self.tune_k, TUNE_SEED, lr))

    def run_all(self) -> None:
        for arm in ARMS:
            lr = self.chosen(arm)
            for seed in self.seeds:
                for k in self.ks:
                    self.run("final", arm, k, seed, lr)


def report(plan: Plan, out: Path) -> int:
    rows = list(plan.done.values())
    if not rows:
        raise SystemExit(f"no runs in {plan.log}: run `python scripts/unpaired_arms.py run` first")
    result = {"arms": ARMS, "ks": list(plan.ks), "seeds": list(plan.seeds), "grid": list(plan.grid),
              "tune": {"k": plan.tune_k, "seed": TUNE_SEED}, "setup": asdict(plan.setup), "runs": rows,
              "chosen": {arm: min((r for r in rows if r["stage"] == "tune" and r["arm"] == arm),
                                  key=lambda r: r["valid_loss"])["lr"] for arm in ARMS
                         if any(r["stage"] == "tune" and r["arm"] == arm for r in rows)},
              "provenance": make_provenance("python scripts/unpaired_arms.py run --threads 1; python "
                                            "scripts/unpaired_arms.py report", [TUNE_SEED, *plan.seeds],
                                            {"ks": list(plan.ks), "grid": list(plan.grid), "setup": asdict(plan.setup)},
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
    plan = Plan(args.tiny, args.log)
    if args.command == "report":
        return report(plan, args.out)
    plan.run_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
