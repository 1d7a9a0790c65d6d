"""The zh–en sentence generator behind ``helpers.corpus``: a wing below the core.

Eight modules in seven levels, each importing only the ones below it (and the standard library):

- ``lexicon``: the words, with their Chinese and English forms; ``semantics``: what makes sense together (who
  does what, where, to what and how many; which clauses a connective joins);
- ``pieces``: the choices a sentence makes (``Chooser``) and linked zh/en pieces;
- ``adjuncts``: time words and place phrases; ``noun_phrase``: noun phrases and relative clauses;
- ``clause``: one clause from a predicate (tense, aspect, negation, questions);
- ``kinds`` and ``states``: the fifteen clause kinds (transitive, 把, 被, 比, …) and the tenses each takes;
- ``sentence``: one clause of a kind, and sentences of one to four clauses whose connectives connect.

``audit`` reads generated pairs back with the lexicon and checks them against ``semantics`` (used by
``benchmarks/audit_corpus.py`` and the tests).

Only ``helpers.corpus`` imports this package (and the experiments that build prompts from the grammar). It
re-exports the entry points corpus uses, so ``from helpers import grammar; grammar.sentence(...)`` reads as
before; everything else is internal to the grammar. Nothing here imports torch or the rest of ``helpers``.
"""

from .sentence import CLAUSE_KINDS, Chooser, Retry, assemble, clause, sentence

__all__ = ["CLAUSE_KINDS", "Chooser", "Retry", "assemble", "clause", "sentence"]
