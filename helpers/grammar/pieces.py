"""Choices and linked pieces: the machinery under every level of the corpus grammar.

* ``Chooser``: every random decision of a sentence goes through it under a name, so ``realise`` can fix any of
  them; it also carries what the sentence level asks of a clause (``ctx``); ``Retry``: raised when the choices
  made so far cannot be completed;
* pieces: a phrase is a list of (text, links) pieces, built with ``_Z`` (Chinese) and ``_E`` (English); a link
  (``_L``) shared by a Chinese and an English piece says they translate each other, and ``assemble`` reads the
  gold alignment off the links of a finished sentence.

Imports only the standard library and ``helpers.grammar.lexicon``.
"""

from __future__ import annotations

from . import lexicon as lx


# ----------------------------------------------------------------------------------------------
# Choices. Every random decision goes through a Chooser under a name ("subj.det", "tam", ...), so
# `realise()` can fix any of them and tests can build an exact sentence.


class Retry(Exception):
    """The choices made so far cannot be completed; the generator samples a new sentence."""


def _matches(option, want):
    if option == want:
        return True
    if isinstance(option, lx.Verb):
        return want in (option.zh, option.forms[0])
    if isinstance(option, tuple) and option:
        return want == option[0] or (len(option) > 1 and isinstance(option[1], str) and want == option[1])
    return False


class Chooser:
    """Makes every decision of one sentence, each under a name, and records what the sentence uses.

    rng: the ``random.Random`` to draw from; fixed: name → wanted value (``realise``); strict: leave
    optional parts out unless fixed; held_out: Chinese nouns kept out of the 把/被 frames; novel:
    this clause must put one of them there instead (the test_novel split). ``tags`` (constructions
    used) and ``used`` (fixed names consumed) are shared with the sub-choosers made by ``sub``.
    ``ctx``: what the sentence level asks of one clause (its subject, verbs, destination, place; see
    ``sentence.py``) and, under "out", what the clause reports back; shared with the sub-choosers.
    """

    def __init__(self, rng, fixed=None, strict=False, novel=False, prefix="", tags=None, used=None, held_out=(),
                 ctx=None):
        self.rng, self.fixed, self.strict, self.novel, self.prefix = rng, fixed or {}, strict, novel, prefix
        self.tags = [] if tags is None else tags
        self.used = set() if used is None else used
        self.held_out = tuple(held_out)
        self.ctx = {"out": {}} if ctx is None else ctx

    def sub(self, name):
        """A chooser for a part ("subj", "obj", …): its names get the prefix ``name.``."""
        return Chooser(self.rng, self.fixed, self.strict, self.novel, self.prefix + name + ".", self.tags, self.used,
                       self.held_out, self.ctx)

    def tag(self, *names):
        self.tags.extend(n for n in names if n)

    def _fixed(self, key):
        full = self.prefix + key
        if full in self.fixed:
            self.used.add(full)
            return True, self.fixed[full]
        return False, None

    def pick(self, key, options, weights=None):
        """One of `options` (a fixed choice may name an option by its Chinese or English word)."""
        known, want = self._fixed(key)
        if known:
            for o in options:
                if _matches(o, want):
                    return o
            names = sorted({str(o[0]) if isinstance(o, tuple) else str(o) for o in options})
            raise ValueError(f"{self.prefix + key}={want!r} is not possible here; possible: {names}")
        if not options:
            raise Retry(self.prefix + key)
        if weights is None:
            return options[self.rng.randrange(len(options))]
        return self.rng.choices(options, weights)[0]

    def maybe(self, key, options, p):
        """With probability p one of `options`, else None (strict mode: None unless fixed)."""
        known, want = self._fixed(key)
        if known and want is None:
            return None
        if known or (not self.strict and self.rng.random() < p):
            return self.pick(key, options)
        return None

    def chance(self, key, p):
        known, want = self._fixed(key)
        if known:
            return bool(want)
        return False if self.strict else self.rng.random() < p


# ----------------------------------------------------------------------------------------------
# Phrases are lists of pieces (text, links). A link is a fresh object shared by the Chinese and
# the English pieces that translate each other; `assemble` reads the alignment off at the end.


class _L:
    __slots__ = ()


def _Z(text, *links):
    return [(text, tuple(lk for lk in links if lk is not None))] if text else []


def _E(words, *links):
    ls = tuple(lk for lk in links if lk is not None)
    return [(w, ls) for w in words.split()]


def assemble(zh_pieces, en_pieces, question):
    """Join a sentence's pieces into the two strings and read the alignment off the shared links.

    Adds the final 。/？ and ./? (linked to each other) and capitalises the first English word.
    Returns (zh, en, words, alignment): the Chinese string, the English sentence, its words as
    built, and the sorted (Chinese character index, English word index) links.
    """
    lp = _L()
    zh_pieces = zh_pieces + _Z("？" if question else "。", lp)
    en_pieces = en_pieces + _E("?" if question else ".", lp)
    where = {}  # link -> Chinese character indices
    zh, pos = [], 0
    for text, links in zh_pieces:
        for _ in text:
            for lk in links:
                where.setdefault(lk, []).append(pos)
            pos += 1
        zh.append(text)
    words = [w for w, _ in en_pieces]
    words[0] = words[0][0].upper() + words[0][1:]
    en = ""
    for w in words:
        en += ("" if not en or w in ",.?" else " ") + w
    alignment = sorted({(i, j) for j, (_, links) in enumerate(en_pieces) for lk in links for i in where.get(lk, ())})
    return "".join(zh), en, words, tuple(alignment)
