"""A plausibility audit of generated sentence pairs: reads the *text* back with the lexicon and checks it.

The generator (``kinds``, ``sentence``) builds sentences from ``semantics``' restrictions; this module does not
trust it. It cuts each Chinese clause into lexicon words (longest match first) and applies the rules a careful
reader would, so a regression in any construction shows up as a named violation:

* ``adj_noun``: an attributive adjective fits its noun (甜蛋糕, not 甜啤酒);
* ``place``: an activity happens where it can (在海边游泳, not 在书店游泳);
* ``animal``: an animal does what it does, where it does, and eats what it eats (猫在床上睡觉, not 马在冰箱里睡觉);
* ``count``: a verb takes no more than makes sense (骑一辆自行车, not 骑四辆自行车);
* ``self``: no one compared with, or giving to, themselves (我比我们饿, 我给了我们…);
* ``men``: no 们 on a generic object (学生喜欢学生们);
* ``guo``: 没V过 is "never" in English;
* ``rc_verb``: a relative clause neither repeats its clause's verb (拍了你拍的照片) nor uses its noun up (我喝的牛奶);
* ``then`` / ``so`` / ``if`` / ``but``: the connectives join what they can (see ``sentence.py``);
* ``list``: clauses joined by a comma alone list what *different* people do (我爸爸看了报纸，我妈妈做了饭): no
  he/she whose antecedent could be the person before, no one twice, and no one going anywhere "every morning";
* ``attachment``: no main-clause time or place word together with a relative clause after the verb, which English
  would print after the relative clause ("won't wash the skirt she bought tomorrow"), unless the English says the
  time first ("Tomorrow Xiaohong won't wash the skirt she bought").

``audit(pairs)`` returns ``{rule: [(pair index, message), …]}``; ``benchmarks/audit_corpus.py`` prints a report.
Imports only the standard library and the lexicon and semantics modules.
"""

from __future__ import annotations

import re

from . import lexicon as lx
from . import semantics as sem
from .noun_phrase import adj_fits

RULES = ("adj_noun", "place", "animal", "count", "self", "men", "guo", "rc_verb", "then", "so", "if", "but",
         "list", "attachment")

_NOUNS = {n.zh: n for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE}
_ANIMALS = {n.zh for n in lx.ANIMALS}
_PLACES = {p.zh for p in lx.PLACES} | {"家"}
_ADJ_ATTR = {a.attr.rstrip("的"): a for a in lx.ADJECTIVES if a.attr}
_IV = {}
for _iv in lx.INTRANSITIVES:
    for _form in (_iv.zh, _iv.zh_le, _iv.zh_guo):
        _IV[_form] = _iv.forms[0]
_VERB_KEYS = {}  # Chinese verb → its possible semantics keys
for _v in lx.VERBS:
    _VERB_KEYS.setdefault(_v.zh, set()).add(_v.forms[0] + (" " + _v.part if _v.part else ""))
for _zh, _base, _ in lx.DITRANSITIVE:
    _VERB_KEYS.setdefault(_zh, set()).add(_base)
for _zh, _base in lx.BA_VERBS + lx.BEI_VERBS:
    _VERB_KEYS.setdefault(_zh[:-1], set()).add(_base)
_OTHER_VERBS = {"去", "回", "放", "忘", "想", "喜欢", "有", "是", "下雨", "下雪", "把", "被", "比"}
_PEOPLE_WORDS = {p.zh for p in lx.PRONOUNS} | {zh for zh, _ in lx.NAMES} | {zh for zh, _ in lx.KIN} | \
    {n.zh for n in lx.PEOPLE}
_TIME_EN = dict(lx.PAST_TIMES + lx.FUTURE_TIMES + lx.HABIT_TIMES + [lx.NOW, lx.BEFORE])
_TIMES = set(_TIME_EN)
_NUMS = {zh: i + 1 for i, (zh, _) in enumerate(lx.NUMBERS)}
_MW = {n.mw for n in lx.THINGS + lx.ANIMALS + lx.PEOPLE}
_LOC = {zh for zh, _, _ in lx.LOCATIONS}
_SIDES = {lz for _, _, sides in lx.LOCATIONS for lz, _ in sides}
_WORDS = {}
for _group, _kind in ((_TIMES, "time"), (_PLACES, "place"), (_LOC, "loc"), (_SIDES, "side"), (_NOUNS, "noun"),
                      (_PEOPLE_WORDS, "person"), (_ADJ_ATTR, "adj"), ({a.zh for a in lx.ADJECTIVES}, "adj"),
                      (_VERB_KEYS, "verb"), (_OTHER_VERBS, "verb"), (_IV, "iv"), ({"很多", "这些", "那些"}, "many"),
                      ({"不", "没", "从来没", "没有"}, "neg"), ({"了", "过"}, "asp"), ({"的"}, "de"), ({"在"}, "zai"),
                      ({"因为", "所以", "如果", "但是", "然后", "就"}, "conn"), ({"有意思", "有时候", "常常", "总是"}, "other")):
    for _w in _group:
        _WORDS.setdefault(_w, _kind)
for _zh in _NUMS:
    for _mw in _MW | {"些"}:
        _WORDS.setdefault(_zh + _mw, "num")
for _mw in _MW:  # 这本, 那把 (not the 把 of 把 sentences)
    _WORDS.setdefault("这" + _mw, "dem")
    _WORDS.setdefault("那" + _mw, "dem")
_LONGEST = max(map(len, _WORDS))


def tokens(text):
    """Lexicon words of a Chinese clause, longest match first: [(word, kind)]; unknown characters are ("x", "?")."""
    out, i = [], 0
    while i < len(text):
        for n in range(min(_LONGEST, len(text) - i), 0, -1):
            w = text[i:i + n]
            if w in _WORDS:
                out.append((w, _WORDS[w]))
                i += n
                break
        else:
            out.append((text[i], "?"))
            i += 1
    return out


def _clauses(zh):
    """(clause, offset of its first character in `zh`) for each clause."""
    return [(m.group(), m.start()) for m in re.finditer(r"[^，。？]+", zh)]


_EN_TOKEN = r"[a-z]+(?:'[a-z]+)?|[0-9]+|[^\sa-z0-9]"  # helpers.corpus.EN_TOKEN_PATTERN (the grammar cannot import it)


def _rc_de(pair):
    """Character indices of the 的 that end a relative clause: the gold alignment links them to who/that or to
    nothing (我买的书 → the book I bought), never to 's, my… or an adjective (汤姆的书, 便宜的书)."""
    en = re.findall(_EN_TOKEN, pair.en.lower())
    linked = {}
    for i, j in pair.alignment:
        linked.setdefault(i, []).append(en[j])
    return {i for i, ch in enumerate(pair.zh) if ch == "的" and all(w in ("who", "that") for w in linked.get(i, []))}


_CAUSE = re.compile("下雨|下雪|很累|很饿|很忙|很高兴|累|饿|忙|高兴")


def _check_clause(c, toks, bad, rc_de=frozenset(), offset=0, en_start=""):
    words = [w for w, _ in toks]
    at = [offset + sum(len(w) for w in words[:k]) for k in range(len(words))]  # index of each word in the sentence
    pron = {p.zh for p in lx.PRONOUNS}
    for i, (w, k) in enumerate(toks):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in _ADJ_ATTR and nxt in _NOUNS and k == "adj":  # adjective + noun (便宜的书: 的 in between)
            if not adj_fits(_ADJ_ATTR[w], _NOUNS[nxt]):
                bad("adj_noun", f"{w}{nxt}")
        if w in _ADJ_ATTR and nxt == "的" and i + 2 < len(words) and words[i + 2] in _NOUNS:
            if not adj_fits(_ADJ_ATTR[w], _NOUNS[words[i + 2]]):
                bad("adj_noun", f"{w}的{words[i + 2]}")
        if w == "在" and nxt in _PLACES and i + 2 < len(words):
            verb = words[i + 2]
            keys = {_IV[verb]} if verb in _IV else _VERB_KEYS.get(verb, set())
            rest = words[i + 4:] if words[i + 3:i + 4] == ["的"] else words[i + 3:]  # 在超市买的报纸: the head noun
            noun = next((x for j, x in enumerate(rest) if x in _NOUNS
                         and rest[j + 1:j + 2] != ["的"]), None)  # 借了那个女孩的书: the book, not the girl
            if keys and not any(nxt in sem.places_for(key, noun) for key in keys):
                bad("place", f"在{nxt}{verb}")
        if w in _VERB_KEYS and len(_VERB_KEYS[w]) == 1 and w not in ("给", "送", "借给", "教"):  # 骑了两辆自行车
            key = next(iter(_VERB_KEYS[w]))
            j = i + 1 + (nxt in ("了", "过"))
            j += j < len(words) and words[j] in ("这", "那")
            n = 0
            if j < len(words):
                n = {"很多": 5, "这些": 2, "那些": 2}.get(words[j], _NUMS[words[j][0]] if toks[j][1] == "num" else 0)
            counted = next((x for x in words[j + 1:] if x in _NOUNS), None)
            if n > sem.MAX_COUNT.get(key, 10) and counted not in {p.zh for p in lx.PEOPLE}:  # 这些孩子找的围巾
                bad("count", "".join(words[i:j + 2]))
        if w == "喜欢" and words[-1:] == ["们"] and all(x in _NOUNS or k == "adj" or x in ("的", "们")
                                                     for x, k in toks[i + 1:]):  # 喜欢学生们: generic, no 们
            bad("men", c)
        if w == "的" and i > 0 and (words[i - 1] in _VERB_KEYS or words[i - 1] in _IV):
            rc_keys = _VERB_KEYS.get(words[i - 1], set())
            if rc_keys & sem.RC_VERBS_BANNED and i + 1 < len(words) and words[i + 1] not in _PEOPLE_WORDS:
                bad("rc_verb", f"{words[i - 1]}的{words[i + 1] if i + 1 < len(words) else ''}")
            earlier = [j for j in range(i - 2) if words[j] == words[i - 1]]  # 拍了你拍的照片, not 听歌的人…听的歌
            if earlier and words[i - 1] in _VERB_KEYS and words[i - 1] not in _NOUNS and "的" not in words[earlier[-1]:i]:
                bad("rc_verb", f"{words[i - 1]} … {words[i - 1]}的")
    # subjects that are animals
    start = 1 if words and words[0] in ("因为", "如果", "但是", "所以", "然后") else 0
    while start < len(words) and (toks[start][1] == "num" or words[start] in ("这", "那", "这些", "那些")):
        start += 1  # 这只猫, 两只猫
    if start < len(words) and words[start] in _ANIMALS and "被" not in words:
        animal = words[start]
        for i, w in enumerate(words):
            if w in _IV and _IV[w] not in sem.ANIMAL_ACTS[animal]:
                bad("animal", f"{animal} … {w}")
            if w in ("吃", "喝"):
                food = next((x for x in words[i + 1:i + 5] if x in _NOUNS), None)
                if food and food not in sem.DIET[animal]:
                    bad("animal", f"{animal} … {w}{food}")
            if w == "在" and i + 2 < len(words) and words[i + 1] in _PLACES:
                bad("animal", f"{animal} 在{words[i + 1]}")
            if w == "在" and i + 3 < len(words) and words[i + 1] in _LOC and words[i + 2] in _SIDES:
                act = next((_IV[x] for x in words[i + 3:] if x in _IV), None)  # 猫在床上睡觉
                if act and (words[i + 1], words[i + 2]) not in sem.ANIMAL_SPOTS.get(act, ()):
                    bad("animal", f"{animal} 在{words[i + 1]}{words[i + 2]}{act}")
    # self-reference: 比 and giving
    def person_np(ws):  # 他哥哥, 汤姆的妈妈, 我们: the person phrase at the front of `ws`; None if it owns a thing
        out = []
        for x in ws:
            if x not in _PEOPLE_WORDS and x != "的":
                break
            out.append(x)
        return None if not out or out[-1] == "的" else "".join(out)

    for marker in ("比", "给", "送", "借给", "教"):
        if marker in words:
            i = words.index(marker)
            subj = person_np(words[start:])
            other = person_np(words[i + 1 + (i + 1 < len(words) and words[i + 1] == "了"):])
            if subj and other and (subj == other or (subj in pron and other in pron
                                                     and (subj.startswith(other) or other.startswith(subj)))):
                bad("self", c)
    # attachment: a main-clause time/place word, then the main verb, then a relative clause (… V的 N)
    for i, (w, k) in enumerate(toks):
        if k == "time" and en_start.startswith(_TIME_EN[w].lower() + " "):
            break  # the English says the time first ("Yesterday Tom read the book Mary bought"): it cannot attach
        if k == "time" or (w == "在" and i + 1 < len(words) and words[i + 1] in _PLACES):
            for d in range(i + 1, len(toks)):
                if words[d] == "的" and at[d] in rc_de:
                    verbs = [x for x, kk in toks[i + 1:d] if kk in ("verb", "iv")]
                    if len(verbs) >= 2:
                        bad("attachment", c)
                    break
            break


def _lead_people(clause):
    """The people a clause starts with (小红和我哥哥 → {小红, 我哥哥}); empty if it starts otherwise."""
    out, cur = set(), ""
    for w, k in tokens(clause):
        if k == "person" or (w == "的" and cur):
            cur += w
        elif w == "和" and cur:
            out.add(cur)
            cur = ""
        else:
            break
    return out | {cur} if cur else out


def _check_list(cl, bad):
    """The ``list`` rule on one sentence's clauses (see the module docstring)."""
    if cl[0].startswith("如果"):  # 如果…，我们就…: a condition, not a list
        return
    scene = not any(k in ("verb", "iv") for _, k in tokens(cl[0]))  # 昨天晚上在家，…: the time and place of all
    real = cl[1:] if scene else cl
    items = [c for c in real[1:] if tokens(c)[0][1] != "conn"]
    if not items:
        return
    first = real[0]
    seen = set()
    for c in [first] + items:
        who = _lead_people(c)
        if c is not first and c.startswith(("他", "她")):
            bad("list", c)
        if who & seen:
            bad("list", c)
        seen |= who
        if scene and cl[0].startswith(tuple(t for t, _ in lx.HABIT_TIMES)) and ("回家" in c or "去" in c):
            bad("list", c)


def audit(pairs):
    """Check pairs (with ``.zh``, ``.en`` and ``.alignment``) against the rules: {rule: [(index, message), …]}."""
    found = {r: [] for r in RULES}
    for n, p in enumerate(pairs):
        def bad(rule, msg, n=n):
            found[rule].append((n, msg))
        rc_de = _rc_de(p)
        cl = []
        for c, offset in _clauses(p.zh):
            _check_clause(c, tokens(c), bad, rc_de, offset, p.en.lower() if not cl else "")
            cl.append(c)
        if re.search("没[^，。？]*过", p.zh) and "never" not in p.en:
            bad("guo", p.zh)
        _check_list(cl, bad)
        for i, c in enumerate(cl[1:], 1):
            prev = cl[i - 1]
            if c.startswith("然后") and (re.search("不|没|很", c + prev) or "下雨" in prev or "下雪" in prev):
                bad("then", c)
            if c.startswith("所以") and not cl[0].startswith("因为") and not _CAUSE.search(prev):
                bad("so", c)
            if i == 1 and cl[0].startswith("因为") and not _CAUSE.search(cl[0]):
                bad("so", cl[0])
            if i == 1 and cl[0].startswith("如果") and not re.search("下雨|下雪|累|饿|忙|高兴|去", cl[0]):
                bad("if", cl[0])
            if c.startswith("但是"):
                shared = set(x for x, k in tokens(c) if k in ("verb", "iv")) & set(
                    x for x, k in tokens(prev) if k in ("verb", "iv"))
                antonym = any(a in prev and b in c for a, b in sem.ANTONYMS.items())
                if not (_CAUSE.search(prev) or shared or antonym):
                    bad("but", c)
                went = re.search("没去(" + "|".join(sem.ALTERNATIVES) + ")", prev)
                if went and not re.search("去了?(" + "|".join(sem.ALTERNATIVES[went.group(1)]) + ")", c):
                    bad("but", c)  # not "didn't go to the bank, but went to the library"
    return found
