"""Figures of the kernel pipeline (matplotlib Figures, no pyplot state)."""

from __future__ import annotations

import numpy as np

from slowdyn.common.plotting import figure_axes


def plot_kernels(results: list[dict], ax=None):
    """Kernels (log t) and reconstructed SISFs against the data; one colour per q.

    ``results``: dicts with ``q, t_kernel, m, t, F, F_rec, rmse, m0`` and optionally the band
    ``m_lo, m_hi`` (shaded); ``ax``: two Axes (default: a new Figure). Returns the Figure.
    """
    fig, axes = figure_axes(ax, 1, 2, figsize=(10, 4))
    for k, r in enumerate(results):
        c = f"C{k % 10}"
        sel = r["m"] > 0
        if "m_lo" in r and "m_hi" in r:
            on = sel & (r["m_hi"] > 0)
            axes[0].fill_between(r["t_kernel"][on], np.maximum(r["m_lo"][on], 1e-300), r["m_hi"][on], color=c,
                                 alpha=0.25, lw=0)
        axes[0].loglog(r["t_kernel"][sel], r["m"][sel], color=c, label=f"q = {r['q']:g}")
        axes[1].semilogx(r["t"], r["F"], ".", color=c, ms=3)
        axes[1].semilogx(r["t"], r["F_rec"], "-", color=c, label=f"q = {r['q']:g}: RMSE {r['rmse']:.1e}")
    axes[0].set_xlabel("t")
    axes[0].set_ylabel("m(q, t)")
    top = max(float(np.max(r["m"])) for r in results)
    axes[0].set_ylim(1e-4 * top, 3 * top)
    axes[1].set_xlabel("t")
    axes[1].set_ylabel("F_s(q, t)")
    axes[1].set_title("data (dots), time-domain MZ with the kernel (lines)", fontsize="small")
    for ax in axes:
        ax.legend(fontsize="x-small")
    fig.tight_layout()
    return fig


def plot_m0(results: list[dict], scaling: dict | None = None, ax=None):
    """``q^2 m0`` against q (chosen, asymptotic, Kramers-Kronig, scaling fit) and the
    iterative error curves against ``q^2 m0`` (Figs. 4.18/4.19); ``ax``: two Axes (default: a new
    Figure). Returns the Figure.
    """
    fig, axes = figure_axes(ax, 1, 2, figsize=(10, 4))
    q = np.array([r["q"] for r in results])
    for key, style, label in (("m0", "o-", "chosen"), ("m0_asymptotic", "s--", "asymptotic (4.52)"),
                              ("m0_kk", "^--", "Kramers-Kronig (4.53)"), ("m0_iterative", "x:", "iterative"),
                              ("m0_check", "v:", "spectral, resolve 0.3")):
        vals = np.array([r.get(key, np.nan) for r in results], dtype=float)
        if np.any(np.isfinite(vals)):
            axes[0].plot(q, q**2 * vals, style, label=label)
    if scaling is not None:
        qq = np.linspace(q.min(), q.max(), 100)
        axes[0].plot(qq, scaling["alpha"] + scaling["beta"] * qq, "k-",
                     label=f"a(1 + bq): a = {scaling['a']:.3g}, b = {scaling['b']:.3g}")
    axes[0].set_xlabel("q")
    axes[0].set_ylabel(r"$q^2 m_0$")
    axes[0].legend(fontsize="x-small")
    for k, r in enumerate(results):
        trials = sorted(r.get("trials", []))
        if trials:
            m, e = np.array(trials).T
            ok = np.isfinite(e)
            axes[1].loglog(r["q"] ** 2 * m[ok], e[ok], ".-", color=f"C{k % 10}", label=f"q = {r['q']:g}")
    axes[1].set_xlabel(r"trial $q^2 m_0$")
    axes[1].set_ylabel("RMSE of the reconstructed SISF")
    if axes[1].lines:
        axes[1].legend(fontsize="x-small")
    fig.tight_layout()
    return fig
