"""``slowdyn mixture`` actions of the group 'memory' (see :mod:`slowdyn.commands.mixture`): memory functions
of eq. (5) with the eq. (6) parametrisation fitted by CMA-ES (Ciarella et al. (2023), §2.2, §4.4).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from slowdyn.cli import SlowdynError


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn mixture`` (each with ``set_defaults(run=FUNC)``)."""
    p = sub.add_parser("memory", help="memory functions M^aa(k_p, t) of one library state by CMA-ES (eqs. 5-7)",
                       description="Fit c + N_exp stretched exponentials (eq. 6) through eq. (5) to F_s^AA and "
                                   "F_s^BB of one state (CMA-ES, eq. 7); table, JSON and a PNG like Fig. 6.")
    p.add_argument("library", help="state-point library folder")
    p.add_argument("--state", required=True, help="state name (its folder name in the library)")
    p.add_argument("--n-exp", type=int, nargs="+", default=[2],
                   help="number(s) of stretched exponentials; several give R^2 vs N_exp (Fig. 7)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--omega2", type=float, default=None, help="Omega^2 of eq. (5) (default k_p^2 T)")
    p.add_argument("--start", choices=("mct", "default"), default="mct",
                   help="CMA-ES start: the MCT memory (falls back to the default when unavailable) or the default")
    p.add_argument("--maxfevals", type=int, default=3000, help="CMA-ES evaluations per species")
    p.add_argument("--sigma0", type=float, default=0.5, help="initial CMA-ES step (log parameters)")
    p.add_argument("--lasso", type=float, default=0.0, help="Lasso weight of eq. (7)")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(run=run_memory)


def run_memory(args) -> int:
    import numpy as np

    from slowdyn.analysis.io.statepoints import load_library
    from slowdyn.analysis.io.tables import write_table
    from slowdyn.analysis.memory.cmaes import fit_scores, fit_state_memory
    from slowdyn.common.plotting import subplots

    states = {s.name: s for s in load_library(args.library, all_states=True)}
    if args.state not in states:
        near = ", ".join(sorted(states)[:5])
        raise SlowdynError(f"{args.library} has no state {args.state!r} (it has {len(states)}: {near}"
                           + (", ..." if len(states) > 5 else "") + ")")
    state = states[args.state]
    if not state.has_dynamics:
        raise SlowdynError(f"state {state.name} has no F_s (fs.dat): no memory function can be fitted")
    if any(n < 1 for n in args.n_exp):
        raise SlowdynError("--n-exp must be >= 1")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results, files = {}, []
    sel = state.t > 0
    t = state.t[sel]
    fig, axes = subplots(1, 2, figsize=(9, 3.6))
    for n in args.n_exp:
        fits = fit_state_memory(state, n_exp=n, omega2=args.omega2, start=args.start, maxfevals=args.maxfevals,
                                sigma0=args.sigma0, l1=args.lasso, seed=args.seed)
        sc = fit_scores(fits, state)
        results[n] = {"scores": sc, **{sp: {"eq6": f.parameters(), "omega2": f.omega2, "start": f.start,
                                            "loss": f.fit.loss, "evaluations": f.fit.evaluations}
                                       for sp, f in fits.items()}}
        cols = np.column_stack([t] + [f.fs(t) for f in fits.values()] + [f.memory(t) for f in fits.values()])
        path = out / f"memory_nexp{n}.dat"
        write_table(path, ("t", "Fs_AA", "Fs_BB", "M_AA", "M_BB"), cols,
                    comments=[f"eq. (5) solution and eq. (6) memory fitted by CMA-ES, N_exp = {n}, state {state.name}",
                              f"Omega^2 = {next(iter(fits.values())).omega2:.6g}; start: "
                              f"{next(iter(fits.values())).start}"])
        files.append(path)
        print(f"N_exp = {n}: R^2 as printed {sc['r2_printed']:.5f}, standard {sc['r2_standard']:.5f} "
              f"(start: {next(iter(fits.values())).start})")
        if n == (2 if 2 in args.n_exp else args.n_exp[-1]):   # Fig. 6 shows N_exp = 2
            tm = np.logspace(np.log10(t[0]) - 2, np.log10(t[-1]), 300)
            for i, (sp, f) in enumerate(fits.items()):
                axes[0].plot(t, state.fs[i, sel], "-", color=f"C{i}", label=f"{sp} simulated")
                axes[0].plot(t, f.fs(t), "--", color=f"C{i}", label=f"{sp} eq. (5), N_exp = {n}")
                axes[1].plot(tm, f.memory(tm), "-", color=f"C{i}", label=f"M^{sp}, N_exp = {n}")
    for ax, yl in zip(axes, ("F_s^aa(k_p, t)", "M^aa(k_p, t)")):
        ax.set_xscale("log")
        ax.set_xlabel("t")
        ax.set_ylabel(yl)
        ax.legend(fontsize="x-small")
    axes[1].set_yscale("log")
    top = max(line.get_ydata().max() for line in axes[1].get_lines()) if axes[1].get_lines() else 1.0
    axes[1].set_ylim(1e-4 * top, 2 * top)
    fig.suptitle(f"{state.potential.upper()} rho = {state.rho:g}, T = {state.T:g}", fontsize="small")
    fig.tight_layout()
    png = out / "memory.png"
    fig.savefig(png, dpi=120)
    files.append(png)
    if len(args.n_exp) > 1:
        fig, ax = subplots(figsize=(4.5, 3.4))
        ns = sorted(results)
        ax.plot(ns, [results[n]["scores"]["r2_printed"] for n in ns], "o-", label="as printed (eq. 4)")
        ax.plot(ns, [results[n]["scores"]["r2_standard"] for n in ns], "s--", label="standard")
        ax.set_xlabel("N_exp")
        ax.set_ylabel("R^2")
        ax.set_xticks(ns)
        ax.legend(fontsize="small")
        fig.tight_layout()
        fig.savefig(out / "r2_vs_nexp.png", dpi=120)
        files.append(out / "r2_vs_nexp.png")
    path = out / "memory.json"
    path.write_text(json.dumps({"state": state.name, "potential": state.potential, "rho": state.rho, "T": state.T,
                                "kp": state.kp, "fits": {str(k): v for k, v in results.items()}}, indent=1) + "\n")
    files.append(path)
    if not args.quiet:
        for f in files:
            print(f"wrote {f}")
    return 0
