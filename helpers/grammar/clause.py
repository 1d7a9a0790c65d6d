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
from . import semantics as sem
from .adjuncts import _NONE, _PLACE_BY_ZH, _animal_spot, _place, _place_phrase, _time
from .noun_phrase import _E, _L, _NP, Retry, _common, _finite, _person, _Z, overlap


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
    if neg:  # 没V过 and 从来没V过 both mean "has never V-ed" (not "hasn't V-ed")
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
    zh = s_zh + list(zh_adv) + time[0] + freq[0] + pre + place[0] + list(vp.zh_pre) + vzh  # 为什么每天…, 为什么常常…
    if q == "yn":
        zh += _Z("吗", lq)
    agr = agr or subj.agr
    front, rest = _en_verb_group(vp.forms, tam, neg, agr, q in ("yn", "wh"), vp.lv, la, ln, lq)
    if tam == "perf" and not neg and q == "yn":  # 你去过北京吗 ↔ Have you ever been to Beijing?
        rest = [("ever", (la,))] + rest
    s_en = subj_en if subj_en is not None else subj.en
    if ch.ctx.get("out", {}).get("time_front"):  # after a relative clause it would read as part of it
        en = time[1] + list(wh) + front + s_en + freq[1] + rest + _E(vp.part, *vp.lv) + list(vp.en_post) + place[1]
    else:
        en = list(wh) + front + s_en + freq[1] + rest + _E(vp.part, *vp.lv) + list(vp.en_post) + place[1] + time[1]
    ch.tag({"past": "past_le" if post_marker else None, "present": None if neg else "present",
            "future": "future_hui", "prog": "progressive_zhengzai", "perf": "experiential_guo"}.get(tam))
    if neg:
        ch.tag("never" if neg == "never" else {"不": "neg_bu", "没": "neg_mei"}.get(negword))
    if freq[0] and freq[0][0][0] != "还是":  # (还是 "still" of 但是 stands where 常常 does; it is no frequency)
        ch.tag("freq_adverb")
    return zh, en


def _adjuncts(ch, tamname, *, place_p=0.3, fits=(), animal_act=None, need_time=False, time_ok=True,
              freq_ok=False, nested=False, q="decl", near=False, far_ok=False):
    """Time word, frequency adverb and place phrase that fit the tense.

    fits: the places where the action makes sense (``semantics.places_for``); animal_act: an animal's
    intransitive verb, placed with ``semantics.ANIMAL_SPOTS``. nested: the English object holds a relative
    clause, so a time or place phrase after it would read as part of it ("won't wear the skirt she bought
    tomorrow"): the clause then takes no place, and a time only said first in English ("Tomorrow she won't wear the
    skirt she bought", tagged time_fronted). near: only ``semantics.NEAR_TIMES`` (weather, passing states);
    far_ok: may say next year or last month (going places, learning), else ``semantics.FAR_TIMES`` are left out. The sentence level may ask for a place (ctx "place") or say the
    action happens where the previous clause went (ctx "at": no place phrase).
    """
    tam, neg = TAMS[tamname]
    time, freq = _NONE, _NONE
    if tamname == "present_neg":  # 他每天不睡觉 is "never", not "doesn't … every day"
        time_ok = False
    # an object with a relative clause: the time goes first, where it can only be the main clause's (Yesterday Tom
    # read the book Mary bought); a question, "before" (not "Before I have read…") or a place has nowhere else to go
    front = nested and q == "decl" and tam != "perf"
    if time_ok and (not nested or front):
        options, p = {"past": (lx.PAST_TIMES, 0.65), "present": (lx.HABIT_TIMES, 0.3), "cond": (lx.FUTURE_TIMES, 0.5),
                      "future": (lx.FUTURE_TIMES, 1.0), "prog": ([lx.NOW], 0.3), "perf": ([lx.BEFORE], 1.0)}[tam]
        if need_time or tam == "future":
            p = 1.0
        if tam == "perf" and (neg or q != "decl"):  # 没去过 has never been; "Have you ever…" needs no "before"
            p = 0.0
        if near:
            near = near if isinstance(near, (set, frozenset)) else sem.NEAR_TIMES
            options = [t for t in options if t[0] in near] or options
        if not far_ok:
            options = [t for t in options if t[0] not in sem.FAR_TIMES]
        time = _time(ch, options, p)
        if nested and time[0]:
            ch.ctx["out"]["time_front"] = True
            ch.tag("time_fronted")
    if freq_ok and tam == "present" and not neg and not time[0] and not ch.ctx.get("listing"):  # not "every
        # evening, Kate sometimes sleeps"
        f = ch.maybe("freq", lx.FREQ_ADVERBS, 0.2)
        if f:
            lk = _L()
            freq = _Z(f[0], lk), _E(f[1], lk)
    p = place_p if tam != "prog" else 0.0
    if ch.ctx.get("place"):
        place = _place_phrase(_PLACE_BY_ZH[ch.ctx["place"]])
        ch.tag("place")
    elif ch.ctx.get("at") or ch.ctx.get("no_place") or nested:
        place = _NONE
    elif animal_act:
        place = _animal_spot(ch, animal_act, p)
    else:
        place = _place(ch, p, fits=fits)
    if place[0]:
        ch.ctx["out"]["place"] = place[0][1][0]  # 在|公园: where the clause happened
    return time, freq, place


_TAM_WEIGHTS = {"past": 5, "past_neg": 1.5, "present": 4, "present_neg": 1.5, "future": 2.5, "future_neg": 1,
                "prog": 2.5, "perf": 2, "perf_neg": 0.7, "never": 0.7, "cond": 3, "cond_neg": 1}


def _pick_tam(ch, tams):
    tam = ch.pick("tam", list(tams), [_TAM_WEIGHTS[t] for t in tams])
    ch.ctx["out"]["tam"] = tam
    return tam


def _forms(base):
    """English forms (base, -s, past, participle, -ing) of a verb named by its base form."""
    if base in lx.EXTRA_FORMS:
        return lx.EXTRA_FORMS[base]
    return next(v.forms for v in lx.VERBS if v.forms[0] == base)


# questions each clause kind may take; a negated clause is only asked with 为什么
_Q_WEIGHTS = {"decl": 14, "yn": 4, "what": 2, "how_many": 1, "who_subj": 1, "who_obj": 1, "where": 1.5, "why": 1.5}


def _pick_q(ch, qs, tamname):
    tam, neg = TAMS[tamname]
    if neg:
        qs = [q for q in qs if q in ("decl", "why")]
    if neg == "never" or tam == "cond":
        qs = ["decl"]
    if not neg:  # 为什么没去? yes; "why did they watch a movie at the cinema?" asks nothing
        qs = [q for q in qs if q != "why"]
    if tam in ("perf", "prog"):
        qs = [q for q in qs if q not in ("where", "why", "how_many")]  # not "how many sweaters has Jack worn?"
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


def _subject(ch, q, *, animate=False, verb_subj="person", animals=None, kinds=None, animal_only=False):
    """The subject NP, or 谁 ↔ who. The sentence level may fix it (ctx "subj": the same person as the clause
    before), limit its kinds (ctx "subj_kinds": ones a later 他/她 can refer to) or forbid one (ctx "not_subj").
    animals: the animal nouns that can do this (default: all); kinds: the person kinds (default: all).
    Reports the subject as ctx["out"]["subj"]."""
    ctx = ch.ctx
    if q == "who_subj":
        lw = _L()
        subj = _NP(_Z("谁", lw), _E("who", lw), _E("who", lw), "3s", "person")
    elif ctx.get("subj") is not None:
        subj = ctx["subj"]
    elif (animate and verb_subj == "animate" and not ctx.get("subj_kinds") and animals != []
          and (animal_only or ch.chance("animal_subj", 0.2))):
        subj = _common(ch.sub("subj"), ch.pick("subj.noun", animals or lx.ANIMALS), "def", 0)
    else:
        kinds = ctx.get("subj_kinds") or kinds
        subj = _person(ch.sub("subj"), 0, you=q != "decl", **({"kinds": kinds} if kinds else {}))
        if q == "decl" and ctx.get("not_subj") is None and subj.pron is None and subj.noun is None \
                and not ctx.get("listing") and not (subj.owner is not None and subj.owner.pron is not None) \
                and ch.chance("and_subj", 0.15):  # 汤姆和他妹妹 ↔ Tom and his little sister
            other = _person(ch.sub("and"), 0, kinds=("name",))  # not "Tom and Mary's brother": whose brother?
            if overlap(subj, other) or "".join(t for t, _ in subj.zh).startswith("".join(t for t, _ in other.zh)):
                # not "Peter's sister and Peter"
                raise Retry("Tom and Tom")
            la = _L()
            ch.tag("coordination_np")
            subj = _NP(subj.zh + _Z("和", la) + other.zh, subj.en + _E("and", la) + other.en,
                       subj.obj + _E("and", la) + other.obj, "pl", "person",
                       gender="f" if subj.gender == other.gender == "f" else None)  # 她们 later
    if ctx.get("not_subj") is not None and overlap(subj, ctx["not_subj"]):
        raise Retry("a contrast needs two different subjects")
    ctx["out"]["subj"] = subj
    return subj


def _finish(ch, subj, vp, tamname, q, adj, *, wh=(), zh_adv=(), **kw):
    """Common tail of the clause kinds: the why-question, then _clause."""
    time, freq, place = adj
    if q not in ("decl", "who_subj") and subj is not None and subj.pron and subj.pron.zh in ("我", "我们"):
        raise Retry("asking others about oneself (我工作吗？)")
    if q == "why":
        zh_adv, wh = _why(ch)
    elif ch.ctx.get("still"):  # 我很累，但是我还是去了公园 ↔ I was tired, but I still went to the park
        lk = _L()
        freq = _Z("还是", lk), _E("still", lk)
    if q == "where" and not wh:
        place, wh = _wh_where(ch)
    mode = {"decl": "decl", "who_subj": "decl", "yn": "yn"}.get(q, "wh")
    return _clause(ch, subj, vp, tamname, time=time, freq=freq, place=place, q=mode, wh=wh,
                   zh_adv=zh_adv, **kw)


def _wh_object(ch, q, nouns, noun_ok=True):
    """什么 ↔ what, 什么书 ↔ what book, 几本书 ↔ how many books, 谁 ↔ who: (zh, wh_en).

    noun_ok=False: plain 什么 (after 想/喜欢: "what skirt does she like wearing?" wants a plural)."""
    lw = _L()
    if q == "who_obj":
        return _Z("谁", lw), _E("who", lw)
    if q == "how_many":
        noun = ch.pick("obj.noun", [n for n in nouns if n.pl or n.unit])
        ch.ctx["out"]["wh_noun"] = noun.zh  # where it is bought, for the place phrase
        ln = _L()
        unit = [] if noun.pl else _E(noun.unit.split("/")[1] + " of", lw)
        return _Z("几" + noun.mw, lw) + _Z(noun.zh, ln), _E("how many", lw) + unit + _E(noun.pl or noun.sg, ln)
    if noun_ok and ch.chance("what_noun", 0.3):
        noun = ch.pick("obj.noun", [n for n in nouns if "subject" not in n.tags])
        ch.ctx["out"]["wh_noun"] = noun.zh
        ln = _L()
        return _Z("什么", lw) + _Z(noun.zh, ln), _E("what", lw) + _E(noun.sg, ln)
    return _Z("什么", lw), _E("what", lw)
