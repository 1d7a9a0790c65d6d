"""Notebook 02, exercise 5 (``nb02.py`` re-exports it): ``decoder_step(dec, prev, state, context)``, one step of
the plain decoder with its GRU step written from the four equations, checked against ``helpers.rnn.Decoder``.

The checker prints ✅ or ❌ with a hint and returns a ``CheckResult``; it raises only with ``strict=True``. Hints
come in steps: a nudge in words, then the equations, the code only with ``hint=3``. Its mistakes are functions
that make a typical error on purpose, so the checker can recognise it.
"""

from __future__ import annotations

import torch

from helpers.rnn import Decoder, RNNConfig
from helpers.teaching.checks import CheckResult, Hints, Mistake, check_function

__all__ = ["decoder_step", "check_decoder_step"]


# --- exercise 5: one step of the plain decoder, by hand -------------------------------------------

@torch.no_grad()
def decoder_step(dec, prev: torch.Tensor, state: torch.Tensor, context: torch.Tensor):
    """Reference: what ``helpers.rnn.Decoder`` computes for one word. ``prev (B,)`` ids, ``state (B, H)``,
    ``context (B, H)`` the one vector -> ``(logits (B, V), new state (B, H))``."""
    logits, new_state, _ = dec(prev[:, None], state, context)       # a sequence of one word: (B, 1, V)
    return logits[:, 0], new_state


def _step_variant(dec, prev, state, context, *, z_swapped=False, c_n_outside=False, old_state_out=False,
                  zr_order=False):
    """The step written from the GRU equations, with one mistake switched on."""
    x = dec.embed(prev)                                              # (B, E)
    gru, H = dec.gru, state.size(-1)
    i_r, i_z, i_n = (torch.cat([x, context], dim=-1) @ gru.weight_ih_l0.T + gru.bias_ih_l0).split(H, dim=-1)
    U_n, c_n = gru.weight_hh_l0[2 * H:], gru.bias_hh_l0[2 * H:]
    h_r, h_z, h_n = (state @ gru.weight_hh_l0.T + gru.bias_hh_l0).split(H, dim=-1)
    if zr_order:
        i_r, i_z, h_r, h_z = i_z, i_r, h_z, h_r
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * (state @ U_n.T) + c_n) if c_n_outside else torch.tanh(i_n + r * h_n)
    new = z * n + (1 - z) * state if z_swapped else (1 - z) * n + z * state
    return dec.out(torch.cat([state if old_state_out else new, context, x], dim=-1)), new


class _SmallDecoder(Decoder):
    """A ``helpers.rnn.Decoder`` that a failed check names in one line (not its whole printout)."""

    def __repr__(self) -> str:
        return (f"Decoder(emb_dim={self.embed.embedding_dim}, hidden_dim={self.gru.hidden_size}, "
                f"tgt_vocab={self.out.out_features})")


def _decoder_step_cases():
    cases = []
    for seed, (emb, hidden, vocab, batch) in enumerate([(6, 10, 23, 3), (8, 12, 17, 2)]):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(20 + seed)
            dec = _SmallDecoder(RNNConfig(src_vocab=5, tgt_vocab=vocab, emb_dim=emb, hidden_dim=hidden,
                                          attention=False, dropout=0.0)).eval()
            prev = torch.randint(1, vocab, (batch,))
            state, context = torch.tanh(torch.randn(batch, hidden)), torch.tanh(torch.randn(batch, hidden))
        cases.append((dec, prev, state, context))
    return cases


_STEP_EQUATIONS = ("with x = [Embed(prev); context] and h the old state: r = σ(W_r x + b_r + U_r h + c_r), "
                   "z = σ(W_z x + b_z + U_z h + c_z), n = tanh(W_n x + b_n + r ⊙ (U_n h + c_n)), "
                   "h' = (1 - z) ⊙ n + z ⊙ h; then logits = W_o [h'; context; Embed(prev)] + b_o.")
_STEP_CODE = (
    "e = dec.embed(prev); x = torch.cat([e, context], dim=-1)                 # (B, E + H)\n"
    "         W_r, W_z, W_n = dec.gru.weight_ih_l0.split(H); U_r, U_z, U_n = dec.gru.weight_hh_l0.split(H)\n"
    "         b_r, b_z, b_n = dec.gru.bias_ih_l0.split(H); c_r, c_z, c_n = dec.gru.bias_hh_l0.split(H)\n"
    "         r = torch.sigmoid(x @ W_r.T + b_r + state @ U_r.T + c_r)   # z: the same with W_z, b_z, U_z, c_z\n"
    "         n = torch.tanh(x @ W_n.T + b_n + r * (state @ U_n.T + c_n))\n"
    "         new = (1 - z) * n + z * state\n"
    "         return dec.out(torch.cat([new, context, e], dim=-1)), new")


def check_decoder_step(fn, *, hint: int | None = None, strict: bool = False) -> CheckResult:
    """Exercise 5: ``fn(dec, prev, state, context)`` must give ``helpers.rnn.Decoder``'s logits and new state (two
    small seeded decoders, their weights as PyTorch initialises them)."""
    return check_function(
        fn, decoder_step, _decoder_step_cases(), name="exercise 5 (one decoder step)", strict=strict, hint=hint,
        mistakes=[
            Mistake(lambda *a: _step_variant(*a, z_swapped=True),
                    "the update gate works the other way round: z is the share of the old state that is kept, and "
                    "1 - z the share of the candidate that comes in.",
                    concept="h' = (1 - z) ⊙ n + z ⊙ h: where z is close to 1 the old state h stays, where it is "
                            "close to 0 the candidate n replaces it.",
                    code="new = (1 - z) * n + z * state"),
            Mistake(lambda *a: _step_variant(*a, c_n_outside=True),
                    "the reset gate must scale the whole recurrent part of the candidate, its bias from the state "
                    "side included.",
                    concept="n = tanh(W_n x + b_n + r ⊙ (U_n h + c_n)): c_n is inside the brackets, b_n outside. "
                            "This is the one place where the two biases of a gate do not simply add up.",
                    code="n = torch.tanh(x @ W_n.T + b_n + r * (state @ U_n.T + c_n))"),
            Mistake(lambda *a: _step_variant(*a, old_state_out=True),
                    "the output layer must read the new state, the one this step has just computed, not the state "
                    "the step started from.",
                    concept="the output layer reads [h'; context; Embed(prev)]: the new state h', the one vector "
                            "and the embedding of the previous word, in that order.",
                    code="logits = dec.out(torch.cat([new, context, e], dim=-1))   # (B, H), (B, H), (B, E)"),
            Mistake(lambda *a: _step_variant(*a, zr_order=True),
                    "the reset and update gates are swapped. The stacked weights hold the three parts in the "
                    "order reset, update, candidate.",
                    concept="weight_ih_l0 is [W_r; W_z; W_n] (3H rows), weight_hh_l0 is [U_r; U_z; U_n], and the "
                            "two biases follow the same order: split each into three blocks of H.",
                    code="W_r, W_z, W_n = dec.gru.weight_ih_l0.split(H)      # H = state.shape[-1]"),
        ],
        hints=Hints(
            nudge="compare your step with the four GRU equations of section 3, and check what the output layer "
                  "reads: the new state, the one vector and the embedding of the previous word, in that order.",
            concept=_STEP_EQUATIONS,
            code=_STEP_CODE,
        ),
    )
