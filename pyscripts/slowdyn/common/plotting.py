"""Figures without pyplot: the library draws on ``matplotlib.figure.Figure``
objects (no global state, no backend switch) and returns them.
"""

from __future__ import annotations

from .optional import require


def subplots(nrows: int = 1, ncols: int = 1, figsize=None, **kwargs):
    """``(Figure, axes)`` like ``pyplot.subplots``, but the Figure belongs to no pyplot state."""
    figure = require("matplotlib.figure", "plotting", "analysis")
    fig = figure.Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


__all__ = ["subplots"]
