"""Adjuncts of the corpus grammar: time words, place phrases and the spots where animals and things are.

Split from ``noun_phrase`` (which re-exports them): 昨天 ↔ yesterday, 在公园 ↔ in the park, 在桌子上 ↔ on the table.
Each returns (zh pieces, en pieces) with their alignment links; ``_NONE`` is the empty adjunct.
"""

from __future__ import annotations

from . import lexicon as lx
from . import semantics as sem
from .pieces import _E, _L, _Z

_NONE = ([], [])


def _time(ch, options, p, key="time"):
    """Maybe (probability p) a time word: 昨天 ↔ yesterday. Returns (zh, en) pieces."""
    t = ch.pick(key, options) if p >= 1.0 else ch.maybe(key, options, p)
    if t is None:
        return _NONE
    lk = _L()
    ch.tag("time")
    return _Z(t[0], lk), _E(t[1], lk)


_PLACE_BY_ZH = {pl.zh: pl for pl in lx.PLACES + [lx.HOME]}


def _place(ch, p, *, fits=(), key="place"):
    """Maybe a place adjunct where the action is done: 在公园 ↔ in the park. `fits`: the Chinese places
    that make sense for it (``semantics.places_for``); none: no place phrase."""
    place = ch.maybe(key, [_PLACE_BY_ZH[z] for z in fits], p) if fits else None
    if place is None:
        return _NONE
    ch.tag("place")
    return _place_phrase(place)


def _animal_spot(ch, act, p, key="place"):
    """Maybe where an animal does `act`: 在床上 ↔ on the bed (``semantics.ANIMAL_SPOTS``)."""
    spots = sem.ANIMAL_SPOTS.get(act, [])
    if not spots or not ch.chance(key + "_loc", p):
        return _NONE
    return _loc(ch.sub(key), spots=spots)


def _place_phrase(place):
    """在公园 ↔ in the park (在 ↔ in, 公园 ↔ park; "the" unaligned)."""
    a, b = _L(), _L()
    w = place.at.split()
    return _Z("在", a) + _Z(place.zh, b), _E(w[0], a) + _place_words(w[1:], b)


def _place_words(words, link):
    """The English words of a place after its preposition: an article ("the", "a") unaligned, the rest ("train
    station") linked."""
    return [(x, () if x in ("the", "a") else (link,)) for x in words]


def _loc(ch, zai=True, *, thing=None, spots=None):
    """A noun with a localiser: 在桌子上 ↔ on the table, 在他的包里 ↔ in his bag.

    thing: a Chinese noun that must fit there (``semantics.LOCATION_HOLDS``); spots: the allowed
    (noun, localiser) pairs."""
    def ok(noun, lz):
        return (spots is None or (noun, lz) in spots) and (thing is None or thing in sem.LOCATION_HOLDS[(noun, lz)])

    noun, en, sides = ch.pick("loc", [(n, e, sd) for n, e, sd in lx.LOCATIONS if any(ok(n, lz) for lz, _ in sd)])
    lz, prep = ch.pick("side", [(lz, prep) for lz, prep in sides if ok(noun, lz)])
    a, b, lo = _L(), _L(), _L()
    owner = ch.maybe("owner", lx.PRONOUNS, 0.2) if noun not in ("河", "树") else None
    oz, oe = (_Z(owner.zh + "的", lo), _E(owner.poss, lo)) if owner else ([], _E("the"))
    ch.tag("place")
    return (_Z("在", a) if zai else []) + oz + _Z(noun, b) + _Z(lz, a), _E(prep, a) + oe + _E(en, b)
