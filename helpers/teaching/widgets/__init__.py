"""Interactive explorers (ipywidgets) for the notebooks, one module per notebook family.

Each explorer is split in three so it can be tested without a browser:

1. a *state* function that computes every number the widget shows (plain, unit-tested);
2. a *draw* function that turns a state into a matplotlib figure (also usable on its own,
   e.g. for a static figure in slides or an HTML export);
3. a small class that wires sliders to 1 and 2 and shows the figure in an ``ipywidgets.Output``.

Modules:

- ``attention``: ``attention_explorer()`` moves a 2-D query among 2-D keys and shows the attention
  weights and the output (notebook 01); ``head_browser(...)`` browses every attention map of a
  Transformer, layer × head × kind, for one sentence (notebook 04).
- ``decoding``: ``decoding_viewer(translation)``, the translation animation of notebook 03 as a
  slider (and a Play button) over the output steps.
- ``sampling``: ``sampling_explorer(model, codec)``, the temperature, top-k and top-p sliders of
  notebook 05, whose numbers agree exactly with ``helpers.generate.sample_next``.

Imported by the notebooks (``from helpers.teaching.widgets.attention import attention_explorer``).
Nothing here trains a model.
"""
