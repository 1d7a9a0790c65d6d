"""Notebook 06b's many-tasks experiment made fair: seeds, budgets to the plateau, sizes matched or stated.

    python scripts/many_tasks.py run --threads 1      # the whole plan (resumable: logged runs are skipped)
    python scripts/many_tasks.py report               # results/many_tasks.json
    python scripts/many_tasks.py run --tiny --log /tmp/m   # seconds-long smoke run

Claims D2 (one decoder-only model serves many tasks), E4 (a trained encoder–decoder serves one task) and D1 (a
decoder-only model takes any text format). Four jobs, written as in 06b: zh→en, en→zh, the polarity of a Chinese
sentence, the kind of an English sentence. Four systems, all width 64:

* ``gpt_multi``: one decoder-only GPT (4 layers) on the shuffled mixture of the four jobs;
* ``ed_multi``: one encoder–decoder (2 + 2 layers, one shared vocabulary) on the same mixture, told the job by a
  marker as the source's first token (T5's recipe);
* ``ed_multi_shared``: the same with its decoder reusing the encoder's layers: the decoder-only model's size;
* ``ed_single``: one encoder–decoder per job, each on its own job (four models).

**Tuning**: every system gets the learning rate {1e-3, 2e-3, 4e-3} with the fewest valid-loss nats after 500 steps
(seed 0; 500 valid pairs of every job; the four specialists share one rate, chosen on their mean; a winner on the
grid's edge extends it by a factor 2 that way, at most twice). **Runs**: seeds
1–3, 2,000 steps of 64 examples for every model (the specialists 2,000 each: each system trained to its plateau,
not at equal compute; the training curves are stored to show it). **Scores**: BLEU on 300 test pairs each way,
accuracy on balanced label sets (150 per polarity, 100 per kind). **D1 probe**: the *kind* job with its prompt
format changed and nothing else (the same English sentences): the opening marker left out, or the Chinese marker
in its place; for the encoder–decoders, the task marker left out or put last.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402

LOG_DIR = ROOT / "results" / "runs" / "many_tasks"     # tracked: a sweep split across sittings keeps its runs
OUT = RESULTS_DIR / "many_tasks.json"
CODE = ["scripts/many_tasks.py", "helpers/experiments/task_models.py", "helpers/experiments/text_tasks.py",
        "helpers/gpt.py", "helpers/transformer.py", "helpers/train.py"]
SYSTEMS = {"gpt_multi": "one decoder-only model, four jobs mixed",
           "ed_multi": "one encoder–decoder, told the job by a marker",
           "ed_multi_shared": "the same, decoder sharing the encoder's layers",
           "ed_single": "one encoder–decoder per job"}
GRID = (1e-3, 2e-3, 4e-3)
TUNE_STEPS, STEPS, SEEDS, TUNE_SEED = 500, 2000, (1, 2, 3), 0
N_VALID, N_TRANSLATE, N_POLARITY, N_KIND = 500, 300, 150, 100


def balanced(examples, per_class: int, seed: int = 0):
    by_label: dict = {}
    for ex in examples:
        by_label.setdefault(ex.target, []).append(ex)
    rng = random.Random(seed)
    return [ex for label in sorted(by_label) for ex in rng.sample(by_label[label], min(per_class, len(by_label[label])))]


def with_marker(ex, where: str = "first"):
    """The encoder–decoder's source: the job's marker first (trained), last, or none (D1 probe)."""
    from helpers.experiments.text_tasks import TaskExample, task_markers

    marker = (task_markers(ex.task)[1],)
    source = {"first": marker + ex.source, "last": ex.source + marker, "none": ex.source}[where]
    return TaskExample(ex.task, source, ex.target)


class Plan:
    def __init__(self, tiny: bool, log_dir: Path):
        import copy

        from helpers.experiments import text_tasks as tt
        from helpers.recipes import translation_data
        from helpers.tokenize import SPECIALS, Vocab

        data = translation_data()
        self.tiny = tiny
        self.steps, self.tune_steps, self.seeds, self.grid = STEPS, TUNE_STEPS, SEEDS, GRID
        n_valid, n_tr, n_pol, n_kind = N_VALID, N_TRANSLATE, N_POLARITY, N_KIND
        if tiny:
            data = copy.copy(data)
            data.train = data.train[:800]
            self.steps, self.tune_steps, self.seeds, self.grid = 4, 3, (1,), (2e-3, 4e-3)
            n_valid, n_tr, n_pol, n_kind = 16, 6, 3, 2
        self.data, self.vocab = data, tt.TaskVocab.from_pairs(data.train)
        self.train = {task: tt.make_examples(data.train, task) for task in tt.TASKS}
        self.mixture = tt.mixture(self.train, seed=0)
        valid = data.valid[:n_valid]
        self.valid = {task: tt.make_examples(valid, task) for task in tt.TASKS}
        held_out = data.test + data.valid[n_valid:]                  # never trained on, never tuned on
        self.test = {"zh2en": tt.make_examples(data.test[:n_tr], "zh2en"),
                     "en2zh": tt.make_examples(data.test[:n_tr], "en2zh"),
                     "polarity": balanced(tt.make_examples(held_out, "polarity"), n_pol),
                     "kind": balanced(tt.make_examples(held_out, "kind"), n_kind)}
        labels = {task: Vocab(list(SPECIALS) + list(words)) for task, words in tt.LABELS.items()}
        self.single_vocabs = {"zh2en": (data.src_vocab, data.tgt_vocab), "en2zh": (data.tgt_vocab, data.src_vocab),
                              "polarity": (data.src_vocab, labels["polarity"]), "kind": (data.tgt_vocab, labels["kind"])}
        width = 16 if tiny else 64
        self.gpt_sizes = dict(d_model=width, n_layer=2 if tiny else 4, n_head=2 if tiny else 4, d_ff=4 * width)
        self.ed_sizes = dict(d_model=width, n_heads=2 if tiny else 4, d_ff=4 * width, n_enc_layers=1 if tiny else 2,
                             n_dec_layers=1 if tiny else 2)
        from helpers.experiments.runlog import RunLog

        self.runs = RunLog(log_dir / f"runs{'-tiny' if tiny else ''}.jsonl")
        self.log, self.done = self.runs.path, self.runs.done

    # -- training -------------------------------------------------------------------------------------------
    def train_system(self, system: str, lr: float, seed: int, steps: int) -> dict:
        """The system's model(s): ``{job or "all": (model, info)}``."""
        from helpers.experiments import task_models as tm

        common = dict(steps=steps, lr=lr, seed=seed, progress=False)
        if system == "gpt_multi":
            return {"all": tm.train_task_gpt("many-gpt", self.vocab, self.mixture, **common, **self.gpt_sizes)}
        if system.startswith("ed_multi"):
            shared = system.endswith("shared")
            return {"all": tm.train_task_transformer(f"many-{system}", self.vocab, self.vocab,
                                                     [with_marker(ex) for ex in self.mixture], **common,
                                                     share_layers=shared, **self.ed_sizes)}
        return {task: tm.train_task_transformer(f"many-single-{task}", *self.single_vocabs[task], exs, **common,
                                                **self.ed_sizes) for task, exs in self.train.items()}

    def valid_loss(self, system: str, models: dict) -> float:
        """Mean over the four jobs of the answer tokens' cross-entropy on their valid examples."""
        import torch

        from helpers.experiments import task_models as tm
        from helpers.experiments import text_tasks as tt
        from helpers.train import seq2seq_loss

        losses = []
        with torch.no_grad():
            for task, exs in self.valid.items():
                if system == "gpt_multi":
                    m = models["all"][0].eval()
                    losses.append(tm.mean_loss(m, tt.lm_batches(self.vocab, exs, 256, 0), tm.lm_task_loss))
                elif system.startswith("ed_multi"):
                    m = models["all"][0].eval()
                    losses.append(tm.mean_loss(m, tt.seq2seq_batches(self.vocab, self.vocab,
                                                                      [with_marker(ex) for ex in exs], 256, 0),
                                               seq2seq_loss))
                else:
                    m = models[task][0].eval()
                    losses.append(tm.mean_loss(m, tt.seq2seq_batches(*self.single_vocabs[task], exs, 256, 0),
                                               seq2seq_loss))
        return sum(losses) / len(losses)

    def answers(self, system: str, models: dict, task: str, exs, fmt: str = "trained"):
        from helpers.experiments import task_models as tm

        n = 3 if task in ("polarity", "kind") else (12 if self.tiny else 60)
        if system == "gpt_multi":
            if fmt == "trained":
                return tm.gpt_answers(models["all"][0], self.vocab, task, [ex.source for ex in exs], max_new=n)
            return self._gpt_format(models["all"][0], exs, fmt, n)
        if system.startswith("ed_multi"):
            where = {"trained": "first", "no_marker": "none", "marker_last": "last"}[fmt]
            return tm.seq2seq_answers(models["all"][0], self.vocab, self.vocab,
                                      [with_marker(ex, where).source for ex in exs], max_len=n)
        return tm.seq2seq_answers(models[task][0], *self.single_vocabs[task], [ex.source for ex in exs], max_len=n)

    def _gpt_format(self, model, exs, fmt: str, n: int):
        """The kind job with another prompt format: ``no_opening`` (``s <kind>``), ``zh_opening`` (``<zh> s <kind>``)."""
        import torch

        from helpers.experiments.task_models import Answer

        out = []
        device = next(model.parameters()).device
        with torch.no_grad():
            for ex in exs:
                head = [] if fmt == "no_opening" else ["<zh>"]
                ids = [self.vocab.token_to_id(t) for t in (*head, *ex.source, "<kind>")]
                gen = model.generate(torch.tensor([ids], device=device), n, temperature=0.0, eos_id=2)
                out.append(Answer(list(self.vocab.decode(gen[0, len(ids):].tolist())), 1.0))
        return out

    def run(self, stage: str, system: str, seed: int, lr: float) -> dict:
        from helpers.experiments import task_models as tm

        key = json.dumps({"stage": stage, "system": system, "seed": seed, "lr": lr}, sort_keys=True)
        if key in self.done:
            return self.done[key]
        t0 = time.perf_counter()
        models = self.train_system(system, lr, seed, self.tune_steps if stage == "tune" else self.steps)
        row = {"key": key, "stage": stage, "system": system, "seed": seed, "lr": lr,
               "valid_loss": self.valid_loss(system, models),
               "parameters": sum(info["parameters"] for _, info in models.values()),
               "train_loss": {k: info["loss"][::max(1, len(info["loss"]) // 50)] for k, (_, info) in models.items()}}
        if stage == "final":
            row["scores"] = {task: tm.score(task, self.answers(system, models, task, exs), exs, self.vocab)
                             for task, exs in self.test.items()}
            formats = {"gpt_multi": ("no_opening", "zh_opening"), "ed_multi": ("no_marker", "marker_last"),
                       "ed_multi_shared": ("no_marker", "marker_last")}.get(system, ())
            row["d1_kind"] = {fmt: tm.score("kind", self.answers(system, models, "kind", self.test["kind"], fmt),
                                            self.test["kind"]) for fmt in formats}
        row["seconds"] = time.perf_counter() - t0
        self.runs.add(row)
        print(f"[many] {stage} {system} seed {seed} lr {lr:g}: valid {row['valid_loss']:.3f} "
              f"{ {k: round(v, 1) for k, v in row.get('scores', {}).items()} } {row.get('d1_kind', '')} "
              f"({row['seconds']:.0f} s)", flush=True)
        return row

    def run_all(self) -> None:
        from helpers.experiments.fair import extend_grid

        for system in SYSTEMS:
            tune = [self.run("tune", system, TUNE_SEED, lr) for lr in self.grid]
            lr = extend_grid(tune, lambda rate: self.run("tune", system, TUNE_SEED, rate))
            for seed in self.seeds:
                self.run("final", system, seed, lr)


def report(plan: Plan, out: Path) -> int:
    rows = list(plan.done.values())
    if not rows:
        raise SystemExit(f"no runs in {plan.log}: run `python scripts/many_tasks.py run` first")
    result = {"systems": SYSTEMS, "grid": list(plan.grid), "steps": plan.steps, "tune_steps": plan.tune_steps,
              "seeds": list(plan.seeds), "test_sizes": {t: len(v) for t, v in plan.test.items()}, "runs": rows,
              "provenance": make_provenance("python scripts/many_tasks.py run --threads 1; python scripts/many_tasks.py "
                                            "report", [TUNE_SEED, *plan.seeds],
                                            {"steps": plan.steps, "tune_steps": plan.tune_steps, "grid": list(plan.grid),
                                             "gpt": plan.gpt_sizes, "ed": plan.ed_sizes}, CODE,
                                            machine=platform.machine())}
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
