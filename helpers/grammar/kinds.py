"""The fifteen clause kinds of the corpus grammar: which predicate each builds and which tenses and questions
it takes.

Each kind (``_k_transitive`` … ``_k_weather``) chooses a predicate that fits it (a verb and its objects, 把 or 被,
比, 是, 有, an adjective, the weather) and returns (zh pieces, en pieces, is_question). ``_KINDS`` maps each name to
its function, its weight in single-clause sentences and the tenses it takes; ``CLAUSE_KINDS`` lists the names.
Built on ``clause`` (one clause from a predicate) and ``noun_phrase``; ``sentence`` joins the clauses.
"""

from __future__ import annotations

from . import lexicon as lx
from .clause import _VP, TAMS, _adjuncts, _finish, _pick_q, _subject, _wh_object
from .noun_phrase import (
    _E, _L, _NONE, Retry, _article, _common, _iv_zh, _loc, _object, _person, _place_phrase, _time, _vo, _Z,
)


# ----------------------------------------------------------------------------------------------
# Clause kinds. Each takes the allowed tense names and returns (zh pieces, en pieces, is_question).

_ALL_Q = ("decl", "yn", "what", "how_many", "who_subj", "who_obj", "where", "why")
_TAM_WEIGHTS = {"past": 5, "past_neg": 1.5, "present": 4, "present_neg": 1.5, "future": 2.5, "future_neg": 1,
                "prog": 2.5, "perf": 2, "perf_neg": 0.7, "never": 0.7, "cond": 3, "cond_neg": 1}


def _pick_tam(ch, tams):
    return ch.pick("tam", list(tams), [_TAM_WEIGHTS[t] for t in tams])


def _no_reflexive(a, b):
    """我看见了我 would need "myself": refuse a pronoun object equal to the subject."""
    if a.pron and b.pron and a.pron.zh == b.pron.zh:
        raise Retry("reflexive")


def _k_transitive(ch, tams, qs, time_ok):
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    verb = ch.pick("verb", [v for v in lx.VERBS if not (tam == "prog" and "noprog" in v.flags)
                            and not (tam in ("present", "cond") and "nohabit" in v.flags)])
    allowed = [q for q in qs if (q not in ("what", "how_many") or "wh" in verb.flags)
               and (q != "who_obj" or "person" in verb.obj)]
    q = _pick_q(ch, allowed, tamname)
    subj = _subject(ch, q, animate=True, verb_subj=verb.subj)
    nouns = [n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.tags & verb.obj]
    lv = _L()
    if q in ("what", "how_many", "who_obj"):
        ozh, wh = _wh_object(ch, q, nouns)
        oen = []
    else:
        obj = _object(ch.sub("obj"), verb, "generic" if tam == "present" else "indef", 0, nouns)
        _no_reflexive(subj, obj)
        ozh, oen, wh = obj.zh, obj.obj, ()
    adj = _adjuncts(ch, tamname, place_p=0.3, time_ok=time_ok, freq_ok=True)
    ch.tag("transitive")
    vp = _VP(verb.forms, (lv,), _vo(verb, lv, ozh), en_post=oen, part=verb.part)
    return (*_finish(ch, subj, vp, tamname, q, adj, wh=wh), q != "decl")


def _k_intransitive(ch, tams, qs, time_ok):
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj", "where", "why")], tamname)
    iv = ch.pick("verb", lx.INTRANSITIVES)
    subj = _subject(ch, q, animate=True, verb_subj=iv.subj)
    lv = _L()
    pieces, at = _iv_zh(iv, lv)
    adj = _adjuncts(ch, tamname, place_p=0.5, loc_ok=subj.kind == "animal", time_ok=time_ok, freq_ok=True)
    ch.tag("intransitive")
    return (*_finish(ch, subj, _VP(iv.forms, (lv,), pieces, at), tamname, q, adj), q != "decl")


def _k_motion(ch, tams, qs, time_ok):
    tamname = _pick_tam(ch, tams)
    home = TAMS[tamname][0] != "perf" and ch.chance("home", 0.2)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj", "why") + (() if home else ("where",))], tamname)
    subj = _subject(ch, q)
    lv, lp = _L(), _L()
    wh = ()
    if home:  # 回家 ↔ go home
        zh, post = _Z("回", lv) + _Z("家", lp), _E("home", lp)  # 他回家了: 了 after 家
    elif q == "where":  # 去哪儿 ↔ Where … go
        zh, post, wh = _Z("去", lv) + _Z("哪儿", lp), [], _E("where", lp)
    else:
        place = ch.pick("dest", lx.PLACES)
        w = place.to.split()
        zh, post = _Z("去", lv) + _Z(place.zh, lp), _E("to", lv) + _E(" ".join(w[1:-1])) + _E(w[-1], lp)
    adj = _adjuncts(ch, tamname, place_p=0.0, time_ok=time_ok, freq_ok=True)
    ch.tag("motion")
    vp = _VP(_forms("go"), (lv,), zh, asp_at=2 if home else 1, en_post=post)
    return (*_finish(ch, subj, vp, tamname, q, adj, wh=wh), q != "decl")


def _forms(base):
    """English forms (base, -s, past, participle, -ing) of a verb named by its base form."""
    if base in lx.EXTRA_FORMS:
        return lx.EXTRA_FORMS[base]
    return next(v.forms for v in lx.VERBS if v.forms[0] == base)


_PURPOSE_VERBS = ("buy", "read", "watch", "borrow", "eat", "drink", "sell", "learn", "look")


def _k_purpose(ch, tams, qs, time_ok):
    """去商店买牛奶 ↔ go to the shop to buy milk (了 after the second verb)."""
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj", "why")], tamname)
    subj = _subject(ch, q)
    place = ch.pick("dest", lx.PLACES)
    verb = ch.pick("verb", [v for v in lx.VERBS if v.forms[0] in _PURPOSE_VERBS])
    obj = _object(ch.sub("obj"), verb, "generic" if tam == "present" else "indef", 0)
    _no_reflexive(subj, obj)
    lv, lp, lv2 = _L(), _L(), _L()
    w = place.to.split()
    zh = _Z("去", lv) + _Z(place.zh, lp) + _vo(verb, lv2, obj.zh)
    post = _E("to", lv) + _E(" ".join(w[1:-1])) + _E(w[-1], lp) + _E("to") + _E(verb.forms[0], lv2)
    post += _E(verb.part, lv2) + obj.obj
    adj = _adjuncts(ch, tamname, place_p=0.0, time_ok=time_ok, freq_ok=True)
    ch.tag("purpose")
    vp = _VP(_forms("go"), (lv,), zh, asp_at=3, en_post=post)
    return (*_finish(ch, subj, vp, tamname, q, adj), q != "decl")


def _inner_vp(ch, q, role):
    """The verb phrase after 想 (want to …) or 喜欢 (like …-ing): (zh, en base, en -ing, wh)."""
    lv, wh = _L(), ()
    kind = "motion" if q == "where" else "trans" if q == "what" else ch.pick("inner", ["trans", "motion", "iv"], [5, 2, 2])
    if kind == "iv":
        iv = ch.pick("verb", lx.INTRANSITIVES)
        return _iv_zh(iv, lv)[0], _E(iv.forms[0], lv), _E(iv.forms[4], lv), wh
    if kind == "motion":
        lp = _L()
        if q == "where":
            return _Z("去", lv) + _Z("哪儿", lp), _E("go", lv), _E("going", lv), _E("where", lp)
        place = ch.pick("dest", lx.PLACES)
        w = place.to.split()
        post = _E("to", lv) + _E(" ".join(w[1:-1])) + _E(w[-1], lp)
        return _Z("去", lv) + _Z(place.zh, lp), _E("go", lv) + post, _E("going", lv) + post, wh
    verb = ch.pick("verb", [v for v in lx.VERBS if q != "what" or "wh" in v.flags])
    nouns = [n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.tags & verb.obj]
    if q == "what":
        ozh, wh = _wh_object(ch, "what", nouns)
        oen = []
    else:
        obj = _object(ch.sub("obj"), verb, role, 0, nouns)
        ozh, oen = obj.zh, obj.obj
    part = _E(verb.part, lv)
    return (_vo(verb, lv, ozh), _E(verb.forms[0], lv) + part + oen, _E(verb.forms[4], lv) + part + oen, wh)


def _k_want(ch, tams, qs, time_ok):
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what", "where", "who_subj", "why")], tamname)
    subj = _subject(ch, q)
    zh, base, _, wh = _inner_vp(ch.sub("want"), q, "indef")
    lv = _L()
    time = _time(ch, lx.FUTURE_TIMES, 0.3) if time_ok else _NONE  # 我明天想去北京 ↔ I want to go … tomorrow
    ch.tag("want")
    vp = _VP(_forms("want"), (lv,), _Z("想", lv) + zh, en_post=_E("to") + base, stative=True)
    return (*_finish(ch, subj, vp, tamname, q, (time, _NONE, _NONE), wh=wh), q != "decl")


def _k_like(ch, tams, qs, time_ok):
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what", "who_subj", "why")], tamname)
    subj = _subject(ch, q)
    lv = _L()
    if q != "what" and ch.chance("like_noun", 0.5):  # 喜欢猫 ↔ like cats
        noun = ch.pick("obj.noun", lx.THINGS + lx.ANIMALS + lx.PEOPLE)
        obj = _common(ch.sub("obj"), noun, "generic", 0, dets=["bare", "dem", "poss", "rc"])
        zh, post, wh = obj.zh, obj.obj, ()
    else:  # 喜欢看书 ↔ like reading books; 喜欢什么 ↔ what … like
        if q == "what" and ch.chance("what_plain", 0.5):
            lw = _L()
            zh, post, wh = _Z("什么", lw), [], _E("what", lw)
        else:
            zh, _, post, wh = _inner_vp(ch.sub("like"), q, "generic")
    ch.tag("like")
    vp = _VP(_forms("like"), (lv,), _Z("喜欢", lv) + zh, en_post=post, stative=True)
    return (*_finish(ch, subj, vp, tamname, q, (_NONE, _NONE, _NONE), wh=wh), q != "decl")


def _k_ditransitive(ch, tams, qs, time_ok):
    """给了他一本书 ↔ gave him a book."""
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what", "who_subj", "why")], tamname)
    zh_v, base, tag = ch.pick("verb", lx.DITRANSITIVE)
    subj = _subject(ch, q)
    io = _person(ch.sub("io"), 0, role="obj")
    _no_reflexive(subj, io)
    nouns = [n for n in lx.THINGS if tag in n.tags]
    if q == "what":
        ozh, wh = _wh_object(ch, "what", nouns)
        oen = []
    else:
        obj = _common(ch.sub("obj"), ch.pick("obj.noun", nouns), "generic" if tam == "present" else "indef", 0)
        ozh, oen, wh = obj.zh, obj.obj, ()
    lv = _L()
    adj = _adjuncts(ch, tamname, place_p=0.2, time_ok=time_ok)
    ch.tag("ditransitive")
    vp = _VP(_forms(base), (lv,), _Z(zh_v, lv) + io.zh + ozh, en_post=io.obj + oen)
    return (*_finish(ch, subj, vp, tamname, q, adj, wh=wh), q != "decl")


def _held_out_filter(ch, nouns):
    """test_novel uses only the held-out nouns (``ch.held_out``) in 把/被; everything else never does."""
    keep = [n for n in nouns if (n.zh in ch.held_out) == ch.novel]
    if not keep:
        raise Retry("no noun for this frame")
    return keep


def _k_ba(ch, tams, qs, time_ok):
    """把: 我把书放在桌子上了 ↔ I put the book on the table."""
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn")], tamname)
    how = ch.pick("ba", ["verb", "put", "give", "leave"] if tam == "past" else ["put", "give"])
    lv, lb = _L(), _L()
    place_p, extra_zh, extra_en, asp_at = 0.0, [], [], 1
    if how == "verb":  # 把苹果吃了 ↔ ate the apple
        zh_v, base = ch.pick("verb", lx.BA_VERBS)
        zh_v, tag, place_p = zh_v[:-1], lx.BA_OBJECTS[base], 0.2
    elif how == "put":  # 把书放在桌子上 ↔ put the book on the table
        zh_v, base, tag = "放", "put", "put"
        extra_zh, extra_en = _loc(ch.sub("on"))
        asp_at = 1 + len(extra_zh)
    elif how == "leave":  # 把伞忘在学校了 ↔ left the umbrella at school
        zh_v, base, tag = "忘", "leave", "carry"
        extra_zh, extra_en = _place_phrase(ch.pick("at", lx.PLACES + [lx.HOME]))
        asp_at = 1 + len(extra_zh)
    else:  # 把书给了他 ↔ gave the book to him
        zh_v, base, tag, place_p = "给", "give", "give", 0.2
        io = _person(ch.sub("io"), 0, role="obj")
        extra_zh, extra_en = io.zh, _E("to", lv) + io.obj
    subj = _subject(ch, q)
    nouns = _held_out_filter(ch, [n for n in lx.THINGS + lx.ANIMALS if tag in n.tags])
    obj = _common(ch.sub("obj"), ch.pick("obj.noun", nouns), "def", 0)
    adj = _adjuncts(ch, tamname, place_p=place_p, time_ok=time_ok)
    ch.tag("ba")
    vp = _VP(_forms(base), (lv,), _Z(zh_v, lv) + extra_zh,
             asp_at=asp_at, en_post=obj.obj + extra_en, zh_pre=_Z("把", lb) + obj.zh)
    return (*_finish(ch, subj, vp, tamname, q, adj), q != "decl")


def _k_bei(ch, tams, qs, time_ok):
    """被: 我的自行车被偷了 ↔ My bicycle was stolen."""
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn")], tamname)
    zh_v, base = ch.pick("verb", lx.BEI_VERBS)
    forms = _forms(base)
    nouns = _held_out_filter(ch, [n for n in lx.THINGS + lx.ANIMALS if lx.BA_OBJECTS[base] in n.tags])
    subj = _common(ch.sub("subj"), ch.pick("subj.noun", nouns), "def", 0)
    lb, lv = _L(), _L()
    agent_zh, agent_en = [], []
    if ch.chance("agent", 0.6):
        if base in ("eat", "drink") and ch.chance("animal_agent", 0.4):
            agent = _common(ch.sub("by"), ch.pick("by.noun", lx.ANIMALS), "def", 0)
        else:
            agent = _person(ch.sub("by"), 0, role="obj")
        agent_zh, agent_en = agent.zh, _E("by", lb) + agent.obj
    adj = _adjuncts(ch, tamname, place_p=0.2, time_ok=time_ok)
    ch.tag("bei")
    vp = _VP("be", (lb,), _Z(zh_v[:-1], lv), en_post=_E(forms[3], lv) + agent_en, zh_pre=_Z("被", lb) + agent_zh,
             le_links=(lv,))
    return (*_finish(ch, subj, vp, tamname, q, adj), q != "decl")


def _k_comparative(ch, tams, qs, time_ok):
    """比: 汤姆比玛丽高 ↔ Tom is taller than Mary."""
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn")], tamname)
    if ch.chance("people", 0.45):
        adj = ch.pick("adj", [a for a in lx.ADJECTIVES if a.comp and "person" in a.fits])
        a = _person(ch.sub("subj"), 0)
        b = _person(ch.sub("than"), 0, role="obj")
    else:
        adjs = [a for a in lx.ADJECTIVES if a.comp and "person" not in a.fits]
        adj = ch.pick("adj", adjs)
        noun = ch.pick("noun", [n for n in lx.THINGS + lx.ANIMALS if n.tags & adj.fits])
        a = _common(ch.sub("subj"), noun, "def", 0)
        b = _common(ch.sub("than"), noun, "def", 0, dets=["dem", "poss"])
    if "".join(t for t, _ in a.zh) == "".join(t for t, _ in b.zh):
        raise Retry("compared with itself")
    lb, la = _L(), _L()
    ch.tag("comparative")
    vp = _VP("be", (), [], en_post=_E(adj.comp, la) + _E("than", lb) + b.obj,
             zh_pre=_Z("比", lb) + b.zh + _Z(adj.zh, la), stative=True)
    return (*_finish(ch, a, vp, tamname, q, (_NONE, _NONE, _NONE)), q != "decl")


def _k_adjective(ch, tams, qs, time_ok):
    """很 + adjective: 这本书很贵 ↔ This book is very expensive; 我昨天很累 ↔ I was very tired yesterday."""
    tamname = _pick_tam(ch, tams)
    tam, neg = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn")], tamname)
    lasting = tam in ("present", "cond")  # traits (tall) and things (expensive): present only
    if not lasting or ch.chance("person", 0.5):
        adj = ch.pick("adj", [a for a in lx.ADJECTIVES if "person" in a.fits and (lasting or "state" in a.fits)])
        subj = _person(ch.sub("subj"), 0)
    else:
        adj = ch.pick("adj", [a for a in lx.ADJECTIVES if a.comp and "person" not in a.fits])
        noun = ch.pick("noun", [n for n in lx.THINGS + lx.ANIMALS if n.tags & adj.fits])
        subj = _common(ch.sub("subj"), noun, "def", 0)
    la, lh = _L(), _L()
    very = not neg and q == "decl"
    zh = (_Z("很", lh) if very else []) + _Z(adj.zh, la)
    en = (_E("very", lh) if very else []) + _E(adj.en, la)
    adjn = _adjuncts(ch, tamname, place_p=0.0, need_time=tam == "past", time_ok=time_ok and tam != "present")
    ch.tag("adjective_predicate")
    vp = _VP("be", (), [], en_post=en, zh_pre=zh, stative=True)
    return (*_finish(ch, subj, vp, tamname, q, adjn), q != "decl")


def _k_copula(ch, tams, qs, time_ok):
    """是: 我妈妈是医生 ↔ My mother is a doctor; 谁是你的老师 ↔ Who is your teacher?"""
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj")], tamname)
    subj = _subject(ch, q)
    lv, ln = _L(), _L()
    if q != "who_subj" and ch.chance("job", 0.6):
        noun = ch.pick("noun", [n for n in lx.PEOPLE if "job" in n.tags and n is not subj.noun])
        word = noun.pl if subj.agr == "pl" else noun.sg
        zh, en = _Z(noun.zh, ln), ([] if subj.agr == "pl" else _E(_article(word))) + _E(word, ln)
    else:
        if subj.agr == "pl":
            raise Retry("plural subject with a singular predicate")
        # my friend / the friend who …: gender-neutral nouns only (not "He is my sister")
        noun = ch.pick("noun", [n for n in lx.PEOPLE if "owned" in n.tags])
        pred = _common(ch.sub("pred"), noun, "def", 0, plural=False, dets=["poss", "rc"])
        zh, en = pred.zh, pred.en
        if subj.pron and subj.pron.zh in zh[0][0]:
            raise Retry("I am my friend")
    ch.tag("copula")
    vp = _VP("be", (lv,), _Z("是", lv) + zh, en_post=en, stative=True)
    return (*_finish(ch, subj, vp, tamname, q, (_NONE, _NONE, _NONE)), q != "decl")


def _k_possess(ch, tams, qs, time_ok):
    """有: 我有两只猫 ↔ I have two cats; 他没有车 ↔ He doesn't have a car."""
    tamname = _pick_tam(ch, tams)
    neg = TAMS[tamname][1]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "how_many", "who_subj", "why")], tamname)
    subj = _subject(ch, q)
    nouns = [n for n in lx.THINGS if "buy" in n.tags] + lx.ANIMALS
    lv = _L()
    if q == "how_many":
        zh, wh = _wh_object(ch, q, nouns)
        en = []
    else:
        obj = _common(ch.sub("obj"), ch.pick("obj.noun", nouns), "indef", 0,
                      dets=["bare"] if neg or q != "decl" else ["bare", "num", "many", "rc"])
        zh, en, wh = obj.zh, obj.obj, ()
    ch.tag("possess")
    vp = _VP(_forms("have"), (lv,), _Z("有", lv) + zh, en_post=en, stative=True, neg_zh="没")
    return (*_finish(ch, subj, vp, tamname, q, (_NONE, _NONE, _NONE), wh=wh), q != "decl")


def _k_existential(ch, tams, qs, time_ok):
    """桌子上有一本书 ↔ There is a book on the table."""
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what")], _pick_tam(ch, tams))
    lzh, len_ = _loc(ch.sub("loc"), zai=False)
    lh = _L()
    ch.tag("existential")
    if q == "what":
        lw = _L()
        return lzh + _Z("有", lh) + _Z("什么", lw), _E("what", lw) + _E("is", lh) + len_, True
    nouns = [n for n in lx.THINGS if n.tags & {"put", "carry"}] + lx.ANIMALS
    np = _common(ch.sub("obj"), ch.pick("obj.noun", nouns), "indef", 0, dets=["bare", "num", "many"])
    be = "is" if np.agr == "3s" else "are"
    if q == "yn":
        lq = _L()
        return (lzh + _Z("有", lh) + np.zh + _Z("吗", lq), _E(be, lh, lq) + _E("there", lh) + np.obj + len_, True)
    return lzh + _Z("有", lh) + np.zh, _E("there", lh) + _E(be, lh) + np.obj + len_, False


def _k_weather(ch, tams, qs, time_ok):
    """下雨 ↔ it rains: 昨天下雨了 ↔ It rained yesterday."""
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn")], tamname)
    zh_v, base = ch.pick("verb", [("下雨", "rain"), ("下雪", "snow")])
    lv = _L()
    adj = _adjuncts(ch, tamname, place_p=0.0, need_time=tam == "past", time_ok=time_ok)
    if tam == "past" and not adj[0][0]:
        raise Retry("下雨了 without a time word means it is raining now")
    ch.tag("weather")
    vp = _VP(_forms(base), (lv,), _Z(zh_v, lv))
    return (*_finish(ch, None, vp, tamname, q, adj, subj_en=_E("it"), agr="3s"), q != "decl")


_P, _PN, _PR, _PRN, _F, _FN = "past", "past_neg", "present", "present_neg", "future", "future_neg"
_EVENTS = (_P, _PN, _PR, _PRN, _F, _FN, "cond", "cond_neg")
# kind: (function, weight in single sentences, tenses it takes)
_KINDS = {
    "transitive": (_k_transitive, 9, _EVENTS + ("prog", "perf", "perf_neg", "never")),
    "intransitive": (_k_intransitive, 3, _EVENTS + ("prog", "perf", "perf_neg", "never")),
    "motion": (_k_motion, 3, _EVENTS + ("prog", "perf", "perf_neg", "never")),
    "purpose": (_k_purpose, 2, _EVENTS),
    "want": (_k_want, 2, (_PR, _PRN)),
    "like": (_k_like, 2, (_PR, _PRN)),
    "ditransitive": (_k_ditransitive, 2, (_P, _PN, _PR, _F, _FN, "cond")),
    "ba": (_k_ba, 2.5, (_P, _F)),
    "bei": (_k_bei, 2, (_P,)),
    "comparative": (_k_comparative, 2, (_PR,)),
    "adjective_predicate": (_k_adjective, 2, (_P, _PN, _PR, _PRN, _F, _FN, "cond")),
    "copula": (_k_copula, 1.5, (_PR, _PRN)),
    "possess": (_k_possess, 1.5, (_PR, _PRN)),
    "existential": (_k_existential, 1.5, (_PR,)),
    "weather": (_k_weather, 0.7, (_P, _PN, _F, _FN, "cond", "cond_neg")),
}
CLAUSE_KINDS = tuple(_KINDS)
_SINGLE_TAMS = ("past", "past_neg", "present", "present_neg", "future", "future_neg", "prog", "perf", "perf_neg", "never")
