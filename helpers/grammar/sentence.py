"""The sentence level of the corpus grammar: one clause of a kind, and sentences of 1–4 clauses whose connectives
connect.

The top of the grammar behind ``helpers.corpus``. ``sentence`` joins clauses (their kinds are in ``kinds``) with
然后, 但是, 所以, 因为…所以… and 如果…就… only where the relation makes sense (``semantics.CAUSES`` and the rules
below); the first clause has the time word and sets the tense frame.

* 然后 (and then) joins a sequence of actions by the same person, in an order that makes sense: going somewhere,
  then doing what one does there (去图书馆，然后借了书), then going home, then doing something at home; never
  states or negations, and never the one thing a place is for (去电影院看电影, not "went to the cinema, and then
  watched a movie": ``semantics.ONE_PURPOSE``). The steps after the first say no subject, and 然后 only comes
  before the last one (他去了海边，拍了照片，然后回家了 ↔ He went to the beach, took photos, and then went home).
* 所以, 因为…所以… and 如果…就… join a cause or condition to its expected effect: rain keeps us from the park,
  a tired person sleeps, a hungry one eats; going to a place (if) leads to what is done there.
* 但是 (but) joins a cause to the *unexpected* effect (我很累，但是我还是没睡觉), two people doing the same thing to
  different things or in opposite ways (我喜欢猫，但是我妹妹喜欢狗; 这个包很贵，但是那个包很便宜), or a
  place not gone to and the one gone to instead.

A later clause about the same person names them with a pronoun (汤姆很累，所以他… ↔ Tom was tired, so he …), except
a 然后 step, which drops it.

What ``helpers.corpus`` uses (re-exported by ``helpers.grammar``): ``Chooser`` and ``Retry``, ``sentence`` (a random
sentence), ``clause`` (one clause of a given kind), ``CLAUSE_KINDS`` and ``assemble`` (pieces → strings and
alignment). Imports only the standard library and the lower grammar modules.
"""

from __future__ import annotations

from . import lexicon as lx
from . import semantics as sem
from .kinds import _ALL_Q, _F, _FN, _KINDS, _P, _PN, _PR, _PRN, _SINGLE_TAMS, CLAUSE_KINDS
from .adjuncts import _PLACE_BY_ZH, _place_phrase, _time
from .noun_phrase import _NP, overlap
from .pieces import _E, _L, _Z, Chooser, Retry, assemble

__all__ = ["Chooser", "Retry", "CLAUSE_KINDS", "sentence", "clause", "assemble"]


_POS = {"past": _P, "present": _PR, "future": _F}
_NEG = {"past": _PN, "present": _PRN, "future": _FN}
_CONNECTORS = {  # zh, en (after a comma), tag
    "then": ("然后", "and then", "coord_then"), "but": ("但是", "but", "coord_but"), "so": ("所以", "so", "coord_so"),
}
_PERSON_KINDS = ("pron", "name", "kin")  # subjects a later 他/她/我们 can refer to
_ACTIONS = {"motion": 2, "purpose": 2, "transitive": 4, "intransitive": 1, "ba": 1.5, "ditransitive": 1.5}


def clause(ch, kind):
    """One clause of the given kind (a name in ``CLAUSE_KINDS``), any tense and question form:
    (zh pieces, en pieces, is_question). ``realise`` builds its single-clause sentences with it."""
    return _one_clause(ch, _SINGLE_TAMS, _ALL_Q, True, (kind,))


def _one_clause(ch, allowed_tams, qs, time_ok, kinds=None):
    names = [k for k in (kinds or _KINDS) if set(_KINDS[k][2]) & set(allowed_tams)]
    name = ch.pick("kind", names, [_KINDS[k][1] for k in names])
    ch.ctx["out"]["kind"] = name
    fn, _, tams = _KINDS[name]
    return fn(ch, [t for t in tams if t in allowed_tams], qs, time_ok)


def _pronoun(np):
    """The pronoun a later clause uses for the subject `np` (他 for Tom, 我们 for 我们), or None if unknown."""
    if np is None or np.kind != "person":
        return None
    if np.pron:
        p = np.pron
    elif np.agr == "pl":
        p = lx.SHE_PLURAL if np.gender == "f" else lx.PRONOUNS[5]  # 她们 for women only, else 他们
    elif np.gender:
        p = lx.PRONOUNS[2 if np.gender == "m" else 3]
    else:
        return None
    lk = _L()
    return _NP(_Z(p.zh, lk), _E(p.subj, lk), _E(p.obj, lk), p.agr, "person", pron=p, gender=np.gender)


def sentence(ch, n_clauses, novel_at=None):
    """A whole sentence of `n_clauses` (1–4) clauses: (zh pieces, en pieces, is_question).

    Two or more clauses are joined as the module docstring says; only the first clause has a time word, and it
    sets the tense frame of the others. ``novel_at``: the index of the clause that must be a 把/被 clause with a
    held-out noun (test_novel), or None.
    """
    if n_clauses == 1:
        return _one_clause(ch, _SINGLE_TAMS, _ALL_Q, True, ("ba", "bei") if novel_at == 0 else None)
    plan = _Plan(ch, None if novel_at is None else 0)  # the 把 clause first: 她把雨伞忘在学校了，然后回家了
    first = ch.pick("conn", ["then", "but", "so", "because", "if", "and"], [3, 3, 0.6, 0.8, 0.5, 12])
    if novel_at is not None:
        first = "then"  # a 把/被 clause fits a sequence of actions
    if first == "and":
        if n_clauses > 3:
            raise Retry("a list of four reads as a catalogue")
        return plan.parallel(n_clauses)
    frames = ["future"] if first == "if" else ["past", "present", "future"] if first == "but" else ["past", "future"]
    frame = ch.pick("frame", frames, [{"past": 5, "present": 3, "future": 3}[f] for f in frames])
    {"then": plan.sequence, "but": plan.but, "so": plan.cause, "because": plan.cause, "if": plan.condition}[first](
        frame, first)
    while len(plan.clauses) < n_clauses:
        plan.next_action(frame)
    return plan.join(first)


class _Plan:
    """The clauses of one sentence, built one after the other: each knows what the ones before it did."""

    def __init__(self, ch, novel_at):
        self.ch, self.novel_at = ch, novel_at
        self.clauses = []  # (zh pieces, en pieces, connector to the clause before, out)
        self.used, self.closed, self.caused = set(), False, False

    def add(self, conn, kinds, tams, time_ok=None, **ctx):
        i = len(self.clauses)
        sub = self.ch.sub(f"c{i}")
        sub.novel = i == self.novel_at
        if sub.novel:
            kinds = ("ba",)  # the 把 clause: 她把雨伞忘在学校了，然后回家了
        sub.ctx = {k: v for k, v in ctx.items() if v is not None}
        sub.ctx["out"] = {}
        zh, en, _ = _one_clause(sub, tams, ("decl",), i == 0 if time_ok is None else time_ok, kinds)
        sub.ctx["out"]["where"] = ctx.get("at") or ctx.get("place")
        self.clauses.append((zh, en, conn, sub.ctx["out"]))
        if conn:
            self.used.add(conn)
        return sub.ctx["out"]

    def last_person(self):
        """The pronoun for the most recent clause's person subject (the doer of a sequence)."""
        for *_, out in reversed(self.clauses):
            subj = out.get("subj")
            p = _pronoun(subj)
            if p is not None:
                owner = getattr(subj, "owner", None)
                if owner is not None and owner.gender == subj.gender and owner.pron is not None:  # 她妈妈…，然后她…:
                    raise Retry("her mother …, and then she: which of the two?")  # the mother or her daughter?
                io = out.get("io")  # 玛丽把书给了莉莉，然后她…: Mary or Lily?
                if io is not None and io.kind == "person" and io.gender in (None, subj.gender) and not io.pron:
                    raise Retry("gave it to her, and then she: which of the two?")
                return p
        raise Retry("no one to refer back to")

    # -- the first two clauses, by connector
    def sequence(self, frame, conn):
        """然后: an action, then the next one by the same person."""
        kinds = list(_ACTIONS)
        kind = self.ch.pick("c0.kind", kinds, [_ACTIONS[k] for k in kinds]) if self.novel_at != 0 else "ba"
        self.add(None, (kind,), (_POS[frame],), subj_kinds=_PERSON_KINDS,
                 verbs=sem.SEQUENCE_VERBS if kind == "transitive" else None,
                 not_verbs=("work", "sleep", "cry") if kind == "intransitive" else (),  # not "worked last week, and
                 # then went home", "slept on Saturday, and then went to the restaurant"
                 home=False if frame == "future" and kind == "motion" else None)  # not "will go home next week,
        # and then will dance"
        self.next_action(frame)

    def _cause(self, frame, cond=False):
        self.caused = True  # what follows the effect is the effect's own step, not a day's programme
        causes = [c for c in sem.CAUSES if cond or frame == "past" or c[-1] in sem.FORESEEN]  # not "will be hungry"
        cause = self.ch.pick("cause", causes, [3 if c == ("weather",) else 1 for c in causes])
        tams = (("cond", "cond_neg") if cause == ("weather",) else ("cond",)) if cond else (_POS[frame],)
        if cause == ("weather",):
            out = self.add(None, ("weather",), tams)
        else:
            out = self.add(None, ("adjective_predicate",), tams, adj=(cause[1],), subj_kinds=_PERSON_KINDS)
        return cause, out

    def _effect(self, conn, frame, cause, flip):
        kind, pol, cons = self.ch.pick("effect", [e for e in sem.CAUSES[cause] if not flip or e[2].get("flip", True)])
        pol = pol != flip
        subj = self.last_person() if cons.get("same_subj") else None
        out = self.add(conn, (kind,), (_POS[frame] if pol else _NEG[frame],), subj=subj, verbs=cons.get("verbs"),
                       still=flip and conn == "but" or None,  # 很累，但是她还是去了公园
                       dest=cons.get("dest"), place=cons.get("place"), home=False if kind == "motion" else None,
                       subj_kinds=None if subj else _PERSON_KINDS, no_place=True)  # tired, so slept (not in the park)
        out["end"] = kind != "motion" or flip  # 所以她睡觉了: nothing follows; 所以她去了饭馆，然后…; 但是她去了公园。

    def cause(self, frame, conn):
        """所以 / 因为…所以…: a cause, then its expected effect."""
        cause, _ = self._cause(frame)
        self._effect(conn, frame, cause, flip=False)

    def condition(self, frame, conn):
        """如果…就…: a condition (the weather, a state), then what follows from it. Not "if she goes to the cinema,
        she will watch a movie", which says the same thing twice."""
        cause, out = self._cause(frame, cond=True)
        self._effect(conn, frame, cause, flip=out["tam"] == "cond_neg")  # if it does not rain, we will go

    def but(self, frame, conn):
        """但是: an unexpected effect, a contrast between two people or things, or the place gone to instead."""
        ways = (["contrast"] if frame != "future" else []) + (["concession"] if frame == "past" else []) + (
            ["instead"] if frame != "present" else [])  # not "she will read their letter, but your brother will…"
        way = self.ch.pick("but", ways, [{"contrast": 2, "concession": 2, "instead": 1}[w] for w in ways])
        if way == "concession":
            cause, _ = self._cause(frame)
            self._effect(conn, frame, cause, flip=True)
        elif way == "instead":  # 我们没去公园，但是我们去了海边: an outing for an outing, an errand for an errand
            out = self.add(None, ("motion",), (_NEG[frame],), subj_kinds=_PERSON_KINDS, home=False,
                           dest=tuple(sem.ALTERNATIVES), daytime=True)
            self.add(conn, ("motion",), (_POS[frame],), subj=self.last_person(), home=False,
                     dest=sem.ALTERNATIVES[out["dest"]])  # the beach for the pool, the library for the bookstore
        else:
            self.closed = True  # nothing follows a contrast: "then she…" would not say which of the two
            kind = self.ch.pick("c0.kind", ["like", "transitive", "adjective_predicate"] if frame == "present"
                                else ["transitive"])  # 我昨天喝了茶，但是我哥哥喝了咖啡
            if kind == "adjective_predicate":
                adj = self.ch.pick("pair", sorted(sem.ANTONYMS))
                out = self.add(None, (kind,), (_POS[frame],), adj=(adj,), dets=["dem"])
                out2 = self.add(conn, (kind,), (_POS[frame],), adj=(sem.ANTONYMS[adj],), not_subj=out["subj"],
                                noun=out.get("noun"), dets=["dem"],
                                subj_kinds=("name", "kin", "noun") if out["subj"].kind == "person" else None)
                if out["subj"].kind != "person" and {_this(out["subj"]), _this(out2["subj"])} != {"这", "那"}:
                    raise Retry("this one against that one")  # not "the cook's cup is dirty, but that cup is clean"
            else:  # 我喝茶，但是我哥哥喝咖啡
                out = self.add(None, (kind,), (_POS[frame],), like_noun=True, verbs=sem.CONTRAST_VERBS[frame],
                               no_place=True,
                               bare_obj=True,  # tea against coffee, not "their letter" against a magazine
                               subj_kinds=_PERSON_KINDS)  # people one knows: 我喝茶，但是我哥哥喝咖啡; not "these
                self.add(conn, (kind,), (_POS[frame],), like_noun=True, not_subj=out["subj"], no_place=True, bare_obj=True,
                         subj_kinds=("name", "kin"), listing=True,  # engineers ate carrots, but this boy…"; not
                         # 他 (the same person?), nor 她爸爸 after Xiaojun (whose father?)
                         verbs=(out["verb"],) if kind == "transitive" else None, not_noun=out.get("noun"))

    def parallel(self, n):
        """What the people of one family or circle do at one time in one place: 昨天晚上在家，我爸爸看了报纸，我妈妈
        做了面条 ↔ Last night at home, my father read the newspaper, and my mother made noodles. No connective claims
        a relation; the scene (a time and a place) is said once, at the front, and each clause has its own subject and
        an action that fits the place (``semantics.SCENES``)."""
        ch = self.ch
        frame = ch.pick("frame", ["past", "future", "present"], [5, 3, 2])
        scene = ch.pick("scene", list(sem.SCENES), list(sem.SCENES.values()))
        times = {"past": [t for t in lx.PAST_TIMES if t[0] in sem.NEAR_TIMES],
                 "future": [t for t in lx.FUTURE_TIMES if t[0] in sem.NEAR_TIMES],
                 "present": [t for t in lx.HABIT_TIMES if t[0] in sem.SCENE_HABITS]}[frame]
        if scene != "家":  # the park, the beach, school: by day (not "last night in the park, Peter fed birds")
            times = [t for t in times if "晚上" not in t[0]]
        time = _time(ch, times, 1.0)  # one time for all: "Tom drank beer, I went to the station" says nothing
        tams = {"past": (_P,), "future": (_F,), "present": (_PR,)}[frame]  # what they did, not what they did not
        # One family: the speaker (or a friend named once) and their family, 我做了饭，我妈妈看了报纸, not
        # "Xiaojun sang, and we fixed tables" (whose home?) nor "Amy's father sings, and you listen" (two households).
        anchor = ch.pick("anchor", ["我", "name"], [5, 3])  # not "you watched a movie": the listener knows
        if anchor == "name":
            zh_, en_ = ch.pick("anchor.name", lx.NAMES)
            la = _L()
            anchor = _NP(_Z(zh_, la), _E(en_, la), _E(en_, la), "3s", "person", gender=lx.GENDER[zh_])
        else:
            p = next(p for p in lx.PRONOUNS if p.zh == anchor)
            la = _L()
            anchor = _NP(_Z(p.zh, la), _E(p.subj, la), _E(p.obj, la), p.agr, "person", pron=p)
        kin_only = sem.SCENE_KIN.get(scene)
        # Away from home, friends too: 昨天在公园，汤姆跑了步，玛丽拍了照片 (Tom and Mary, or I and my friends).
        friends = scene != "家" and ch.chance("friends", 0.6)
        seen = []
        acts = {k: v for k, v in sem.SCENE_ACTS[scene].items() if not (frame == "future" and k == "drink")  # not "my
                # mother will drink milk"
                and not (frame == "present" and k in ("rest", "drink", "write"))}  # not "every evening I rest",
        # "drinks milk", "writes letters"
        if frame == "present" and "make" in acts:  # my mother makes noodles every evening; not a cake every evening
            acts["make"] = acts["make"] - {"蛋糕"}
        for i in range(n):
            himself = anchor.pron is not None and anchor not in seen and ch.chance(f"c{i}.anchor", 0.5)  # 我…，我妈妈…
            out = self.add("and" if i else None, ("transitive", "intransitive"), tams, time_ok=False, at=scene,
                           subj=anchor if himself else None,
                           subj_kinds=None if himself else ("name",) if friends else ("kin",),
                           kin_owner=anchor, kin_only=kin_only, listing=True, acts=acts,
                           not_verbs=sem.INVOLUNTARY)  # what they did, not "Tom slept"
            subj = out.get("subj")
            if subj is None or any(overlap(subj, s) for s in seen):
                raise Retry("a list of what different people do")
            if out.get("verb") == "study" and "".join(t for t, _ in subj.zh)[-2:] in sem.PARENTS:
                raise Retry("my father will study math")
            same = {"make": "cook"}  # not "my mother made noodles, and my sister cooked"
            what = str(out.get("verb")).split()[0]  # not "you will sing three songs, and I will sing"
            if same.get(what, what) in {same.get(w, w) for w in (str(o.get("verb")).split()[0]
                                                                  for *_, o in self.clauses[:-1])}:
                raise Retry("two people doing the same thing is not a list")
            seen.append(subj)
        lc = _L()
        pz, pe = _place_phrase(_PLACE_BY_ZH[scene])
        zh, en = time[0] + pz + _Z("，", lc), time[1] + pe + _E(",", lc)
        ch.tag("place")
        for i, (czh, cen, _, _) in enumerate(self.clauses):
            if i:
                lc = _L()
                zh, en = zh + _Z("，", lc), en + _E(",", lc) + (_E("and") if i == n - 1 else [])
            zh, en = zh + list(czh), en + list(cen)
        ch.tag("coord_and")
        return zh, en, False

    # -- what may follow
    def _activity(self, conn, frame, at):
        hungry = any(out.get("adj") == "饿" for *_, out in self.clauses)  # hungry, went to a restaurant: ate
        self.add(conn, ("transitive", "intransitive"), (_POS[frame],), subj=self.last_person(), at=at,
                 verbs=("eat",) if hungry else None)

    def next_action(self, frame):
        """然后 + the same person's next step: went somewhere → what one does there → going home → something at home.

        Nothing follows a state, a negation, a contrast, an effect (所以她睡觉了) or what one does at home."""
        if frame == "present" or self.closed:
            raise Retry("然后 joins events, not habits, states or contrasts")
        *_, last = self.clauses[-1]
        if last.get("tam") in (_NEG["past"], _NEG["future"], "cond_neg") or last.get("end") or last.get("kind") in (
                "adjective_predicate", "weather", "like", "comparative"):
            raise Retry("然后 follows an action that happened")
        dest = last.get("dest") if last.get("kind") == "motion" else None
        if dest in sem.ONE_PURPOSE:  # 去电影院看电影, not "went to the cinema, and then watched a movie"
            raise Retry("went there, and then did what one goes there for")
        if last.get("verb") == "buy" and last.get("noun") == "票":  # a ticket is for a trip, not "then went home"
            raise Retry("bought a ticket, and then went home")
        acts = sum(out.get("kind") != "motion" for *_, out in self.clauses)
        if dest and (dest != "家" or not acts):  # 去了图书馆，然后借了书; 回家了，然后做了饭
            self._activity("then", frame, dest)
            self.clauses[-1][3]["end"] = dest == "家" or self.caused  # hungry → restaurant → ate: the story ends
            # (not "…, and then they went to the cinema", which hunger does not explain)
        elif not dest and "家" not in (last.get("place"), last.get("where")):  # 借了书，然后回家了 / 然后去超市买了牛奶
            if last.get("ba") == "leave" or "but" in self.used:  # 把雨伞忘在海边了，然后回家了; the beach instead of the
                # park, took photos, then went home; not "…, and then went to the library to borrow a book"
                self.add("then", ("motion",), (_POS[frame],), subj=self.last_person(), home=True)
            elif last.get("ba"):  # 把书放在包里了，然后去了学校: on the way out, not "then went to the library to read"
                self.add("then", ("motion",), (_POS[frame],), subj=self.last_person(), home=False,
                         dest=tuple(p for p in sem.ERRANDS + sem.LEISURE if p not in sem.ONE_PURPOSE))
            elif self.ch.chance(f"c{len(self.clauses)}.errand", 0.85):
                said = "".join(t for zh, *_ in self.clauses for t, _ in zh)
                self.add("then", ("purpose",), (_POS[frame],), subj=self.last_person(), not_verb=last.get("verb"),
                         dest=tuple(p for p in sem.ERRANDS + sem.LEISURE if p not in said))  # in town, not off to
                # Shanghai; not back where the umbrella was left (把雨伞忘在超市了，然后去超市…)
            else:
                self.add("then", ("motion",), (_POS[frame],), subj=self.last_person(), home=True)
            self.clauses[-1][3]["end"] = True  # one more errand, or home: not a day's list of chores
        else:
            raise Retry("at home already, or home after a day out: the story has ended")

    def join(self, first):
        zh, en, _, _ = self.clauses[0]
        zh, en = list(zh), list(en)
        lk = _L()
        if first == "because":
            zh, en = _Z("因为", lk) + zh, _E("because", lk) + en
            self.ch.tag("coord_because")
        elif first == "if":
            zh, en = _Z("如果", lk) + zh, _E("if", lk) + en
            self.ch.tag("conditional")
        last_then = max((i for i, c in enumerate(self.clauses) if c[2] == "then"), default=None)
        for i, (czh, cen, conn, out) in enumerate(self.clauses[1:], 1):
            lc, lk = _L(), _L()
            if conn == "then":  # the same person: no subject (and no 会/will, said once), 然后 only before the last step
                czh, cen = _drop_subject(czh, cen, out)
                if i != last_then:  # 他去了海边，拍了照片，然后回家了 ↔ he went to the beach, took photos, and then went home
                    zh, en = zh + _Z("，", lc) + czh, en + _E(",", lc) + cen
                    continue
            if conn == "because":
                zh, en = zh + _Z("，", lc) + _Z("所以") + czh, en + _E(",", lc) + cen
            elif conn == "if":  # 如果…，我就会… : 就 after the subject
                zh, en = zh + _Z("，", lc) + _insert_jiu(czh), en + _E(",", lc) + cen
            else:
                czh_, cen_, tag = _CONNECTORS[conn]
                words = cen_.split()
                zh = zh + _Z("，", lc) + _Z(czh_, lk) + czh
                en = en + _E(",", lc) + _E(" ".join(words[:-1])) + _E(words[-1], lk) + cen
                self.ch.tag(tag)
        return zh, en, False


def _drop_subject(zh, en, out):
    """A 然后 step of the same person without its subject: 然后(他)回家了 ↔ and then (he) went home; in the future also
    without 会 ↔ will, which the first clause said (他会去海边，然后拍照片 ↔ he will go to the beach, and then take
    photos)."""
    subj = out["subj"]
    nz, ne = len(subj.zh), len(subj.en)
    if list(zh[:nz]) != list(subj.zh) or list(en[:ne]) != list(subj.en):
        raise Retry("a 然后 step that does not start with its subject")
    zh, en = list(zh[nz:]), list(en[ne:])
    if zh[0][0] == "会" and en[0][0] == "will":
        zh, en = zh[1:], en[1:]
    return zh, en


def _this(np):
    """这 or 那 for a noun phrase that starts with a demonstrative of one thing (这个杯子), else None."""
    first = np.zh[0][0]
    return first[0] if first[0] in "这那" and not first.startswith(("这些", "那些")) and len(first) == 2 else None


def _insert_jiu(zh):
    """如果 A，S 就 会 …: put 就 before the first marker after the subject (会/不)."""
    for i, (t, _) in enumerate(zh):
        if t in ("会", "不"):
            return zh[:i] + _Z("就") + zh[i:]
    raise Retry("no place for 就")
