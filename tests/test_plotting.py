"""The plot convention of the library (``slowdyn.common.plotting``): every plot takes ``ax=None``, one
Axes or the Axes of all its panels, draws there and returns their Figure."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")


def _kernel_results():
    t = np.logspace(-3, 1, 40)
    return [{"q": q, "t_kernel": t, "m": np.exp(-t / q), "t": t, "F": np.exp(-q * t), "F_rec": np.exp(-q * t),
             "rmse": 1e-3, "m0": 1.0, "m0_asymptotic": 0.9, "m0_kk": 1.1} for q in (3.0, 6.0)]


def test_multi_panel_plot_draws_on_the_given_axes():
    from slowdyn.analysis.memory.plots import plot_kernels, plot_m0
    from slowdyn.common.plotting import subplots

    fig, axes = subplots(2, 2)
    assert plot_kernels(_kernel_results(), ax=axes[0]) is fig
    assert len(axes[0, 0].lines) == 2 and len(axes[0, 1].lines) == 4   # kernels; data and reconstruction
    assert plot_m0(_kernel_results(), ax=axes[1]) is fig
    assert len(axes[1, 0].lines) == 3   # chosen, asymptotic and Kramers-Kronig m0
    new = plot_kernels(_kernel_results())                               # default: a Figure of its own
    assert new is not fig and len(new.axes) == 2


def test_one_panel_plot_and_a_wrong_number_of_axes():
    from slowdyn.analysis.memory.plots import plot_kernels
    from slowdyn.analysis.observables.energy import EnergyConservation
    from slowdyn.common.plotting import subplots

    ec = EnergyConservation().compute({dt: 3.0 * dt ** 2 * (np.tile([-1.0, 1.0], 50) + 7.0) for dt in (1e-3, 2e-3)})
    fig, ax = subplots()
    assert ec.plot(ax=ax) is fig and len(ax.lines) == 2
    with pytest.raises(ValueError, match="1 x 2 panels, got 1 Axes"):
        plot_kernels(_kernel_results(), ax=ax)
