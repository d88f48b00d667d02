"""A learned hard-disk closure against the MCT it was trained on (Granz 2026,
§4.5.2, Figs. 4.37-4.39): critical packing fraction, non-ergodicity
parameters and time-domain SISFs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..critical import critical_point
from ..hard_disks import CLOSURE_GRID, HardDiskGrid, HardDisks2D
from .data import solve_hard_disks
from .solver import closure_correlator, closure_critical_packing, closure_nonergodicity


def _on_times(t_ref: np.ndarray, t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y(t)`` interpolated in log t onto ``t_ref``; zero beyond the end (a decayed liquid)."""
    out = np.empty((len(t_ref), y.shape[1]))
    lt, lr = np.log(t), np.log(t_ref)
    for k in range(y.shape[1]):
        out[:, k] = np.interp(lr, lt, y[:, k], right=0.0)
    return out


def sisf_rmse(weights: dict, q, packing: float, grid: HardDiskGrid = CLOSURE_GRID,
              mct: dict | None = None) -> dict:
    """RMSE over time and the network's q of the SISFs of the learned closure and of MCT.

    Returns ``{"rmse", "max_abs", "t", "sisf_mct", "sisf_net"}`` (on MCT's time points).
    """
    sol = mct or solve_hard_disks(packing, grid)
    idx = grid.indices(q)
    net = closure_correlator(weights, q, packing, grid)
    ref = sol["sisf"][:, idx]
    pred = _on_times(sol["t"], net["t"], net["sisf"])
    d = pred - ref
    return {"rmse": float(np.sqrt(np.mean(d ** 2))), "max_abs": float(np.max(np.abs(d))),
            "t": sol["t"], "sisf_mct": ref, "sisf_net": pred}


def evaluate_closure(weights: dict, q, grid: HardDiskGrid = CLOSURE_GRID,
                     sisf_packings=(0.455, 0.555, 0.605, 0.645, 0.669), near_packings=(0.675, 0.681, 0.685, 0.687),
                     f_offsets=(0.005, 0.01, 0.02, 0.04), tol: float = 1e-5, phi_c_mct: float | None = None,
                     progress: bool = False) -> dict:
    """Measure a learned hard-disk closure against MCT on ``grid``.

    Parameters
    ----------
    weights : dict
        Exported network (:func:`~slowdyn.analysis.mct.closures.network.export_weights`).
    q : array_like
        The network's wave numbers (on ``grid``).
    sisf_packings : sequence of float
        States for the SISF comparison away from the transition (the goal
        is stated for ``phi <= phi_c - 0.02``); the defaults are not in the
        shipped configuration's training states.
    near_packings : sequence of float
        States closer to the transition, reported separately (where the
        closure is expected to fail).
    f_offsets : sequence of float
        ``phi - phi_c`` of the glass states where f(q) is compared.
    phi_c_mct : float, optional
        MCT critical packing fraction of ``grid`` if already known (else bisected).

    Returns
    -------
    dict
        ``phi_c_mct``, ``phi_c_net``, ``f`` (per offset: q, f_mct, f_net,
        max_abs), ``sisf`` and ``sisf_near`` (per packing: rmse, max_abs).
    """
    q = np.asarray(q, dtype=float)
    idx = grid.indices(q)
    if phi_c_mct is not None:
        pc_mct = float(phi_c_mct)
    else:
        pc_mct = critical_point(lambda p: HardDisks2D(p, grid).nonergodicity(), 0.6, 0.75, tol)
    pc_net = closure_critical_packing(weights, q, 0.6, 0.75, tol)
    res: dict = {"q": q.tolist(), "phi_c_mct": pc_mct, "phi_c_net": pc_net, "f": [], "sisf": [],
                 "sisf_near": []}
    for off in f_offsets:
        p = pc_mct + off
        ref = HardDisks2D(p, grid).tagged_nonergodicity()["fs"][idx]
        net = closure_nonergodicity(weights, q, p)["f"]
        res["f"].append({"offset": float(off), "packing": float(p), "f_mct": ref.tolist(), "f_net": net.tolist(),
                         "max_abs": float(np.max(np.abs(net - ref)))})
    it = [(p, "sisf") for p in sisf_packings] + [(p, "sisf_near") for p in near_packings]
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="closure SISFs")
    curves = {}
    for p, key in it:
        r = sisf_rmse(weights, q, p, grid)
        res[key].append({"packing": float(p), "rmse": r["rmse"], "max_abs": r["max_abs"]})
        curves[float(p)] = r
    res["_curves"] = curves
    return res


def plot_sisfs(result: dict, q_index: int = 4, ax=None):
    """SISFs of MCT (solid) and of the learned closure (dashed) at one network q; returns the Figure."""
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.5, 3.8))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    for j, (p, r) in enumerate(sorted(result["_curves"].items())):
        ax.semilogx(r["t"], r["sisf_mct"][:, q_index], "-", color=f"C{j}", label=f"phi = {p:g}")
        ax.semilogx(r["t"], r["sisf_net"][:, q_index], "--", color=f"C{j}")
    ax.set_xlabel("t")
    ax.set_ylabel(f"S(q = {result['q'][q_index]:g}, t)")
    ax.set_title("MCT (solid) vs learned closure (dashed)", fontsize="small")
    ax.legend(fontsize="x-small")
    fig.tight_layout()
    return fig


def plot_nonergodicity(result: dict, ax=None):
    """f(q) of MCT (solid) and of the learned closure (dashed) at the compared glass states."""
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.5, 3.8))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    for j, r in enumerate(result["f"]):
        ax.plot(result["q"], r["f_mct"], "-o", color=f"C{j}", ms=3, label=f"phi_c + {r['offset']:g}")
        ax.plot(result["q"], r["f_net"], "--x", color=f"C{j}", ms=4)
    ax.set_xlabel("q")
    ax.set_ylabel("f(q)")
    ax.legend(fontsize="x-small")
    fig.tight_layout()
    return fig


def write_report(result: dict, out_dir: str | os.PathLike) -> Path:
    """``closure_validation.json`` plus ``closure_sisf.png`` and ``closure_f.png`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in result.items() if not k.startswith("_")}
    (out / "closure_validation.json").write_text(json.dumps(data, indent=1))
    plot_sisfs(result).savefig(out / "closure_sisf.png", dpi=120)
    plot_nonergodicity(result).savefig(out / "closure_f.png", dpi=120)
    return out / "closure_validation.json"


# ---------------------------------------------------------------------------------------------
# closures side by side on a test input (Fig. 4.43) and arrest by extrapolation (Fig. 4.40)
# ---------------------------------------------------------------------------------------------
def smooth_test_input(q, a: float = 1.0, b: float = 0.01) -> np.ndarray:
    """The neutral test input of eq. 4.61, ``S(q) = a / (1 + b q^2)`` (Fig. 4.43: a = 1, b = 0.01)."""
    q = np.asarray(q, dtype=float)
    if not (0 < a <= 1 and b > 0):
        raise ValueError(f"the test input needs 0 < a <= 1 and b > 0 (a decreasing S(q) <= 1), got a={a}, b={b}")
    return a / (1.0 + b * q ** 2)


def closure_outputs(closures, a: float = 1.0, b: float = 0.01) -> list[dict]:
    """The kernels several learned closures give for the test input ``a / (1 + b q^2)``.

    Parameters
    ----------
    closures : sequence of (label, weights, q, state)
        Exported networks with their wave numbers and the state each is
        evaluated at (e.g. a mapped density pair phi_MCT, phi_BD).

    Returns
    -------
    list of dict
        ``label``, ``q``, ``state``, ``sisf`` (the input) and ``kernel`` per closure.
    """
    from .network import mlp_numpy

    out = []
    for label, weights, q, state in closures:
        q = np.asarray(q, dtype=float)
        s = smooth_test_input(q, a, b)
        st = np.atleast_1d(np.asarray(state, dtype=float))
        if len(st) != weights["n_state"] or len(q) != weights["n_q"]:
            raise ValueError(f"closure {label}: it takes {weights['n_q']} wave numbers and {weights['n_state']} "
                             f"state parameter(s), got {len(q)} and {len(st)}")
        out.append({"label": label, "q": q, "state": st, "sisf": s,
                    "kernel": mlp_numpy(weights, np.concatenate([s, st]))})
    return out


def kernel_ratio(ref: dict, other: dict) -> tuple[np.ndarray, np.ndarray]:
    """``(q, m_other / m_ref)`` on the wave numbers both closures share (outputs of :func:`closure_outputs`)."""
    keep = np.isin(np.round(other["q"], 9), np.round(ref["q"], 9))
    if not keep.any():
        raise ValueError(f"closures {ref['label']} and {other['label']} share no wave number")
    q = other["q"][keep]
    m_ref = ref["kernel"][np.searchsorted(np.round(ref["q"], 9), np.round(q, 9))]
    return q, other["kernel"][keep] / m_ref


def plot_closure_outputs(outputs: list[dict], a: float = 1.0, b: float = 0.01, ax=None):
    """m(q) of every closure for the test input (left) and their ratio to the first one (right);
    ``ax``: two Axes (default: a new Figure). Returns the Figure.
    """
    from slowdyn.common.plotting import figure_axes

    fig, (ax, ax2) = figure_axes(ax, 1, 2, figsize=(9.0, 3.8))
    for j, o in enumerate(outputs):
        state = ", ".join(f"{v:g}" for v in o["state"])
        ax.plot(o["q"], o["kernel"], "-o", color=f"C{j}", ms=4, label=f"{o['label']} (phi = {state})")
        if j:
            q, r = kernel_ratio(outputs[0], o)
            ax2.plot(q, r, "-o", color=f"C{j}", ms=4, label=f"{o['label']} / {outputs[0]['label']}")
    ax.set_xlabel("q")
    ax.set_ylabel("m(q)")
    ax.set_yscale("log")
    ax.set_title(f"closure output for S(q) = {a:g}/(1 + {b:g} q^2)", fontsize="small")
    ax.legend(fontsize="x-small")
    ax2.set_xlabel("q")
    ax2.set_ylabel("ratio of the kernels")
    ax2.axhline(1.0, color="0.6", lw=0.8)
    if len(outputs) > 1:
        ax2.legend(fontsize="x-small")
    fig.tight_layout()
    return fig


def plot_arrest(scan: dict, q, ax=None):
    """f(q) of a learned closure against the packing fraction (Fig. 4.40 style): one line per q,
    the training range's end and the arrest density marked.
    """
    if ax is None:
        from slowdyn.common.plotting import subplots

        fig, ax = subplots(figsize=(5.5, 3.8))
    else:
        fig = ax.figure
    for j, qq in enumerate(np.asarray(q, dtype=float)):
        ax.plot(scan["packing"], scan["f"][:, j], "-o", ms=3, color=f"C{j % 10}", label=f"q = {qq:g}")
    if scan.get("train_max") is not None:
        ax.axvline(scan["train_max"], color="0.5", ls=":", label="end of training range")
    if scan.get("phi_c") is not None:
        ax.axvline(scan["phi_c"], color="k", ls="--", label=f"arrest phi = {scan['phi_c']:.4f}")
    ax.set_xlabel("phi")
    ax.set_ylabel("f(q)")
    ax.legend(fontsize="x-small", ncol=2)
    fig.tight_layout()
    return fig
