"""The fifteen clause kinds of the corpus grammar: which predicate each builds and which tenses and questions
it takes.

Each kind (``_k_transitive`` … ``_k_bei`` here; states, being, wishes and likes in ``states``) chooses a predicate that fits it (a verb and its objects, 把 or 被,
比, 是, 有, an adjective, the weather) and returns (zh pieces, en pieces, is_question). ``_KINDS`` maps each name to
its function, its weight in single-clause sentences and the tenses it takes; ``CLAUSE_KINDS`` lists the names.
Built on ``clause`` (one clause from a predicate) and ``noun_phrase``; ``sentence`` joins the clauses.
"""

from __future__ import annotations

from . import lexicon as lx
from . import semantics as sem
from .clause import _VP, TAMS, _adjuncts, _finish, _forms, _pick_q, _pick_tam, _subject, _wh_object
from .states import (
    _k_adjective, _k_comparative, _k_copula, _k_existential, _k_like, _k_possess, _k_want, _k_weather,
    _no_reflexive, _same_class,
)
from .adjuncts import _loc, _place_phrase, _place_words
from .noun_phrase import _E, _L, Retry, _common, _iv_zh, _object, _person, _vo, _Z, vkey


# ----------------------------------------------------------------------------------------------
# Clause kinds. Each takes the allowed tense names and returns (zh pieces, en pieces, is_question).

_ALL_Q = ("decl", "yn", "what", "how_many", "who_subj", "who_obj", "where", "why")


def _habit_said(tamname, adj):
    """A present-tense going says how often (他每天去学校, 她常常去公园): a bare 小红去哪儿？ asks where she is going now,
    which the English present ("Where does Xiaohong go?") does not say."""
    time, freq, _ = adj
    if TAMS[tamname][0] == "present" and not (time[0] or freq[0]):
        raise Retry("a bare present 去 is not a habit")


def _job_fits(subj, verb_key):
    """A person named by their job (那个司机) does what anyone does, not "that driver draws dogs"."""
    if subj.kind == "person" and subj.noun is not None and "job" in subj.noun.tags and \
            verb_key not in sem.EVERYONE_VERBS | sem.JOB_VERBS.get(subj.noun.zh, set()):
        raise Retry("an odd fact about a job")


def _nouns(verb):
    return [n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.tags & verb.obj]


def _fits_at(verb, at):
    """Is `verb` what one goes to `at` for (ctx "at": where the previous clause went)? 去电影院，然后看电影."""
    return any(at in _at_places(verb, n.zh) for n in _nouns(verb))


def _at_places(verb, noun_zh):
    """Where one goes to do `verb` to `noun_zh` (``semantics.purpose_places``), and home if it is done at home."""
    home = ("家",) if "家" in sem.places_for(vkey(verb), noun_zh) else ()
    return sem.purpose_places(vkey(verb), noun_zh) + home


def _k_transitive(ch, tams, qs, time_ok):
    ctx = ch.ctx
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    verb = ch.pick("verb", [v for v in lx.VERBS if not (tam == "prog" and "noprog" in v.flags)
                            and not (tam in ("present", "cond") and "nohabit" in v.flags)
                            and not (tamname == "future_neg" and vkey(v) in sem.SKILLS)  # 不会开车: can't drive
                            and not (tam == "perf" and vkey(v) == "steal")  # "has never stolen a cheap bag"
                            and not (tam == "present" and vkey(v) not in sem.PRESENT_VERBS)  # not "fixes tables"
                            and not (tamname == "present_neg" and vkey(v) not in sem.NOT_HABITS)  # "the driver
                            # doesn't write novels" says nothing; "Tom doesn't drink beer" does
                            and not (tam == "perf" and vkey(v) not in sem.PERF_VERBS)  # not "has looked at a map"
                            and not (vkey(v) in ("steal", "sell") and tamname != "past")  # not "Mary won't steal
                            # an umbrella", "what book will their child sell in Beijing?"
                            and not (tam in ("future", "cond") and vkey(v) in sem.UNPLANNED)  # "will lose the pen"
                            and not (tamname == "past_neg" and vkey(v) in sem.UNPLANNED)  # "didn't lose a scarf"
                            and not (tamname == "future_neg" and vkey(v) not in sem.NOT_HABITS | sem.COUNTED_PLANS
                                     and not ctx.get("verbs"))  # "won't listen to songs on Friday" says nothing
                            and (not ctx.get("verbs") or vkey(v) in ctx["verbs"])
                            and (ctx.get("acts") is None or ctx["acts"].get(vkey(v)))  # a scene's list
                            and (not ctx.get("at") or _fits_at(v, ctx["at"]) and vkey(v) not in sem.PURPOSEFUL_BANNED)])
    allowed = [q for q in qs if (q not in ("what", "how_many") or "wh" in verb.flags)
               and not (q == "what" and vkey(verb) == "make")  # 做了什么 is "what did she do", not "make"
               and (q != "who_obj" or "person" in verb.obj)]
    q = _pick_q(ch, allowed, tamname)
    if q == "where" and not sem.places_for(vkey(verb)) and vkey(verb) != "buy":
        raise Retry("asked where, but it is done in no particular place (where did they drive a car?)")
    nouns = [n for n in _nouns(verb) if not (vkey(verb) == "write" and n.zh in ("小说", "书") and tam != "present")
             and not (vkey(verb) == "write" and n.zh == "信" and tam == "present")]  # a novel takes months: not "went
    # home, and then wrote two novels", "will write a book next week"; nor "writes letters every evening"
    if ctx.get("at"):
        nouns = [n for n in nouns if ctx["at"] in _at_places(verb, n.zh)]
    if ctx.get("bare_obj"):  # a contrast of tastes: tea against coffee, not water against tea
        nouns = [n for n in nouns if n.zh != "水"]
    if ctx.get("acts") is not None:  # what is done there: my father read the newspaper, not "I drew rabbits"
        nouns = [n for n in nouns if n.zh in ctx["acts"][vkey(verb)]]
    nouns = [n for n in nouns if n.zh != ctx.get("not_noun") and _same_class(n, ctx.get("not_noun"))
             and not (tam == "present" and n.zh in sem.NOT_EVERYDAY)  # beer every morning
             and not (tamname == "present_neg" and n.zh in sem.NOT_DENIED)  # "doesn't drink water"
             and not ("animal" in n.tags and "food" not in n.tags and vkey(verb) == "buy")]  # not "bought three
    # black cats at the shop"
    eaters = [a for a in lx.ANIMALS if any(n.zh in sem.DIET[a.zh] for n in nouns)
              and TAMS[tamname][0] not in ("future", "cond")]  # animals make no plans: not "the bird won't drink water"
    subj = _subject(ch, q, animate=True, verb_subj=verb.subj, animals=eaters)
    eater = subj.noun if subj.kind == "animal" else None
    _job_fits(subj, vkey(verb))
    group = subj.agr == "pl" and not (subj.pron and subj.pron.zh == "你")  # (you: "you are", but one person)
    if group and sem.MAX_COUNT.get(vkey(verb)) == 1:
        raise Retry("two people wear one watch, ride one bicycle")
    if subj.gender == "m":  # 他穿裙子: not in this lexicon's world
        nouns = [n for n in nouns if n.zh not in sem.WORN_BY_WOMEN]
    lv, noun, nested = _L(), None, False
    if q in ("what", "how_many", "who_obj"):
        ozh, wh = _wh_object(ch, q, [n for n in nouns if eater is None or n.zh in sem.DIET[eater.zh]])
        oen = []
    else:
        if tam == "perf":
            nouns = [n for n in nouns if n.zh not in sem.NOT_EXPERIENCE]
        # 我以前看过电影; negated, no numbers ("didn't drink three bottles of beer"); where one went to do it, no
        # relative clause (ate the noodles I made at the restaurant?); they bought tickets, not "a ticket"
        obj = _object(ch.sub("obj"), verb, "generic" if tam == "present" else "indef", 0, nouns, eater=eater,
                      many=subj.agr == "pl" and not (subj.pron and subj.pron.zh == "你"),
                      adj_ok=not TAMS[tamname][1] and vkey(verb) != "borrow",  # not "borrowed two new
                      # dictionaries" (from a library)
                      dets=["bare"] if tam == "perf" or ctx.get("bare_obj") or eater or (
                          group and vkey(verb) in sem.CONSUME_VERBS | {"feed"})  # they ate carrots, not
                      else ["bare", "dem"] if TAMS[tamname][1]  # "two carrots" or "this orange" between them
                      else ["bare", "num"] + (["rc"] if ctx.get("at") in sem.MADE_THINGS_AT else [])
                      if ctx.get("at") and not ctx.get("listing")  # a scene's list: Mary's letter, the coat Tom bought
                      else ["bare", "num", "rc"] if ctx.get("acts") is not None  # and not "fed David's bird", "this
                      else None)  # cute bird" (which?)
        _no_reflexive(subj, obj)
        ozh, oen, wh, noun, nested = obj.zh, obj.obj, (), obj.noun, obj.nested
    what = noun.zh if noun else ctx["out"].pop("wh_noun", None)
    fits = () if eater or (q in ("what", "how_many") and what is None) or tamname == "present_neg" or tam == "perf" \
        else sem.places_for(vkey(verb), what)  # not "doesn't eat apples at home", "has drunk beer at home before"
    adj = _adjuncts(ch, tamname, place_p=0.45, fits=fits, time_ok=time_ok, freq_ok=True, nested=nested, q=q,
                    far_ok=vkey(verb) == "study")
    if q == "decl" and tamname == "present" and not ctx.get("listing") and not ctx.get("bare_obj"):
        _habit_said(tamname, adj)  # 艾米每个周末看电影; a bare 艾米在电影院看电影 is what she is doing now
    ctx["out"].update(verb=vkey(verb), noun=noun.zh if noun else None)
    ch.tag("transitive")
    vp = _VP(verb.forms, (lv,), _vo(verb, lv, ozh), en_post=oen, part=verb.part)
    return (*_finish(ch, subj, vp, tamname, q, adj, wh=wh), q != "decl")


def _k_intransitive(ch, tams, qs, time_ok):
    ctx = ch.ctx
    tamname = _pick_tam(ch, tams)
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj", "where", "why")], tamname)
    iv = ch.pick("verb", [v for v in lx.INTRANSITIVES if (not ctx.get("verbs") or v.forms[0] in ctx["verbs"])
                          and (ctx.get("acts") is None or v.forms[0] in ctx["acts"])
                          and v.forms[0] not in ctx.get("not_verbs", ())
                          and not (tamname == "future_neg" and v.forms[0] in sem.SKILLS)
                          and not (TAMS[tamname][0] in ("future", "cond") and v.forms[0] in sem.INVOLUNTARY
                                   and not ctx.get("verbs"))  # 他后天会哭
                          and (not ctx.get("at") or ctx["at"] in sem.places_for(v.forms[0])
                               and v.forms[0] not in sem.PURPOSEFUL_BANNED)
                          and (not ctx.get("place") or ctx["place"] in sem.places_for(v.forms[0]))
                          and not (v.forms[0] in sem.ANIMAL_ONLY and (ctx.get("subj") is not None
                                                                       or ctx.get("subj_kinds")))
                          and not (tamname == "present_neg" and v.forms[0] in sem.INVOLUNTARY)
                          and not (TAMS[tamname][1] and v.forms[0] == "cry")  # not "they didn't cry"
                          and not (tamname == "future_neg" and v.forms[0] not in sem.DENIED_PLANS
                                   and not ctx.get("verbs"))  # not "Xiaoming won't sing on Friday"
                          and not (TAMS[tamname][0] == "perf" and v.forms[0] not in sem.PERF_INTRANSITIVES)])
    if q == "where" and not sem.places_for(iv.forms[0]):
        raise Retry("asked where, but it is done in no particular place")
    animals = [a for a in lx.ANIMALS if iv.forms[0] in sem.ANIMAL_ACTS[a.zh]]
    if TAMS[tamname][0] in ("future", "cond"):  # animals make no plans
        if iv.forms[0] in sem.ANIMAL_ONLY:
            raise Retry("the cat will play")
        animals = []
    subj = _subject(ch, q, animate=True, verb_subj=iv.subj, animals=animals,
                    animal_only=iv.forms[0] in sem.ANIMAL_ONLY)
    lv = _L()
    pieces, at = _iv_zh(iv, lv)
    animal = iv.forms[0] if subj.kind == "animal" else None
    _job_fits(subj, iv.forms[0])
    adj = _adjuncts(ch, tamname, place_p=0.5, fits=sem.places_for(iv.forms[0]), animal_act=animal, time_ok=time_ok,
                    freq_ok=True, q=q, need_time=iv.forms[0] == "work" and time_ok,  # 在超市工作了 alone reads
                    # "has started working there"
                    near=iv.forms[0] in ("sleep", "rest", "cry"))  # slept last night, not "slept at home last week"
    if TAMS[tamname][0] == "perf" and adj[2][0]:  # 以前跳过舞; not "has danced at home before"
        raise Retry("an experience is not tied to a place")
    if q == "decl" and not ctx.get("listing"):  # not a bare 小丽跑步 "Xiaoli runs": 小丽每天早上跑步
        _habit_said(tamname, adj)
    ctx["out"].update(verb=iv.forms[0])
    ch.tag("intransitive")
    return (*_finish(ch, subj, _VP(iv.forms, (lv,), pieces, at), tamname, q, adj), q != "decl")


def _k_motion(ch, tams, qs, time_ok):
    ctx = ch.ctx
    tamname = _pick_tam(ch, tams)
    home = ctx["home"] if "home" in ctx else (TAMS[tamname][0] != "perf" and not ctx.get("dest")
                                               and ch.chance("home", 0.2))
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj", "why") + (() if home else ("where",))], tamname)
    subj = _subject(ch, q)
    lv, lp = _L(), _L()
    wh = ()
    if home:  # 回家 ↔ go home
        zh, post = _Z("回", lv) + _Z("家", lp), _E("home", lp)  # 他回家了: 了 after 家
    elif q == "where":  # 去哪儿 ↔ Where … go
        zh, post, wh = _Z("去", lv) + _Z("哪儿", lp), [], _E("where", lp)
    else:
        place = ch.pick("dest", [p for p in lx.PLACES if (not ctx.get("dest") or p.zh in ctx["dest"])
                                 and p.zh != ctx.get("not_dest")
                                 and (TAMS[tamname][0] != "perf" or p.zh in sem.BEEN_TO)  # 去过北京, not 去过办公室
                                 and not (TAMS[tamname][0] == "present" and p.zh in sem.CITIES)])  # every day?
        w = place.to.split()
        zh, post = _Z("去", lv) + _Z(place.zh, lp), _E("to", lv) + _place_words(w[1:], lp)
        ctx["out"]["dest"] = place.zh
    if home:
        ctx["out"]["dest"] = "家"
    adj = _adjuncts(ch, tamname, place_p=0.0, time_ok=time_ok, freq_ok=True, q=q,
                    far_ok=ctx["out"].get("dest") in sem.CITIES,  # went to Beijing last year, not to the shop
                    near=_DAYTIME & sem.NEAR_TIMES if ctx.get("daytime") else _DAYTIME
                    if ctx["out"].get("dest") in sem.OUTDOOR + ("游泳池",) else False)  # not "to the beach tonight",
    # nor "not to the cinema tonight, but to the park"
    _habit_said(tamname, adj)
    ch.tag("motion")
    vp = _VP(_forms("go"), (lv,), zh, asp_at=2 if home else 1, en_post=post)
    return (*_finish(ch, subj, vp, tamname, q, adj, wh=wh), q != "decl")


_DAYTIME = frozenset(t[0] for t in lx.PAST_TIMES + lx.FUTURE_TIMES + lx.HABIT_TIMES if "晚上" not in t[0])
_PURPOSE_VERBS = ("buy", "read", "watch", "borrow", "eat", "study", "look at")  # not "went to the restaurant to
# drink hot tea"


def _k_purpose(ch, tams, qs, time_ok):
    """去商店买牛奶 ↔ go to the shop to buy milk (了 after the second verb)."""
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "who_subj", "why")], tamname)
    subj = _subject(ch, q)
    verb = ch.pick("verb", [v for v in lx.VERBS if vkey(v) in _PURPOSE_VERBS and vkey(v) != ch.ctx.get("not_verb")])
    buy = vkey(verb) == "buy"  # not "went to the shop to buy a cat", "… to buy two cars"
    nouns = [n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.tags & verb.obj
             and not (buy and ("animal" in n.tags and "food" not in n.tags or n.zh in sem.BIG_BUYS))]
    obj = _object(ch.sub("obj"), verb, "generic" if tam == "present" else "indef", 0, nouns, dets=["bare", "num"])  # not
    # "go to the restaurant to drink that cup of tea" (which?)
    _no_reflexive(subj, obj)
    where = [p for p in lx.PLACES if p.zh in sem.purpose_places(vkey(verb), obj.noun.zh if obj.noun else None)
             and not (tam == "present" and p.zh in sem.CITIES) and p.zh != ch.ctx.get("not_dest")
             and (not ch.ctx.get("dest") or p.zh in ch.ctx["dest"])]
    place = ch.pick("dest", where)  # go to the bookstore to buy a book, the cinema to watch a movie
    ch.ctx["out"]["dest"] = place.zh
    lv, lp, lv2 = _L(), _L(), _L()
    w = place.to.split()
    zh = _Z("去", lv) + _Z(place.zh, lp) + _vo(verb, lv2, obj.zh)
    done = tamname == "past" and q == "decl"  # 去图书馆借了书: went to the library and borrowed a book (it happened;
    # "to borrow" would not say so)
    post = _E("to", lv) + _place_words(w[1:], lp) + (_E("and") + _E(verb.forms[2], lv2) if done
                                                     else _E("to") + _E(verb.forms[0], lv2))
    post += _E(verb.part, lv2) + obj.obj
    adj = _adjuncts(ch, tamname, place_p=0.0, time_ok=time_ok, freq_ok=True, nested=obj.nested, q=q,
                    far_ok=place.zh in sem.CITIES)
    _habit_said(tamname, adj)
    ch.tag("purpose")
    vp = _VP(_forms("go"), (lv,), zh, asp_at=3, en_post=post)
    return (*_finish(ch, subj, vp, tamname, q, adj), q != "decl")


def _k_ditransitive(ch, tams, qs, time_ok):
    """给了他一本书 ↔ gave him a book."""
    tamname = _pick_tam(ch, tams)
    tam, _ = TAMS[tamname]
    q = _pick_q(ch, [q for q in qs if q in ("decl", "yn", "what", "who_subj", "why")], tamname)
    zh_v, base, tag = ch.pick("verb", [d for d in lx.DITRANSITIVE if tam != "present" or d[1] == "teach"])  # she
    subj = _subject(ch, q)                                                          # teaches us Chinese; not "lends her"
    io = _person(ch.sub("io"), 0, role="io", **({"kinds": ("pron", "name", "kin")} if base == "teach" else {}))
    ctx = ch.ctx
    ctx["out"]["io"] = io  # a later 他/她 must not be able to mean the recipient
    _no_reflexive(subj, io)
    nouns = [n for n in lx.THINGS if tag in n.tags]
    nested = io.nested
    if q == "what":
        ozh, wh = _wh_object(ch, "what", nouns)
        oen = []
    else:
        obj = _common(ch.sub("obj"), ch.pick("obj.noun", nouns),  # 给了女孩们笔: gave the girls pens
                      "generic" if tam == "present" or io.agr == "pl" else "indef", 0,
                      max_n=sem.MAX_COUNT.get(base, 10), verb=base,
                      dets=["bare"] if tam == "present" or TAMS[tamname][1] else ["num"])  # 给了他一本书; not a
    # bare 给了她照片, nor 送了那个女孩这束花 (把这束花送给了…), nor "didn't give him three oranges"
        ozh, oen, wh, nested = obj.zh, obj.obj, (), nested or obj.nested
    lv = _L()
    adj = _adjuncts(ch, tamname, place_p=0.2, fits=sem.places_for(base), time_ok=time_ok, nested=nested, q=q)
    _habit_said(tamname, adj)  # 她每个星期教我们中文; a bare 谁教我英语 reads "who will teach me English?"
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
    how = ch.ctx["out"]["ba"] = ch.pick("ba", ["verb", "put", "give", "leave"] if tam == "past" else ["give"])  # not
    # "will put the cake in the box the day after tomorrow": no one plans that
    lv, lb = _L(), _L()
    place_p, extra_zh, extra_en, asp_at, io = 0.0, [], [], 1, None
    if how == "verb":  # 把苹果吃了 ↔ ate the apple
        zh_v, base = ch.pick("verb", [v for v in lx.BA_VERBS if not (ch.ctx.get("subj_kinds") or ch.ctx.get("subj") is not None)
                                      or v[1] not in ("lose", "break", "take")])  # 把伞丢了，然后…: an odd start
        zh_v, tag, place_p = zh_v[:-1], lx.BA_OBJECTS[base], 0.2
    elif how == "put":  # 把书放在桌子上 ↔ put the book on the table
        zh_v, base, tag = "放", "put", "put"
    elif how == "leave":  # 把伞忘在学校了 ↔ left the umbrella at school
        zh_v, base, tag = "忘", "leave", "carry"
        extra_zh, extra_en = _place_phrase(ch.pick("at", [p for p in lx.PLACES if p.zh not in sem.CITIES]))  # not
        # 忘在家了，然后回家了 (home is a place here: 家 is not in lx.PLACES), nor "left the key in Shanghai"
        asp_at = 1 + len(extra_zh)
    else:  # 把书给了他 ↔ gave the book to him
        zh_v, base, tag, place_p = "给", "give", "give", 0.0  # not "gave the pen to the police officer at home"
        io = _person(ch.sub("io"), 0, role="io")
        ch.ctx["out"]["io"] = io  # a later 他/她 must not be able to mean the recipient
        extra_zh, extra_en = io.zh, _E("to", lv) + io.obj  # (io.nested: see below)
    subj = _subject(ch, q)
    if subj.agr == "pl" and not (subj.pron and subj.pron.zh == "你"):  # 这些男孩把雨伞放在包里了: one umbrella, or each
        raise Retry("a group and one thing: whose umbrella, which bag?")  # his own? the English must choose
    if io is not None:
        _no_reflexive(subj, io)
    nouns = _held_out_filter(ch, [n for n in lx.THINGS + lx.ANIMALS if tag in n.tags
                                  and (how != "leave" or n.zh in sem.FORGETTABLE)])  # left the umbrella at school
    # a place or person after an object with a relative clause would read as part of it: no relative clause then
    dets = None if how == "verb" else ["bare", "dem"] if how == "give" else ["bare", "dem", "poss"]
    obj = _common(ch.sub("obj"), ch.pick("obj.noun", nouns), "def", 0, dets=dets, max_n=sem.MAX_COUNT.get(base, 10), verb=base)
    if how == "put":
        extra_zh, extra_en = _loc(ch.sub("on"), thing=obj.noun.zh)
        asp_at = 1 + len(extra_zh)
    nested = obj.nested or (io is not None and io.nested)
    adj = _adjuncts(ch, tamname, place_p=place_p, fits=sem.places_for(base), time_ok=time_ok, nested=nested, q=q,
                    near=True)  # not "will put the umbrella behind the door next week"
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
    subj = _common(ch.sub("subj"), ch.pick("subj.noun", nouns), "def", 0, max_n=sem.MAX_COUNT.get(base, 10), verb=base,
                   dets=["dem", "poss", "rc"], plural=base != "eat")  # not "these apples were eaten by the
    # teacher"; the bicycle Tom fixed was stolen; 那把椅子, not a
    # bare 便宜的椅子 no one has mentioned
    lb, lv = _L(), _L()
    agent_zh, agent_en, nested = [], [], False
    if ch.chance("agent", 0.6) or base == "eat":  # not "the cake I made was eaten" (by whom?)
        eaters = [a for a in lx.ANIMALS if subj.noun.zh in sem.DIET[a.zh]] if base == "eat" else []
        if eaters and ch.chance("animal_agent", 0.4):
            bird = ch.pick("by.noun", eaters)  # the cat (the family's), a bird (any bird): 被鸟吃了
            agent = _common(ch.sub("by"), bird, "indef" if bird.zh == "鸟" else "def", 0, dets=["bare"])
        else:  # no "by him", "by me": who is he? (and I would say 我喝了他的牛奶, not "his milk was drunk by me")
            agent = _person(ch.sub("by"), 0, role="io", kinds=("name", "kin", "noun"), plural=False)  # not "the
            # umbrella was taken by those engineers"
        agent_zh, agent_en, nested = agent.zh, _E("by", lb) + agent.obj, agent.nested
        if "".join(t for t, _ in agent.zh) in "".join(t for t, _ in subj.zh):  # her umbrella was stolen by her
            raise Retry("the owner took their own thing")
    adj = _adjuncts(ch, tamname, place_p=0.2, fits=sem.places_for(base) if base == "steal" else (), time_ok=time_ok,
                    nested=nested, q=q)  # stolen at the station; not "broken at home"
    ch.tag("bei")
    vp = _VP("be", (lb,), _Z(zh_v[:-1], lv), en_post=_E(forms[3], lv) + agent_en, zh_pre=_Z("被", lb) + agent_zh,
             le_links=(lv,))
    return (*_finish(ch, subj, vp, tamname, q, adj), q != "decl")


_P, _PN, _PR, _PRN, _F, _FN = "past", "past_neg", "present", "present_neg", "future", "future_neg"
_EVENTS = (_P, _PN, _PR, _PRN, _F, _FN, "cond", "cond_neg")
# kind: (function, weight in single sentences, tenses it takes)
_KINDS = {
    "transitive": (_k_transitive, 9, _EVENTS + ("prog", "perf", "perf_neg", "never")),
    "intransitive": (_k_intransitive, 3, _EVENTS + ("prog", "perf", "perf_neg", "never")),
    "motion": (_k_motion, 3, _EVENTS + ("perf", "perf_neg", "never")),  # not 正在去 (a calque of "am going")
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
