"""Is a translation supported by its source? A hallucination meter for notebook 06.

A *hallucination* here is an English content word in the output that nothing in the Chinese
source accounts for. The corpus's gold alignments say which Chinese characters every English
word came from in training (公园 → park, 昨天 → yesterday, 会 → will), so
``SupportLexicon.from_pairs(train)`` collects, for each English word, the Chinese strings it was
aligned to. An output word is **supported** if one of its strings occurs in the source;
function words with no Chinese counterpart (a, the, to, …: ``corpus.FUNCTION_WORDS``) and
punctuation are not judged.

Out-of-distribution sources to probe with (``perturb``):

* ``unknown``: a content word of the sentence replaced by characters the model never saw;
* ``scrambled``: the characters of the sentence in a random order;
* ``empty``: only function characters (了, 吗, 的, …), with no content at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..corpus import FUNCTION_WORDS
from ..tokenize import tokenize_en

UNSEEN_WORDS = ("恐龙", "火箭", "钢琴", "沙漠", "蘑菇", "企鹅")   # characters absent from the course corpus
EMPTY_SOURCES = ("了。", "吗？", "的的的。", "了了吗？", "，，。", "的了吗？")
PERTURBATIONS = ("none", "unknown", "scrambled", "empty")


@dataclass
class SupportLexicon:
    """English word → the Chinese strings it was aligned to in training."""

    sources: dict[str, set[str]]

    @classmethod
    def from_pairs(cls, pairs: Iterable) -> "SupportLexicon":
        """Read the gold alignments of corpus pairs (objects with ``.zh``, ``.en``, ``.alignment``)."""
        sources: dict[str, set[str]] = {}
        for p in pairs:
            words = tokenize_en(p.en)
            linked: dict[int, list[int]] = {}
            for i, j in p.alignment:
                linked.setdefault(j, []).append(i)
            for j, chars in linked.items():
                chars = sorted(chars)
                # contiguous runs of aligned characters: 公园 stays one string, 在…上 gives two
                runs, run = [], [chars[0]]
                for c in chars[1:]:
                    if c == run[-1] + 1:
                        run.append(c)
                    else:
                        runs.append(run)
                        run = [c]
                runs.append(run)
                for r in runs:
                    sources.setdefault(words[j], set()).add("".join(p.zh[c] for c in r))
        if not sources:
            raise ValueError("no alignments found: pass corpus pairs with gold .alignment links")
        return cls(sources)

    def judged(self, word: str) -> bool:
        """Whether a word is judged at all (a content word the lexicon knows)."""
        return word in self.sources and word not in FUNCTION_WORDS and any(ch.isalnum() for ch in word)

    def unsupported(self, source_zh: str, words: Sequence[str]) -> list[str]:
        """The judged words of an output that no string in ``source_zh`` accounts for."""
        return [w for w in words if self.judged(w) and not any(s in source_zh for s in self.sources[w])]

    def hallucination_rate(self, sources_zh: Sequence[str], outputs: Sequence[Sequence[str]]) -> float:
        """Share (%) of outputs with at least one unsupported content word."""
        if len(sources_zh) != len(outputs) or not outputs:
            raise ValueError("pass one output per source, and at least one")
        bad = sum(bool(self.unsupported(s, o)) for s, o in zip(sources_zh, outputs))
        return 100.0 * bad / len(outputs)


def perturb(zh: str, kind: str, rng: random.Random, content: Sequence[str] = ()) -> str:
    """An out-of-distribution version of a Chinese sentence (see the module docstring).

    ``content``: Chinese content words that may be replaced (for ``unknown``); if none occurs in
    ``zh``, an unseen word is put in front of the sentence instead.
    """
    if kind == "none":
        return zh
    if kind == "unknown":
        present = [w for w in content if w in zh]
        if present:
            return zh.replace(rng.choice(present), rng.choice(UNSEEN_WORDS), 1)
        return rng.choice(UNSEEN_WORDS) + zh
    if kind == "scrambled":
        chars = list(zh[:-1])
        rng.shuffle(chars)
        return "".join(chars) + zh[-1]
    if kind == "empty":
        return rng.choice(EMPTY_SOURCES)
    raise ValueError(f"unknown perturbation {kind!r}; choose one of {PERTURBATIONS}")
