"""What a conversation costs each model family to serve (notebook 06, experiment 5).

In a chat, the input grows every turn: the user's new message is added to everything said
before. A **decoder-only** model keeps the keys and values of every earlier token in its KV
cache, so a turn only has to read the new message and write the reply. An
**encoder–decoder** has no such shortcut: its encoder reads the whole input bidirectionally,
so every earlier token's vector depends on the newest one and the encoder must re-read the
whole conversation each turn.

``conversation_cost(gpt, transformer, turns=..., user_len=..., reply_len=...)`` plays the
same conversation (random token ids: the cost of a forward pass does not depend on what the
weights have learned) through both models and returns, per turn, the wall time and the
floating-point operations counted by ``torch.utils.flop_counter.FlopCounterMode``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch.utils.flop_counter import FlopCounterMode

from .. import sync


@dataclass
class TurnCosts:
    """Per-turn costs of one model: ``seconds[t]``, ``flops[t]``, ``context[t]`` (tokens read so far)."""

    seconds: list[float] = field(default_factory=list)
    flops: list[int] = field(default_factory=list)
    context: list[int] = field(default_factory=list)


def _check(turns: int, user_len: int, reply_len: int) -> None:
    for name, value in (("turns", turns), ("user_len", user_len), ("reply_len", reply_len)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def _gpt_turns(model, turns, user_len, reply_len, seed, count: bool) -> TurnCosts:
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    cache = model.new_cache(1)
    costs = TurnCosts()

    def step(ids):                      # counted passes use the explicit attention, so FLOPs include attention
        return model(ids, cache=cache, return_attention=True)[0] if count else model(ids, cache=cache)

    for _ in range(turns):
        user = torch.randint(4, model.config.vocab_size, (1, user_len), generator=gen).to(device)   # (1, m)

        def turn():
            logits = step(user)                                      # prefill: only the new tokens
            nxt = logits[:, -1].argmax(-1, keepdim=True)             # (1, 1)
            for _ in range(reply_len - 1):                           # the reply, one token at a time
                nxt = step(nxt)[:, -1].argmax(-1, keepdim=True)
            step(nxt)                                                # the last reply token enters the cache

        _record(costs, turn, count)
        costs.context.append(cache.length)
    return costs


def _record(costs: TurnCosts, fn, count: bool) -> None:
    if count:
        with FlopCounterMode(display=False) as counter:
            fn()
        costs.flops.append(int(counter.get_total_flops()))
    else:
        sync()                                   # time the work itself, not its queueing on a GPU
        start = time.perf_counter()
        fn()
        sync()
        costs.seconds.append(time.perf_counter() - start)


def _play(turns_fn, model, limit: int, what: str, turns: int, user_len: int, reply_len: int, seed: int) -> TurnCosts:
    """Check the conversation fits, then play it twice: timed, then with the FLOP counter (which slows it)."""
    _check(turns, user_len, reply_len)
    need = turns * (user_len + reply_len)
    if need > limit:
        raise ValueError(f"{turns} turns of {user_len}+{reply_len} tokens need {what} >= {need}, the model has {limit}")
    model.eval()
    timed = turns_fn(model, turns, user_len, reply_len, seed, count=False)
    counted = turns_fn(model, turns, user_len, reply_len, seed, count=True)
    return TurnCosts(seconds=timed.seconds, flops=counted.flops, context=timed.context)


@torch.no_grad()
def gpt_conversation(model, turns: int, user_len: int, reply_len: int, *, seed: int = 0) -> TurnCosts:
    """A decoder-only model serving ``turns`` turns with one KV cache kept across the whole conversation."""
    return _play(_gpt_turns, model, model.config.block_size, "block_size", turns, user_len, reply_len, seed)


def _seq2seq_turns(model, turns, user_len, reply_len, seed, count: bool) -> TurnCosts:
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    history = torch.empty(1, 0, dtype=torch.long, device=device)
    costs = TurnCosts()
    for _ in range(turns):
        user = torch.randint(4, model.config.src_vocab, (1, user_len), generator=gen).to(device)
        src = torch.cat([history, user], dim=1)                                  # (1, L): the whole conversation
        mask = torch.ones_like(src, dtype=torch.bool)
        reply = []

        def turn():
            memory = model.encode(src, mask)                                     # (1, L, D): re-read it all
            state = model.init_state(memory, mask)
            prev = torch.full((1,), 1, dtype=torch.long, device=device)          # <bos>
            for _ in range(reply_len):
                logits, state, _ = model.decode_step(prev, state, memory, mask)
                prev = logits.argmax(-1)
                reply.append(int(prev) % model.config.src_vocab)

        _record(costs, turn, count)
        costs.context.append(src.shape[1])
        history = torch.cat([src, torch.tensor([reply], device=device)], dim=1)  # the reply joins the input
    return costs


@torch.no_grad()
def seq2seq_conversation(model, turns: int, user_len: int, reply_len: int, *, seed: int = 0) -> TurnCosts:
    """An encoder–decoder serving the same conversation: each turn re-encodes everything said so far."""
    return _play(_seq2seq_turns, model, model.config.max_len, "max_len", turns, user_len, reply_len, seed)


def crossover(cheaper_later, dearer_later, *, cumulative: bool = False) -> int | None:
    """The first turn (1-based) from which ``cheaper_later``'s cost stays below ``dearer_later``'s for every later
    turn, or ``None`` if it never does. ``cumulative``: compare the running totals (the whole conversation so far)
    instead of each turn's own cost. Turn 1 decides nothing by itself: a KV cache pays off only as the input grows.

    Example: ``crossover(g.flops, s.flops)`` is the turn from which the decoder-only model's turns cost fewer FLOPs.
    """
    a, b = list(cheaper_later), list(dearer_later)
    if len(a) != len(b) or not a:
        raise ValueError(f"need two cost lists of the same non-zero length, got {len(a)} and {len(b)}")
    if cumulative:
        a = [sum(a[:t + 1]) for t in range(len(a))]
        b = [sum(b[:t + 1]) for t in range(len(b))]
    first = None
    for t, (x, y) in enumerate(zip(a, b), start=1):
        if x < y:
            first = first or t
        else:
            first = None
    return first
