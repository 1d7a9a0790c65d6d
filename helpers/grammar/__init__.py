"""The zh–en sentence generator behind ``helpers.corpus``: a wing below the core.

Five levels, each importing only the ones below it (and the standard library):

- ``lexicon``: the words, with their Chinese and English forms and semantic classes;
- ``noun_phrase``: the choices a sentence makes (``Chooser``), linked zh/en pieces, noun phrases, time and place;
- ``clause``: one clause from a predicate (tense, aspect, negation, questions);
- ``kinds``: the fifteen clause kinds (transitive, 把, 被, 比, …) and the tenses each takes;
- ``sentence``: one clause of a kind, and sentences of one to four joined clauses.

Only ``helpers.corpus`` imports this package (and the experiments that build prompts from the grammar). It
re-exports the entry points corpus uses, so ``from helpers import grammar; grammar.sentence(...)`` reads as
before; everything else is internal to the grammar. Nothing here imports torch or the rest of ``helpers``.
"""

from .sentence import CLAUSE_KINDS, Chooser, Retry, assemble, clause, sentence

__all__ = ["CLAUSE_KINDS", "Chooser", "Retry", "assemble", "clause", "sentence"]
