"""Figures without pyplot: the library draws on ``matplotlib.figure.Figure``
objects (no global state, no backend switch) and returns them.

Every plot method and function takes ``ax=None``: a matplotlib Axes to draw
on, or, for a figure of several panels, the Axes of all of them (an array of
the documented shape, e.g. ``fig.subplots(1, 2)``); by default a new Figure.
It returns the Figure. :func:`figure_axes` implements the rule.
"""

from __future__ import annotations

from .optional import require


def subplots(nrows: int = 1, ncols: int = 1, figsize=None, **kwargs):
    """``(Figure, axes)`` like ``pyplot.subplots``, but the Figure belongs to no pyplot state."""
    figure = require("matplotlib.figure", "plotting", "analysis")
    fig = figure.Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def figure_axes(ax, nrows: int = 1, ncols: int = 1, figsize=None, **kwargs):
    """``(Figure, axes)`` for the ``ax`` argument of a plot: new ones (:func:`subplots`) when ``ax`` is None,
    else the given Axes, one or ``nrows x ncols`` of them, shaped as :func:`subplots` returns them.

    Raises
    ------
    ValueError
        When ``ax`` holds another number of Axes than the plot has panels.
    """
    if ax is None:
        return subplots(nrows, ncols, figsize=figsize, **kwargs)
    import numpy as np

    flat = np.asarray(ax, dtype=object).reshape(-1)
    if flat.size != nrows * ncols:
        raise ValueError(f"ax: this plot draws {nrows} x {ncols} panels, got {flat.size} Axes")
    if not kwargs.get("squeeze", True):
        axes = flat.reshape(nrows, ncols)
    elif flat.size == 1:
        axes = flat[0]
    else:
        axes = flat if 1 in (nrows, ncols) else flat.reshape(nrows, ncols)
    return flat[0].figure, axes


__all__ = ["figure_axes", "subplots"]
