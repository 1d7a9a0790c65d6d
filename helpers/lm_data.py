"""Course text as next-token training data for the GPT of notebooks 05–07, and the recipe that trains it.

A decoder-only model learns from **plain text**: no pairs, no source and target. We take the
course corpus's English and Chinese sentences *each on its own* (the two sides are shuffled
independently, so a sentence is almost never next to its translation), join them into one long
stream of token ids with an end-of-text token after every sentence, and cut random windows out
of it::

    stream  = … 你 明天 会 很 累 。 <eos> The boy will open a box . <eos> …
    window  = block_size + 1 consecutive ids, starting anywhere
    idx     = window[:-1]        (B, T)   what the model reads
    targets = window[1:]         (B, T)   the next token at every position

- ``BPECodec`` (the default, notebook 05's choice): byte-level BPE (``helpers.tokenize.train_bpe``)
  with 1,024 tokens: frequent English words and Chinese words are one token each, so a window
  holds about 2.5x more text than with characters and a minute of CPU training writes real
  words. A rare Chinese character is split into its UTF-8 bytes (a sample may end mid-character).
  The trained tokenizer is cached beside the checkpoints (it is deterministic).
- ``CharCodec``: one token per character (spaces and punctuation included).
- ``lm_data(kind="bpe")`` loads the corpus and returns an ``LMData``: the codec, the
  ``train``/``valid`` streams (1-D ``torch.long``) and a fingerprint for checkpoint keys.
- ``get_batch(stream, block_size, batch_size, generator)`` → ``(idx, targets)``;
  ``RandomWindows`` is an endless, seeded iterable of such batches for ``helpers.train.train``
  with ``loss_fn=helpers.gpt.lm_loss``.
- ``evaluate_lm(model, stream, block_size)``: mean next-token loss over consecutive windows.
- ``train_gpt(data, ...)``: the course's GPT recipe, reused by later notebooks through
  ``helpers.checkpoints.train_or_load`` (identical settings → the weights are reloaded).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Sequence

import torch

from . import checkpoints, corpus
from .gpt import GPT, GPTConfig, lm_loss
from .metrics import perplexity  # noqa: F401  (re-exported: notebooks 05-07 import it from here)
from .tokenize import EOS, EOS_ID, SPECIALS, UNK_ID, Vocab, train_bpe
from .train import History, train

__all__ = [
    "EOT", "EOT_ID", "CharCodec", "BPECodec", "LMData", "lm_data", "text_stream", "get_batch", "RandomWindows",
    "evaluate_lm", "gpt_config", "train_gpt", "GPT_STEPS", "GPT_BATCH", "GPT_LR", "GPT_BLOCK",
]

EOT, EOT_ID = EOS, EOS_ID    # the end-of-text token after every sentence: "<eos>", id 2

GPT_STEPS = 250       # optimiser steps of the course GPT (about 40-60 s on a quiet 2-core CPU)
GPT_BATCH = 32        # windows per step
GPT_BLOCK = 64        # tokens per window (the model's context, block_size)
GPT_LR = 3e-3         # AdamW learning rate (after a short warm-up)
GPT_WARMUP = 30       # linear warm-up steps


# --- tokenisers ------------------------------------------------------------------------------

class CharCodec:
    """One token per character (spaces included); the four special tokens first (ids 0-3).

    ``encode(text) -> list[int]`` (an unknown character becomes ``<unk>``, id 3),
    ``decode(ids) -> str`` (special tokens dropped, ``<eos>`` kept as a newline with
    ``keep_eot=True``), ``token(id) -> str`` (a printable label), ``len(codec)``.
    """

    kind = "char"

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    @classmethod
    def build(cls, texts: Iterable[str]) -> "CharCodec":
        """Characters of ``texts``, most frequent first (ties by code point): the same texts give the same ids."""
        return cls(Vocab.build(list(_check_text(t)) for t in texts))

    def __len__(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> list[int]:
        return self.vocab.encode(list(_check_text(text)), on_unknown="ignore")

    def decode(self, ids, *, keep_eot: bool = False) -> str:
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        out = []
        for i in map(int, ids):
            if i == EOT_ID:
                if keep_eot:
                    out.append("\n")
            elif i >= len(SPECIALS) or i == UNK_ID:
                out.append(self.vocab.id_to_token(i))
        return "".join(out)

    def token(self, idx: int) -> str:
        """A label for one id: the character (a space shows as ``␣``) or the special token's name."""
        t = self.vocab.id_to_token(idx)
        return "␣" if t == " " else t

    def state(self) -> dict:
        return {"kind": self.kind, "tokens": self.vocab.tokens}


class BPECodec:
    """Byte-level BPE from ``helpers.tokenize.train_bpe``, with the same methods as ``CharCodec``."""

    kind = "bpe"

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    @classmethod
    def build(cls, texts: Iterable[str], vocab_size: int = 1024) -> "BPECodec":
        return cls(train_bpe((_check_text(t) for t in texts), vocab_size=vocab_size))

    def __len__(self) -> int:
        return self.tokenizer.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(_check_text(text)).ids

    def decode(self, ids, *, keep_eot: bool = False) -> str:
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        pieces, run = [], []
        for i in map(int, ids):
            if i == EOT_ID:
                pieces.append(self.tokenizer.decode(run))
                run = []
                if keep_eot:
                    pieces.append("\n")
            elif i >= len(SPECIALS):
                run.append(i)
        pieces.append(self.tokenizer.decode(run))
        return "".join(pieces)

    def token(self, idx: int) -> str:
        t = self.tokenizer.decode([int(idx)]) if idx >= len(SPECIALS) else SPECIALS[idx]
        return t.replace(" ", "␣")

    def state(self) -> dict:
        return {"kind": self.kind, "tokenizer": self.tokenizer.to_str()}


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected a str of text, got {type(text).__name__}")
    return text


# --- the stream and its windows ------------------------------------------------------------

def text_stream(codec, sentences: Sequence[str]) -> torch.Tensor:
    """``(N,)`` long tensor: each sentence's ids followed by the end-of-text id, all joined."""
    ids: list[int] = []
    for s in sentences:
        ids.extend(codec.encode(s))
        ids.append(EOT_ID)
    return torch.tensor(ids, dtype=torch.long)


def unpaired_sentences(pairs, seed: int = 0) -> list[str]:
    """The English and the Chinese side of ``pairs`` as one list, shuffled (seeded) so that
    a sentence and its translation are (almost) never neighbours: monolingual, unpaired text."""
    sentences = [p.en for p in pairs] + [p.zh for p in pairs]
    random.Random(seed).shuffle(sentences)
    return sentences


def _check_stream(stream, block_size: int) -> None:
    if not isinstance(stream, torch.Tensor) or stream.dim() != 1:
        got = tuple(stream.shape) if isinstance(stream, torch.Tensor) else type(stream).__name__
        raise ValueError(f"the stream must be a 1-D tensor of token ids, got {got}")
    if not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"block_size must be a positive int, got {block_size!r}")
    if len(stream) < block_size + 1:
        raise ValueError(f"the stream has {len(stream)} tokens; a window needs block_size + 1 = {block_size + 1}")


def get_batch(stream: torch.Tensor, block_size: int, batch_size: int,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows of ``stream (N,)``: ``(idx, targets)``, each ``(batch_size, block_size)``.

    ``targets[b, t] == idx[b, t + 1]``: the target is the input shifted by one token.
    """
    _check_stream(stream, block_size)
    starts = torch.randint(0, len(stream) - block_size, (batch_size,), generator=generator)  # (B,)
    offsets = torch.arange(block_size + 1)                                                   # (T + 1,)
    windows = stream[starts[:, None] + offsets[None, :]]                                     # (B, T + 1)
    return windows[:, :-1], windows[:, 1:]


class RandomWindows:
    """An endless, seeded iterable of ``get_batch`` batches, for ``helpers.train.train``.

    Every ``iter()`` starts again from ``seed``, so two training runs see the same batches.
    """

    def __init__(self, stream: torch.Tensor, block_size: int, batch_size: int, seed: int = 0):
        _check_stream(stream, block_size)
        self.stream, self.block_size, self.batch_size, self.seed = stream, block_size, batch_size, seed

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed)
        while True:
            yield get_batch(self.stream, self.block_size, self.batch_size, generator)


@torch.no_grad()
def evaluate_lm(model: GPT, stream: torch.Tensor, block_size: int | None = None, *, batch_size: int = 64,
                max_tokens: int | None = None) -> float:
    """Mean next-token cross-entropy (nats/token) of ``model`` on ``stream (N,)``.

    The stream is cut into consecutive, non-overlapping windows of ``block_size`` (default: the
    model's) inputs, so every token (but the first) is predicted once; ``max_tokens`` uses only
    the start of the stream. Perplexity is ``math.exp`` of the result.
    """
    block_size = block_size or model.config.block_size
    if max_tokens is not None:
        stream = stream[: max_tokens + 1]
    _check_stream(stream, block_size)
    n = (len(stream) - 1) // block_size
    x = stream[: n * block_size + 1]
    idx = x[:-1].view(n, block_size)                                      # (n, T)
    targets = x[1:].view(n, block_size)                                   # (n, T)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total = 0.0
    for start in range(0, n, batch_size):
        _, loss = model(idx[start: start + batch_size].to(device), targets[start: start + batch_size].to(device))
        total += float(loss) * len(idx[start: start + batch_size])
    model.train(was_training)
    return total / n


# --- the data set-up and the recipe ------------------------------------------------------------

@dataclass
class LMData:
    """Course text, tokenised for a language model."""

    codec: Any                  # CharCodec or BPECodec: encode(text), decode(ids), token(id), len()
    train: torch.Tensor         # (N,) token ids of the training sentences, <eos> after each
    valid: torch.Tensor         # (M,) the same for the validation sentences
    train_sentences: list       # the sentences of ``train``, in stream order
    valid_sentences: list
    fingerprint: str            # a hash of the codec and the training stream: part of every checkpoint key

    @property
    def vocab_size(self) -> int:
        return len(self.codec)

    def encode(self, text: str) -> list[int]:
        return self.codec.encode(text)

    def decode(self, ids, **kw) -> str:
        return self.codec.decode(ids, **kw)

    def windows(self, block_size: int = GPT_BLOCK, batch_size: int = GPT_BATCH, seed: int = 0) -> RandomWindows:
        return RandomWindows(self.train, block_size, batch_size, seed)


def lm_data(kind: str = "bpe", *, bpe_vocab_size: int = 1024, seed: int = 0, data_dir=None) -> LMData:
    """The corpus's English and Chinese sentences (train and valid splits), unpaired and tokenised.

    ``kind``: ``"char"`` (one token per character) or ``"bpe"`` (byte-level BPE with
    ``bpe_vocab_size`` tokens, trained on the training sentences).
    """
    if kind not in ("char", "bpe"):
        raise ValueError(f"kind must be 'char' or 'bpe', got {kind!r}")
    train_s = unpaired_sentences(corpus.load_split("train", data_dir), seed)
    valid_s = unpaired_sentences(corpus.load_split("valid", data_dir), seed)
    codec = CharCodec.build(train_s) if kind == "char" else _cached_bpe(train_s, bpe_vocab_size)
    train_ids, valid_ids = text_stream(codec, train_s), text_stream(codec, valid_s)
    h = hashlib.sha256(repr(codec.state()).encode())
    h.update(train_ids.numpy().tobytes())
    return LMData(codec, train_ids, valid_ids, train_s, valid_s, h.hexdigest()[:16])


def _cached_bpe(sentences: list[str], vocab_size: int) -> BPECodec:
    """Train the BPE once per set of sentences and size; later calls load it from ``CHECKPOINT_DIR``."""
    from .tokenize import load_bpe, save_bpe

    digest = hashlib.sha256("\n".join(sentences).encode()).hexdigest()[:12]
    path = checkpoints.CHECKPOINT_DIR / f"bpe-{vocab_size}-{digest}.json"
    if path.is_file():
        try:
            return BPECodec(load_bpe(path))
        except Exception:   # a damaged file: train again and overwrite it
            pass
    codec = BPECodec.build(sentences, vocab_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_bpe(codec.tokenizer, tmp)
    tmp.replace(path)
    return codec


def gpt_config(data: LMData, **overrides) -> GPTConfig:
    """The course GPT for this data: 4 layers, 4 heads, d_model 128, block ``GPT_BLOCK``."""
    settings = {"vocab_size": data.vocab_size, "block_size": GPT_BLOCK, "n_layer": 4, "n_head": 4, "d_model": 128}
    return GPTConfig(**(settings | overrides))


def train_gpt(data: LMData, *, steps: int = GPT_STEPS, batch_size: int = GPT_BATCH, lr: float = GPT_LR,
              warmup: int = GPT_WARMUP, seed: int = 0, device=None, live_plot: bool = True, eval_every: int = 50,
              valid_tokens: int = 10_000, retrain: bool = False, verbose: bool = True, progress: bool = True,
              **config_overrides) -> tuple[GPT, dict[str, Any]]:
    """Train (or reload from an identical earlier run) the course GPT on ``data.train``.

    A fixed number of ``steps`` on seeded random windows, so a CPU run repeats exactly.
    Returns ``(model, info)``; ``info`` holds ``seconds`` (training wall time of the run that
    produced the weights), ``loss`` and ``loss_steps`` (logged training losses), ``valid``
    (``[{"step", "valid_loss"}]`` on the first ``valid_tokens`` of ``data.valid``),
    ``tokens_seen``, ``steps``, ``parameters`` and ``loaded``.
    """
    from . import seed_everything

    device = torch.device(device) if device is not None else torch.device("cpu")
    cfg = gpt_config(data, **config_overrides)
    key = {"recipe": "gpt", "config": asdict(cfg), "steps": steps, "batch_size": batch_size, "lr": lr,
           "warmup": warmup, "seed": seed, "data": data.fingerprint, "device": device.type,
           "eval_every": eval_every, "valid_tokens": valid_tokens}

    def build() -> GPT:
        seed_everything(seed)
        return GPT(cfg).to(device)

    def fit(model: GPT) -> dict[str, Any]:
        history: History = train(
            model, RandomWindows(data.train, cfg.block_size, batch_size, seed), steps=steps, lr=lr, warmup=warmup,
            device=device, loss_fn=lm_loss, live_plot=live_plot, progress=progress, log_every=10, eval_every=eval_every,
            eval_fn=lambda m: {"valid_loss": evaluate_lm(m, data.valid, max_tokens=valid_tokens)},
            title="GPT: next-token loss")
        return {"seconds": history.total_seconds, "loss": history.loss, "loss_steps": history.steps,
                "valid": history.evals, "tokens_seen": history.tokens_seen}

    model, info = checkpoints.train_or_load("gpt", key, build, fit, retrain=retrain, verbose=verbose)
    info.update(steps=steps, parameters=model.num_parameters(), config=asdict(cfg))
    return model, info
