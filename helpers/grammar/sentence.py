"""The sentence level of the corpus grammar: one clause of a kind, and sentences of 1–4 joined clauses.

The top of the grammar behind ``helpers.corpus``. ``sentence`` joins clauses (their kinds are in ``kinds``) with
然后, 但是, 所以, 因为…所以… and 如果…就…; the first clause has the time word and sets the tense frame.

What ``helpers.corpus`` uses (re-exported by ``helpers.grammar``): ``Chooser`` and ``Retry``, ``sentence`` (a random
sentence), ``clause`` (one clause of a given kind), ``CLAUSE_KINDS`` and ``assemble`` (pieces → strings and
alignment). Imports only the standard library and the lower grammar modules.
"""

from __future__ import annotations

from .kinds import _ALL_Q, _F, _FN, _KINDS, _P, _PN, _PR, _PRN, _SINGLE_TAMS, CLAUSE_KINDS
from .noun_phrase import _E, _L, _Z, Chooser, Retry, assemble

__all__ = ["Chooser", "Retry", "CLAUSE_KINDS", "sentence", "clause", "assemble"]


_FRAMES = {"past": (_P, _PN), "present": (_PR, _PRN), "future": (_F, _FN)}
_CONNECTORS = {  # zh, en (after a comma), tag
    "then": ("然后", "and then", "coord_then"), "but": ("但是", "but", "coord_but"), "so": ("所以", "so", "coord_so"),
}


def clause(ch, kind):
    """One clause of the given kind (a name in ``CLAUSE_KINDS``), any tense and question form:
    (zh pieces, en pieces, is_question). ``realise`` builds its single-clause sentences with it."""
    return _one_clause(ch, _SINGLE_TAMS, _ALL_Q, True, (kind,))


def _one_clause(ch, allowed_tams, qs, time_ok, kinds=None):
    names = [k for k in (kinds or _KINDS) if set(_KINDS[k][2]) & set(allowed_tams)]
    name = ch.pick("kind", names, [_KINDS[k][1] for k in names])
    fn, _, tams = _KINDS[name]
    return fn(ch, [t for t in tams if t in allowed_tams], qs, time_ok)


def sentence(ch, n_clauses, novel_at=None):
    """A whole sentence of `n_clauses` (1–4) clauses: (zh pieces, en pieces, is_question).

    Two or more clauses are joined with 然后, 但是, 所以, 因为…所以… or 如果…就…; only the first clause
    has a time word, and it sets the tense frame of the others. ``novel_at``: the index of the clause
    that must be a 把/被 clause with a held-out noun (test_novel), or None.
    """
    def kinds(i):
        return ("ba", "bei") if i == novel_at else None

    if n_clauses == 1:
        return _one_clause(ch, _SINGLE_TAMS, _ALL_Q, True, kinds(0))
    first = ch.pick("conn", ["then", "but", "so", "because", "if"], [3, 3, 2, 2.5, 1.5])
    frames = ["future"] if first == "if" else ["past", "future"] if first == "then" else ["past", "present", "future"]
    frame = ch.pick("frame", frames, [{"past": 5, "present": 3, "future": 3}[f] for f in frames])
    clauses = []
    for i in range(n_clauses):  # only the first clause has a time word: it sets the frame
        sub = ch.sub(f"c{i}")
        sub.novel = i == novel_at
        tams = ("cond", "cond_neg") if first == "if" and i == 0 else _FRAMES[frame]
        zh, en, _ = _one_clause(sub, tams, ("decl",), i == 0, kinds(i))
        if first == "if" and i == 1:  # 如果…，我就会… : 就 after the subject
            zh = _insert_jiu(zh)
        clauses.append((zh, en))
    lk = _L()
    zh, en = list(clauses[0][0]), list(clauses[0][1])
    if first == "because":
        zh, en = _Z("因为", lk) + zh, _E("because", lk) + en
        ch.tag("coord_because")
    elif first == "if":
        zh, en = _Z("如果", lk) + zh, _E("if", lk) + en
        ch.tag("conditional")
    used = {first, "so"} if first == "because" else {first}  # 因为…所以…, 所以… would repeat 所以
    for i, (czh, cen) in enumerate(clauses[1:]):
        conn = first if i == 0 else ch.pick(f"conn{i + 1}", [c for c in ("then", "but", "so") if c not in used
                                                              and (c != "then" or frame != "present")])
        used.add(conn)
        lc, lk = _L(), _L()
        if conn == "because":
            zh, en = zh + _Z("，", lc) + _Z("所以") + czh, en + _E(",", lc) + cen
        elif conn == "if":
            zh, en = zh + _Z("，", lc) + czh, en + _E(",", lc) + cen
        else:
            czh_, cen_, tag = _CONNECTORS[conn]
            words = cen_.split()
            zh = zh + _Z("，", lc) + _Z(czh_, lk) + czh
            en = en + _E(",", lc) + _E(" ".join(words[:-1])) + _E(words[-1], lk) + cen
            ch.tag(tag)
    return zh, en, False


def _insert_jiu(zh):
    """如果 A，S 就 会 …: put 就 before the first marker after the subject (会/不)."""
    for i, (t, _) in enumerate(zh):
        if t in ("会", "不"):
            return zh[:i] + _Z("就") + zh[i:]
    raise Retry("no place for 就")
