"""The decoder-only model (GPT) of notebooks 05–07, with its KV cache.

Take the Transformer of notebook 04, drop the encoder and the cross-attention, and what is
left is a stack of blocks that each do causal self-attention and a feed-forward layer. The
model reads a sequence of token ids and predicts, at every position, the *next* token:

    idx     = t0 t1 t2 t3          the model reads this ...
    targets = t1 t2 t3 t4          ... and must predict this (the same text, shifted by one)

Public API (other code relies on it)::

    cfg = GPTConfig(vocab_size=65, block_size=128, n_layer=4, n_head=4, d_model=128)
    model = GPT(cfg)
    logits = model(idx)                          # idx (B, T) -> (B, T, vocab_size)
    logits, loss = model(idx, targets)           # cross-entropy; targets == -100 are ignored
    logits, attn = model(idx, return_attention=True)   # attn: per layer (B, H, T, T)
    out = model.generate(idx, max_new_tokens=50, temperature=0.8, top_k=20)  # (B, T + 50)

Attention runs in one of two ways that compute the same numbers (``tests/test_gpt.py``):

- the **fast path** (training, and the prompt of ``generate``):
  ``torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)``, a fused
  kernel that never builds the ``(T, T)`` weight matrix;
- the **explicit path** (``return_attention=True``): a boolean mask (True = may attend)
  and ``helpers.attention.scaled_dot_product_attention``, which returns the weights so a
  notebook can draw them.

**The KV cache.** When generating, each new token needs the keys and values of all earlier
tokens, and those never change (causal attention: an earlier token never looks at a later
one). ``KVCache`` keeps them, preallocated for ``block_size`` positions, so each step
processes one token instead of the whole context. Cached greedy decoding gives exactly the
tokens that recomputation gives; on the course's 2-core CPU it is 7–9x faster at block 512
(a 256-token prompt, 256 new tokens), and preallocating beats ``torch.cat`` by 15–20 %
(``benchmarks/bench_gpt.py``).

**Context longer than ``block_size``.** Positions are learned for ``0 .. block_size - 1``
only, so ``generate`` feeds the model the last ``block_size`` tokens. Once the window
slides, every token's position changes and the cached keys/values no longer hold, so from
then on ``generate`` recomputes the window at every step (the cache helps only while the
text fits in ``block_size``); the tokens are the same with and without the cache.

**Prefix-LM** (notebook 06): ``model(idx, prefix_len=p)`` lets the first ``p`` positions
attend to each other in both directions (like an encoder), the rest causally.

Shapes use ``B`` batch, ``T`` time (tokens), ``H`` heads, ``C`` = ``d_model``, ``V`` vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from . import count_true
from .attention import scaled_dot_product_attention as explicit_attention
from .generate import sample_next
from .transformer import sinusoidal_encoding

__all__ = ["GPTConfig", "GPT", "Block", "CausalSelfAttention", "KVCache", "attention_mask", "lm_loss", "IGNORE_INDEX"]

IGNORE_INDEX = -100  # targets with this value add nothing to the loss (e.g. the prompt of an instruction)


@dataclass
class GPTConfig:
    """Sizes of a GPT. The defaults are the course's CPU-sized model (about 0.8 M parameters)."""

    vocab_size: int = 512        # number of token ids (0 .. vocab_size - 1); set it to your tokenizer's size
    block_size: int = 128        # longest context the model reads (it learns one position embedding per slot)
    n_layer: int = 4             # number of Transformer blocks
    n_head: int = 4              # attention heads per block (d_model must be divisible by it)
    d_model: int = 128           # width of the residual stream: the embedding size
    dropout: float = 0.0         # dropout on embeddings, attention weights and residual branches
    bias: bool = True            # biases in the Linear layers and LayerNorms (GPT-2 has them)
    tie_weights: bool = True     # the output layer reuses the token embedding matrix (GPT-1/2 do this)
    d_ff: int | None = None      # feed-forward hidden size; None means 4 * d_model
    pos: str = "learned"         # "learned" (one trained vector per slot, GPT-1/2) or "sinusoidal" (fixed waves, as notebook 04)

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"GPTConfig.{name} must be a positive int, got {value!r}")
        if self.d_model % self.n_head:
            raise ValueError(f"d_model={self.d_model} must be divisible by n_head={self.n_head}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.pos not in ("learned", "sinusoidal"):
            raise ValueError(f"pos must be 'learned' or 'sinusoidal', got {self.pos!r}")
        if self.d_ff is None:
            self.d_ff = 4 * self.d_model


# --- masks and the KV cache ------------------------------------------------------------

def attention_mask(t: int, past: int = 0, prefix_len=None, device=None) -> torch.Tensor:
    """Boolean mask, True = may attend, for ``t`` new queries after ``past`` cached positions.

    Query ``i`` sits at absolute position ``past + i`` and may attend keys ``0 .. past + i``
    (causal). With ``prefix_len`` (an int, or a ``(B,)`` tensor of ints) every query may also
    attend to every key ``< prefix_len``: the prefix is read bidirectionally (prefix-LM).

    Returns ``(t, past + t)``, or ``(B, 1, t, past + t)`` for a tensor ``prefix_len``.
    """
    keys = torch.arange(past + t, device=device)                     # (L,)
    queries = torch.arange(past, past + t, device=device)            # (t,)
    mask = keys[None, :] <= queries[:, None]                         # (t, L): causal
    if prefix_len is None:
        return mask
    if isinstance(prefix_len, torch.Tensor) and prefix_len.dim() == 1:
        prefix = keys[None, :] < prefix_len.to(device)[:, None]      # (B, L)
        return mask[None, None] | prefix[:, None, None, :]           # (B, 1, t, L)
    return mask | (keys < int(prefix_len))[None, :]


class KVCache:
    """Keys and values of every layer for the tokens seen so far.

    ``preallocate=True`` (the default) reserves ``max_len`` positions up front and writes
    each step's keys/values into the next slots; ``preallocate=False`` concatenates
    (``torch.cat`` copies the whole cache every step). Per layer the cache holds
    ``k, v`` of shape ``(B, H, length, d_head)``; ``length`` grows by ``advance(t)``.
    """

    def __init__(self, n_layer: int, batch: int, n_head: int, d_head: int, max_len: int,
                 *, preallocate: bool = True, dtype=torch.float32, device=None):
        self.max_len, self.preallocate, self.length = max_len, preallocate, 0
        if preallocate:
            shape = (n_layer, batch, n_head, max_len, d_head)
            self.k = torch.zeros(shape, dtype=dtype, device=device)   # (layers, B, H, max_len, d_head)
            self.v = torch.zeros(shape, dtype=dtype, device=device)
        else:
            self.k = [None] * n_layer                                 # per layer (B, H, length, d_head)
            self.v = [None] * n_layer

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store ``t`` new positions ``k, v (B, H, t, d_head)`` of ``layer``; return all ``(B, H, length + t, d_head)``.

        Call ``advance(t)`` once every layer has stored its keys and values.
        """
        start, end = self.length, self.length + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"the KV cache holds at most {self.max_len} positions; {end} were asked for")
        if self.preallocate:
            self.k[layer, :, :, start:end] = k
            self.v[layer, :, :, start:end] = v
            return self.k[layer, :, :, :end], self.v[layer, :, :, :end]
        if start:
            k, v = torch.cat([self.k[layer], k], dim=2), torch.cat([self.v[layer], v], dim=2)
        self.k[layer], self.v[layer] = k, v
        return k, v

    def advance(self, t: int) -> None:
        self.length += t


# --- the model -------------------------------------------------------------------------

class CausalSelfAttention(nn.Module):
    """Multi-head self-attention with one fused ``qkv`` projection.

    ``forward(x (B, T, C), mask=None, cache=None, layer=0, need_weights=False)`` returns
    ``(y (B, T, C), weights (B, H, T, L) or None)`` where ``L`` is ``T`` plus the cached length.
    ``mask`` (bool, True = may attend, ``(T, L)`` or ``(B, 1, T, L)``) is required with
    ``need_weights``; without one the attention is causal (the fast path).
    """

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head, self.d_head, self.dropout = cfg.n_head, cfg.d_model // cfg.n_head, cfg.dropout
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=cfg.bias)  # W_q, W_k, W_v in one matmul
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=cfg.bias)     # mixes the heads' outputs
        self.resid_drop = nn.Dropout(cfg.dropout)

    def forward(self, x, mask=None, cache: KVCache | None = None, layer: int = 0, need_weights: bool = False):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_head, self.d_head).permute(2, 0, 3, 1, 4)  # each (B, H, T, d_head)
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.update(layer, k, v)                          # (B, H, past + T, d_head)
        p = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            y, weights = explicit_attention(q, k, v, mask, dropout_p=p, training=self.training)
        elif mask is not None:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        elif past == 0:                                               # the whole sequence: causal, fused
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        elif t == 1:                                                  # one new token sees every cached one
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        else:
            raise ValueError("several new tokens after a cache need an explicit mask (see attention_mask)")
        y = y.transpose(1, 2).reshape(b, t, c)                        # (B, T, C): heads side by side
        return self.resid_drop(self.proj(y)), weights


class MLP(nn.Module):
    """Position-wise feed-forward layer: ``Linear(C, d_ff) -> GELU -> Linear(d_ff, C)``."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(cfg.d_model, cfg.d_ff, bias=cfg.bias)
        self.proj = nn.Linear(cfg.d_ff, cfg.d_model, bias=cfg.bias)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop(self.proj(F.gelu(self.fc(x))))


class Block(nn.Module):
    """One pre-norm Transformer block: ``x + attn(ln(x))``, then ``x + mlp(ln(x))``. ``(B, T, C) -> (B, T, C)``."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x, mask=None, cache=None, layer=0, need_weights=False):
        a, weights = self.attn(self.ln_1(x), mask, cache, layer, need_weights)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, weights


class FixedPositions(nn.Module):
    """Sinusoidal position vectors looked up like an embedding: ``forward(pos (T,)) -> (T, C)``, no parameters.

    The waves are scaled to the size of the token embeddings at initialisation (RMS 0.02), as the
    learned position embeddings are; at full size they would drown the tokens out.
    """

    def __init__(self, block_size: int, d_model: int):
        super().__init__()
        waves = sinusoidal_encoding(block_size, d_model) * (0.02 * math.sqrt(2))     # (block, C), RMS 0.02
        self.register_buffer("weight", waves, persistent=False)

    def forward(self, pos: torch.Tensor) -> torch.Tensor:
        return self.weight[pos]


class GPT(nn.Module):
    """A GPT: token + position embeddings, ``n_layer`` causal blocks, a final LayerNorm, an output layer.

    ``forward(idx (B, T), targets (B, T) = None, *, return_attention=False, prefix_len=None, cache=None)``:
        returns ``logits (B, T, V)``; with ``targets`` also the mean cross-entropy (positions
        whose target is ``-100`` are ignored): ``(logits, loss)``; with ``return_attention``
        the per-layer weights ``[(B, H, T, L)] * n_layer`` are appended: ``(logits, attn)`` or
        ``(logits, loss, attn)``. ``prefix_len`` (int or ``(B,)``): bidirectional prefix.
        ``cache``: a ``KVCache`` from ``new_cache``; ``idx`` then continues the cached tokens.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT expects a GPTConfig, got {type(config).__name__}")
        self.config = cfg = config
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)          # token embeddings
        if cfg.pos == "learned":
            self.wpe = nn.Embedding(cfg.block_size, cfg.d_model)      # learned position embeddings
        else:
            self.wpe = FixedPositions(cfg.block_size, cfg.d_model)    # sinusoidal: nothing to learn
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        if cfg.tie_weights:
            self.lm_head.weight = self.wte.weight                     # one matrix: embed in, score out
        self.apply(self._init_weights)
        # GPT-2: scale the layers that write into the residual stream by 1/sqrt(2 * n_layer),
        # so the stream's variance does not grow with depth.
        for name, p in self.named_parameters():
            if name.endswith("attn.proj.weight") or name.endswith("mlp.proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_parameters(self, non_embedding: bool = False) -> int:
        """Parameters (each tied matrix counted once); ``non_embedding`` leaves out the embeddings."""
        n = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n -= self.wte.weight.numel() + (self.wpe.weight.numel() if self.config.pos == "learned" else 0)
        return n

    def new_cache(self, batch: int, *, preallocate: bool = True) -> KVCache:
        """An empty ``KVCache`` for ``batch`` sequences of up to ``block_size`` tokens."""
        cfg, w = self.config, self.wte.weight
        return KVCache(cfg.n_layer, batch, cfg.n_head, cfg.d_model // cfg.n_head, cfg.block_size,
                       preallocate=preallocate, dtype=w.dtype, device=w.device)

    def _check_idx(self, idx, past: int = 0) -> None:
        if not isinstance(idx, torch.Tensor) or idx.dim() != 2:
            got = tuple(idx.shape) if isinstance(idx, torch.Tensor) else type(idx).__name__
            raise ValueError(f"idx must be a (batch, time) tensor of token ids, got {got}")
        if idx.dtype not in (torch.long, torch.int):
            raise TypeError(f"idx must hold integer token ids (torch.long), got {idx.dtype}")
        t, limit = idx.shape[1], self.config.block_size
        if t == 0:
            raise ValueError("idx is empty: give the model at least one token")
        if past + t > limit:
            where = f" after {past} cached tokens" if past else ""
            raise ValueError(f"a sequence of {past + t} tokens{where} is longer than block_size={limit}: "
                             f"crop it to the last {limit} tokens (generate does this for you)")
        v = self.config.vocab_size
        if idx.device.type != "cpu":
            # On a GPU, reading the ids back to the host would stall every step until the device catches up, so
            # the range check runs on the device: a bad id stops the run (asynchronously) with this message.
            torch._assert_async((idx.min() >= 0) & (idx.max() < v), f"token ids must lie in 0..{v - 1} (vocab_size)")
            return
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= v:
            raise ValueError(f"token ids must lie in 0..{v - 1} (vocab_size), got ids from {lo} to {hi}")

    def _hidden(self, idx, *, cache=None, prefix_len=None, need_weights=False):
        """The final hidden states ``(B, T, C)`` and the per-layer weights (or ``None``s)."""
        b, t = idx.shape
        past = cache.length if cache is not None else 0
        pos = torch.arange(past, past + t, device=idx.device)         # (T,) absolute positions
        x = self.drop(self.wte(idx) + self.wpe(pos))                  # (B, T, C)
        mask = None
        if need_weights or prefix_len is not None or (past and t > 1):
            mask = attention_mask(t, past, prefix_len, device=idx.device)  # True = may attend
        weights = []
        for i, block in enumerate(self.blocks):
            x, w = block(x, mask, cache, i, need_weights)
            weights.append(w)
        if cache is not None:
            cache.advance(t)
        return self.ln_f(x), weights

    def forward(self, idx, targets=None, *, return_attention: bool = False, prefix_len=None,
                cache: KVCache | None = None):
        self._check_idx(idx, cache.length if cache is not None else 0)
        if prefix_len is not None:
            prefix_len = _check_prefix(prefix_len, idx.shape[0])
        h, weights = self._hidden(idx, cache=cache, prefix_len=prefix_len, need_weights=return_attention)
        logits = self.lm_head(h)                                      # (B, T, V)
        out = (logits,)
        if targets is not None:
            if not isinstance(targets, torch.Tensor) or targets.shape != idx.shape:
                got = tuple(targets.shape) if isinstance(targets, torch.Tensor) else type(targets).__name__
                raise ValueError(f"targets must have the shape of idx {tuple(idx.shape)}, got {got}")
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1),
                                   ignore_index=IGNORE_INDEX)
            out += (loss,)
        if return_attention:
            out += (weights,)
        return out[0] if len(out) == 1 else out

    @torch.no_grad()
    def generate(self, idx, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 top_p: float | None = None, use_cache: bool = True, generator: torch.Generator | None = None,
                 eos_id: int | None = None, prefix_len=None, preallocate: bool = True) -> torch.Tensor:
        """Continue every row of ``idx (B, T)`` by ``max_new_tokens`` tokens; returns ``(B, T + max_new_tokens)``.

        Each token is drawn by ``helpers.generate.sample_next`` (``temperature=0``: greedy;
        ``top_k``, ``top_p``: keep only the best tokens; ``generator``: a seeded
        ``torch.Generator`` for repeatable samples, on the CPU or the model's device: tokens are drawn
        where it lives, so one seed gives the same tokens whatever the model's device). The model sees the last ``block_size``
        tokens. ``use_cache`` keeps keys/values of earlier tokens (``KVCache``) instead of
        recomputing them (same tokens, much faster). With ``eos_id``, a row that has produced it
        continues with ``eos_id`` only, and generation stops once every row has (the result is
        then shorter). ``prefix_len``: read the first tokens bidirectionally (prefix-LM); the text
        must then fit in ``block_size``. The model is put in eval mode and restored afterwards.
        """
        if isinstance(idx, torch.Tensor) and idx.dim() == 2:
            self._check_idx(idx[:, -self.config.block_size:])              # a longer prompt is cropped, not refused
        else:
            self._check_idx(idx)
        if not isinstance(max_new_tokens, int) or max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be a non-negative int, got {max_new_tokens!r}")
        b, t0 = idx.shape
        block = self.config.block_size
        if prefix_len is not None:
            prefix_len = _check_prefix(prefix_len, b)
            if t0 + max_new_tokens > block:
                raise ValueError(f"with prefix_len the prompt and the new tokens must fit in block_size={block}: "
                                 f"{t0} + {max_new_tokens} > {block}")
        out = torch.empty(b, t0 + max_new_tokens, dtype=torch.long, device=idx.device)
        out[:, :t0] = idx
        if max_new_tokens == 0:
            return out
        was_training = self.training
        self.eval()
        try:
            done = torch.zeros(b, dtype=torch.bool, device=idx.device) if eos_id is not None else None
            cache = self.new_cache(b, preallocate=preallocate) if use_cache else None
            h, _ = self._hidden(idx[:, -block:], cache=cache, prefix_len=prefix_len)   # the prompt, in one go
            logits = self.lm_head(h[:, -1])                           # (B, V): only the last position matters
            t = t0
            while True:
                nxt = sample_next(logits, temperature=temperature, top_k=top_k, top_p=top_p, generator=generator)
                if done is not None:
                    nxt = nxt.masked_fill(done, eos_id)
                    done |= nxt == eos_id
                out[:, t] = nxt
                t += 1
                if t == out.shape[1] or (done is not None and bool(done.all())):
                    break
                if cache is not None and cache.length < block:        # room left: one token, cached
                    h, _ = self._hidden(out[:, t - 1:t], cache=cache)
                else:                                                 # recompute the last block_size tokens
                    h, _ = self._hidden(out[:, max(0, t - block):t], prefix_len=prefix_len)
                logits = self.lm_head(h[:, -1])                       # (B, V)
        finally:
            self.train(was_training)
        return out[:, :t]


def lm_loss(model: GPT, batch) -> tuple[torch.Tensor, int]:
    """Next-token loss for ``helpers.train.train(model, loader, loss_fn=lm_loss)``.

    ``batch`` is ``(idx, targets)``, two ``(B, T)`` tensors (targets ``-100`` are ignored), or
    one ``(B, T + 1)`` tensor of ids, split into ``idx = x[:, :-1]`` and ``targets = x[:, 1:]``.
    Returns the mean loss and the number of target tokens it was computed on (``helpers.count_true``: a 0-dim tensor
    on a GPU, so that counting does not stall every step).
    """
    if isinstance(batch, torch.Tensor):
        idx, targets = batch[:, :-1], batch[:, 1:]
    elif isinstance(batch, (tuple, list)) and len(batch) == 2:
        idx, targets = batch
    else:
        raise ValueError("lm_loss expects a batch (idx, targets) or one (B, T + 1) tensor of token ids")
    _, loss = model(idx, targets)
    return loss, count_true(targets != IGNORE_INDEX)


def _check_prefix(prefix_len, batch: int):
    if isinstance(prefix_len, torch.Tensor):
        if prefix_len.shape != (batch,) or prefix_len.dtype.is_floating_point:
            raise ValueError(f"prefix_len must be an int or a ({batch},) integer tensor, got "
                             f"{prefix_len.dtype} {tuple(prefix_len.shape)}")
        if bool((prefix_len < 0).any()):
            raise ValueError("prefix_len must be >= 0")
        return prefix_len
    if not isinstance(prefix_len, int) or isinstance(prefix_len, bool) or prefix_len < 0:
        raise ValueError(f"prefix_len must be a non-negative int or a (B,) tensor, got {prefix_len!r}")
    return prefix_len
