"""Tokens and vocabularies: character-level Chinese, word-level English, and BPE.

A translation model never sees text, only integer ids. This module turns a sentence into
tokens (``tokenize_zh``, ``tokenize_en``), tokens into ids (``Vocab``), and back again.

- Chinese has no spaces between words, so each character is a token (whitespace dropped).
- English is lower-cased and split into words, numbers and single punctuation marks with
  ``EN_TOKEN_PATTERN`` (the same regex as ``helpers.corpus``). Lower-casing keeps the
  vocabulary small ("The" and "the" are one word); ``detokenize_en`` restores the capitals
  a sentence needs ("I", the first word) and BLEU is computed on that detokenised text.
- Four special tokens have fixed ids in every vocabulary: ``<pad>`` 0, ``<bos>`` 1,
  ``<eos>`` 2, ``<unk>`` 3. Padding id 0 is what ``batching`` pads with and what the loss
  ignores (``ignore_index=0``).
- An unknown token becomes ``<unk>`` and is *reported* (``UnknownTokenWarning``), never a crash.
- ``train_bpe`` trains a byte-level BPE (HuggingFace ``tokenizers``) for the language-model
  notebooks; working on UTF-8 bytes it needs no spaces, so Chinese round-trips exactly.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

__all__ = [
    "PAD", "BOS", "EOS", "UNK", "SPECIALS", "PAD_ID", "BOS_ID", "EOS_ID", "UNK_ID",
    "EN_TOKEN_PATTERN", "UnknownTokenWarning", "Vocab",
    "tokenize_zh", "tokenize_en", "tokenize", "detokenize_zh", "detokenize_en", "detokenize",
    "encode_sentence", "decode_sentence", "build_vocabs", "find_proper_nouns",
    "train_bpe", "save_bpe", "load_bpe",
]

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3

# English tokens, matched on the lower-cased sentence: words with one optional apostrophe
# part (don't, it's, tom's), digit runs, or any single other non-space character.
EN_TOKEN_PATTERN = r"[a-z]+(?:'[a-z]+)?|[0-9]+|[^\sa-z0-9]"
_EN_TOKEN_RE = re.compile(EN_TOKEN_PATTERN)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
LANGS = ("zh", "en")


class UnknownTokenWarning(UserWarning):
    """Some tokens are not in the vocabulary and were replaced by ``<unk>``."""


def _check_text(text, what="text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, got {type(text).__name__}")
    return text


def tokenize_zh(text: str) -> list[str]:
    """Chinese → one token per character, whitespace dropped: "我 爱你" → ["我", "爱", "你"]."""
    return [ch for ch in _check_text(text) if not ch.isspace()]


def tokenize_en(text: str) -> list[str]:
    """English → lower-cased words, numbers and punctuation: "Don't go!" → ["don't", "go", "!"].

    Typographic apostrophes (’ ‘) are read as ``'`` first, so "don’t" is one token too.
    """
    return _EN_TOKEN_RE.findall(_check_text(text).lower().translate(_APOSTROPHES))


def detokenize_zh(tokens: Sequence[str]) -> str:
    """Join Chinese tokens without spaces (spaces inside Latin words are not restored)."""
    return "".join(tokens)


_NO_SPACE_BEFORE = set(".,!?;:%)]}'…")
_NO_SPACE_AFTER = set("([{$#")
_ORDINALS = {"st", "nd", "rd", "th"}
_SENTENCE_END = set(".!?")


def detokenize_en(tokens: Sequence[str], proper_nouns: Iterable[str] = ()) -> str:
    """Join English tokens into a sentence: the inverse of ``tokenize_en`` for clean text.

    Punctuation attaches to its neighbours (``book .`` → ``book.``, ``well - known`` →
    ``well-known``, ``2 : 30`` → ``2:30``, ``18 th`` → ``18th``), double quotes alternate
    open/close, the first word of each sentence is capitalised, ``i`` (and ``i'm``, ``i'll``
    …) becomes ``I``, and words in ``proper_nouns`` (e.g. ``{"tom"}``) are capitalised.
    """
    tokens, names = list(tokens), {n.lower() for n in proper_nouns}
    out: list[str] = []
    capitalise, quote_open, glue_next = True, False, True
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        glue, glue_next = glue_next, False
        number_sep = prev.isdigit() and nxt.isdigit() and (tok in ".:" or (tok == "," and len(nxt) == 3))
        if tok == '"':
            glue = glue or quote_open  # a closing quote hugs the word before it
            glue_next = not quote_open
            quote_open = not quote_open
        elif tok in _NO_SPACE_BEFORE or (prev.isdigit() and tok in _ORDINALS):
            glue = True
        if number_sep or (tok == "-" and prev and nxt):  # 3.5, 2:30, 1,000, well-known
            glue = glue_next = True
        if tok in _NO_SPACE_AFTER:
            glue_next = True
        word = tok
        if word[:1].isalpha():
            if capitalise or word == "i" or word.startswith("i'") or word.split("'")[0] in names:
                word = word[:1].upper() + word[1:]
            capitalise = False
        elif tok in _SENTENCE_END and not number_sep:
            capitalise = True
        out.append(word if glue or not out else " " + word)
    return "".join(out)


def tokenize(text: str, lang: str) -> list[str]:
    """``tokenize_zh`` or ``tokenize_en`` by ``lang`` ("zh" or "en")."""
    return {"zh": tokenize_zh, "en": tokenize_en}[_check_lang(lang)](text)


def detokenize(tokens: Sequence[str], lang: str) -> str:
    """``detokenize_zh`` or ``detokenize_en`` by ``lang`` ("zh" or "en")."""
    return {"zh": detokenize_zh, "en": detokenize_en}[_check_lang(lang)](tokens)


def _check_lang(lang) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


class Vocab:
    """A token ↔ id mapping with the four special tokens first (ids 0-3).

    Build with ``Vocab.build(token_lists)``: ids after the specials go by frequency
    (most frequent first), ties broken alphabetically, so the same data always gives the
    same ids. ``to_dict``/``from_dict`` give a JSON-able form for checkpoints.
    """

    def __init__(self, tokens: Sequence[str], proper_nouns: Iterable[str] = ()):
        tokens = list(tokens)
        if tuple(tokens[:4]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with the special tokens {SPECIALS}, got {tokens[:4]}")
        if len(set(tokens)) != len(tokens):
            dup = [t for t, n in Counter(tokens).items() if n > 1]
            raise ValueError(f"duplicate tokens in vocabulary: {dup[:10]}")
        self._itos = tokens
        self._stoi = {t: i for i, t in enumerate(tokens)}
        # English names ("beijing", "tom"): decode_sentence capitalises them again
        self.proper_nouns = frozenset(n.lower() for n in proper_nouns)

    pad_id, bos_id, eos_id, unk_id = PAD_ID, BOS_ID, EOS_ID, UNK_ID

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], min_freq: int = 1, max_size: int | None = None) -> "Vocab":
        """Count tokens and keep those seen at least ``min_freq`` times.

        ``max_size`` caps the total size, specials included (the rarest tokens go first).
        """
        if min_freq < 1:
            raise ValueError(f"min_freq must be at least 1, got {min_freq}")
        if max_size is not None and max_size < len(SPECIALS):
            raise ValueError(f"max_size must be at least {len(SPECIALS)} (the special tokens), got {max_size}")
        counts = Counter(t for toks in token_lists for t in toks)
        for s in SPECIALS:
            counts.pop(s, None)
        kept = sorted((t for t, n in counts.items() if n >= min_freq), key=lambda t: (-counts[t], t))
        if max_size is not None:
            kept = kept[: max_size - len(SPECIALS)]
        return cls(list(SPECIALS) + kept)

    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token) -> bool:
        return token in self._stoi

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocab) and self._itos == other._itos

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens: {self._itos[4:12]}...)"

    @property
    def tokens(self) -> list[str]:
        """All tokens in id order (a copy)."""
        return list(self._itos)

    def token_to_id(self, token: str) -> int:
        """The id of ``token``, or ``UNK_ID`` (3) if it is not in the vocabulary."""
        return self._stoi.get(token, UNK_ID)

    def id_to_token(self, idx: int) -> str:
        """The token with id ``idx``; ``IndexError`` with the valid range if out of range."""
        idx = int(idx)
        if not 0 <= idx < len(self._itos):
            raise IndexError(f"token id {idx} is out of range: this vocabulary has ids 0..{len(self._itos) - 1}")
        return self._itos[idx]

    def unknown(self, tokens: Iterable[str]) -> list[str]:
        """The distinct tokens of ``tokens`` not in the vocabulary, in order of appearance."""
        return list(dict.fromkeys(t for t in tokens if t not in self._stoi))

    def encode(self, tokens: Sequence[str], add_bos: bool = False, add_eos: bool = False,
               on_unknown: str = "warn") -> list[int]:
        """Tokens → ids, optionally wrapped as ``<bos> ... <eos>``.

        Unknown tokens become ``UNK_ID``. ``on_unknown``: "warn" (one
        ``UnknownTokenWarning`` naming them), "ignore", or "error" (``ValueError``).
        """
        if isinstance(tokens, str):
            raise TypeError("encode takes a list of tokens; for a sentence use encode_sentence(vocab, text, lang)")
        if on_unknown not in ("warn", "ignore", "error"):
            raise ValueError(f"on_unknown must be 'warn', 'ignore' or 'error', got {on_unknown!r}")
        ids = [self._stoi.get(t, UNK_ID) for t in tokens]
        if on_unknown != "ignore" and UNK_ID in ids:
            unk = self.unknown(tokens)
            if unk:
                msg = f"{len(unk)} token(s) not in the vocabulary, mapped to {UNK}: {' '.join(unk[:20])}"
                if on_unknown == "error":
                    raise ValueError(msg)
                warnings.warn(msg, UnknownTokenWarning, stacklevel=2)
        return [BOS_ID] * add_bos + ids + [EOS_ID] * add_eos

    def decode(self, ids: Iterable[int], strip_special: bool = True) -> list[str]:
        """Ids (a list or 1-D tensor) → tokens.

        With ``strip_special`` (default) decoding stops at the first ``<eos>`` and drops
        ``<pad>``/``<bos>``; ``<unk>`` is kept. Otherwise every id is decoded as is.
        """
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        if ids and isinstance(ids[0], (list, tuple)):
            raise ValueError("decode takes one sequence of ids (1-D); loop over the rows of a batch")
        out = []
        for i in map(int, ids):
            if strip_special:
                if i == EOS_ID:
                    break
                if i in (PAD_ID, BOS_ID):
                    continue
            out.append(self.id_to_token(i))
        return out

    def to_dict(self) -> dict:
        """A JSON-able description: ``{"tokens": [...]}`` in id order."""
        return {"format": "helpers.tokenize.Vocab/1", "tokens": list(self._itos),
                "proper_nouns": sorted(self.proper_nouns)}

    @classmethod
    def from_dict(cls, d: dict) -> "Vocab":
        """Rebuild a vocabulary saved with ``to_dict``."""
        if not isinstance(d, dict) or not isinstance(d.get("tokens"), list):
            raise ValueError("expected a dict saved by Vocab.to_dict(), with a 'tokens' list")
        return cls(d["tokens"], d.get("proper_nouns", ()))


def encode_sentence(vocab: Vocab, text: str, lang: str, *, add_bos: bool = False, add_eos: bool = False,
                    max_len: int | None = None, on_unknown: str = "warn") -> list[int]:
    """Tokenise and encode one sentence, with clear errors for what a learner may type.

    ``ValueError`` if the text is empty (or only whitespace), or if it encodes to more
    than ``max_len`` ids (``<bos>``/``<eos>`` included). Unknown tokens: see ``Vocab.encode``.
    """
    text = _check_text(text, "the sentence")
    tokens = tokenize(text, lang)
    if not tokens:
        raise ValueError(f"the {lang} sentence is empty ({text!r}): type at least one word")
    n = len(tokens) + add_bos + add_eos
    if max_len is not None and n > max_len:
        raise ValueError(f"the {lang} sentence is {n} tokens long (with <bos>/<eos>), "
                         f"but at most max_len={max_len} are allowed: shorten it")
    return vocab.encode(tokens, add_bos=add_bos, add_eos=add_eos, on_unknown=on_unknown)


def decode_sentence(vocab: Vocab, ids: Iterable[int], lang: str, **detok) -> str:
    """Ids → text: ``vocab.decode`` (stopping at ``<eos>``) then ``detokenize``.

    English names the vocabulary knows (``vocab.proper_nouns``) get their capital back.
    """
    tokens = vocab.decode(ids)
    if _check_lang(lang) == "zh":
        return detokenize_zh(tokens)
    names = set(vocab.proper_nouns) | {n.lower() for n in detok.pop("proper_nouns", ())}
    return detokenize_en(tokens, proper_nouns=names, **detok)


def find_proper_nouns(sentences: Iterable[str]) -> set[str]:
    """Lower-cased words that are always capitalised, seen at least once inside a sentence.

    ``["Tom went to Beijing.", "The cat sat."]`` → ``{"beijing"}`` ("Tom" only starts a
    sentence, so this rule cannot tell it from "The"). "I" is left to ``detokenize_en``.
    """
    capital_inside, lower = set(), set()
    for sentence in sentences:
        words = re.findall(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?", sentence)
        for k, word in enumerate(words):
            key = word.lower()
            if word[0].isupper():
                if k > 0 and key != "i" and not key.startswith("i'"):
                    capital_inside.add(key)
            else:
                lower.add(key)
    return capital_inside - lower


def build_vocabs(pairs, min_freq: int = 1, max_size: int | None = None) -> tuple[Vocab, Vocab]:
    """(Chinese source vocab, English target vocab) from ``(zh, en)`` pairs or objects with ``.zh``/``.en``."""
    pairs = [(p.zh, p.en) if hasattr(p, "zh") else tuple(p)[:2] for p in pairs]
    src = Vocab.build((tokenize_zh(zh) for zh, _ in pairs), min_freq, max_size)
    tgt = Vocab.build((tokenize_en(en) for _, en in pairs), min_freq, max_size)
    names = find_proper_nouns(en for _, en in pairs)
    return src, Vocab(tgt.tokens, proper_nouns=names)


def train_bpe(texts: Iterable[str], vocab_size: int = 2000, special_tokens: Sequence[str] = SPECIALS,
              min_frequency: int = 2):
    """Train a byte-level BPE ``tokenizers.Tokenizer`` on an iterator of strings.

    Byte-level: every UTF-8 byte is in the base alphabet, so no text is ever unknown and
    Chinese (no spaces) round-trips exactly: ``tok.decode(tok.encode(s).ids) == s``.
    ``special_tokens`` get the first ids (``<pad>`` 0 … ``<unk>`` 3 by default).
    Training is deterministic for the same texts and settings.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tok.train_from_iterator((_check_text(t) for t in texts), trainer=trainer)
    return tok


def save_bpe(tokenizer, path: str | Path) -> Path:
    """Save a ``tokenizers.Tokenizer`` to a JSON file; returns the path."""
    path = Path(path)
    tokenizer.save(str(path))
    return path


def load_bpe(path: str | Path):
    """Load a tokenizer saved with ``save_bpe`` (``FileNotFoundError`` if missing)."""
    from tokenizers import Tokenizer

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no BPE tokenizer file at {str(path)!r}; train one with train_bpe() and save_bpe()")
    return Tokenizer.from_file(str(path))
