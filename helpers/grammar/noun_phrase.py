"""The phrase level of the corpus grammar: noun phrases, relative clauses, time and place.

Part of the grammar behind ``helpers.corpus`` (choices and pieces: ``pieces``; clauses: ``clause``; clause
kinds: ``kinds`` and ``states``; sentences: ``sentence``; what makes sense: ``semantics``). It holds

* noun phrases (``_NP``): pronouns, names, family members (``_person``) and common nouns with
  their determiners, numerals and measure words, possessors and adjectives (``_common``);
* relative clauses, before the noun in Chinese and after it in English (``_rc_obj``, ``_rc_subj``),
  nested up to ``MAX_RC_DEPTH`` times;
* (time words and place phrases, ``_time``, ``_place``, ``_loc``, are in ``adjuncts``).

Every choice consults ``semantics``: which adjective fits a noun (``adj_fits``), how many of a thing a verb
takes, which verbs a relative clause may use, where an action or an animal can be. Names with a leading
underscore are shared by the grammar modules and meant for no one else. Imports only the standard library and
``lexicon``, ``semantics``, ``pieces`` and ``adjuncts``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import lexicon as lx
from . import semantics as sem
from .adjuncts import _place, _time
from .pieces import _E, _L, _Z, Retry

MAX_RC_DEPTH = 2  # a relative clause may hold another one, not a third


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
    gender: str | None = None  # "m" / "f" where known (names, family words, 他/她): picks 他/她 when referred to
    owner: object = None  # a family word's owner (我 of 我妈妈)


def vkey(verb):
    """A verb's key in ``semantics`` tables: its English base form and particle ("read", "look at", "look for")."""
    return verb.forms[0] + (" " + verb.part if verb.part else "")


def overlap(a, b):
    """Do two person phrases (may) refer to the same people? 我/我们, 他/他们, or the same words."""
    za, zb = "".join(t for t, _ in a.zh), "".join(t for t, _ in b.zh)
    if za == zb or set(za.split("和")) & set(zb.split("和")):  # 小红和汤姆 … 小红
        return True
    return bool(a.pron and b.pron and (za.startswith(zb) or zb.startswith(za)))


def adj_fits(adj, noun):
    """Does the adjective fit the noun (sweet cake, not sweet beer)? ``semantics.ADJ_NOUNS``, else the tags."""
    if adj.attr and adj.attr.rstrip("的") in sem.ADJ_NOUNS:
        return noun.zh in sem.ADJ_NOUNS[adj.attr.rstrip("的")]
    return bool(adj.fits & noun.tags)


def _article(word):
    return "an" if word[0].lower() in "aeiou" and not word.lower().startswith(("uni", "use")) else "a"


def _possessive(np):
    """(zh, en) of `np` as a possessor: 我的 my, 汤姆的 Tom's, 我朋友的 my friend's."""
    if np.pron:
        lk = _L()
        return _Z(np.pron.zh + "的", lk), _E(np.pron.poss, lk)
    word, links = np.en[-1]
    return np.zh + [("的", links)], np.en[:-1] + [(word + "'s", links)]


def _person(ch, depth, *, role="subj", plural=True, kinds=("pron", "name", "kin", "noun"), owner=False, you=True):
    """A person: a pronoun, a name, a family member (我妈妈) or a common noun with a determiner. you=False: not 你
    (a statement does not tell the listener what they did: 你上个星期去了海边)."""
    kind = ch.pick("type", list(kinds), [{"pron": 6, "name": 2, "kin": 2, "noun": 2}[k] for k in kinds])  # strangers
    # ("those young teachers broke Xiaojun's cup") less often than people one knows
    lk = _L()
    if kind == "pron":
        pronouns = lx.PRONOUNS
        if role in ("obj", "io", "kin_obj") and (ch.ctx.get("subj") is not None or ch.ctx.get("subj_kinds")):
            pronouns = [p for p in pronouns if p.zh not in ("他", "她", "他们")]  # "…, and then he went home": who?
        if role == "rc":  # the cake I made, not "the cake they made" (who?)
            pronouns = [p for p in pronouns if p.zh[0] not in "他她"]
        if role == "kin":  # 我妈妈, 你爸爸; not 我们的妈妈
            pronouns = [p for p in pronouns if (p.agr != "pl" or p.zh == "你")
                        and not (ch.ctx.get("listing") and p.zh[0] in "他她")]  # a list: whose sister?
        if role == "kin_obj":  # 玛丽把蛋糕给了我妈妈; not 给了他哥哥 (whose? he was never named)
            pronouns = [p for p in pronouns if p.zh in ("我", "你")]
        if not you:
            pronouns = [p for p in pronouns if p.zh != "你"]
        p = ch.pick("pron", pronouns)
        return _NP(_Z(p.zh, lk), _E(p.subj, lk), _E(p.obj, lk), p.agr, "person", pron=p,
                   gender={"他": "m", "她": "f"}.get(p.zh))
    if kind == "name":
        zh, en = ch.pick("name", lx.NAMES)
        return _NP(_Z(zh, lk), _E(en, lk), _E(en, lk), "3s", "person", gender=lx.GENDER[zh])
    if kind == "kin":
        kins = lx.KIN if role != "subj" or not ch.ctx.get("kin_only") else [k for k in lx.KIN if k[0] in ch.ctx["kin_only"]]
        zh, en = ch.pick("kin", kins)  # at school: a brother or sister, not one's mother
        who = ch.ctx.get("kin_owner") if role == "subj" else None  # one family: 我爸爸…，我妈妈…
        who = who or _person(ch.sub("owner"), depth, kinds=("pron", "name"), role="kin" if role == "subj" else "kin_obj")
        if who.pron:  # 我妈妈: no 的 after a one-character pronoun (but 他们的妈妈)
            ol = _L()
            zh_ = _Z(who.pron.zh + ("的" if len(who.pron.zh) > 1 else ""), ol) + _Z(zh, lk)
            en_ = _E(who.pron.poss, ol) + _E(en, lk)
        else:
            pz, pe = _possessive(who)
            zh_, en_ = pz + _Z(zh, lk), pe + _E(en, lk)
        ch.tag("possessive")
        return _NP(zh_, en_, en_, "3s", "person", gender=lx.GENDER[zh], owner=who)
    dets = ["bare"] if owner else None  # the teacher's; not "the teacher who came's", nor "this engineer's bicycle"
    # role "io": a recipient, definite (把苹果给了老师 gave the apple to the teacher)
    people = [n for n in lx.PEOPLE if "job" in n.tags] if owner else lx.PEOPLE  # the teacher's bag; not "the friend's
    # coat" (whose friend?)
    return _common(ch, ch.pick("noun", people), "indef" if role == "obj" else "def", depth, plural=plural, dets=dets,
                   adj_ok=not owner)  # not 这个年轻的作家的雨伞 (this young writer's umbrella)


_DET_WEIGHTS = {"bare": 6, "num": 3, "many": 1, "dem": 2, "poss": 2, "rc": 20}


def _common(ch, noun, role, depth, *, plural=True, dets=None, max_n=10, verb=None, adj_ok=True, many=False,
            subject=False):
    """A noun phrase around a common noun.

    role: "indef" (a book: objects of events), "generic" (books: habits, 喜欢), "def" (the book:
    subjects, 把 and 被). Determiners: bare, numeral + measure word, 很多, 这/那, a possessor, or a
    relative clause (which may hold another one, up to MAX_RC_DEPTH). max_n: the most of it the
    verb takes (``semantics.MAX_COUNT``: one rides one bicycle); verb: the key of the verb it is the
    object of, which its relative clause must not repeat (not "the photo you took" after "take");
    adj_ok: may take an adjective (not in comparisons: "the long song is longer than …"); many: a bare count
    noun is plural in English (they bought tickets, not "a ticket"); subject: the phrase is the clause's subject,
    the one place where a relative clause may end in a time word (the phone Anna bought yesterday was stolen; not
    "Jack lost the bag we brought last night", where last night could be when he lost it).
    """
    if role == "generic" and dets is None:  # habits take bare nouns: 他每天看报纸, not "reads the books you found"
        dets = ["bare"]
    if role == "generic":  # 我每天早上开车, not 开新车 ("a new car every morning")
        adj_ok = False
    if noun.zh in sem.BIG_BUYS:  # one buys one computer, not eight
        max_n = min(max_n, 2)
    if noun.zh in sem.ONE_AT_A_TIME and verb == "buy" or noun.zh == "鱼" and verb == "eat":  # bought a coat, not
        max_n = 1  # three white coats; ate fish, not two whole fish
    if max_n <= 1:
        plural = False
        if role == "generic":  # he rides a bicycle every day, not "rides bicycles"
            role = "indef"
    count, person = noun.pl is not None, "person" in noun.tags
    kind = "person" if person else "animal" if "animal" in noun.tags else "thing"
    if dets is None:
        dets = {"indef": ["bare", "num", "dem", "poss", "rc"],  # habits: 他每天看报纸, not "reads the books you found"
                "generic": ["bare"], "def": ["bare", "dem", "poss", "rc"]}[role]
    if "subject" in noun.tags:  # 中文, 音乐
        dets = ["bare"]
    if person and "owned" not in noun.tags:  # my friend, but not "my engineer"
        dets = [d for d in dets if d != "poss"]
    if person and role == "def" and len(dets) > 1:  # 那个男孩 that boy, 我的朋友 my friend: not a bare "the boy"
        dets = [d for d in dets if d != "bare"]  # no one has met
    if person and noun.zh not in sem.RC_PEOPLE:  # not "the police officer who sells bicycles", "the boy who sells
        dets = [d for d in dets if d != "rc"]      # tables": a friend or a neighbor is picked out by what they do
    later = role != "def" and ch.ctx.get("subj") is not None  # a later clause about the same person (然后他…)
    if later:  # not "drank that glass of juice" (which?)
        dets = [d for d in dets if d != "dem"] or ["bare"]
    if not plural or max_n < 5:
        dets = [d for d in dets if d != "many"]
    if verb in sem.UNCOUNTED:
        dets = [d for d in dets if d != "num"] or ["bare"]
    if depth >= MAX_RC_DEPTH or kind == "animal" or (kind == "thing" and not _rc_verbs(noun, verb, _went_to(ch))):
        dets = [d for d in dets if d != "rc"]  # not "the horse that rests by the river"; no verb fits: no clause
    if ch.ctx.get("out", {}).get("tam") in ("future", "future_neg", "cond") and verb not in sem.COUNTED_PLANS:
        dets = [d for d in dets if d != "num"] or ["bare"]  # not "will feed two birds", "will take six photos"
    if ch.ctx.get("out", {}).get("tam") in ("future", "future_neg", "cond") and not person:
        dets = [d for d in dets if d != "dem"] or ["bare"]  # not "on Friday I will feed this bird": not here yet
    det = ch.pick("det", dets, [_DET_WEIGHTS[d] for d in dets])
    ln = _L()
    zh_pre, en_det, n, nested, rc_en = [], [], 1, False, []
    if det == "bare":
        # 吃了鸡蛋 ate eggs, 拍了照片 took photos: a bare noun that is usually several is plural in English
        n = 2 if count and (role == "generic" or (role == "indef" and noun.tags & {"food", "photo", "song"}
                                                   and noun.pl != noun.sg) or (many and role == "indef")) else 1
        if person and role == "def" and plural and ch.chance("men", 0.15):  # 孩子们 the children
            n = 2
        en_det = _E("the") if role == "def" else []
    elif det == "num":
        num = ch.pick("num", lx.NUMBERS[:max_n if count else min(max_n, 3)] if plural else lx.NUMBERS[:1])  # not
        # "nine glasses of milk"
        n, lq = lx.NUMBERS.index(num) + 1, _L()
        zh_pre, en_det = _Z(num[0] + noun.mw, lq), _E(num[1], lq)
        ch.tag("numeral_measure")
    elif det == "many":
        lq = _L()
        zh_pre, en_det, n = _Z("很多", lq), _E("many" if count else "a lot of", lq), 2
    elif det == "dem":
        d = ch.pick("dem", [("这", "this", "these"), ("那", "that", "those")])
        lq = _L()
        how = ch.pick("dem_n", ["one", "xie", "num"], [6, 2, 1]) if count and plural and max_n > 1 else "one"
        if how == "one":
            zh_pre, en_det = _Z(d[0] + noun.mw, lq), _E(d[1], lq)
        elif how == "xie":
            zh_pre, en_det, n = _Z(d[0] + "些", lq), _E(d[2], lq), 2
        else:
            num = ch.pick("num", lx.NUMBERS[1:max_n])
            n, lm = lx.NUMBERS.index(num) + 1, _L()
            zh_pre, en_det = _Z(d[0], lq) + _Z(num[0] + noun.mw, lm), _E(d[2], lq) + _E(num[1], lm)
            ch.tag("numeral_measure")
        ch.tag("demonstrative")
    elif det == "poss":  # 我的, 汤姆的, 我妈妈的, 老师的
        kinds = ("name", "kin", "noun") if later else ("pron", "name", "kin", "noun")  # later: not "then he
        # borrowed his book" (whose?), but Xiaoming's book
        owner = _person(ch.sub("owner"), depth, plural=False, owner=True,
                        kinds=kinds[:-1] if person else kinds)  # my friend, Tom's neighbor; not "that driver's doctor"
        if owner.agr == "pl" and noun.tags & {"wear", "wearacc", "ride", "drive"}:
            raise Retry("他们的衬衫: one shirt for several people")
        zh_pre, en_det = _possessive(owner)
        ch.tag("possessive")
    else:  # relative clause
        if kind == "thing":  # one thing, one person: not "the nine children who sell paintings"
            rz, rc_en, inner = _rc_obj(ch.sub("rc"), noun, "3s", depth + 1, verb, time_ok=subject)
        else:
            rz, rc_en, inner = _rc_subj(ch.sub("rc"), noun, "3s", depth + 1)
        if count and "food" in noun.tags and noun.pl != noun.sg:  # 她买的胡萝卜: the carrots she bought
            n = 2
        zh_pre = rz + [("的", rc_en[0][1] if rc_en[0][0] in ("who", "that") else ())]
        en_det, nested = _E("the"), True
        if person:  # 那个在银行工作的朋友 ↔ that friend who works at the bank: one the listener knows, not a bare
            lo = _L()  # 在银行工作的朋友 (whose friend?); not 我在银行工作的朋友, which also reads "the friend I work…"
            zh_pre, en_det = _Z("那" + noun.mw, lo) + zh_pre, _E("that", lo)
        ch.tag("relative_clause", "relative_nested" if inner else None)
    adjs = [a for a in lx.ADJECTIVES if a.attr and adj_fits(a, noun)
            and (det != "rc" or a.attr in ("新", "旧"))]  # the new coat Tom bought; not "the cheap book your sister
    # wrote", "the delicious cake I made" (the clause already tells which)
    if not count and det in ("num", "dem"):  # a cup of hot tea; not "that piece of delicious cake"
        adjs = [a for a in adjs if a.en == "hot"]
    adj = ch.maybe("adj", adjs, 0.4) if adjs and adj_ok and det not in ("poss", "bare") and not (
        person and det == "rc") else None  # not 她的好吃的蛋糕, 在办公室工作的年轻的朋友, nor a bare 漂亮的鸟 or 红包 (a
    # red envelope): 两只漂亮的鸟, 那个红包
    zh_adj, en_adj = [], []
    if adj:
        la = _L()
        zh_adj, en_adj = _Z(adj.attr, la), _E(adj.en, la)
        ch.tag("adjective")
    zh_ = zh_pre + zh_adj + _Z(noun.zh, ln)
    if person and det == "bare" and n > 1 and role == "def":  # 孩子们 the children; generic 喜欢孩子 likes children
        zh_ += _Z("们", ln)
    if count:
        en_ = en_det + en_adj + _E(noun.sg if n == 1 else noun.pl, ln)
    else:  # mass noun: 一杯热茶 → a cup of hot tea
        if det in ("num", "dem"):  # 三杯茶 three cups of tea, 这杯茶 this cup of tea
            unit = noun.unit.split("/")[0 if n == 1 else 1]
            en_det = en_det + [(unit, en_det[-1][1]), ("of", en_det[-1][1])]
        en_ = en_det + en_adj + _E(noun.sg, ln)
    if role == "indef" and det == "bare" and count and n == 1 and not ("food" in noun.tags and noun.pl == noun.sg):
        # 吃鱼 ate fish, not "a fish"
        en_ = _E("a") + en_
    if verb == "make" and noun.zh == "蛋糕" and det == "bare" and role != "def":  # 做了蛋糕 made a cake, 每个周末
        # 做蛋糕 makes cakes
        en_ = _E("cakes", ln) if role == "generic" else _E("a") + _E("cake", ln)
    if en_[0][0] == "a":  # a/an agrees with the next word
        en_[0] = (_article(en_[1][0]), en_[0][1])
    en_ += rc_en
    if count or det in ("num", "dem"):
        agr = "3s" if n == 1 else "pl"
    else:  # the tea is, the shoes are
        agr = "pl" if noun.sg.endswith("s") else "3s"
    return _NP(zh_, en_, en_, agr, kind, noun=noun, nested=nested, gender=lx.GENDER.get(noun.zh))


def _finite(forms, tam, agr):
    """The English verb of a clause without auxiliaries (past, or present with -s)."""
    if tam == "past":
        return forms[2]
    return forms[1] if agr == "3s" else forms[0]


def _went_to(ch):
    """Where the clause's action happens when that limits what a relative clause may say: a place the sentence went to
    (去了书店，然后…), or a bookstore or library scene (not "in the library I borrowed the book you bought")."""
    at = ch.ctx.get("at")
    return at if not ch.ctx.get("listing") or at in sem.MADE_THINGS_AT else None


def _rc_verbs(noun, main_verb, at=None):
    """The verbs an object relative clause on `noun` may use: ``semantics.RC_FOR`` of the clause's verb (read the
    letter Tom wrote, wore the coat my mother bought), that take the noun (``semantics.RC_NOUNS``), never the clause's
    own verb (not "you took the photo you took"). at: where the clause happens (a library, after 去了图书馆): then only
    who made it (looked at the painting Mary drew; not "the novel Tom bought", in a library)."""
    main = (main_verb or "").split(" ")[0]
    allowed = sem.RC_FOR.get(main_verb, set()) & (sem.MADE_BY if at else sem.RC_VERBS) - sem.RC_VERBS_BANNED
    return [v for v in lx.VERBS if v.obj & noun.tags and vkey(v) in allowed and vkey(v) != main_verb and v.forms[0] != main
            and noun.zh in sem.RC_NOUNS.get(vkey(v), (noun.zh,))]


def _rc_obj(ch, noun, agr, depth, main_verb=None, time_ok=True):
    """Object-gap relative clause: 我昨天买的(书) → (the book) I bought yesterday.

    Without a time word it is past (我买的书 the book I bought); with 每天 it is a habit. Never with a verb
    that uses the thing up (``semantics.RC_VERBS_BANNED``) or with the verb of the clause around it.
    """
    habit = False  # "the novel Mary borrows every morning" tells nothing apart: object relative clauses are past
    tam = "present" if habit else "past"
    planned = ch.ctx.get("out", {}).get("tam") in ("future", "future_neg", "cond")  # 明天会吃我做的面条 is "the
    # noodles I'll make", not "I made"
    verb = ch.pick("verb", [v for v in _rc_verbs(noun, main_verb, _went_to(ch)) if not (planned and vkey(v) == "make")])
    nest_ok = not time_ok  # not in a subject: "the cake which that friend who works … made was eaten" is clunky
    if depth < MAX_RC_DEPTH and vkey(verb) in ("write", "draw", "take", "make") and not ch.ctx.get("listing") \
            and nest_ok and ch.chance("nest", 0.75):  # the novel the friend who works at the bank wrote; not "the cup
        # the young friend who studies at home bought", and not in a scene's list ("the friend": whose?)
        who = [n for n in lx.PEOPLE if n.zh in sem.RC_PEOPLE]
        ch.ctx["rc_works"] = True  # picked out by where they work or study
        subj = _common(ch.sub("subj"), ch.pick("subj.noun", who), "def", depth, dets=["rc"])
        del ch.ctx["rc_works"]
    else:  # someone the reader knows (my mother, Tom, I), not "the young driver"
        subj = _person(ch.sub("subj"), depth, kinds=("name", "kin") if vkey(verb) == "write" else ("pron", "name", "kin"),
                       role="rc")  # the novel Tom wrote, not "the book you wrote"
    # a novel is written over months: "the novel you wrote this morning" will not do
    times = [t for t in lx.PAST_TIMES if (t[0] in ("去年", "上个月")) == (vkey(verb) in ("write", "draw"))]  # the
    # noodles she made yesterday, the novel he wrote last year
    t = _time(ch, lx.HABIT_TIMES, 1.0) if habit else _time(ch, times, 0.35 if time_ok else 0.0)
    place = _place(ch, 0.0, fits=sem.places_for(vkey(verb), noun.zh))  # not "the novel Xiaojun wrote in the office"
    lv = _L()
    zh_ = subj.zh + t[0] + place[0] + _Z(verb.zh, lv)
    rel = "" if not subj.nested else "which" if subj.en[0][0] == "that" else "that"  # the novel which that friend
    en_ = _E(rel) + subj.en + _E(_finite(verb.forms, tam, subj.agr), lv)  # who works at the bank wrote
    en_ += _E(verb.part, lv) + place[1] + t[1]
    return zh_, en_, subj.nested


def _rc_subj(ch, noun, agr, depth):
    """Subject-gap relative clause: 卖花的(邻居) → (the neighbor) who sells flowers.

    What tells a person apart, always in the present: where they work or study (在银行工作的朋友 the friend who
    works at the bank) or what they make, sell or fix (``semantics.HABIT_VERBS``). Not a passing event ("the boy who
    swam this morning"), which reads oddly as a name for someone.
    """
    lv = _L()
    if ch.ctx.get("rc_works") or ch.chance("intransitive", 0.4):  # the friend who works at the bank
        iv = ch.pick("verb", [v for v in lx.INTRANSITIVES if v.forms[0] in sem.HABIT_INTRANSITIVES
                              and not (ch.ctx.get("rc_works") and v.forms[0] != "work")])  # the friend who works
        # at the bank wrote it; not "the neighbor who studies at home took"
        place = _place(ch, 1.0, fits=sem.places_for(iv.forms[0]))
        zh_, post, forms, part, inner = place[0] + _iv_zh(iv, lv)[0], place[1], iv.forms, "", False
        ch.tag("intransitive")
    else:  # the neighbor who sells flowers
        verb = ch.pick("verb", [v for v in lx.VERBS if vkey(v) in sem.HABIT_VERBS])
        what = sem.HABIT_OBJECTS.get(vkey(verb))  # who writes novels, not "who writes letters"
        obj = _object(ch.sub("obj"), verb, "generic", depth, dets=["bare"],
                      nouns=[n for n in lx.THINGS if n.tags & verb.obj and (what is None or n.zh in what)])
        zh_, post, forms, part, inner = _vo(verb, lv, obj.zh), obj.obj, verb.forms, verb.part, obj.nested
    en_ = _E("who", _L()) + _E(_finite(forms, "present", agr), lv) + _E(part, lv) + post
    return zh_, en_, inner


_IV_ZH = {iv.zh for iv in lx.INTRANSITIVES}


def _vo(verb, lv, obj_zh):
    """Verb + object in Chinese; refuse 唱+歌, which reads as the intransitive 唱歌 (sing)."""
    if verb.zh + "".join(t for t, _ in obj_zh) in _IV_ZH:
        raise Retry("verb + object reads as an intransitive verb")
    return _Z(verb.zh, lv) + obj_zh


def _object(ch, verb, role, depth, nouns=None, *, eater=None, dets=None, many=False, adj_ok=True):
    """The object of `verb`: a person (看见他) or a noun phrase whose noun the verb takes.

    eater: the animal noun when an animal eats or drinks (only its ``semantics.DIET``); the count is capped
    by ``semantics.MAX_COUNT`` and a relative clause on the object never repeats `verb`. adj_ok=False (a negated
    clause): no adjective and no "A and B" (not "didn't eat noodles and fish").
    """
    if vkey(verb) == "feed":  # 喂了鱼: fed the fish
        role = "def"
    if vkey(verb) in ("find", "look for", "wash") and role == "indef" and not many:  # 找到了票 found the ticket
        # (the one looked for), 洗了车 washed the car (ours)
        role = "def"
    if "person" in verb.obj and eater is None and ch.chance("person_obj", 0.5):
        no_rc = dets is not None and "rc" not in dets  # at the depth limit a phrase takes no relative clause
        return _person(ch, MAX_RC_DEPTH if no_rc else depth, role="obj")
    if nouns is None:
        nouns = [n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE if n.tags & verb.obj]
    if eater is not None:
        nouns = [n for n in nouns if n.zh in sem.DIET[eater.zh]]
    key = vkey(verb)
    if role == "generic":  # a habit: 他每天拍照片, not "takes five photos every day"
        dets = ["bare"]
    if dets is None and key in sem.POSS_BANNED:  # not "buy Tom's wallet", "make two pieces of cake"
        dets = ["bare"] if key == "make" else ["bare", "num"] + (["dem"] if key not in sem.CREATE_VERBS else []) + (
            ["rc"] if key in sem.MADE_BY_ONLY else [])  # read the letter Tom wrote, ate the cake my mother made
    noun = ch.pick("noun", nouns)
    if key == "feed" and noun.zh == "鸟" and role != "generic":  # 喂鸟 fed birds (in the park), not "the bird"
        role, many = "indef", True
    elif key == "feed":  # 喂猫 fed the cat (the family's pet), not "a cat" or "three cats"; feeds the cat every day
        role, dets = "def", ["bare"]  # (not 她的狗 in a family's list: whose?)
    # 买了苹果和橘子 ↔ bought apples and oranges: two things of one kind, bought (eaten, read…) at the same place
    pairs = sem.AND_EATEN if key == "eat" else sem.AND_PAIRS if key != "feed" else None
    pair = [n for n in nouns if n is not noun and n.tags & noun.tags & set(sem.CONTRAST_CLASSES)
            and (pairs is None or frozenset((n.zh, noun.zh)) in pairs)
            and not {n.zh, noun.zh} & sem.NOT_EVERYDAY and sem.places_for(key, n.zh) == sem.places_for(key, noun.zh)]
    both = depth == 0 and key in sem.AND_VERBS and bool(pair) and adj_ok and not ch.ctx.get("bare_obj") \
        and ch.chance("and", 0.3)  # not "I ate oranges, but Tom ate fish and rice"
    np = _common(ch, noun, "generic" if both else role, depth, max_n=sem.MAX_COUNT.get(key, 10), verb=key,
                 dets=["bare"] if both else dets, many=many,  # ate fish and bread; not "is writing an old book"
                 adj_ok=adj_ok and not both and key not in sem.CREATE_VERBS)
    if both:
        other = _common(ch.sub("and"), ch.pick("and.noun", pair), "generic", depth, max_n=sem.MAX_COUNT.get(key, 10),
                        verb=key, dets=["bare"], adj_ok=False)
        la = _L()
        ch.tag("coordination_np")
        return _NP(np.zh + _Z("和", la) + other.zh, np.en + _E("and", la) + other.en, np.obj + _E("and", la) + other.obj,
                   "pl", np.kind, noun=noun)
    return np


def _iv_zh(iv, lv):
    """Chinese of an intransitive verb, split where 了/过 go (唱|歌: 唱了歌): (pieces, asp_at)."""
    i = iv.zh_le.index("了")
    return _Z(iv.zh[:i], lv) + _Z(iv.zh[i:], lv), 1
