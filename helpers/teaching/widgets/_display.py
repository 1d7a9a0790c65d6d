"""Showing a matplotlib figure inside a widget's output area (shared by every explorer)."""

from __future__ import annotations


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    return get_ipython() is not None


def _show(figure) -> None:
    """Display ``figure`` in the current output (inside a kernel), then close it so it is not drawn twice."""
    import matplotlib.pyplot as plt

    if _in_ipython():
        from IPython.display import display

        display(figure)
    plt.close(figure)
