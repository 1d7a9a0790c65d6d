"""The course's standard data set-up and training recipes, shared by several notebooks.

Notebooks 02 and 03 compare models trained *the same way*; keeping the recipe here makes
that true by construction, and lets a later notebook reuse an earlier notebook's trained
model (``helpers.checkpoints.train_or_load``) instead of training it again.

- ``translation_data()``: the corpus splits, the two vocabularies, and a loader factory.
- ``train_rnn(data, attention=...)``: the GRU encoder–decoder of notebooks 02–03 with its
  default budget (a fixed number of steps, so a seeded CPU run repeats exactly).
- ``train_transformer(data)``: the encoder–decoder Transformer of notebook 04 on the same
  corpus, batch size and number of steps as the RNNs (its own learning rate and warm-up).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import torch

from . import checkpoints, corpus
from .batching import TranslationDataset, make_loader
from .rnn import RNNConfig, Seq2Seq
from .tokenize import Vocab, build_vocabs
from .train import History, count_parameters, seq2seq_loss, train
from .transformer import Transformer, TransformerConfig

RNN_STEPS = 600       # optimiser steps for each RNN (about a minute on a 2-core laptop CPU)
RNN_BATCH = 64        # sentence pairs per step
RNN_LR = 2e-3         # AdamW learning rate
TRANSFORMER_LR = 2e-3        # AdamW learning rate of the Transformer: the best of scripts/tune_translators.py's grid
TRANSFORMER_WARMUP = 0       # linear warm-up steps of the Transformer: none did best in that grid (pre-norm layers)


def _extra_key(label_smoothing: float, decay: str) -> dict[str, Any]:
    """Checkpoint-key entries for the newer recipe options, only when they differ from the defaults (so a model
    trained before they existed keeps its key and is still reloaded)."""
    return {**({"label_smoothing": label_smoothing} if label_smoothing else {}),
            **({"decay": decay} if decay != "constant" else {})}


def _loss(label_smoothing: float):
    return partial(seq2seq_loss, label_smoothing=label_smoothing) if label_smoothing else seq2seq_loss


@dataclass
class TranslationData:
    """The zh→en corpus, tokenised: splits of ``corpus.Pair`` and the vocabularies built on train."""

    train: list
    valid: list
    test: list
    test_long: list
    test_novel: list
    src_vocab: Vocab          # Chinese characters
    tgt_vocab: Vocab          # English words (lower-cased)
    fingerprint: str          # a hash of the training pairs: part of every checkpoint key

    def loader(self, batch_size: int = RNN_BATCH, seed: int = 0, split: str = "train"):
        """A length-bucketed, seeded ``DataLoader`` of ``Batch`` over one split."""
        dataset = TranslationDataset(getattr(self, split), self.src_vocab, self.tgt_vocab)
        return make_loader(dataset, batch_size, shuffle=split == "train", seed=seed)


def translation_data(data_dir=None) -> TranslationData:
    """Load every split of the course corpus and build the vocabularies from ``train``."""
    splits = {name: corpus.load_split(name, data_dir) for name in ("train", "valid", "test", "test_long", "test_novel")}
    src_vocab, tgt_vocab = build_vocabs(splits["train"])
    digest = hashlib.sha256("\n".join(f"{p.zh}\t{p.en}" for p in splits["train"]).encode()).hexdigest()[:16]
    return TranslationData(**splits, src_vocab=src_vocab, tgt_vocab=tgt_vocab, fingerprint=digest)


def longest_third(pairs) -> list:
    """The longest third of ``pairs`` by Chinese length, in their original order (ties keep corpus order)."""
    order = sorted(range(len(pairs)), key=lambda i: -len(pairs[i].zh))
    return [pairs[i] for i in sorted(order[: len(pairs) // 3])]


def tatoeba_data(max_zh: int = 24, max_en: int = 24, seed: int = 0, path=None) -> TranslationData:
    """Real sentences: the Tatoeba zh–en pairs (``helpers.tatoeba``), as a ``TranslationData`` like the corpus.

    Pairs with more than ``max_zh`` Chinese characters or ``max_en`` English tokens are left out (a smaller,
    CPU-sized task); ``split_tatoeba(seed)`` keeps every Chinese sentence in one split. ``test_long`` holds the
    longest third of ``test`` (a real corpus has no held-out lengths) and ``test_novel`` is empty.
    """
    from .tatoeba import load_tatoeba, split_tatoeba
    from .tokenize import tokenize_en, tokenize_zh

    pairs = [corpus.Pair(zh, en, ()) for zh, en in load_tatoeba(path)
             if 0 < len(tokenize_zh(zh)) <= max_zh and 0 < len(tokenize_en(en)) <= max_en]
    splits = split_tatoeba(pairs, seed=seed)
    longest = longest_third(splits["test"])
    src_vocab, tgt_vocab = build_vocabs(splits["train"])
    digest = hashlib.sha256("\n".join(f"{p.zh}\t{p.en}" for p in splits["train"]).encode()).hexdigest()[:16]
    return TranslationData(**splits, test_long=longest, test_novel=[], src_vocab=src_vocab, tgt_vocab=tgt_vocab,
                           fingerprint=f"tatoeba-{digest}")


def rnn_config(data: TranslationData, attention: bool, **overrides) -> RNNConfig:
    """The course's RNN settings for this data (vocabulary sizes filled in)."""
    return RNNConfig(src_vocab=len(data.src_vocab), tgt_vocab=len(data.tgt_vocab), attention=attention, **overrides)


def train_rnn(data: TranslationData, *, attention: bool, steps: int = RNN_STEPS, batch_size: int = RNN_BATCH,
              lr: float = RNN_LR, warmup: int = 0, label_smoothing: float = 0.0, decay: str = "constant", seed: int = 0,
              device=None, live_plot: bool = True, retrain: bool = False,
              **config_overrides) -> tuple[Seq2Seq, dict[str, Any]]:
    """Train (or reload from an identical earlier run) the GRU encoder–decoder.

    ``warmup``, ``label_smoothing`` and ``decay`` are the options ``scripts/tune_translators.py`` tunes
    (see ``helpers.train.train`` and ``seq2seq_loss``); their defaults are the recipe notebooks 02–03 use.

    Returns ``(model, info)``; ``info`` holds ``seconds`` (training wall time of the run
    that produced the weights), ``loss`` (logged training losses), ``steps``,
    ``parameters``, ``tokens_seen`` and ``loaded``.
    """
    from . import seed_everything

    device = torch.device(device) if device is not None else torch.device("cpu")
    cfg = rnn_config(data, attention, **config_overrides)
    key = {"recipe": "rnn", "config": asdict(cfg), "steps": steps, "batch_size": batch_size, "lr": lr,
           "seed": seed, "data": data.fingerprint, "device": device.type,
           **({"warmup": warmup} if warmup else {}), **_extra_key(label_smoothing, decay)}

    def build() -> Seq2Seq:
        seed_everything(seed)
        return Seq2Seq(cfg).to(device)

    def fit(model: Seq2Seq) -> dict[str, Any]:
        name = "with attention" if attention else "without attention"
        history: History = train(model, data.loader(batch_size, seed), steps=steps, lr=lr, warmup=warmup,
                                 decay=decay, loss_fn=_loss(label_smoothing), device=device,
                                 live_plot=live_plot, title=f"GRU {name}: training loss")
        return {"seconds": history.total_seconds, "loss": history.loss, "loss_steps": history.steps,
                "loss_seconds": history.seconds, "tokens_seen": history.tokens_seen}

    model, info = checkpoints.train_or_load("rnn-attention" if attention else "rnn-plain", key, build, fit,
                                            retrain=retrain)
    info.update(steps=steps, parameters=count_parameters(model))
    return model, info


def transformer_config(data: TranslationData, **overrides) -> TransformerConfig:
    """The course's Transformer settings for this data (vocabulary sizes filled in)."""
    return TransformerConfig(src_vocab=len(data.src_vocab), tgt_vocab=len(data.tgt_vocab), **overrides)


def train_transformer(data: TranslationData, *, steps: int = RNN_STEPS, batch_size: int = RNN_BATCH,
                      lr: float = TRANSFORMER_LR, warmup: int = TRANSFORMER_WARMUP, label_smoothing: float = 0.0,
                      decay: str = "constant", seed: int = 0, device=None, live_plot: bool = True, retrain: bool = False,
                      **config_overrides) -> tuple[Transformer, dict[str, Any]]:
    """Train (or reload from an identical earlier run) the encoder–decoder Transformer of notebook 04.

    Same corpus, batch size and number of steps as ``train_rnn``; ``config_overrides`` go to
    ``transformer_config`` (e.g. ``d_model=64``). Returns ``(model, info)`` with the same
    ``info`` keys as ``train_rnn``.
    """
    from . import seed_everything

    device = torch.device(device) if device is not None else torch.device("cpu")
    cfg = transformer_config(data, **config_overrides)
    key = {"recipe": "transformer", "config": asdict(cfg), "steps": steps, "batch_size": batch_size, "lr": lr,
           "warmup": warmup, "seed": seed, "data": data.fingerprint, "device": device.type,
           **_extra_key(label_smoothing, decay)}

    def build() -> Transformer:
        seed_everything(seed)
        return Transformer(cfg).to(device)

    def fit(model: Transformer) -> dict[str, Any]:
        history: History = train(model, data.loader(batch_size, seed), steps=steps, lr=lr, warmup=warmup,
                                 decay=decay, loss_fn=_loss(label_smoothing), device=device, live_plot=live_plot,
                                 title="Transformer: training loss")
        return {"seconds": history.total_seconds, "loss": history.loss, "loss_steps": history.steps,
                "loss_seconds": history.seconds, "tokens_seen": history.tokens_seen}

    model, info = checkpoints.train_or_load("transformer", key, build, fit, retrain=retrain)
    info.update(steps=steps, parameters=count_parameters(model))
    return model, info
