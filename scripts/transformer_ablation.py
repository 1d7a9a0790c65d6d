"""The ablation of notebook 04: what each piece of the Transformer buys.

    python scripts/transformer_ablation.py --threads 1                 # 5 variants x 3 seeds -> results/transformer_ablation.json
                                                                       # (10-15 min on a shared 2-core CPU)
    python scripts/transformer_ablation.py --tiny --out /tmp/abl.json  # a seconds-long smoke run (the test uses it)

A small encoder-decoder Transformer (``helpers.transformer.Transformer``, pre-norm, 2 + 2 layers, d_model 64) is
trained on the course corpus (``helpers.recipes.translation_data``) in five variants:

- ``full``: the model as ``helpers.transformer`` builds it;
- ``no_residual``: every sublayer *replaces* its input, ``x = f(LN(x))``, instead of adding to it;
- ``no_layernorm``: every LayerNorm (in the layers and the two final ones) is the identity;
- ``no_positions``: no positional encoding is added, neither in the encoder nor in the decoder;
- ``one_head``: one attention head of 64 instead of 4 heads of 16 (exactly the same parameters).

Held equal in every variant: the width, depth and feed-forward size, the seed (so every weight the variants
share starts equal), the batches (same seeded loader), the number of steps, the optimiser (AdamW, constant
learning rate, gradients clipped at 1) and dropout. Parameters are equal except ``no_layernorm``, which has no
LayerNorm gains and biases. The variants are built by patching a ``helpers.transformer.Transformer`` after it is
made (``build_variant``); ``helpers/transformer.py`` itself is not changed. Only the teacher-forced forward pass
is patched (the step-by-step decoding path is not used here).

Every run logs the training loss (mean over each ``log_every`` steps) and the loss on the valid pairs every
``eval_every`` steps. The JSON holds every curve, the setup and a provenance block; notebook 04 plots it and
re-runs a smaller version live.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from helpers.corpus import current_manifest  # noqa: E402
from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402
from helpers.transformer import DecoderLayer, EncoderLayer, Transformer, TransformerConfig  # noqa: E402

DEFAULT_OUT = RESULTS_DIR / "transformer_ablation.json"
CODE = ["scripts/transformer_ablation.py", "helpers/transformer.py", "helpers/attention.py", "helpers/train.py",
        "helpers/batching.py"]
VARIANTS = {
    "full": "the model as helpers.transformer builds it (pre-norm, 4 heads, sinusoidal positions)",
    "no_residual": "each sublayer replaces its input: x = f(LN(x)) instead of x + f(LN(x))",
    "no_layernorm": "every LayerNorm (3 per decoder layer, 2 per encoder layer, the 2 final ones) is the identity",
    "no_positions": "no positional encoding is added to the source or the target embeddings",
    "one_head": "1 attention head of size d_model instead of n_heads heads (same parameters)",
}
# the model and recipe of the stored run; --tiny shrinks them
SETUP = {"d_model": 64, "n_heads": 4, "d_ff": 256, "n_enc_layers": 2, "n_dec_layers": 2, "dropout": 0.1,
         "steps": 400, "batch_size": 32, "lr": 2e-3, "clip": 1.0, "log_every": 25, "eval_every": 50,
         "n_valid": 500}
TINY = {"d_model": 16, "n_heads": 2, "d_ff": 32, "n_enc_layers": 1, "n_dec_layers": 1, "dropout": 0.1,
        "steps": 4, "batch_size": 8, "lr": 2e-3, "clip": 1.0, "log_every": 2, "eval_every": 2, "n_valid": 32,
        "n_train": 500}


# --- the variants ------------------------------------------------------------------------

class _NoResidualEncoderLayer(EncoderLayer):
    """``EncoderLayer`` without its two residual additions: ``x = f(LN(x))``."""

    def forward(self, x, src_mask=None, need_weights: bool = False):
        h = self.norm1(x)
        mask = src_mask[:, None, :] if src_mask is not None else None        # (B, 1, S)
        a, weights = self.self_attn(h, h, h, mask=mask, need_weights=need_weights)
        x = self.drop(a)                                                      # no "x +"
        x = self.drop(self.ffn(self.norm2(x)))
        return x, weights


class _NoResidualDecoderLayer(DecoderLayer):
    """``DecoderLayer`` without its three residual additions (teacher-forced ``forward`` only)."""

    def forward(self, x, memory, src_mask=None, need_weights: bool = False):
        h = self.norm1(x)
        a, self_w = self.self_attn(h, h, h, need_weights=need_weights, is_causal=True)
        x = self.drop(a)
        mask = src_mask[:, None, :] if src_mask is not None else None        # (B, 1, S)
        a, cross_w = self.cross_attn(self.norm2(x), memory, memory, mask=mask, need_weights=need_weights)
        x = self.drop(a)
        x = self.drop(self.ffn(self.norm3(x)))
        return x, self_w, cross_w

    def step(self, *args, **kwargs):
        raise NotImplementedError("the no-residual ablation only patches the teacher-forced forward pass")


class _NoPositions(nn.Module):
    """Stands in for a positional encoding and adds nothing: ``forward(x (B, L, D), start=0) -> x``."""

    def __init__(self, max_len: int):
        super().__init__()
        self.max_len = max_len

    def forward(self, x, start: int = 0):
        return x


def build_variant(cfg: TransformerConfig, variant: str) -> Transformer:
    """A ``helpers.transformer.Transformer`` with one piece taken out (``variant`` in ``VARIANTS``).

    The model is built from ``cfg`` first (so, under one seed, every variant draws the same initial weights),
    then patched. ``one_head`` builds it with ``n_heads = 1`` instead.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant == "one_head":
        cfg = TransformerConfig(**{**asdict(cfg), "n_heads": 1})
    model = Transformer(cfg)
    if variant == "no_residual":
        for layer in model.encoder_layers:
            layer.__class__ = _NoResidualEncoderLayer
        for layer in model.decoder_layers:
            layer.__class__ = _NoResidualDecoderLayer
    elif variant == "no_layernorm":
        for module in list(model.modules()):
            for name, child in list(module.named_children()):
                if isinstance(child, nn.LayerNorm):
                    setattr(module, name, nn.Identity())
    elif variant == "no_positions":
        model.src_pos, model.tgt_pos = _NoPositions(cfg.max_len), _NoPositions(cfg.max_len)
    return model


# --- one run -----------------------------------------------------------------------------

def valid_loss(model: nn.Module, loader) -> float:
    """Mean cross-entropy per target token over every batch of ``loader`` (eval mode, no gradients)."""
    from helpers.train import seq2seq_loss

    was_training = model.training
    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for batch in loader:
            loss, n = seq2seq_loss(model, batch)
            total, tokens = total + loss.item() * n, tokens + n
    model.train(was_training)
    return total / tokens


def datasets(data, setup: dict | None = None):
    """The tokenised training pairs and the first ``n_valid`` valid pairs (``TranslationDataset``s), built once."""
    from helpers.batching import TranslationDataset

    s = {**SETUP, **(setup or {})}
    train_pairs = data.train[: s["n_train"]] if s.get("n_train") else data.train
    return (TranslationDataset(train_pairs, data.src_vocab, data.tgt_vocab),
            TranslationDataset(data.valid[: s["n_valid"]], data.src_vocab, data.tgt_vocab))


def run_variant(data, variant: str, seed: int, setup: dict | None = None, sets=None) -> dict:
    """Train one variant with one seed; returns its curves, parameter count and seconds.

    ``setup`` overrides entries of ``SETUP``; ``sets`` is ``datasets(data, setup)`` (built here if not given).
    The batches are those of ``data.loader(batch_size, seed)``: the same seeded, length-bucketed order.
    """
    from helpers import seed_everything
    from helpers.batching import make_loader
    from helpers.recipes import transformer_config
    from helpers.train import count_parameters, train

    s = {**SETUP, **(setup or {})}
    train_set, valid_set = sets or datasets(data, s)
    cfg = transformer_config(data, d_model=s["d_model"], n_heads=s["n_heads"], d_ff=s["d_ff"],
                             n_enc_layers=s["n_enc_layers"], n_dec_layers=s["n_dec_layers"], dropout=s["dropout"])
    seed_everything(seed)
    model = build_variant(cfg, variant)
    valid = make_loader(valid_set, 250, shuffle=False)
    history = train(model, make_loader(train_set, s["batch_size"], shuffle=True, seed=seed), steps=s["steps"],
                    lr=s["lr"], clip=s["clip"], log_every=s["log_every"], eval_every=s["eval_every"],
                    progress=False, eval_fn=lambda m: {"valid_loss": valid_loss(m, valid)})
    eval_steps, valid_losses = history.metric("valid_loss")
    return {"variant": variant, "seed": seed, "parameters": count_parameters(model),
            "steps": history.steps, "train_loss": history.loss,
            "eval_steps": eval_steps, "valid_loss": valid_losses, "seconds": history.total_seconds}


def summary(runs: list[dict]) -> dict[str, dict]:
    """Per variant: mean, min and max over seeds of the final valid loss and the last logged train loss."""
    out: dict[str, dict] = {}
    for variant in dict.fromkeys(r["variant"] for r in runs):
        rs = [r for r in runs if r["variant"] == variant]
        final = [r["valid_loss"][-1] for r in rs]
        train_last = [r["train_loss"][-1] for r in rs]
        out[variant] = {"final_valid_mean": sum(final) / len(final), "final_valid_min": min(final),
                        "final_valid_max": max(final), "final_train_mean": sum(train_last) / len(train_last),
                        "parameters": rs[0]["parameters"], "seeds": [r["seed"] for r in rs]}
    return out


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=None, help=f"optimiser steps per run (default {SETUP['steps']})")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--tiny", action="store_true", help="a tiny model and budget: a smoke run in seconds")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON result")
    args = parser.parse_args(argv)

    from helpers.recipes import translation_data

    if args.threads:
        torch.set_num_threads(args.threads)
    setup = dict(TINY if args.tiny else SETUP)
    if args.steps:
        setup["steps"] = args.steps
    data = translation_data()
    start, cpu_start = time.perf_counter(), time.process_time()
    sets = datasets(data, setup)
    runs = []
    for seed in args.seeds:
        for variant in args.variants:
            run = run_variant(data, variant, seed, setup, sets)
            if not all(math.isfinite(x) for x in run["train_loss"] + run["valid_loss"]):
                raise FloatingPointError(f"{variant}, seed {seed}: a loss is not finite")
            runs.append(run)
            print(f"seed {seed} {variant:<13} valid loss {run['valid_loss'][-1]:.3f}  ({run['seconds']:.0f} s)",
                  flush=True)
    result = {"variants": {v: VARIANTS[v] for v in args.variants}, "setup": setup, "runs": runs,
              "summary": summary(runs),
              "provenance": make_provenance(
                  " ".join(["python", "scripts/transformer_ablation.py", *argv]), args.seeds,
                  {"setup": setup, "variants": args.variants}, CODE, machine=platform.machine(),
                  wall_seconds=time.perf_counter() - start, cpu_seconds=time.process_time() - cpu_start,
                  data_fingerprint=data.fingerprint,
                  corpus_manifest=current_manifest())}
    save_result(str(args.out), result)
    print(f"wrote {args.out} ({len(runs)} runs, {result['provenance']['wall_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
