"""The phrase level of the corpus grammar: choices, linked pieces, noun phrases, time and place.

Part of the grammar behind ``helpers.corpus`` (clauses: ``clause``; clause kinds: ``kinds``;
sentences: ``sentence``). It holds

* ``Chooser``: every random decision goes through it under a name, so ``realise`` can fix any of
  them; ``Retry``: raised when the choices made so far cannot be completed;
* pieces: a phrase is a list of (text, links) pieces, built with ``_Z`` (Chinese) and ``_E``
  (English); a link (``_L``) shared by a Chinese and an English piece says they translate each other,
  and ``assemble`` reads the gold alignment off the links of a finished sentence;
* noun phrases (``_NP``): pronouns, names, family members (``_person``) and common nouns with
  their determiners, numerals and measure words, possessors and adjectives (``_common``);
* relative clauses, before the noun in Chinese and after it in English (``_rc_obj``, ``_rc_subj``),
  nested up to ``MAX_RC_DEPTH`` times;
* time words and place phrases (``_time``, ``_place``, ``_loc``).

Names with a leading underscore are shared by the three grammar modules and meant for no one
else. Imports only the standard library and ``helpers.grammar.lexicon``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import lexicon as lx

MAX_RC_DEPTH = 2  # a relative clause may hold another one, not a third


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
    """

    def __init__(self, rng, fixed=None, strict=False, novel=False, prefix="", tags=None, used=None, held_out=()):
        self.rng, self.fixed, self.strict, self.novel, self.prefix = rng, fixed or {}, strict, novel, prefix
        self.tags = [] if tags is None else tags
        self.used = set() if used is None else used
        self.held_out = tuple(held_out)

    def sub(self, name):
        """A chooser for a part ("subj", "obj", …): its names get the prefix ``name.``."""
        return Chooser(self.rng, self.fixed, self.strict, self.novel, self.prefix + name + ".", self.tags, self.used,
                       self.held_out)

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


@dataclass
class _NP:
    zh: list
    en: list  # as a subject
    obj: list  # as an object
    agr: str  # "1s" / "3s" / "pl"
    kind: str  # person / animal / thing
    noun: lx.Noun | None = None
    pron: lx.Pronoun | None = None
    nested: bool = False  # holds a relative clause


def _article(word):
    return "an" if word[0].lower() in "aeiou" and not word.lower().startswith(("uni", "use")) else "a"


def _possessive(np):
    """(zh, en) of `np` as a possessor: 我的 my, 汤姆的 Tom's, 我朋友的 my friend's."""
    if np.pron:
        lk = _L()
        return _Z(np.pron.zh + "的", lk), _E(np.pron.poss, lk)
    word, links = np.en[-1]
    return np.zh + [("的", links)], np.en[:-1] + [(word + "'s", links)]


def _person(ch, depth, *, role="subj", plural=True, kinds=("pron", "name", "kin", "noun"), owner=False):
    """A person: a pronoun, a name, a family member (我妈妈) or a common noun with a determiner."""
    kind = ch.pick("type", list(kinds), [{"pron": 6, "name": 2, "kin": 2, "noun": 3}[k] for k in kinds])
    lk = _L()
    if kind == "pron":
        p = ch.pick("pron", lx.PRONOUNS)
        return _NP(_Z(p.zh, lk), _E(p.subj, lk), _E(p.obj, lk), p.agr, "person", pron=p)
    if kind == "name":
        zh, en = ch.pick("name", lx.NAMES)
        return _NP(_Z(zh, lk), _E(en, lk), _E(en, lk), "3s", "person")
    if kind == "kin":
        zh, en = ch.pick("kin", lx.KIN)
        who = _person(ch.sub("owner"), depth, kinds=("pron", "name"))
        if who.pron:  # 我妈妈: no 的 after a one-character pronoun (but 他们的妈妈)
            ol = _L()
            zh_ = _Z(who.pron.zh + ("的" if len(who.pron.zh) > 1 else ""), ol) + _Z(zh, lk)
            en_ = _E(who.pron.poss, ol) + _E(en, lk)
        else:
            pz, pe = _possessive(who)
            zh_, en_ = pz + _Z(zh, lk), pe + _E(en, lk)
        ch.tag("possessive")
        return _NP(zh_, en_, en_, "3s", "person")
    dets = ["bare", "dem"] if owner else None  # the teacher's, not "the teacher who came's"
    return _common(ch, ch.pick("noun", lx.PEOPLE), "indef" if role == "obj" else "def", depth, plural=plural, dets=dets)


_DET_WEIGHTS = {"bare": 6, "num": 3, "many": 1, "dem": 2, "poss": 2, "rc": 3}


def _common(ch, noun, role, depth, *, plural=True, dets=None):
    """A noun phrase around a common noun.

    role: "indef" (a book: objects of events), "generic" (books: habits, 喜欢), "def" (the book:
    subjects, 把 and 被). Determiners: bare, numeral + measure word, 很多, 这/那, a possessor, or a
    relative clause (which may hold another one, up to MAX_RC_DEPTH).
    """
    count, person = noun.pl is not None, "person" in noun.tags
    kind = "person" if person else "animal" if "animal" in noun.tags else "thing"
    if dets is None:
        dets = {"indef": ["bare", "num", "dem", "poss", "rc"],
                "generic": ["bare", "num", "dem", "poss", "rc"], "def": ["bare", "dem", "poss", "rc"]}[role]
    if "subject" in noun.tags:  # 中文, 音乐
        dets = ["bare"]
    if person and "owned" not in noun.tags:  # my friend, but not "my engineer"
        dets = [d for d in dets if d != "poss"]
    if not plural:
        dets = [d for d in dets if d != "many"]
    if depth >= MAX_RC_DEPTH:
        dets = [d for d in dets if d != "rc"]
    det = ch.pick("det", dets, [_DET_WEIGHTS[d] for d in dets])
    ln = _L()
    zh_pre, en_det, n, nested, rc_en = [], [], 1, False, []
    if det == "bare":
        n = 2 if role == "generic" and count else 1
        if person and role == "def" and plural and ch.chance("men", 0.15):  # 孩子们 the children
            n = 2
        en_det = _E("the") if role == "def" else []
    elif det == "num":
        num = ch.pick("num", lx.NUMBERS if plural else lx.NUMBERS[:1])
        n, lq = lx.NUMBERS.index(num) + 1, _L()
        zh_pre, en_det = _Z(num[0] + noun.mw, lq), _E(num[1], lq)
        ch.tag("numeral_measure")
    elif det == "many":
        lq = _L()
        zh_pre, en_det, n = _Z("很多", lq), _E("many" if count else "a lot of", lq), 2
    elif det == "dem":
        d = ch.pick("dem", [("这", "this", "these"), ("那", "that", "those")])
        lq = _L()
        how = ch.pick("dem_n", ["one", "xie", "num"], [6, 2, 1]) if count and plural else "one"
        if how == "one":
            zh_pre, en_det = _Z(d[0] + noun.mw, lq), _E(d[1], lq)
        elif how == "xie":
            zh_pre, en_det, n = _Z(d[0] + "些", lq), _E(d[2], lq), 2
        else:
            num = ch.pick("num", lx.NUMBERS[1:])
            n, lm = lx.NUMBERS.index(num) + 1, _L()
            zh_pre, en_det = _Z(d[0], lq) + _Z(num[0] + noun.mw, lm), _E(d[2], lq) + _E(num[1], lm)
            ch.tag("numeral_measure")
        ch.tag("demonstrative")
    elif det == "poss":  # 我的, 汤姆的, 我妈妈的, 老师的
        owner = _person(ch.sub("owner"), depth, plural=False, owner=True)
        zh_pre, en_det = _possessive(owner)
        ch.tag("possessive")
    else:  # relative clause
        if count and plural and ch.chance("rc_num", 0.2):
            n = ch.pick("num", range(2, 11))
        rc = _rc_obj if kind == "thing" else _rc_subj
        rz, rc_en, inner = rc(ch.sub("rc"), noun, "3s" if n == 1 else "pl", depth + 1)
        zh_pre = rz + [("的", rc_en[0][1] if rc_en[0][0] in ("who", "that") else ())]
        en_det, nested = _E("the"), True
        if n > 1:
            lq = _L()
            zh_pre += _Z(lx.NUMBERS[n - 1][0] + noun.mw, lq)
            en_det += _E(lx.NUMBERS[n - 1][1], lq)
            ch.tag("numeral_measure")
        ch.tag("relative_clause", "relative_nested" if inner else None)
    adjs = [a for a in lx.ADJECTIVES if a.attr and a.fits & noun.tags]
    adj = ch.maybe("adj", adjs, 0.2) if adjs else None
    zh_adj, en_adj = [], []
    if adj:
        la = _L()
        zh_adj, en_adj = _Z(adj.attr, la), _E(adj.en, la)
        ch.tag("adjective")
    zh_ = zh_pre + zh_adj + _Z(noun.zh, ln)
    if person and det == "bare" and n > 1:
        zh_ += _Z("们", ln)
    if count:
        en_ = en_det + en_adj + _E(noun.sg if n == 1 else noun.pl, ln)
    else:  # mass noun: 一杯热茶 → a cup of hot tea
        if det in ("num", "dem"):  # 三杯茶 three cups of tea, 这杯茶 this cup of tea
            unit = noun.unit.split("/")[0 if n == 1 else 1]
            en_det = en_det + [(unit, en_det[-1][1]), ("of", en_det[-1][1])]
        en_ = en_det + en_adj + _E(noun.sg, ln)
    if role == "indef" and det == "bare" and count:
        en_ = _E("a") + en_
    if en_[0][0] == "a":  # a/an agrees with the next word
        en_[0] = (_article(en_[1][0]), en_[0][1])
    en_ += rc_en
    if count or det in ("num", "dem"):
        agr = "3s" if n == 1 else "pl"
    else:  # the tea is, the shoes are
        agr = "pl" if noun.sg.endswith("s") else "3s"
    return _NP(zh_, en_, en_, agr, kind, noun=noun, nested=nested)


def _finite(forms, tam, agr):
    """The English verb of a clause without auxiliaries (past, or present with -s)."""
    if tam == "past":
        return forms[2]
    return forms[1] if agr == "3s" else forms[0]


def _rc_obj(ch, noun, agr, depth):
    """Object-gap relative clause: 我昨天买的(书) → (the book) I bought yesterday.

    Without a time word it is past (我买的书 the book I bought); with 每天 it is a habit.
    """
    habit = ch.chance("habit", 0.2)
    tam = "present" if habit else "past"
    verb = ch.pick("verb", [v for v in lx.VERBS if v.obj & noun.tags and not (habit and "nohabit" in v.flags)])
    subj = _person(ch.sub("subj"), depth)
    t = _time(ch, lx.HABIT_TIMES, 1.0) if habit else _time(ch, lx.PAST_TIMES, 0.35)
    place = _place(ch, 0.25)
    lv = _L()
    zh_ = subj.zh + t[0] + place[0] + _Z(verb.zh, lv)
    en_ = _E("that" if subj.nested else "") + subj.en + _E(_finite(verb.forms, tam, subj.agr), lv)
    en_ += _E(verb.part, lv) + place[1] + t[1]
    return zh_, en_, subj.nested


def _rc_subj(ch, noun, agr, depth):
    """Subject-gap relative clause: 喜欢猫的(孩子) → (the child) who likes cats.

    Past only with a past time word (昨天来的学生); otherwise a habit (present tense).
    """
    person = "person" in noun.tags
    past = ch.chance("past", 0.4)
    tam = "past" if past else "present"
    t = _time(ch, lx.PAST_TIMES, 1.0) if past else _time(ch, lx.HABIT_TIMES, 0.3)
    lv, inner = _L(), False
    if ch.chance("intransitive", 0.35):
        iv = ch.pick("verb", [v for v in lx.INTRANSITIVES if person or v.subj == "animate"])
        place = _place(ch, 0.4, loc_ok=True)
        zh_, post, forms, part = t[0] + place[0] + _iv_zh(iv, lv)[0], place[1], iv.forms, ""
        ch.tag("intransitive")
    else:
        verb = ch.pick("verb", [v for v in lx.VERBS if (person or v.subj == "animate")
                                and not (not past and "nohabit" in v.flags)])
        obj = _object(ch.sub("obj"), verb, "indef" if past else "generic", depth)
        inner = obj.nested
        zh_, post, forms, part = t[0] + _vo(verb, lv, obj.zh), obj.obj, verb.forms, verb.part
    en_ = _E("who" if person else "that", _L()) + _E(_finite(forms, tam, agr), lv) + _E(part, lv) + post + t[1]
    return zh_, en_, inner


_IV_ZH = {iv.zh for iv in lx.INTRANSITIVES}


def _vo(verb, lv, obj_zh):
    """Verb + object in Chinese; refuse 唱+歌, which reads as the intransitive 唱歌 (sing)."""
    if verb.zh + "".join(t for t, _ in obj_zh) in _IV_ZH:
        raise Retry("verb + object reads as an intransitive verb")
    return _Z(verb.zh, lv) + obj_zh


def _object(ch, verb, role, depth, nouns=None):
    """The object of `verb`: a person (看见他) or a noun phrase whose noun the verb takes."""
    if "person" in verb.obj and ch.chance("person_obj", 0.5):
        return _person(ch, depth, role="obj")
    if nouns is None:
        nouns = [n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.tags & verb.obj]
    return _common(ch, ch.pick("noun", nouns), role, depth)


def _iv_zh(iv, lv):
    """Chinese of an intransitive verb, split where 了/过 go (唱|歌: 唱了歌): (pieces, asp_at)."""
    i = iv.zh_le.index("了")
    return _Z(iv.zh[:i], lv) + _Z(iv.zh[i:], lv), 1


_NONE = ([], [])


def _time(ch, options, p, key="time"):
    """Maybe (probability p) a time word: 昨天 ↔ yesterday. Returns (zh, en) pieces."""
    t = ch.pick(key, options) if p >= 1.0 else ch.maybe(key, options, p)
    if t is None:
        return _NONE
    lk = _L()
    ch.tag("time")
    return _Z(t[0], lk), _E(t[1], lk)


def _place(ch, p, *, loc_ok=False, key="place"):
    """Maybe a place adjunct: 在公园 ↔ in the park (or 在桌子上 ↔ on the table)."""
    if loc_ok and ch.chance(key + "_loc", 0.3 * (p > 0)):
        return _loc(ch.sub(key))
    place = ch.maybe(key, lx.PLACES + [lx.HOME], p)
    if place is None:
        return _NONE
    ch.tag("place")
    return _place_phrase(place)


def _place_phrase(place):
    """在公园 ↔ in the park (在 ↔ in, 公园 ↔ park; "the" unaligned)."""
    a, b = _L(), _L()
    w = place.at.split()
    return _Z("在", a) + _Z(place.zh, b), _E(w[0], a) + _E(" ".join(w[1:-1])) + _E(w[-1], b)


def _loc(ch, zai=True):
    """A noun with a localiser: 在桌子上 ↔ on the table, 在他的包里 ↔ in his bag."""
    noun, en, sides = ch.pick("loc", lx.LOCATIONS)
    lz, prep = ch.pick("side", sides)
    a, b, lo = _L(), _L(), _L()
    owner = ch.maybe("owner", lx.PRONOUNS, 0.2)
    oz, oe = (_Z(owner.zh + "的", lo), _E(owner.poss, lo)) if owner else ([], _E("the"))
    ch.tag("place")
    return (_Z("在", a) if zai else []) + oz + _Z(noun, b) + _Z(lz, a), _E(prep, a) + oe + _E(en, b)
