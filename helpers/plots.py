"""Figures for the course: one style, a CJK font, and the heatmap every notebook uses.

- ``use_course_style()`` registers the Noto Sans CJK font shipped by the PyPI package
  ``noto-cjk-sans-otc`` and sets a consistent, readable matplotlib style, so Chinese
  labels render in every figure without "Glyph missing" warnings.
- ``show_heatmap(matrix, row_labels, col_labels)`` draws one matrix (an attention map, a
  mask) with Chinese or English tick labels; ``show_heatmaps`` draws a grid of them.
- ``plot_history`` draws loss curves.

Nothing here trains a model.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib

CJK_FAMILY = "Noto Sans CJK SC"  # the simplified-Chinese face of the Noto CJK collection

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.frameon": False,
    "image.cmap": "viridis",
    # A minus sign that every font has, so negative ticks never fall back to a missing glyph.
    "axes.unicode_minus": False,
}


def cjk_font_path() -> str:
    """Path of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``.

    Raises a ``RuntimeError`` that says what to install when the package is missing.
    """
    try:
        import noto_cjk_sans_otc
    except ImportError as err:  # pragma: no cover - exercised only on a broken install
        raise RuntimeError(
            "The CJK font package is missing: run `pip install noto-cjk-sans-otc` "
            "(it is a dependency of this course; `make test` or `make lab` installs it)."
        ) from err
    return str(noto_cjk_sans_otc.FONT_PATH)


def use_course_style() -> None:
    """Register the CJK font and apply the course's matplotlib style (idempotent).

    Latin text keeps DejaVu Sans; characters DejaVu lacks (Chinese) fall back to Noto
    Sans CJK SC, because both families are listed in ``rcParams["font.family"]``.
    """
    from matplotlib import font_manager

    path = cjk_font_path()
    known = {f.fname for f in font_manager.fontManager.ttflist}
    if path not in known:
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams.update(_STYLE)
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", CJK_FAMILY]


def show_heatmap(
    matrix,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    *,
    ax=None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    cmap: str = "Blues",
    vmin: float | None = 0.0,
    vmax: float | None = None,
    colorbar: bool = True,
    annotate: bool = False,
    fmt: str = "{:.2f}",
):
    """Draw a 2-D matrix, e.g. attention weights of shape ``(len(rows), len(cols))``.

    ``matrix`` may be a torch tensor (any device, with or without grad) or an array; a
    leading batch/head dimension of size 1 is squeezed away. Rows are usually the
    queries (target words), columns the keys (source words). Returns the Axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    data = _to_numpy(matrix)
    while data.ndim > 2 and data.shape[0] == 1:
        data = data[0]
    if data.ndim != 2:
        raise ValueError(f"show_heatmap needs a 2-D matrix (rows, cols); got shape {tuple(data.shape)}")
    n_rows, n_cols = data.shape
    for name, labels, n in (("row_labels", row_labels, n_rows), ("col_labels", col_labels, n_cols)):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{name} has {len(labels)} labels but the matrix has {n} {name.split('_')[0]}s")
    if ax is None:
        width = min(12.0, 1.6 + 0.42 * n_cols)
        height = min(10.0, 1.2 + 0.36 * n_rows)
        _, ax = plt.subplots(figsize=(max(width, 3.0), max(height, 2.2)))
    image = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(n_cols))
    ax.set_yticks(range(n_rows))
    ax.set_xticklabels(list(col_labels) if col_labels is not None else range(n_cols))
    ax.set_yticklabels(list(row_labels) if row_labels is not None else range(n_rows))
    ax.tick_params(axis="x", top=True, bottom=False, labeltop=True, labelbottom=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, pad=14)
    if xlabel:
        ax.set_xlabel(xlabel)
        ax.xaxis.set_label_position("top")
    if ylabel:
        ax.set_ylabel(ylabel)
    if annotate:
        top = np.nanmax(data) if data.size else 0.0
        for i in range(n_rows):
            for j in range(n_cols):
                colour = "white" if top and data[i, j] > 0.6 * top else "black"
                ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center", fontsize=8, color=colour)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def show_heatmaps(matrices, row_labels=None, col_labels=None, *, titles=None, ncols=None, figsize=None, **kwargs):
    """Draw several matrices side by side (e.g. one per attention head). Returns the figure."""
    import matplotlib.pyplot as plt

    mats = [_to_numpy(m) for m in matrices]
    if not mats:
        raise ValueError("show_heatmaps needs at least one matrix")
    ncols = ncols or min(4, len(mats))
    nrows = -(-len(mats) // ncols)
    if figsize is None:
        figsize = (3.4 * ncols, 3.0 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(mats):
            ax.axis("off")
            continue
        show_heatmap(
            mats[k], row_labels, col_labels, ax=ax,
            title=titles[k] if titles else None, colorbar=False, **kwargs,
        )
    fig.tight_layout()
    return fig


def plot_history(history: dict[str, Sequence[float]], *, ax=None, xlabel: str = "step", title: str | None = None):
    """Plot named curves, e.g. ``{"train loss": [...], "valid loss": [...]}``. Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    for name, values in history.items():
        ax.plot(list(values), label=name)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def _to_numpy(x):
    import numpy as np

    if hasattr(x, "detach"):
        x = x.detach().float().cpu().numpy()
    return np.asarray(x, dtype=float)
