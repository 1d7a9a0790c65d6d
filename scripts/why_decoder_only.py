"""The long runs behind notebook 06: the unpaired-data sweep (06b) and the translation learning curves (06a).

    python scripts/why_decoder_only.py                  # K = 250, 1000, 4000; seeds 0 and 1 (about 30 min on 2 CPU cores)
    python scripts/why_decoder_only.py --tiny --out /tmp/sweep.json   # a seconds-long smoke run (the test uses it)
    python scripts/why_decoder_only.py curves           # both translators' valid-loss curves; the long-trained GPT

``curves`` trains notebook 04's Transformer (600 steps) and the matched decoder-only GPT of 06a for
``--gpt-steps`` steps (default 3000) on the same batches, logging the loss on the valid pairs, and
stores the curves in ``results/why_decoder_only_curves.json`` and the long-trained GPT in
``data/weights/translation-gpt.pt`` (with its sha256), which notebooks 06a and 06c load.

For every seed: pre-train a GPT on unpaired Chinese and English sentences; then, for every K,
fine-tune it on K pairs, train the same GPT from scratch on them, and train an encoder–decoder
Transformer of the same width on them; score all three with BLEU on the test pairs. Writes one
JSON file with the setup, the seeds, every row, the software versions and the wall time.
Notebook 06b plots the stored file and re-runs a smaller version live.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.corpus import current_manifest  # noqa: E402
from helpers.results import RESULTS_DIR, WEIGHTS_DIR, make_provenance, save_result  # noqa: E402

DEFAULT_OUT = RESULTS_DIR / "why_decoder_only.json"
CURVES_OUT = RESULTS_DIR / "why_decoder_only_curves.json"
LONG_GPT = WEIGHTS_DIR / "translation-gpt.pt"
# the sources whose sha256 each stored result records
CODE = ["scripts/why_decoder_only.py", "helpers/experiments/task_models.py", "helpers/experiments/text_tasks.py",
        "helpers/gpt.py", "helpers/transformer.py", "helpers/train.py", "helpers/recipes.py"]


def curves(argv) -> int:
    parser = argparse.ArgumentParser(description="translation learning curves of both families")
    parser.add_argument("--gpt-steps", type=int, default=3000)
    parser.add_argument("--tf-steps", type=int, default=600)
    parser.add_argument("--eval-every", type=int, default=150)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, default=CURVES_OUT)
    parser.add_argument("--checkpoint", type=Path, default=LONG_GPT)
    parser.add_argument("--n-score", type=int, default=None,
                        help="score only the first N sentences of test and test_long (default: all; for smoke runs)")
    args = parser.parse_args(argv)

    import torch

    from helpers import checkpoints, seed_everything
    from helpers.experiments import text_tasks
    from helpers.experiments import task_models as tm
    from helpers.recipes import RNN_LR, translation_data, transformer_config
    from helpers.train import seq2seq_loss, train
    from helpers.transformer import Transformer

    if args.threads:
        torch.set_num_threads(args.threads)
    data = translation_data()
    vocab = text_tasks.TaskVocab.from_pairs(data.train)
    start = time.perf_counter()
    # the Transformer exactly as notebook 04 trains it (recipes.train_transformer), with valid-loss logging
    seed_everything(0)
    tf = Transformer(transformer_config(data))
    valid = data.loader(256, 0, split="valid")
    tf_hist = train(tf, data.loader(64, 0), steps=args.tf_steps, lr=RNN_LR, progress=False, eval_every=args.eval_every // 3,
                    eval_fn=lambda m: {"valid_loss": tm.mean_loss(m, valid, seq2seq_loss)})
    gpt, info = tm.train_translation_gpt(data, vocab, steps=args.gpt_steps, eval_every=args.eval_every,
                                         live_plot=False, progress=False)
    scores = {}
    for split in ("test", "test_long"):
        exs = text_tasks.make_examples(getattr(data, split)[: args.n_score], "zh2en")
        scores[split] = tm.score("zh2en", tm.gpt_answers(gpt, vocab, "zh2en", [e.source for e in exs]), exs, vocab)
    checkpoints.save_checkpoint(args.checkpoint, gpt, {"gpt_config": {k: v for k, v in vars(gpt.config).items()},
                                                       "steps": args.gpt_steps, "vocab_size": len(vocab)},
                                {"test_bleu": scores["test"], "test_long_bleu": scores["test_long"]})
    result = {"tf": {"steps": args.tf_steps, "evals": tf_hist.evals, "seconds": tf_hist.total_seconds},
              "gpt": {"steps": args.gpt_steps, "evals": info["evals"], "seconds": info["seconds"],
                      "test_bleu": scores["test"], "test_long_bleu": scores["test_long"]},
              "checkpoint": str(args.checkpoint.relative_to(ROOT)) if args.checkpoint.is_relative_to(ROOT)
              else str(args.checkpoint),
              "checkpoint_sha256": args.checkpoint.with_suffix(".pt.sha256").read_text().strip(),
              "provenance": make_provenance(
                  " ".join(["python", "scripts/why_decoder_only.py", "curves", *argv]), [0],
                  {"gpt_steps": args.gpt_steps, "tf_steps": args.tf_steps, "eval_every": args.eval_every,
                   "n_score": args.n_score, "gpt_config": vars(gpt.config), "tf_config": vars(tf.config)}, CODE,
                  machine=platform.machine(), wall_seconds=time.perf_counter() - start,
                  corpus_manifest=current_manifest())}
    save_result(str(args.out), result)
    print(f"wrote {args.out} and {args.checkpoint} (test BLEU {scores['test']:.1f}, "
          f"{result['provenance']['wall_seconds']:.0f} s)")
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["curves"]:
        return curves(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--ks", type=int, nargs="+", default=[250, 1000, 4000],
                        help="numbers of translation pairs to fine-tune on")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="seeds (one pre-training each)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--tiny", action="store_true", help="tiny models and budgets: a smoke test in seconds")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON results")
    args = parser.parse_args(argv)

    import torch

    from helpers import seed_everything
    from helpers.experiments import text_tasks
    from helpers.recipes import translation_data
    from helpers.experiments.unpaired import UnpairedSetup, run_unpaired

    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(0)
    setup = UnpairedSetup()
    if args.tiny:
        setup = replace(setup, d_model=16, n_layer=1, pretrain_steps=3, finetune_steps=2, batch_size=8, n_test=5)
    data = translation_data()
    vocab = text_tasks.TaskVocab.from_pairs(data.train)
    start = time.perf_counter()
    results = run_unpaired(data, vocab, ks=args.ks, seeds=args.seeds, setup=setup, progress=False)
    results["provenance"] = make_provenance(" ".join(["python", "scripts/why_decoder_only.py", *argv]), args.seeds,
                                            {"ks": args.ks, "setup": vars(setup)},
                                            CODE + ["helpers/experiments/unpaired.py"], machine=platform.machine(),
                                            wall_seconds=time.perf_counter() - start, corpus_manifest=current_manifest())
    save_result(str(args.out), results)
    print(f"wrote {args.out} ({len(results['rows'])} rows, {results['provenance']['wall_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
