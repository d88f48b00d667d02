"""The result guard of the post-processing classes (``slowdyn.analysis._compute``): the base marks
the results as available when ``compute`` returns, without the class doing it."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis._compute import Compute, computed_property


class Mean(Compute):
    compute_hint = "compute(x)"

    def compute(self, x):
        x = np.asarray(x, float)
        if x.size == 0:
            raise ValueError("no data")
        self._mean = float(x.mean())
        return self

    @computed_property
    def mean(self) -> float:
        return self._mean

    def plot(self, ax=None):
        return self._mean      # would be an AttributeError before compute without the guard

    def summary(self) -> dict[str, float]:
        return {"mean": self._mean}


class CentredMean(Mean):
    """A subclass that extends compute through super()."""

    def compute(self, x, centre=0.0):
        super().compute(np.asarray(x, float) - centre)
        if centre < 0:
            raise ValueError("negative centre")
        return self


def test_compute_marks_the_results_without_the_class_doing_it():
    m = Mean()
    with pytest.raises(RuntimeError, match=r"Mean: call compute\(x\) first"):
        _ = m.mean
    for output in (m.plot, m.summary):     # the outputs are guarded like the results
        with pytest.raises(RuntimeError, match=r"Mean: call compute\(x\) first"):
            output()
    assert m.compute([1.0, 2.0, 6.0]).mean == pytest.approx(3.0)
    assert m.summary() == {"mean": 3.0} and m.plot() == 3.0


def test_a_failed_compute_leaves_no_results():
    m = Mean().compute([1.0, 3.0])
    with pytest.raises(ValueError, match="no data"):
        m.compute([])
    with pytest.raises(RuntimeError):   # the results of the first call are not shown as those of the second
        _ = m.mean
    c = CentredMean()
    with pytest.raises(ValueError, match="negative centre"):   # fails after super().compute() returned
        c.compute([1.0, 3.0], centre=-1.0)
    with pytest.raises(RuntimeError):
        _ = c.mean
    assert c.compute([1.0, 3.0], centre=1.0).mean == pytest.approx(1.0)


def test_library_classes_return_results_after_compute():
    from slowdyn.analysis.observables.energy import EnergyConservation

    series = {dt: 3.0 * dt ** 2 * (np.tile([-1.0, 1.0], 50) + 7.0) for dt in (1e-3, 2e-3)}
    ec = EnergyConservation()
    assert ec.compute(series) is ec and ec.exponent == pytest.approx(2.0, abs=1e-9)
    assert EnergyConservation.compute.__doc__ is not None     # the wrapper keeps the documentation


def test_flat_summary_of_nested_mappings_and_rows():
    from slowdyn.analysis._compute import flat_summary

    assert flat_summary({"clean": {"nnls": {"mse": np.float32(2.0)}}, "n": 3}) == {"clean/nnls/mse": 2.0, "n": 3.0}
    rows = [{"phi": 0.6, "method": "nnls", "rmse": 1e-3}, {"phi": 0.65, "method": "nnls", "rmse": 2e-3}]
    assert flat_summary(rows, keys=("phi", "method")) == {"0.6/nnls/rmse": 1e-3, "0.65/nnls/rmse": 2e-3}
