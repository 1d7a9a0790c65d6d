"""Clause kinds of being and states: 比 comparisons, 很 + adjective, 是, 有, 有 of place, the weather, 想 and 喜欢.

Part of the clause kinds of the corpus grammar (the events are in ``kinds``, which lists all fifteen in its
``_KINDS`` table). Each takes the allowed tense names and returns (zh pieces, en pieces, is_question), and
consults ``semantics``: no one compared with themselves, adjectives that fit their nouns, things where they can be.
Imports only the standard library and the grammar modules below ``kinds``.
"""

from __future__ import annotations

from . import lexicon as lx
from . import semantics as sem
from .clause import _VP, TAMS, _adjuncts, _finish, _forms, _pick_q, _pick_tam, _subject, _wh_object
from .adjuncts import _NONE, _loc, _place_words, _time
from .noun_phrase import _E, _L, Retry, _article, _common, _iv_zh, _object, _person, _vo, _Z, adj_fits, overlap, vkey


def _no_reflexive(a, b):
    """我看见了我 would need "myself", 我给了我们 gives to oneself, 学生喜欢学生 likes its own kind: refuse."""
    if (a.kind == "person" and b.kind == "person" and overlap(a, b)) or (a.noun and b.noun and a.noun.zh == b.noun.zh):
        raise Retry("the subject meets itself")
    name = "".join(t for t, _ in a.zh)
    if name in lx.GENDER and name in "".join(t for t, _ in b.zh):  # not "Tom lent Tom's father …" (his father)
        raise Retry("a name said twice")


def _same_class(noun, other_zh):
    """For a contrast: does `noun` share a class with the noun it is set against (tea and coffee)?"""
    if other_zh is None:
        return True
    other = next(n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.zh == other_zh)
    food = [g for g in sem.FOOD_GROUPS if noun.zh in g or other_zh in g]
    return bool(set(sem.CONTRAST_CLASSES) & noun.tags & other.tags) and frozenset((noun.zh, other_zh)) \
        not in sem.NEAR_SYNONYMS and len(food) != 2  # fruit against fruit, not oranges against fish


def _k_comparative(ch, tams, qs, time_ok):
    """比: 汤姆比玛丽高 ↔ Tom is taller than Mary (never a person with themselves, never "the long song is longer")."""
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn")], tamname)
    if ch.chance("people", 0.45):
        adj = ch.pick("adj", [a for a in lx.ADJECTIVES if a.comp and "person" in a.fits])
        a = _person(ch.sub("subj"), 0, kinds=("pron", "name", "kin"))  # not "the engineer who opened a box"
        b = _person(ch.sub("than"), 0, role="obj", kinds=("pron", "name", "kin"))
        if overlap(a, b):
            raise Retry("compared with themselves")
        if a.owner is not None and b.pron and b.pron.zh[0] in "他她":  # 他妹妹比她忙: is she the sister?
            raise Retry("his sister and her: who is who?")
    else:
        adjs = [a for a in lx.ADJECTIVES if a.comp and "person" not in a.fits]
        adj = ch.pick("adj", adjs)
        noun = ch.pick("noun", [n for n in lx.THINGS + lx.ANIMALS if adj_fits(adj, n) and n.pl])  # count nouns
        a = _common(ch.sub("subj"), noun, "def", 0, dets=["dem", "poss"] if q == "decl" else ["dem"], adj_ok=False,
                    plural=False)  # not "is my orange sweeter than this one?"
        b = _common(ch.sub("than"), noun, "def", 0, dets=["dem"], adj_ok=False, plural=False)  # not "than his cup"
        if a.zh[0][0][0] == b.zh[0][0][0] and a.zh[0][0][0] in "这那":  # 这只猫比那只猫…, not 这只…这只
            raise Retry("this one compared with this one")
    if "".join(t for t, _ in a.zh) == "".join(t for t, _ in b.zh):
        raise Retry("compared with itself")
    lb, la = _L(), _L()
    ch.tag("comparative")
    vp = _VP("be", (), [], en_post=_E(adj.comp, la) + _E("than", lb) + b.obj,
             zh_pre=_Z("比", lb) + b.zh + _Z(adj.zh, la), stative=True)
    return (*_finish(ch, a, vp, tamname, q, (_NONE, _NONE, _NONE)), q != "decl")


def _k_adjective(ch, tams, qs, time_ok):
    """很 + adjective: 这本书很贵 ↔ This book is very expensive; 我昨天很累 ↔ I was very tired yesterday.

    The sentence level may ask for given adjectives (ctx "adj": a cause such as 累) and a subject."""
    ctx = ch.ctx
    tamname = _pick_tam(ch, tams)
    tam, neg = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn")], tamname)
    lasting = tam in ("present", "cond")  # traits (tall) and things (expensive): present only
    want = ctx.get("adj")
    if want:
        person = "person" in lx_adj(want[0]).fits
    else:
        person = ctx.get("subj") is not None or bool(ctx.get("subj_kinds")) or not lasting or ch.chance("person", 0.5)
    if person:
        adj = ch.pick("adj", [a for a in lx.ADJECTIVES if "person" in a.fits and (lasting or "state" in a.fits)
                              and (not want or a.zh in want)
                              and (want or tam != "future" or a.zh == "忙")])  # 她后天不会饿: who can tell?
        far = False  # tired tomorrow, busy next week; not hungry next month
        subj = _subject(ch, q)
    else:
        adj = ch.pick("adj", [a for a in lx.ADJECTIVES if a.comp and "person" not in a.fits and (not want or a.zh in want)
                              and not (neg and a.zh == "有意思")])  # 没意思, not 不有意思
        far = False
        noun = ch.pick("noun", [n for n in lx.THINGS + lx.ANIMALS if adj_fits(adj, n)
                                and (not ctx.get("noun") or n.zh == ctx["noun"])])
        subj = _common(ch.sub("subj"), noun, "def", 0, dets=ctx.get("dets") or (["dem", "poss"] if want else None),
                       adj_ok=False, subject=True, plural=not ctx.get("dets"))  # a contrast: this cup, that cup
        ctx["out"]["noun"] = noun.zh
    if ctx.get("not_subj") is not None and "".join(t for t, _ in subj.zh) == "".join(t for t, _ in ctx["not_subj"].zh):
        raise Retry("a contrast needs two different subjects")
    ctx["out"].update(subj=subj, adj=adj.zh)
    la, lh = _L(), _L()
    very = not neg and q == "decl"
    zh = (_Z("很", lh) if very else []) + _Z(adj.zh, la)
    en = (_E("very", lh) if very else []) + _E(adj.en, la)
    adjn = _adjuncts(ch, tamname, place_p=0.0, need_time=tam == "past", time_ok=time_ok and tam != "present", q=q,
                     near=sem.STATE_TIMES if "state" in adj.fits and adj.zh != "忙" else False, far_ok=far)
    ch.tag("adjective_predicate")
    vp = _VP("be", (), [], en_post=en, zh_pre=zh, stative=True)
    return (*_finish(ch, subj, vp, tamname, q, adjn), q != "decl")


def lx_adj(zh):
    """The lexicon's adjective with this Chinese predicative form."""
    return next(a for a in lx.ADJECTIVES if a.zh == zh)


def _k_copula(ch, tams, qs, time_ok):
    """是: 我妈妈是医生 ↔ My mother is a doctor; 谁是你的老师 ↔ Who is your teacher?"""
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj")], tamname)
    subj = _subject(ch, q, kinds=("pron", "name", "kin"))  # not "the girl who reads newspapers isn't a doctor"
    lv, ln = _L(), _L()
    many = subj.agr == "pl" and not (subj.pron and subj.pron.zh == "你")  # 你是司机: "you are a driver", one person
    if q != "who_subj" and ch.chance("job", 0.6):
        noun = ch.pick("noun", [n for n in lx.PEOPLE if "job" in n.tags and n is not subj.noun])
        word = noun.pl if many else noun.sg
        zh, en = _Z(noun.zh, ln), ([] if many else _E(_article(word))) + _E(word, ln)
    else:
        if many:
            raise Retry("plural subject with a singular predicate")
        # my friend / the friend who …: gender-neutral nouns only (not "He is my sister")
        noun = ch.pick("noun", [n for n in lx.PEOPLE if "owned" in n.tags and n.zh != "孩子"])  # not "my mother is
        # Lucy's child"
        pred = _common(ch.sub("pred"), noun, "def", 0, plural=False, dets=["poss"])  # my friend, Tom's neighbor
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
    nouns = [n for n in lx.THINGS + lx.ANIMALS if n.zh in sem.HAVE_NOUNS]
    if subj.agr == "pl" and q != "how_many":  # 孩子们没有笔: "pens" or "a pen"? say it of one person
        raise Retry("several people having one thing")
    lv = _L()
    if q == "how_many":
        zh, wh = _wh_object(ch, q, nouns)
        en = []
    else:
        obj = _common(ch.sub("obj"), ch.pick("obj.noun", nouns), "indef", 0,
                      dets=["bare"] if neg or q != "decl" else ["bare", "num", "many"])
        zh, en, wh = obj.zh, obj.obj, ()
    ch.tag("possess")
    vp = _VP(_forms("have"), (lv,), _Z("有", lv) + zh, en_post=en, stative=True, neg_zh="没")
    return (*_finish(ch, subj, vp, tamname, q, (_NONE, _NONE, _NONE), wh=wh), q != "decl")


def _k_existential(ch, tams, qs, time_ok):
    """桌子上有一本书 ↔ There is a book on the table."""
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what")], _pick_tam(ch, tams))
    lh = _L()
    ch.tag("existential")
    if q == "what":
        lzh, len_ = _loc(ch.sub("loc"), zai=False)
        lw = _L()
        return lzh + _Z("有", lh) + _Z("什么", lw), _E("what", lw) + _E("is", lh) + len_, True
    held = set().union(*sem.LOCATION_HOLDS.values())
    nouns = [n for n in lx.THINGS + lx.ANIMALS if n.zh in held]
    np = _common(ch.sub("obj"), ch.pick("obj.noun", nouns), "indef", 0, dets=["bare", "num", "many"], max_n=3)
    lzh, len_ = _loc(ch.sub("loc"), zai=False, thing=np.noun.zh)  # a cat under the bed, milk in the fridge
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
    adj = _adjuncts(ch, tamname, place_p=0.0, need_time=tam == "past", time_ok=time_ok, q=q, near=True)
    if tam == "past" and not adj[0][0]:
        raise Retry("下雨了 without a time word means it is raining now")
    ch.tag("weather")
    vp = _VP(_forms(base), (lv,), _Z(zh_v, lv))
    return (*_finish(ch, None, vp, tamname, q, adj, subj_en=_E("it"), agr="3s"), q != "decl")


def _inner_vp(ch, q, role):
    """The verb phrase after 想 (want to …, role "indef") or 喜欢 (like …-ing, role "generic"): (zh, en base, en -ing,
    wh, nested). What one likes or wants: swimming, reading novels, going to the park (``semantics.LIKED_DOING`` …);
    not "doesn't like crying", "likes going to the bank", "wants to wash a bicycle"."""
    lv, wh = _L(), ()
    like = role == "generic"
    kind = "motion" if q == "where" else "trans" if q == "what" else ch.pick("inner", ["trans", "motion", "iv"], [5, 2, 2])
    if kind == "iv":
        iv = ch.pick("verb", [v for v in lx.INTRANSITIVES if v.forms[0] in (sem.LIKED_DOING if like else sem.WANTED_DOING)])
        return _iv_zh(iv, lv)[0], _E(iv.forms[0], lv), _E(iv.forms[4], lv), wh, False
    if kind == "motion":
        lp = _L()
        if q == "where":
            return _Z("去", lv) + _Z("哪儿", lp), _E("go", lv), _E("going", lv), _E("where", lp), False
        place = ch.pick("dest", [p for p in lx.PLACES if not like or p.zh in sem.LIKED_PLACES])
        w = place.to.split()
        if place.zh == "饭馆":  # 喜欢去饭馆 likes going to restaurants, 想去饭馆 wants to go to a restaurant: any one
            w = ["to", "restaurants"] if like else ["to", "a", "restaurant"]
        post = _E("to", lv) + _place_words(w[1:], lp)
        return _Z("去", lv) + _Z(place.zh, lp), _E("go", lv) + post, _E("going", lv) + post, wh, False
    verb = ch.pick("verb", [v for v in lx.VERBS if (q != "what" or "wh" in v.flags) and vkey(v) not in sem.WISH_BANNED
                            and vkey(v) in (sem.LIKED_VERBS if like else sem.WANTED_VERBS)])
    nouns = [n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.tags & verb.obj]
    nested = False
    if q == "what":
        ozh, wh = _wh_object(ch, "what", nouns, noun_ok=False)
        oen = []
    else:
        obj = _object(ch.sub("obj"), verb, role, 0, nouns, dets=["bare"], adj_ok=False)  # not "wants to sing those two
        # songs", "to fix the phone we bought", "doesn't want to borrow an old pencil"
        ozh, oen, nested = obj.zh, obj.obj, obj.nested
    part = _E(verb.part, lv)
    return (_vo(verb, lv, ozh), _E(verb.forms[0], lv) + part + oen, _E(verb.forms[4], lv) + part + oen, wh, nested)


def _k_want(ch, tams, qs, time_ok):
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what", "where", "who_subj", "why")], tamname)
    subj = _subject(ch, q, kinds=("pron", "name", "kin"))  # people one knows: not "those young writers want to"
    zh, base, _, wh, nested = _inner_vp(ch.sub("want"), q, "indef")
    lv = _L()
    far = any(c in "".join(t for t, _ in zh) for c in sem.CITIES)  # 明年想去北京; not "doesn't want to rest next month"
    times = [t for t in lx.FUTURE_TIMES if far or t[0] not in sem.FAR_TIMES]
    time = _time(ch, times, 0.3) if time_ok and not nested else _NONE  # 我明天想去北京 ↔ I want to go … tomorrow
    ch.tag("want")
    vp = _VP(_forms("want"), (lv,), _Z("想", lv) + zh, en_post=_E("to") + base, stative=True)
    return (*_finish(ch, subj, vp, tamname, q, (time, _NONE, _NONE), wh=wh), q != "decl")


def _k_like(ch, tams, qs, time_ok):
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what", "who_subj", "why")], tamname)
    subj = _subject(ch, q, kinds=("pron", "name", "kin"))  # not "those young writers don't like fish"
    lv = _L()
    if q != "what" and (ch.ctx.get("like_noun") or ch.chance("like_noun", 0.5)):  # 喜欢猫 ↔ like cats
        noun = ch.pick("obj.noun", [n for n in lx.THINGS + lx.ANIMALS if n.zh != ch.ctx.get("not_noun")
                                    and _same_class(n, ch.ctx.get("not_noun")) and n.tags & sem.LIKE_CLASSES
                                    and n.zh not in sem.NOT_LIKED])
        dets = ["bare"] if ch.ctx.get("bare_obj") else ["bare", "rc"] + (["dem"] if noun.tags & sem.LIKED_THAT else [])
        obj = _common(ch.sub("obj"), noun, "generic", 0, dets=dets,
                      adj_ok=False)  # not "like delicious bread?"; a contrast of tastes sets rice against chocolate, not
        # against "the chocolate your sister bought"
        _no_reflexive(subj, obj)
        zh, post, wh = obj.zh, obj.obj, ()
        ch.ctx["out"]["noun"] = noun.zh
    else:  # 喜欢看书 ↔ like reading books; 喜欢什么 ↔ what … like
        if q == "what" and ch.chance("what_plain", 0.5):
            lw = _L()
            zh, post, wh = _Z("什么", lw), [], _E("what", lw)
        else:
            zh, _, post, wh, _ = _inner_vp(ch.sub("like"), q, "generic")
    ch.tag("like")
    vp = _VP(_forms("like"), (lv,), _Z("喜欢", lv) + zh, en_post=post, stative=True)
    return (*_finish(ch, subj, vp, tamname, q, (_NONE, _NONE, _NONE), wh=wh), q != "decl")
