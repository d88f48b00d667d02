"""``slowdyn mixture`` actions of the group 'mct' (see :mod:`slowdyn.commands.mixture`):
multicomponent mode-coupling theory from the library's partial structure factors
(:mod:`slowdyn.analysis.mct.mixture`).

- ``mct LIB --state NAME --out DIR``: non-ergodicity parameters ``DIR/nonergodicity.dat``
  (``k F_AA F_AB F_BB f_AA f_AB f_BB fs_A fs_B``), the tagged correlators and their memory
  kernels at k_p ``DIR/tagged.dat`` (``t Fs_AA Fs_BB m_A m_B``, F_s in the library's eq. (1)
  normalisation, kernels ``M_s / k_p^2``), the collective correlators at k_p
  ``DIR/collective.dat`` (``t S_AA S_AB S_BB``) and ``DIR/mct.png``.
- ``tmct LIB --potential lj --rho 1.2 [--out FILE]``: T_mct by bisection in 1/T with S^ab(k)
  interpolated linearly in 1/T between the library's states of that potential and density;
  prints (and with ``--out`` writes, replacing the row of the same potential, density and grid of an existing
  table) one row ``potential rho T_mct dq n_k`` (the MCT grid k = dq (i + 1/2), i < n_k).
"""

from __future__ import annotations

import argparse
from pathlib import Path

TMCT_COLUMNS = ("potential", "rho", "T_mct", "dq", "n_k")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this group's actions to ``slowdyn mixture`` (each with ``set_defaults(run=FUNC)``)."""
    p = sub.add_parser("mct", help="multicomponent MCT of one library state: f^ab(k), tagged and collective "
                       "correlators (Newtonian or Brownian), memory kernels at k_p, PNG")
    p.add_argument("library", type=Path, help="state-point library folder")
    p.add_argument("--state", required=True, help="state name (its folder in the library)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    _grid_options(p)
    p.add_argument("--dynamics", choices=("newtonian", "brownian"), default="newtonian",
                   help="microscopic dynamics of the correlators (f^ab and T_mct do not depend on it)")
    p.add_argument("--kp", type=float, default=None, help="wave number of the correlators (default: the "
                   "state's k_p; the nearest grid point is used)")
    p.set_defaults(run=_mct)

    p = sub.add_parser("tmct", help="T_mct of one potential and density: bisection in 1/T of the non-ergodicity "
                       "parameter, S^ab(k) interpolated linearly in 1/T between the library's states")
    p.add_argument("library", type=Path, help="state-point library folder")
    p.add_argument("--potential", required=True, choices=("lj", "wca"), help="interaction")
    p.add_argument("--rho", type=float, required=True, help="number density")
    p.add_argument("--out", type=Path, default=None, help="table file (columns potential rho T_mct dq n_k; the "
                   "MCT grid is k = dq (i + 1/2), i < n_k); a row is added to (or replaced in) an existing table")
    p.add_argument("--rtol", type=float, default=1e-3, help="relative width of the final bracket in T")
    _grid_options(p)
    p.set_defaults(run=_tmct)


def _grid_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dq", type=float, default=0.4, help="MCT wave-number grid k = dq (i + 1/2)")
    p.add_argument("--n-k", type=int, default=100, help="points of the MCT grid (dq 0.4, 100: k <= 39.8)")


def _grid(args):
    from dataclasses import replace

    from slowdyn.analysis.mct.mixture import MIXTURE_GRID
    from slowdyn.cli import SlowdynError

    if not (args.dq > 0 and args.n_k >= 8):
        raise SlowdynError(f"--dq {args.dq:g} --n-k {args.n_k}: need dq > 0 and n-k >= 8")
    return replace(MIXTURE_GRID, dq=args.dq, n_q=args.n_k)


def grid_label(grid) -> str:
    """The k grid in words, e.g. ``k = 0.4 (i + 1/2), i < 100``."""
    return f"k = {grid.dq:g} (i + 1/2), i < {grid.n_q}"


def _mct(args) -> None:
    import numpy as np

    from slowdyn.analysis.io.statepoints import read_state
    from slowdyn.analysis.io.tables import write_table
    from slowdyn.analysis.mct.mixture import MixtureMCT
    from slowdyn.cli import SlowdynError, out_folder, print_files
    from slowdyn.common.plotting import subplots

    grid = _grid(args)
    folder = args.library / args.state
    if not (folder / "state.json").is_file():
        raise SlowdynError(f"{folder}: no such state in the library (no state.json)")
    state = read_state(folder)
    model = MixtureMCT.from_state(state, grid=grid)
    kp = state.kp if args.kp is None else args.kp
    k = model.k
    if not k[0] - grid.dq / 2 <= kp <= k[-1] + grid.dq / 2:
        raise SlowdynError(f"--kp {kp:g}: outside the MCT grid [{k[0]:g}, {k[-1]:g}]")
    i = int(np.argmin(np.abs(k - kp)))
    out = out_folder(args.out)
    ne = model.nonergodicity()
    sol = model.solve(dynamics=args.dynamics)
    S = model.structure_factor()
    pairs = [(0, 0), (0, 1), (1, 1)]
    info = [f"multicomponent MCT of {state.name} ({state.potential}, rho {state.rho:g}, T {state.T:g}), "
            f"k grid {grid_label(grid)}, {args.dynamics} dynamics", f"k_p = {k[i]:.6g} (grid point nearest {kp:g})"]
    files = [out / "nonergodicity.dat", out / "tagged.dat", out / "collective.dat", out / "mct.png"]
    write_table(files[0], ("k", "F_AA", "F_AB", "F_BB", "f_AA", "f_AB", "f_BB", "fs_A", "fs_B"),
                np.column_stack([k] + [ne["F"][:, a, b] for a, b in pairs] + [ne["f"][:, a, b] for a, b in pairs]
                                + [ne["fs"][0], ne["fs"][1]]),
                comments=info[:1] + ["F: S^ab(k, t -> inf) normalised by the total N; f = F/S; fs: tagged"])
    fs = sol.tagged[:, :, i] * np.array([S[i, 0, 0], S[i, 1, 1]])
    write_table(files[1], ("t", "Fs_AA", "Fs_BB", "m_A", "m_B"),
                np.column_stack([sol.t, fs, sol.tagged_kernel[:, :, i]]),
                comments=info + ["F_s^aa(k_p, 0) = S^aa(k_p) (eq. (1)); m = M_s / k_p^2"])
    write_table(files[2], ("t", "S_AA", "S_AB", "S_BB"),
                np.column_stack([sol.t] + [sol.collective[:, i, a, b] for a, b in pairs]), comments=info)
    fig, ax = subplots(1, 3, figsize=(13, 3.8))
    for (a, b), name in zip(pairs, ("AA", "AB", "BB")):
        ax[0].plot(k, ne["f"][:, a, b], label=f"f^{name}")
    ax[0].plot(k, ne["fs"][0], "k--", label="f_s^A")
    ax[0].set(xlabel="k", ylabel="non-ergodicity parameter", title=f"{state.name}: T = {state.T:g}")
    ax[0].legend(fontsize=8)
    t = sol.t[1:]
    for a, name in enumerate("AB"):
        ax[1].semilogx(t, fs[1:, a], label=f"MCT F_s^{name}{name}")
        if state.has_dynamics:
            ax[1].semilogx(state.t[state.t > 0], state.fs[a][state.t > 0], ":", label=f"simulation {name}{name}")
        ax[2].loglog(t, np.maximum(sol.tagged_kernel[1:, a, i], 1e-12), label=f"m_s^{name}")
    ax[1].set(xlabel="t", ylabel="F_s(k_p, t)", title=f"{args.dynamics}, k_p = {k[i]:.3g}")
    ax[1].legend(fontsize=8)
    ax[2].set(xlabel="t", ylabel="m_s(k_p, t) = M_s / k_p^2")
    ax[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(files[3], dpi=110)
    print_files(args, files)


def _tmct(args) -> None:
    import numpy as np

    from slowdyn.analysis.io.statepoints import load_library
    from slowdyn.analysis.io.tables import read_table, write_table
    from slowdyn.analysis.mct.mixture import mct_temperature
    from slowdyn.cli import SlowdynError

    grid = _grid(args)
    if not 0 < args.rtol < 0.5:
        raise SlowdynError(f"--rtol {args.rtol:g}: must lie in (0, 0.5)")
    states = [s for s in load_library(args.library) if s.potential == args.potential
              and np.isclose(s.rho, args.rho, rtol=1e-6)]
    if len(states) < 2:
        raise SlowdynError(f"{args.library}: {len(states)} state(s) with potential {args.potential} and rho "
                           f"{args.rho:g}; T_mct needs at least two temperatures that bracket it")
    tmct = mct_temperature(states, grid=grid, rtol=args.rtol)
    row = [args.potential, f"{args.rho:g}", f"{tmct:.5g}", f"{grid.dq:g}", str(grid.n_q)]
    print(" ".join(TMCT_COLUMNS))
    print(" ".join(row))
    if args.out is not None:
        rows = []
        if args.out.is_file():
            _, old = read_table(args.out, "T_mct table", required=TMCT_COLUMNS, text=("potential",))
            rows = [[p, f"{r:g}", f"{t:.5g}", f"{d:g}", str(int(n))]
                    for p, r, t, d, n in zip(old["potential"], old["rho"], old["T_mct"], old["dq"], old["n_k"])
                    if not (p == args.potential and np.isclose(r, args.rho) and np.isclose(d, grid.dq)
                            and int(n) == grid.n_q)]
        rows.append(row)
        write_table(args.out, TMCT_COLUMNS, np.array(rows, dtype=object), fmt="%s",
                    comments=["T_mct of the multicomponent MCT (slowdyn mixture tmct): bisection in 1/T, S^ab(k) "
                              "linear in 1/T between simulated states; MCT grid k = dq (i + 1/2), i < n_k"])
        if not args.quiet:
            print(args.out)
