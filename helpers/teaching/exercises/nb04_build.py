"""Notebook 04, exercise 5: build the decoder layer (reference, typical mistakes, checker).

The learner gets the layer's ``__init__`` (the same sub-modules, with the same names, as
``helpers.transformer.DecoderLayer``) and writes its ``forward``. The checker builds a seeded
``helpers.transformer.DecoderLayer``, copies its weights into the learner's class with ``load_state_dict``, and
compares the outputs on padded batches (eval mode, no dropout). ``nb04`` re-exports ``check_decoder_layer``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from helpers.attention import MultiHeadAttention
from helpers.teaching.checks import CheckResult, Hints, Mistake, _report, _where_raised, check_function
from helpers.transformer import DecoderLayer, FeedForward

__all__ = ["DecoderLayerAnswer", "check_decoder_layer"]


class DecoderLayerAnswer(nn.Module):
    """Reference: pre-norm decoder layer, ``(B, T, D) -> (B, T, D)``; the stub's ``__init__``, ``forward`` filled in."""

    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.cross_attn = MultiHeadAttention(d_model, n_heads)
        self.norm3 = nn.LayerNorm(d_model)
        self.ffn = FeedForward(d_model, d_ff)

    def forward(self, x, memory, src_mask):
        h = self.norm1(x)
        x = x + self.self_attn(h, h, h, is_causal=True)[0]                           # t sees 0..t
        h = self.norm2(x)
        x = x + self.cross_attn(h, memory, memory, mask=src_mask[:, None, :])[0]     # (B, 1, S): no padding keys
        return x + self.ffn(self.norm3(x))                                           # (B, T, D)


class _PostNorm(DecoderLayerAnswer):
    def forward(self, x, memory, src_mask):
        x = self.norm1(x + self.self_attn(x, x, x, is_causal=True)[0])
        x = self.norm2(x + self.cross_attn(x, memory, memory, mask=src_mask[:, None, :])[0])
        return self.norm3(x + self.ffn(x))


class _NoResidual(DecoderLayerAnswer):
    def forward(self, x, memory, src_mask):
        h = self.norm1(x)
        x = self.self_attn(h, h, h, is_causal=True)[0]
        x = self.cross_attn(self.norm2(x), memory, memory, mask=src_mask[:, None, :])[0]
        return self.ffn(self.norm3(x))


class _NoPaddingMask(DecoderLayerAnswer):
    def forward(self, x, memory, src_mask):
        h = self.norm1(x)
        x = x + self.self_attn(h, h, h, is_causal=True)[0]
        x = x + self.cross_attn(self.norm2(x), memory, memory)[0]
        return x + self.ffn(self.norm3(x))


class _NotCausal(DecoderLayerAnswer):
    def forward(self, x, memory, src_mask):
        h = self.norm1(x)
        x = x + self.self_attn(h, h, h)[0]
        x = x + self.cross_attn(self.norm2(x), memory, memory, mask=src_mask[:, None, :])[0]
        return x + self.ffn(self.norm3(x))


@dataclass(frozen=True)
class _Weights:
    """Which seeded ``helpers.transformer.DecoderLayer`` a test case copies its weights from."""

    seed: int
    d_model: int
    n_heads: int
    d_ff: int

    def __repr__(self) -> str:
        return f"the weights of DecoderLayer({self.d_model}, {self.n_heads}, {self.d_ff})"

    def tested_layer(self) -> DecoderLayer:
        """The seeded layer, its LayerNorms given a gain and a bias (as after training), in eval mode."""
        with torch.random.fork_rng():                   # leave the learner's random numbers alone
            torch.manual_seed(self.seed)
            layer = DecoderLayer(self.d_model, self.n_heads, self.d_ff).eval()
            with torch.no_grad():
                for norm in (layer.norm1, layer.norm2, layer.norm3):
                    norm.weight.uniform_(0.5, 1.5)
                    norm.bias.uniform_(-0.5, 0.5)
        return layer


def _case(seed, d, h, d_ff, t, lengths):
    """(x (B, T, D), memory (B, S, D), src_mask (B, S), weights): ``lengths`` are the real source lengths."""
    g = torch.Generator().manual_seed(100 + seed)
    b, s = len(lengths), max(lengths)
    x = torch.randn(b, t, d, generator=g)
    memory = torch.randn(b, s, d, generator=g)
    src_mask = torch.arange(s)[None, :] < torch.tensor(lengths)[:, None]            # True = a real position
    return x, memory, src_mask, _Weights(seed, d, h, d_ff)


def _cases():
    return [_case(0, 16, 4, 32, 5, (6, 3)), _case(1, 32, 2, 64, 4, (5, 2, 4)), _case(2, 8, 1, 16, 6, (3,))]


def _helpers_output(x, memory, src_mask, weights):
    with torch.no_grad():
        return weights.tested_layer()(x, memory, src_mask)[0]                       # (B, T, D)


def _runner(cls):
    """``run(*case)``: the class ``cls`` loaded with the case's weights, on the case's inputs."""
    def run(x, memory, src_mask, weights):
        layer = cls(weights.d_model, weights.n_heads, weights.d_ff)
        layer.load_state_dict(weights.tested_layer().state_dict())
        layer.eval()
        with torch.no_grad():
            return layer(x, memory, src_mask)
    return run


_PRE_NORM = "each sublayer f does x ← x + f(LN(x)): normalise a copy of x, run the sublayer on the copy, and add its " \
            "output to x itself"
_CODE = ("h = self.norm1(x); x = x + self.self_attn(h, h, h, is_causal=True)[0]\n"
         "         h = self.norm2(x); x = x + self.cross_attn(h, memory, memory, mask=src_mask[:, None, :])[0]\n"
         "         return x + self.ffn(self.norm3(x))")
_MISTAKES = [
    Mistake(_runner(_PostNorm),
            "you normalise after the sum, LN(x + f(x)): that is the post-norm layer of the 2017 paper. "
            "helpers.transformer (and section 5) is pre-norm: the LayerNorm goes on the sublayer's input only.",
            concept=_PRE_NORM + ". The sum itself is not normalised.", code=_CODE),
    Mistake(_runner(_NoResidual),
            "a sublayer's output replaces x instead of being added to it: keep the residual connections.",
            concept=_PRE_NORM + ", for all three sublayers.", code=_CODE),
    Mistake(_runner(_NoPaddingMask),
            "the English words also read the padding at the end of the shorter Chinese sentences: give the "
            "cross-attention the source's padding mask.",
            concept="src_mask (B, S) marks the real source positions. The cross-attention's weights are "
                    "(B, H, T, S), so pass mask=src_mask[:, None, :], of shape (B, 1, S): the same keys for every "
                    "query.",
            code=_CODE),
    Mistake(_runner(_NotCausal),
            "position t reads English words that come after it. The decoder's self-attention must be causal, or "
            "in training it sees the very word it must predict.",
            concept="self-attention over the English uses the causal mask: query t may attend to keys 0..t only. "
                    "MultiHeadAttention adds it with is_causal=True.",
            code=_CODE),
]
_HINTS = Hints(
    nudge="three sublayers, in this order: causal self-attention over the English, cross-attention to memory, "
          "the feed-forward network; each one reads a LayerNorm'd copy (norm1, norm2, norm3) and adds its output "
          "to x. MultiHeadAttention returns (output, weights): keep the output.",
    concept="x ← x + SelfAttn(LN1(x), causal); x ← x + CrossAttn(queries LN2(x), keys and values memory, mask "
            "src_mask[:, None, :]); x ← x + FFN(LN3(x)). Shapes: x (B, T, D), memory (B, S, D), output (B, T, D).",
    code=_CODE,
)
_NAME = "exercise 5 (decoder layer)"


def _structure_problem(cls) -> str | None:
    """What is wrong with the class itself (before any number is compared), in words; ``None`` when it is fine."""
    if isinstance(cls, nn.Module):
        return "pass the class itself (MyDecoderLayer), not a layer made from it (MyDecoderLayer(...))."
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        return f"expected a class (a subclass of nn.Module), got {type(cls).__name__}."
    try:
        layer = cls(16, 4, 32)
    except Exception as err:
        return f"making the layer raised {type(err).__name__}: {err}{_where_raised(err)}."
    ours = {k: tuple(v.shape) for k, v in layer.state_dict().items()}
    want = {k: tuple(v.shape) for k, v in DecoderLayer(16, 4, 32).state_dict().items()}
    missing, extra = sorted(want.keys() - ours.keys()), sorted(ours.keys() - want.keys())
    if missing or extra:
        what = f"it lacks {missing[:3]}" if missing else f"it has weights the tested layer lacks: {extra[:3]}"
        return (f"the checker copies the weights of helpers.transformer.DecoderLayer into your layer by name, but "
                f"{what}. Keep the __init__ as it was given.")
    shapes = [k for k in want if ours[k] != want[k]]
    if shapes:
        return f"the weight {shapes[0]} has shape {ours[shapes[0]]}; expected {want[shapes[0]]}. Keep the __init__ " \
               "as it was given."
    return None


def check_decoder_layer(cls, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 5: the class ``cls(d_model, n_heads, d_ff)``, loaded with the weights of a seeded
    ``helpers.transformer.DecoderLayer``, must give its output on padded batches (three sizes)."""
    with torch.random.fork_rng():                   # making layers draws random weights: leave the learner's alone
        problem = _structure_problem(cls)
        if problem:
            return _report(False, _NAME, problem, strict)
        return check_function(_runner(cls), _helpers_output, _cases(), mistakes=_MISTAKES, hints=_HINTS, name=_NAME,
                              hint=hint, strict=strict, atol=1e-5, rtol=1e-4)
