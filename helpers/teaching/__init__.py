"""Classroom tooling: exercise checkers, quizzes and widgets. Nothing here trains a model.

- ``checks``: ``check_function`` / ``check_value`` compare a learner's answer with a reference and print a hint;
- ``exercises``: one module per notebook (``exercises.nb01`` …) with reference solutions and their checkers;
- ``quiz``, ``quizzes`` and ``quizzes_06_07``: the quiz engine and each notebook's questions (``notebook_quiz("03")``);
- ``widgets``: the interactive explorers, one module per notebook family (attention, decoding, sampling).

Imported by the notebooks' exercise, check, quiz and widget cells and by their tests. It uses the core
(attention, plots, tokenize), never ``experiments`` or ``distributed`` (the tests check the quizzes' numeric
answers against ``helpers.experiments``); the core never imports it.
"""
