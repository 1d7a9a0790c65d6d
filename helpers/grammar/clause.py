"""The clause level of the corpus grammar: one clause, in both languages, from a predicate.

Part of the grammar behind ``helpers.corpus`` (phrases: ``noun_phrase``; clause kinds: ``kinds``;
sentences: ``sentence``). ``_clause`` puts a predicate (a ``_VP``) together with its subject,
tense/aspect and negation (``TAMS``), time, frequency and place adjuncts, and question form:

* Chinese: S time freq 就/为什么 [不/没/会/正在] place [把 O] V[了/过] O (吗)
* English: [wh] [aux] S freq verb-group particle O place time

so 了 过 会 正在 不/没 meet English tense, do-support and auxiliaries (``_en_verb_group``), 吗
at the end meets an auxiliary at the front, and a wh-word in place meets a wh-word first.

Imports only the standard library, ``helpers.grammar.lexicon`` and ``helpers.grammar.noun_phrase``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import lexicon as lx
from .noun_phrase import _E, _L, _NONE, _NP, Retry, _common, _finite, _person, _place, _time, _Z


# ----------------------------------------------------------------------------------------------
# Clauses. `_clause` realises any predicate (a _VP) with a subject, tense/aspect, negation, time,
# place and question form, in both languages.


@dataclass
class _VP:
    forms: tuple | str  # English verb forms (base, -s, past, participle, -ing) or "be"
    lv: tuple  # links of the English main verb (or of the be-form)
    zh: list  # Chinese verb with what follows it
    asp_at: int = 1  # where 了 / 过 go in `zh`
    en_post: list = ()  # English after the verb (objects, complements)
    part: str = ""  # English particle (look at, listen to)
    zh_pre: list = ()  # Chinese between the place phrase and the verb (把 + object, 被 + agent)
    stative: bool = False  # no 了 in the past; negated with 不 (是, 想, 喜欢, adjectives)
    neg_zh: str = ""  # Chinese negation when not 不/没 (有 → 没有)
    le_links: tuple | None = None  # links of 了 (default: the verb's)


# tense/aspect/negation as one name: (tam, negation)
TAMS = {"past": ("past", False), "past_neg": ("past", True), "present": ("present", False),
        "present_neg": ("present", True), "future": ("future", False), "future_neg": ("future", True),
        "prog": ("prog", False), "perf": ("perf", False), "perf_neg": ("perf", True), "never": ("perf", "never"),
        "cond": ("cond", False), "cond_neg": ("cond", True)}
_BE = {"1s": "am", "3s": "is", "pl": "are"}


def _lk(*links):
    return tuple(lk for lk in links if lk is not None)


def _split(aux, alinks, verb, vlinks, invert, lq):
    if invert:
        return [(aux, alinks + _lk(lq))], [(verb, vlinks)]
    return [], [(aux, alinks), (verb, vlinks)]


def _en_verb_group(forms, tam, neg, agr, invert, lv, la, ln, lq):
    """English verb group as (front, rest): `front` is the auxiliary a question moves before the subject."""
    if forms == "be":
        if tam == "future":
            return _split("won't" if neg else "will", _lk(ln, la), "be", lv, invert, lq)
        word = ("was" if agr != "pl" else "were") if tam == "past" else _BE[agr]
        if neg and word == "am":  # no "amn't": "I am not …", never asked
            if invert:
                raise Retry("am not in a question")
            return [], [("am", lv), ("not", _lk(ln))]
        word += "n't" if neg else ""
        links = lv + _lk(ln)
        return ([(word, links + _lk(lq))], []) if invert else ([], [(word, links)])
    base, s3, past, pp, ing = forms
    if tam in ("present", "cond", "past"):
        do = "did" if tam == "past" else "does" if agr == "3s" else "do"
        if neg:
            return _split(do + "n't", _lk(ln), base, lv, invert, lq)
        if invert:
            return [(do, _lk(lq))], [(base, lv)]
        return [], [(_finite(forms, tam, agr), lv)]
    if tam == "future":
        return _split("won't" if neg else "will", _lk(ln, la), base, lv, invert, lq)
    if tam == "prog":
        return _split(_BE[agr], _lk(la), ing, lv, invert, lq)
    have = "has" if agr == "3s" else "have"
    if neg == "never":
        return [], [(have, _lk(la)), ("never", _lk(ln)), (pp, lv)]
    return _split(have + ("n't" if neg else ""), _lk(ln, la), pp, lv, invert, lq)


def _clause(ch, subj, vp, tamname, *, time=_NONE, freq=_NONE, place=_NONE, q="decl", wh=(), zh_adv=(),
            subj_en=None, agr=None):
    """Realise one clause. q: decl, yn (…吗 ↔ Did you…?), wh (wh-word first, inverted), wh_subj.

    Chinese: S time freq 就/为什么 [不/没/会/正在] place [把 O] V[了/过] O (吗)
    English: [wh] [aux] S freq verb-group particle O place time
    """
    tam, neg = TAMS[tamname]
    if vp.stative and tam == "past" and not time[0]:
        raise Retry("a past state needs a time word (我昨天很累), else it reads as present")
    la, ln, lq = _L(), _L(), (_L() if q == "yn" else None)
    pre, post_marker = [], None
    negword = vp.neg_zh or ("不" if vp.stative or tam in ("present", "cond", "future") else "没")
    if neg == "never":
        pre = _Z("从来没", ln)
    elif neg:
        pre = _Z(negword, ln)
    if tam == "future":
        pre += _Z("会", la)
    elif tam == "prog":
        pre += _Z("正在", la)
    if tam == "past" and not neg and not vp.stative:
        post_marker = ("了", vp.le_links if vp.le_links is not None else vp.lv)
    elif tam == "perf":
        post_marker = ("过", (la,))
    vzh = list(vp.zh)
    if post_marker:
        vzh.insert(vp.asp_at, post_marker)
    s_zh = subj.zh if subj else []
    zh = s_zh + time[0] + freq[0] + list(zh_adv) + pre + place[0] + list(vp.zh_pre) + vzh
    if q == "yn":
        zh += _Z("吗", lq)
    agr = agr or subj.agr
    front, rest = _en_verb_group(vp.forms, tam, neg, agr, q in ("yn", "wh"), vp.lv, la, ln, lq)
    s_en = subj_en if subj_en is not None else subj.en
    en = list(wh) + front + s_en + freq[1] + rest + _E(vp.part, *vp.lv) + list(vp.en_post) + place[1] + time[1]
    ch.tag({"past": "past_le" if post_marker else None, "present": None if neg else "present",
            "future": "future_hui", "prog": "progressive_zhengzai", "perf": "experiential_guo"}.get(tam))
    if neg:
        ch.tag("never" if neg == "never" else {"不": "neg_bu", "没": "neg_mei"}.get(negword))
    if freq[0]:
        ch.tag("freq_adverb")
    return zh, en


def _adjuncts(ch, tamname, *, place_p=0.3, loc_ok=False, need_time=False, time_ok=True, freq_ok=False):
    """Time word, frequency adverb and place phrase that fit the tense."""
    tam, neg = TAMS[tamname]
    time, freq = _NONE, _NONE
    if time_ok:
        options, p = {"past": (lx.PAST_TIMES, 0.5), "present": (lx.HABIT_TIMES, 0.3), "cond": (lx.FUTURE_TIMES, 0.5),
                      "future": (lx.FUTURE_TIMES, 1.0), "prog": ([lx.NOW], 0.3), "perf": ([lx.BEFORE], 0.3)}[tam]
        if need_time or tam == "future":
            p = 1.0
        if neg == "never":
            p = 0.0
        time = _time(ch, options, p)
    if freq_ok and tam == "present" and not neg and not time[0]:
        f = ch.maybe("freq", lx.FREQ_ADVERBS, 0.2)
        if f:
            lk = _L()
            freq = _Z(f[0], lk), _E(f[1], lk)
    place = _place(ch, place_p if tam != "prog" else 0.0, loc_ok=loc_ok)
    return time, freq, place


# questions each clause kind may take; a negated clause is only asked with 为什么
_Q_WEIGHTS = {"decl": 14, "yn": 4, "what": 2, "how_many": 1, "who_subj": 1, "who_obj": 1, "where": 1.5, "why": 1.5}


def _pick_q(ch, qs, tamname):
    tam, neg = TAMS[tamname]
    if neg:
        qs = [q for q in qs if q in ("decl", "why")]
    if neg == "never" or tam == "cond":
        qs = ["decl"]
    if tam in ("perf", "prog"):
        qs = [q for q in qs if q not in ("where", "why")]
    q = ch.pick("q", qs, [_Q_WEIGHTS[x] for x in qs])
    ch.tag({"yn": "q_yesno", "what": "q_what", "how_many": "q_how_many", "who_subj": "q_who", "who_obj": "q_who",
            "where": "q_where", "why": "q_why"}.get(q))
    return q


def _wh_where(ch):
    lw = _L()
    return (_Z("在", lw) + _Z("哪儿", lw), []), _E("where", lw)


def _why(ch):
    lw = _L()
    return _Z("为什么", lw), _E("why", lw)


def _subject(ch, q, *, animate=False, verb_subj="person"):
    """The subject NP, or 谁 ↔ who."""
    if q == "who_subj":
        lw = _L()
        return _NP(_Z("谁", lw), _E("who", lw), _E("who", lw), "3s", "person")
    if animate and verb_subj == "animate" and ch.chance("animal_subj", 0.2):
        return _common(ch.sub("subj"), ch.pick("subj.noun", lx.ANIMALS), "def", 0)
    return _person(ch.sub("subj"), 0)


def _finish(ch, subj, vp, tamname, q, adj, *, wh=(), zh_adv=(), **kw):
    """Common tail of the clause kinds: the why-question, then _clause."""
    time, freq, place = adj
    if q == "why":
        zh_adv, wh = _why(ch)
    if q == "where" and not wh:
        place, wh = _wh_where(ch)
    mode = {"decl": "decl", "who_subj": "decl", "yn": "yn"}.get(q, "wh")
    return _clause(ch, subj, vp, tamname, time=time, freq=freq, place=place, q=mode, wh=wh,
                   zh_adv=zh_adv, **kw)


def _wh_object(ch, q, nouns):
    """什么 ↔ what, 什么书 ↔ what book, 几本书 ↔ how many books, 谁 ↔ who: (zh, wh_en)."""
    lw = _L()
    if q == "who_obj":
        return _Z("谁", lw), _E("who", lw)
    if q == "how_many":
        noun = ch.pick("obj.noun", [n for n in nouns if n.pl or n.unit])
        ln = _L()
        unit = [] if noun.pl else _E(noun.unit.split("/")[1] + " of", lw)
        return _Z("几" + noun.mw, lw) + _Z(noun.zh, ln), _E("how many", lw) + unit + _E(noun.pl or noun.sg, ln)
    if ch.chance("what_noun", 0.3):
        noun = ch.pick("obj.noun", [n for n in nouns if "subject" not in n.tags])
        ln = _L()
        return _Z("什么", lw) + _Z(noun.zh, ln), _E("what", lw) + _E(noun.sg, ln)
    return _Z("什么", lw), _E("what", lw)
