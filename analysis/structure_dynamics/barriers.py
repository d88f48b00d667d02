"""Energy barriers from softness: P_R(S) at several temperatures and the Kramers fit per bin.

Schoenholz et al. (Nat. Phys. 12, 469 (2016)); Obadiya (PhD thesis, Emory 2025,
Fig. 1.6, Fig. 2.4): the probability P_R that a particle of softness S
rearranges (p_hop > p_c) is fitted per softness bin to the Kramers form

    P_R(S, T) = (1/T) exp(Sigma(S)) exp(-Delta E(S) / T),

i.e. ln(T P_R) = Sigma - Delta E / T, a straight line in 1/T, by weighted
least squares with the binomial variance of ln P_R, var = (1 - P) / (n P).
The error bars of Delta E and Sigma are the standard errors of the fit.
With ``zscore=(mean, sigma)`` the bins are in x = (S - mean) / sigma
(the Z-score of Obadiya 2025, sec. 2.4 and 3.3.2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from slowdyn.common.plotting import figure_axes
from .._compute import Compute, computed_property


def kramers_fit(temperatures: np.ndarray, p: np.ndarray, counts: np.ndarray) -> tuple[float, float, float, float]:
    """(Delta E, Sigma, err Delta E, err Sigma) of ln(T P) = Sigma - Delta E / T.

    Points with P = 0 or P = 1 or no count are left out; NaN with fewer than two points.
    """
    T, p, n = (np.asarray(a, dtype=np.float64) for a in (temperatures, p, counts))
    ok = (p > 0) & (p < 1) & (n > 0)
    if ok.sum() < 2:
        return (np.nan,) * 4
    x, y = 1.0 / T[ok], np.log(T[ok] * p[ok])
    var = (1.0 - p[ok]) / (n[ok] * p[ok])
    A = np.stack([np.ones_like(x), -x], axis=1)
    W = 1.0 / var
    cov = np.linalg.inv(A.T @ (A * W[:, None]))
    sigma, de = cov @ (A.T @ (W * y))
    if ok.sum() > 2:                                   # scale by the reduced chi^2 when it exceeds 1
        chi2 = float(((y - A @ np.array([sigma, de])) ** 2 * W).sum() / (ok.sum() - 2))
        cov = cov * max(1.0, chi2)
    return float(de), float(sigma), float(np.sqrt(cov[1, 1])), float(np.sqrt(cov[0, 0]))


class Barriers(Compute):
    """P_R per softness bin and temperature, and Delta E(S), Sigma(S).

    Parameters
    ----------
    bins : numpy.ndarray
        Edges of the softness (or Z-score) bins.
    zscore : tuple of float, optional
        ``(mean, sigma)``: bin x = (S - mean) / sigma instead of S.
    min_count : int
        Bins with fewer particles at a temperature are left out of the fit there.
    """

    compute_hint = "compute(softness, rearranged)"

    def __init__(self, bins: np.ndarray = np.linspace(-3, 3, 13), zscore: tuple[float, float] | None = None,
                 min_count: int = 20) -> None:
        self.bins = np.asarray(bins, dtype=np.float64)
        self.zscore = zscore
        self.min_count = int(min_count)

    def compute(self, softness: dict, rearranged: dict) -> "Barriers":
        """``softness[T]`` and ``rearranged[T]`` (bool) are arrays of equal shape at each temperature T.

        Raises
        ------
        ValueError
            With fewer than two temperatures, or arrays of unequal shape.
        """
        temps = sorted(softness)
        if len(temps) < 2:
            raise ValueError(f"the Kramers fit needs at least two temperatures, got {len(temps)}")
        nb = len(self.bins) - 1
        counts, hits = np.zeros((len(temps), nb)), np.zeros((len(temps), nb))
        for k, T in enumerate(temps):
            s, r = np.ravel(softness[T]), np.ravel(rearranged[T]).astype(bool)
            if s.shape != r.shape:
                raise ValueError(f"T = {T}: {s.size} softness values but {r.size} labels")
            ok = np.isfinite(s)
            s, r = s[ok], r[ok]
            if self.zscore is not None:
                s = (s - self.zscore[0]) / self.zscore[1]
            idx = np.digitize(s, self.bins) - 1
            inside = (idx >= 0) & (idx < nb)
            counts[k] = np.bincount(idx[inside], minlength=nb)
            hits[k] = np.bincount(idx[inside], weights=r[inside], minlength=nb)
        self.temperatures = np.array(temps, dtype=np.float64)
        self.counts = counts
        with np.errstate(invalid="ignore", divide="ignore"):
            self.p_r = np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)
        fits = []
        for b in range(nb):
            use = counts[:, b] >= self.min_count
            fits.append(kramers_fit(self.temperatures[use], self.p_r[use, b], counts[use, b]))
        self._fits = np.array(fits)
        return self

    @computed_property
    def centres(self) -> np.ndarray:
        """Bin centres."""
        return 0.5 * (self.bins[1:] + self.bins[:-1])

    @computed_property
    def delta_e(self) -> np.ndarray:
        """Delta E per bin (NaN where the fit had fewer than two points)."""
        return self._fits[:, 0]

    @computed_property
    def sigma(self) -> np.ndarray:
        """Sigma per bin."""
        return self._fits[:, 1]

    @computed_property
    def delta_e_err(self) -> np.ndarray:
        return self._fits[:, 2]

    @computed_property
    def sigma_err(self) -> np.ndarray:
        return self._fits[:, 3]

    def table(self) -> np.ndarray:
        """Columns: bin centre, Delta E, err, Sigma, err."""
        return np.column_stack([self.centres, self.delta_e, self.delta_e_err, self.sigma, self.sigma_err])

    def summary(self) -> dict[str, float]:
        ok = np.isfinite(self.delta_e)
        if ok.sum() >= 2:
            slope = np.polyfit(self.centres[ok], self.delta_e[ok], 1)
            return {"bins_fitted": float(ok.sum()), "dE_slope": float(slope[0]), "dE_at_0": float(slope[1])}
        return {"bins_fitted": float(ok.sum())}

    def plot(self, ax=None):
        """P_R against 1/T per bin with the Kramers lines (Fig. 1.6)."""
        from matplotlib import colormaps

        fig, ax = figure_axes(ax)
        x = 1.0 / self.temperatures
        xs = np.linspace(x.min(), x.max(), 50)
        cmap = colormaps["coolwarm"]
        span = max(float(np.abs(self.centres).max()), 1e-12)
        for b, c in enumerate(self.centres):
            if not np.isfinite(self.delta_e[b]):
                continue
            color = cmap(0.5 + 0.5 * c / span)
            ax.semilogy(x, self.p_r[:, b], "o", ms=4, color=color, label=f"{c:+.2g}")
            ax.semilogy(xs, np.exp(self.sigma[b] - self.delta_e[b] * xs) * xs, "-", color=color, lw=0.8)
        ax.set_xlabel("1/T")
        ax.set_ylabel("P_R")
        ax.legend(title="x" if self.zscore else "S", fontsize=6, ncol=2)
        return fig

    def plot_barriers(self, ax=None):
        """Delta E(S) and Sigma(S) with error bars (Fig. 2.4)."""
        fig, axes = figure_axes(ax, 1, 2, figsize=(8, 3.2))
        name = "x" if self.zscore else "S"
        axes[0].errorbar(self.centres, self.delta_e, self.delta_e_err, fmt="o", ms=4)
        axes[0].set_xlabel(name)
        axes[0].set_ylabel("Delta E")
        axes[1].errorbar(self.centres, self.sigma, self.sigma_err, fmt="s", ms=4)
        axes[1].set_xlabel(name)
        axes[1].set_ylabel("Sigma")
        fig.tight_layout()
        return fig

    def write(self, folder: str | Path) -> list[Path]:
        """``barriers.txt`` (bin, Delta E, err, Sigma, err), ``p_r.txt``, ``p_r.png``, ``barriers.png``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        name = "x" if self.zscore else "S"
        out = [folder / "barriers.txt", folder / "p_r.txt", folder / "p_r.png", folder / "barriers.png"]
        np.savetxt(out[0], self.table(), header=f"{name} DeltaE err_DeltaE Sigma err_Sigma")
        np.savetxt(out[1], np.column_stack([self.temperatures, self.p_r]),
                   header=f"T P_R per bin, bin centres {name} = " + " ".join(f"{c:g}" for c in self.centres))
        self.plot().savefig(out[2], dpi=120)
        self.plot_barriers().savefig(out[3], dpi=120)
        return out


__all__ = ["Barriers", "kramers_fit"]
