"""Reference answers and checkers for the notebooks' exercises, one module per notebook.

``helpers.teaching.exercises.nb01`` holds notebook 01's: each exercise has a reference solution, a
few functions that make a typical mistake on purpose (so the checker can recognise it and
print a targeted hint), and a ``check_...`` function that the notebook's ``check`` cell calls.
"""
