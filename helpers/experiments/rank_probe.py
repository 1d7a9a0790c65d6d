"""The rank argument, measured where it can bind: attention maps of trained models over prompts much longer
than the head size.

The argument (Su Jianlin, "为什么现在的LLM都是Decoder-only的架构？", kexue.fm/archives/9529, 2023): a head's
attention map is ``softmax(Q Kᵀ / √d)`` with ``Q, K`` of shape ``(n, d)``, so before the softmax it has rank at
most ``d`` (the head size); when ``n ≫ d`` a *bidirectional* map may stay close to low rank, while a *causal* map
is lower-triangular with a positive diagonal and therefore always full rank. Bhojanapalli et al. (2020,
"Low-Rank Bottleneck in Multi-head Attention Models", ICML) showed that a head size below the sequence length
limits which maps a head can express. With the course's head size 32 and prompts of at most 34 tokens the
bottleneck cannot occur, so this probe trains heads of size 4 as well.

What is measured, per head and layer, on the prompt ``<zh> source <en>`` (where the prefix-LM is bidirectional
and the causal model is not, and which both models read in full before writing): the *numerical rank* of the
``(P, P)`` map (singular values above ``rtol`` times the largest, ``helpers.metrics.relative_rank``) divided by
``P``. Only prompts of at least ``min_len`` tokens count, so ``P`` is several times the head size.
"""

from __future__ import annotations

from typing import Sequence

import torch

from ..metrics import relative_rank

__all__ = ["prompt_maps", "rank_profile", "logit_rank"]


@torch.no_grad()
def prompt_maps(model, vocab, sources: Sequence[Sequence[str]], *, prefix_lm: bool) -> list[list[torch.Tensor]]:
    """Attention maps of a decoder-only ``GPT`` over each prompt ``<zh> source <en>``: one list per source of one
    ``(H, P, P)`` tensor per layer (on the CPU). ``prefix_lm``: the whole prompt is read bidirectionally."""
    from .text_tasks import prompt_ids

    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    for source in sources:
        ids = torch.tensor([prompt_ids(vocab, "zh2en", source)], device=device)            # (1, P)
        _, maps = model(ids, return_attention=True, prefix_len=ids.shape[1] if prefix_lm else None)
        out.append([m[0].float().cpu() for m in maps])                                      # (H, P, P) per layer
    model.train(was_training)
    return out


def rank_profile(maps: list[list[torch.Tensor]], *, min_len: int, rtols: Sequence[float] = (1e-2, 1e-4)) -> dict:
    """Mean relative numerical rank of every head's map over prompts of at least ``min_len`` tokens.

    Returns ``{"maps": count, "prompts": count, "mean_length": P̄, "relative_rank": {str(rtol): mean},
    "smallest_diagonal": min over causal-style maps of the smallest diagonal entry}``.
    """
    if min_len < 1:
        raise ValueError(f"min_len must be at least 1, got {min_len}")
    ranks = {r: [] for r in rtols}
    lengths, smallest = [], float("inf")
    for layers in maps:
        p = layers[0].shape[-1]
        if p < min_len:
            continue
        lengths.append(p)
        for m in layers:                                           # (H, P, P)
            for head in m:
                smallest = min(smallest, float(head.diagonal().min()))
                for r in rtols:
                    ranks[r].append(relative_rank(head, rtol=r))
    if not lengths:
        raise ValueError(f"no prompt has {min_len} tokens or more")
    return {"maps": len(ranks[rtols[0]]), "prompts": len(lengths), "mean_length": sum(lengths) / len(lengths),
            "relative_rank": {str(r): sum(v) / len(v) for r, v in ranks.items()}, "smallest_diagonal": smallest}


@torch.no_grad()
def logit_rank(model, vocab, source: Sequence[str], layer: int = 0, rtol: float = 1e-4) -> tuple[list[int], int]:
    """The rank of every head's scores ``Q Kᵀ`` (before the softmax) in ``layer`` on one prompt, and the prompt
    length: at most the head size, whatever the length (the bottleneck the argument starts from)."""
    from .text_tasks import prompt_ids

    device = next(model.parameters()).device
    ids = torch.tensor([prompt_ids(vocab, "zh2en", source)], device=device)                 # (1, P)
    captured = {}
    attn = model.blocks[layer].attn
    hook = attn.register_forward_pre_hook(lambda mod, args: captured.setdefault("x", args[0]))
    was_training = model.training
    model.eval()
    try:
        model(ids)
    finally:
        hook.remove()
        model.train(was_training)
    x = captured["x"]                                                                       # (1, P, C), after ln_1
    b, t, _ = x.shape
    q, k, _ = attn.qkv(x).view(b, t, 3, attn.n_head, attn.d_head).permute(2, 0, 3, 1, 4)  # each (1, H, P, d)
    scores = (q @ k.transpose(-2, -1))[0].cpu().double()                # (H, P, P), in float64 on the CPU
    return [int(torch.linalg.matrix_rank(s, rtol=rtol)) for s in scores], t
