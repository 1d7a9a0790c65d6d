"""Benchmark of helpers.gpt on the CPU: training speed and KV-cached generation.

    python benchmarks/bench_gpt.py            # the full run (a few minutes on a 2-core CPU)
    python benchmarks/bench_gpt.py --quick    # a smoke run of a few seconds (used by tests/test_gpt.py)

(a) Training step (forward + backward + AdamW) of ``helpers.gpt.GPT`` at vocab 65, 4 layers,
    4 heads, d_model 128, block 128, batch 32, dropout 0, side by side with the same causal
    LM built from torch's own ``nn.TransformerEncoder`` (norm_first, causal mask, tied head).
    Runs are interleaved (ours, theirs, ours, ...) after a warm-up, so both see the same
    machine load; we report medians, tokens/s, the ratio and the fraction of matmul peak.
    Model FLOPs per token: 6 * (weights used in matmuls) + 12 * n_layer * d_model * T
    (attention scores and weighted sums, forward and backward, counted as if not causal).
(b) Greedy generation at block 512, batch 1: a 256-token prompt continued by 256 tokens,
    with the KV cache (preallocated, and concatenating) and by recomputing the context at
    every step. Asserts that all give identical tokens.

Results go to ``results/bench_gpt.json`` (``--out`` to change), with the torch
version, thread count and date. On a shared machine timings are noisy: trust the ratios,
which are measured side by side, more than the absolute numbers.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.gpt import GPT, GPTConfig  # noqa: E402
from helpers.results import RESULTS_DIR, make_provenance, save_result  # noqa: E402


class TorchEncoderLM(nn.Module):
    """The reference: a causal LM from ``nn.TransformerEncoder`` (pre-norm), sized like our GPT."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.wpe = nn.Embedding(cfg.block_size, cfg.d_model)
        layer = nn.TransformerEncoderLayer(cfg.d_model, cfg.n_head, 4 * cfg.d_model, dropout=cfg.dropout,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg.n_layer, enable_nested_tensor=False)
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied, like ours
        # torch's float mask: -inf above the diagonal (its bool masks mean True = *blocked*).
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(cfg.block_size), persistent=False)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t, device=idx.device))
        x = self.encoder(x, mask=self.mask[:t, :t], is_causal=True)
        logits = self.lm_head(self.ln_f(x))
        return logits, F.cross_entropy(logits.flatten(0, 1), targets.flatten())


def matmul_flops_per_token(model: nn.Module) -> int:
    """Weights that take part in a matmul, per token (the tied output layer once, embeddings not)."""
    n = sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear))
    n += sum(m.in_proj_weight.numel() for m in model.modules() if isinstance(m, nn.MultiheadAttention))
    return n


def matmul_seconds(a: torch.Tensor, b: torch.Tensor) -> float:
    t = time.perf_counter()
    a @ b
    return time.perf_counter() - t


def paired_median(num: list[float], den: list[float]) -> float:
    """Median of the per-round ratios ``num[i] / den[i]`` (runs of one round saw the same load)."""
    return statistics.median(n / d for n, d in zip(num, den))


def bench_training(cfg: GPTConfig, batch: int, steps: int, warmup: int, peak_n: int) -> dict:
    """Interleaved rounds: a step of each model (alternating who goes first) and one big matmul."""
    torch.manual_seed(0)
    models = {"ours": GPT(cfg), "torch": TorchEncoderLM(cfg)}
    opts = {k: torch.optim.AdamW(m.parameters(), lr=3e-4) for k, m in models.items()}
    g = torch.Generator().manual_seed(0)
    data = [torch.randint(0, cfg.vocab_size, (batch, cfg.block_size + 1), generator=g) for _ in range(4)]
    a, b = torch.randn(peak_n, peak_n), torch.randn(peak_n, peak_n)
    times = {k: [] for k in models}
    peak_times = []
    for i in range(warmup + steps):
        x = data[i % len(data)]
        idx, targets = x[:, :-1], x[:, 1:]
        order = list(models) if i % 2 == 0 else list(models)[::-1]
        for k in order:
            model, opt = models[k], opts[k]
            t = time.perf_counter()
            _, loss = model(idx, targets)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            dt = time.perf_counter() - t
            if i >= warmup:
                times[k].append(dt)
        dt = matmul_seconds(a, b)
        if i >= warmup:
            peak_times.append(dt)
    peak = 2 * peak_n**3 / statistics.median(peak_times) / 1e9       # GFLOP/s, under the same load as the steps
    tokens = batch * cfg.block_size
    out = {"matmul_peak_gflops": peak, "matmul_peak_size": peak_n,
           "ours_over_torch": statistics.median(times["torch"]) / statistics.median(times["ours"]),
           "ours_over_torch_paired": paired_median(times["torch"], times["ours"])}
    for k, model in models.items():
        med = statistics.median(times[k])
        flops = 6 * matmul_flops_per_token(model) + 12 * cfg.n_layer * cfg.d_model * cfg.block_size
        out[k] = {"median_step_s": med, "tokens_per_s": tokens / med, "flops_per_token": flops,
                  "fraction_of_peak": tokens / med * flops / (peak * 1e9),
                  "params": sum(p.numel() for p in model.parameters()), "step_times_s": times[k]}
    return out


def bench_generation(cfg: GPTConfig, prompt_len: int, new_tokens: int, repeats: int) -> dict:
    torch.manual_seed(0)
    model = GPT(cfg).eval()
    prompt = torch.randint(0, cfg.vocab_size, (1, prompt_len), generator=torch.Generator().manual_seed(1))
    variants = {"cache": dict(use_cache=True), "cache_concat": dict(use_cache=True, preallocate=False),
                "recompute": dict(use_cache=False)}
    times, tokens = {k: [] for k in variants}, {}
    model.generate(prompt[:, :8], 4, temperature=0)  # warm-up
    for r in range(repeats):
        for k, kw in (variants.items() if r % 2 == 0 else reversed(variants.items())):
            t = time.perf_counter()
            out = model.generate(prompt, new_tokens, temperature=0, **kw)
            times[k].append(time.perf_counter() - t)
            tokens[k] = out
    for k in variants:
        if not torch.equal(tokens[k], tokens["recompute"]):
            raise AssertionError(f"greedy tokens differ between {k} and recompute")
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "prompt_len": prompt_len, "new_tokens": new_tokens, "block_size": cfg.block_size, "batch": 1,
        "repeats": repeats, "median_s": med, "tokens_per_s": {k: new_tokens / v for k, v in med.items()},
        "speedup_cache_vs_recompute": med["recompute"] / med["cache"],
        "speedup_cache_vs_recompute_paired": paired_median(times["recompute"], times["cache"]),
        "speedup_concat_vs_recompute": med["recompute"] / med["cache_concat"],
        "identical_tokens": True, "times_s": times,
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes and few repeats: checks the script runs")
    ap.add_argument("--steps", type=int, default=None, help="timed training steps per model (default 15)")
    ap.add_argument("--out", type=Path, default=None, help="where to write the JSON results")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch.set_num_threads (default: torch's choice; 1 with --quick)")
    args = ap.parse_args(argv)
    if args.threads or args.quick:  # the smoke run uses one thread: steadier on a shared machine
        torch.set_num_threads(args.threads or 1)

    if args.quick:
        train_cfg = GPTConfig(vocab_size=65, block_size=32, n_layer=2, n_head=2, d_model=32)
        batch, steps, warmup = 4, args.steps or 3, 1
        gen_cfg = GPTConfig(vocab_size=65, block_size=64, n_layer=2, n_head=2, d_model=32)
        prompt_len, new_tokens, gen_repeats, peak_n = 16, 16, 1, 256
    else:
        train_cfg = GPTConfig(vocab_size=65, block_size=128, n_layer=4, n_head=4, d_model=128)
        batch, steps, warmup = 32, args.steps or 15, 3
        gen_cfg = GPTConfig(vocab_size=65, block_size=512, n_layer=4, n_head=4, d_model=128)
        prompt_len, new_tokens, gen_repeats, peak_n = 256, 256, 7, 2048
    # a --quick smoke run is not a result: it goes to the git-ignored build/ folder, never into results/
    out_path = args.out or (ROOT / "build" / "bench_gpt_quick.json" if args.quick else RESULTS_DIR / "bench_gpt.json")

    train = bench_training(train_cfg, batch, steps, warmup, peak_n)
    peak, ratio = train["matmul_peak_gflops"], train["ours_over_torch"]
    gen = bench_generation(gen_cfg, prompt_len, new_tokens, gen_repeats)

    results = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"), "quick": args.quick,
        "torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
        "machine": platform.machine(), "processor": platform.processor(),
        "training": {"config": vars(train_cfg), "batch": batch, "steps": steps, "warmup": warmup, **train},
        "generation": {"config": vars(gen_cfg), **gen},
        "provenance": make_provenance(
            " ".join(["python", "benchmarks/bench_gpt.py", *(sys.argv[1:] if argv is None else argv)]), [0, 1],
            {"training": vars(train_cfg), "generation": vars(gen_cfg), "batch": batch, "steps": steps},
            ["benchmarks/bench_gpt.py", "helpers/gpt.py", "helpers/attention.py", "helpers/generate.py",
             "helpers/transformer.py"]),
    }
    save_result(str(Path(out_path).resolve()), results)

    o, t = train["ours"], train["torch"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, matmul peak {peak:.0f} GFLOP/s "
          f"({peak_n}² float32, median, measured between the training steps)")
    print(f"\n(a) training step, batch {batch} x block {train_cfg.block_size}, median of {steps}")
    print(f"  {'model':<28}{'step (ms)':>10}{'tokens/s':>11}{'% of peak':>11}")
    for name, r in (("helpers.gpt.GPT", o), ("nn.TransformerEncoder LM", t)):
        print(f"  {name:<28}{1e3 * r['median_step_s']:>10.1f}{r['tokens_per_s']:>11,.0f}{100 * r['fraction_of_peak']:>10.0f}%")
    print(f"  ours / torch (tokens/s): {ratio:.2f}x  (median of per-round ratios {train['ours_over_torch_paired']:.2f}x"
          f"{'' if args.quick else '; target >= 1'})")
    m = gen["median_s"]
    print(f"\n(b) greedy generation, block {gen_cfg.block_size}, prompt {prompt_len}, {new_tokens} new tokens, batch 1, "
          f"median of {gen_repeats}")
    print(f"  {'method':<28}{'time (s)':>10}{'tokens/s':>11}")
    for name, k in (("KV cache (preallocated)", "cache"), ("KV cache (torch.cat)", "cache_concat"),
                    ("recompute every step", "recompute")):
        print(f"  {name:<28}{m[k]:>10.3f}{gen['tokens_per_s'][k]:>11,.0f}")
    print(f"  speed-up of the cache: {gen['speedup_cache_vs_recompute']:.1f}x  (median of per-round ratios "
          f"{gen['speedup_cache_vs_recompute_paired']:.1f}x{'' if args.quick else '; target >= 4.5'}; identical tokens)")
    print(f"\nwrote {out_path.relative_to(ROOT) if out_path.is_relative_to(ROOT) else out_path}")
    return results


if __name__ == "__main__":
    main()
