"""Multicomponent mode-coupling theory of simple-liquid mixtures in 3D (Götze 2009;
Nauroth & Kob, Phys. Rev. E 55, 657 (1997); Ciarella, Chiappini, Boattini,
Dijkstra & Janssen, Mach. Learn.: Sci. Technol. 4, 025010 (2023), eqs. 11-13).

Input: the partial static structure factors ``S^ab(k)`` of a mixture (the
state-point library, :mod:`slowdyn.analysis.io.statepoints`), the number
density ``rho``, the mole fractions ``x_a``, the temperature ``T`` and the
masses. Output: the collective correlators ``S^ab(k, t)``, the tagged
correlators ``F_s^aa(k, t)`` and their memory kernels, the non-ergodicity
parameters, and T_mct by bisection in temperature (:func:`mct_temperature`).

Normalisations. The library stores ``S^ab(k)`` normalised by the total N
(``S^ab -> x_a delta_ab`` at large k, the paper's eq. (1)); mctpy's mixture
model uses ``S^ab / sqrt(x_a x_b)`` (``-> delta_ab``), with the direct
correlation functions ``c_ab(k)`` from ``S^-1 = 1 - sqrt(rho_a rho_b) c``
(equivalently the paper's ``S^-1_ab = delta_ab / x_a - rho c_ab`` in the
library's normalisation). :func:`library_to_mctpy` / :func:`mctpy_to_library`
convert; every array this module returns is in the LIBRARY normalisation.

Equations (mctpy's form, ``M`` acting from the left)::

    A_k d_t^2 S(k, t) + B_k d_t S(k, t) + k^2 S(k)^-1 S(k, t) + int_0^t M(k, t - t') d_t' S(k, t') dt' = 0

with ``A_k = diag(m_a / k_B T)`` (Newtonian) or ``B_k = diag(1 / D0_a)``
(Brownian), and for a tagged particle of species a (scalar, ``phi_s(k, 0) = 1``)
``A d_t^2 phi_s + B d_t phi_s + k^2 phi_s + int M_s d_t' phi_s = 0``. The
memory kernels are those of eqs. 12-13; ``M(k, t)`` does not contain T or the
masses, so the non-ergodicity parameters ``f^ab(k)`` and T_mct do not depend
on the microscopic dynamics (only on S^ab(k) and rho), and the Newtonian and
the Brownian solutions share their long-time limits. The tagged kernel of
species a is the limit of vanishing concentration of a tagged species s::

    M_s^a(k, t) = int d^3q/(2 pi)^3 (k_hat . q)^2 [u_a(q)^T S(q, t) u_a(q)] phi_s^a(|k - q|, t),
    u_a(q)_b = sqrt(rho_b) c_ab(q)

(one component: ``rho c(q)^2 S(q) phi(q, t)``, mctpy's ``tagged_particle_model``).

Kernel convention of the returned kernels (the one of
:mod:`~slowdyn.analysis.mct.hard_disks` and :mod:`slowdyn.analysis.memory.cmaes`):
``m(k, t) = M(k, t) / k^2``; for the tagged correlator with Brownian
dynamics (``D0``) this is the kernel of
``tau_k d_t phi_s + phi_s + int m_s d_t' phi_s = 0``, ``tau_k = 1 / (D0 k^2)``.

Numerics: the wave numbers are ``k_i = dq (i + 1/2)``, ``i < n_q`` (mctpy's
3D convention; default ``dq = 0.4``, 100 points, k <= 39.8, the paper's
"100 points up to 40", :data:`MIXTURE_GRID`). The collective kernel is
mctpy's ``mixture_model`` vertex (Bengtzelius' trick) evaluated by one
module-level numba function that takes the vertex arrays as arguments
(mctpy's own kernels are closures compiled again for every state); the
tagged kernel is a dense ``(n_q^2, n_q)`` contraction on mctpy's
bipolar discretisation. mctpy 0.0.2's matrix time-domain solver fails for
real 2x2 models (it is written for complex odd-dimensional ones), so the
matrix block step here is the same moment scheme written for real
matrices (:class:`_MatrixCorrelator`); initial values, decimation and
storage are mctpy's. The tagged correlators use mctpy's scalar solver.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from slowdyn.common.optional import require
from ._mctpy import mctpy, solve_correlators
from .hard_disks import HardDiskGrid, grid_index

#: k = 0.4 (i + 1/2), i < 100 (0.2 .. 39.8): the paper's 100 points up to 40. First step 1e-6 (the Brownian
#: equations with D0 = 1 need it: the kernel decays on 1/(D0 k_max^2); larger steps blow up, in mctpy's own
#: solver as well), 256 steps a block, 36 blocks (t up to ~9e6).
MIXTURE_GRID = HardDiskGrid(dq=0.4, offset=0.5, n_q=100, h=1e-6, blocksize=256, blocks=36)
DYNAMICS = ("newtonian", "brownian")


# ----------------------------------------------------------------------------------------------------------------
# normalisations and the structure-factor object
# ----------------------------------------------------------------------------------------------------------------
def library_to_mctpy(S, x) -> np.ndarray:
    """Library ``S`` ``(3, n_k)`` (S_AA, S_AB, S_BB normalised by the total N) -> mctpy ``(n_k, 2, 2)``.

    mctpy's normalisation is ``S^ab / sqrt(x_a x_b)`` (``-> delta_ab`` at large k).
    """
    S = np.asarray(S, dtype=float)
    x = np.asarray(x, dtype=float)
    if S.ndim != 2 or S.shape[0] != 3:
        raise ValueError(f"library S must have shape (3, n_k) (S_AA, S_AB, S_BB), got {S.shape}")
    if x.shape != (2,) or np.any(x <= 0) or not np.isclose(x.sum(), 1.0, atol=1e-6):
        raise ValueError(f"mole fractions x must be two positive numbers summing to 1, got {tuple(x)}")
    out = np.empty((S.shape[1], 2, 2))
    out[:, 0, 0] = S[0] / x[0]
    out[:, 0, 1] = out[:, 1, 0] = S[1] / np.sqrt(x[0] * x[1])
    out[:, 1, 1] = S[2] / x[1]
    return out


def mctpy_to_library(S, x) -> np.ndarray:
    """Inverse of :func:`library_to_mctpy`: ``(n_k, 2, 2)`` -> ``(3, n_k)`` (AA, AB, BB, total-N normalised)."""
    S = np.asarray(S, dtype=float)
    x = np.asarray(x, dtype=float)
    return np.vstack([S[:, 0, 0] * x[0], S[:, 0, 1] * np.sqrt(x[0] * x[1]), S[:, 1, 1] * x[1]])


class TabulatedMixtureSq:
    """mctpy structure-factor object of a tabulated mixture (``density()``, ``densities``, ``Sq(q)``).

    Parameters
    ----------
    k : array (n_k,)
        Increasing wave numbers of the table.
    S : array (n_k, n_s, n_s)
        Partial structure factors in mctpy's normalisation (``-> delta_ab``).
    rho : float
        Total number density.
    x : sequence of float
        Mole fractions.

    Notes
    -----
    ``Sq(q)`` interpolates each partial linearly in k; below the first table
    point it holds the first value, above the last it is ``delta_ab`` (the
    large-k limit). ``c_ab = (delta_ab - S^-1_ab) / sqrt(rho_a rho_b)``.
    """

    def __init__(self, k, S, rho: float, x) -> None:
        self.k = np.asarray(k, dtype=float)
        self.S = np.asarray(S, dtype=float)
        if self.k.ndim != 1 or self.k.size < 2 or np.any(np.diff(self.k) <= 0):
            raise ValueError("the S(k) table needs at least two increasing wave numbers")
        if self.S.shape[0] != self.k.size or self.S.ndim != 3 or self.S.shape[1] != self.S.shape[2]:
            raise ValueError(f"S must have shape (n_k, n_s, n_s) on k, got {self.S.shape}")
        if not rho > 0:
            raise ValueError(f"density must be > 0, got {rho}")
        self.rho = float(rho)
        self.x = np.asarray(x, dtype=float)
        if self.x.shape != (self.S.shape[1],):
            raise ValueError(f"{self.S.shape[1]} species but {self.x.size} mole fractions")
        self.densities = self.rho * self.x

    def density(self) -> float:
        return self.rho

    def Sq(self, q) -> tuple[np.ndarray, np.ndarray]:
        q = np.asarray(q, dtype=float)
        n = self.S.shape[1]
        s = np.empty((q.size, n, n))
        eye = np.eye(n)
        for a in range(n):
            for b in range(n):
                s[:, a, b] = np.interp(q, self.k, self.S[:, a, b], right=eye[a, b])
        sinv = np.linalg.inv(s)
        c = (eye[None] - sinv) / np.sqrt(np.outer(self.densities, self.densities))[None]
        return s, c


# ----------------------------------------------------------------------------------------------------------------
# numba kernels and the matrix block solver (compiled once per process)
# ----------------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _numba():
    """The collective and tagged kernels and the one block solver (plain loops: short compile times)."""
    nb = require("numba", "mixture mode-coupling theory", "mct")

    @nb.njit
    def collective(m, phi, i, t, a2, a3, b1, b2, sr, pre, q):
        # mctpy.mixture_model's kernel (Bengtzelius' trick) with the vertices as arguments
        M = phi.shape[0]
        S = phi.shape[1]
        for qi in range(M):
            for a in range(S):
                for b in range(S):
                    mq = 0.0
                    for n in range(3):
                        pi, ki = qi, 0
                        zqk1 = b1[n, qi, pi] * phi[pi, a, b]
                        zqk2 = 0.0
                        for g in range(S):
                            zqk2 += b2[n, qi, pi, b, g] * phi[pi, a, g] * sr[g]
                        for g in range(S):
                            mq += a2[n, ki, a, g] * zqk2 * phi[ki, b, g] * sr[g]
                            for d in range(S):
                                mq += a3[n, ki, a, g, b, d] * zqk1 * phi[ki, g, d] * sr[g] * sr[d]
                        for ki in range(1, M):
                            if ki <= qi:
                                pi = qi - ki
                                sgn = 1.0
                            else:
                                pi = ki - qi - 1
                                sgn = -1.0
                            zqk1 += sgn * b1[n, qi, pi] * phi[pi, a, b]
                            for g in range(S):
                                zqk2 += sgn * b2[n, qi, pi, b, g] * phi[pi, a, g] * sr[g]
                            pi = qi + ki
                            if pi < M:
                                zqk1 += b1[n, qi, pi] * phi[pi, a, b]
                                for g in range(S):
                                    zqk2 += b2[n, qi, pi, b, g] * phi[pi, a, g] * sr[g]
                            for g in range(S):
                                mq += a2[n, ki, a, g] * zqk2 * phi[ki, b, g] * sr[g]
                                for d in range(S):
                                    mq += a3[n, ki, a, g, b, d] * zqk1 * phi[ki, g, d] * sr[g] * sr[d]
                    m[qi, a, b] = 2.0 * mq * pre / q[qi]

    @nb.njit
    def tagged(ms, phis, i, t, phi, t3, u, cache, last):
        # M_s(q) = sum_{k,p} T3[q, k, p] w(p) phi_s(k),  w(p) = u(p)^T S(p, t) u(p); ms, phis: (n, 1, 1)
        n = ms.shape[0]
        S = u.shape[1]
        if last[0] == 0 or i != last[0]:
            f = phi[i]
            w = np.zeros(n)
            for p in range(n):
                for b in range(S):
                    for g in range(S):
                        w[p] += u[p, b] * f[(p * S + b) * S + g] * u[p, g]
            for r in range(n * n):
                acc = 0.0
                for p in range(n):
                    acc += t3[r, p] * w[p]
                cache[r // n, r % n] = acc
            last[0] = i
        for a in range(n):
            acc = 0.0
            for b in range(n):
                acc += cache[a, b] * phis[b, 0, 0]
            ms[a, 0, 0] = acc

    @nb.njit
    def solve_block(istart, iend, h, Ainv, Bv, Aq, Bq, phi, m, dPhi, dM, maxiter, accuracy, calc_moments,
                    mode, a2, a3, b1, b2, sr, pre, q, base, t3, u, cache, last):
        # the moment scheme of mctpy's scalar _solve_block for real matrices, M acting from the left;
        # Ainv = (W + dM[1] + 1.5 B/h + 2 A/h^2)^-1 and Bv = phi[0] - dPhi[1] per wave number;
        # mode 0: collective kernel, 1: tagged kernel. Plain index loops (numba compiles them fast).
        M, d = Ainv.shape[0], Ainv.shape[1]
        C = np.zeros_like(Ainv)
        rhs = np.zeros_like(Ainv)
        new = np.zeros_like(Ainv)
        for i in range(istart, iend):
            ibar = i // 2
            for k in range(M):
                for a in range(d):
                    for b in range(d):
                        acc = 0.0
                        for c in range(d):
                            acc -= m[i - 1, k, a, c] * dPhi[1, k, c, b] + dM[1, k, a, c] * phi[i - 1, k, c, b]
                            for kk in range(2, ibar + 1):
                                acc += (m[i - kk + 1, k, a, c] - m[i - kk, k, a, c]) * dPhi[kk, k, c, b] \
                                    + dM[kk, k, a, c] * (phi[i - kk + 1, k, c, b] - phi[i - kk, k, c, b])
                            if i - ibar > ibar:
                                acc += dM[ibar, k, a, c] * (phi[i - ibar, k, c, b] - phi[i - ibar - 1, k, c, b])
                            acc += m[i - ibar, k, a, c] * phi[ibar, k, c, b] \
                                + Bq[k, a, c] * (-2.0 * phi[i - 1, k, c, b] + 0.5 * phi[i - 2, k, c, b]) / h \
                                + Aq[k, a, c] * (-5.0 * phi[i - 1, k, c, b] + 4.0 * phi[i - 2, k, c, b]
                                                 - phi[i - 3, k, c, b]) / (h * h)
                        C[k, a, b] = acc
            for k in range(M):
                for a in range(d):
                    for b in range(d):
                        new[k, a, b] = phi[i - 1, k, a, b]
            it = 0
            while it < maxiter:
                for k in range(M):
                    for a in range(d):
                        for b in range(d):
                            phi[i, k, a, b] = new[k, a, b]
                if mode == 0:
                    collective(m[i], phi[i], i, h * i, a2, a3, b1, b2, sr, pre, q)
                else:
                    tagged(m[i], phi[i], i, h * i, base, t3, u, cache, last)
                err = 0.0
                for k in range(M):
                    for a in range(d):
                        for b in range(d):
                            acc = -C[k, a, b]
                            for c in range(d):
                                acc += m[i, k, a, c] * Bv[k, c, b]
                            rhs[k, a, b] = acc
                    for a in range(d):
                        for b in range(d):
                            acc = 0.0
                            for c in range(d):
                                acc += Ainv[k, a, c] * rhs[k, c, b]
                            new[k, a, b] = acc
                            err = max(err, abs(acc - phi[i, k, a, b]) - accuracy * (1.0 + abs(phi[i, k, a, b])))
                it += 1
                if err <= 0.0:
                    for k in range(M):
                        for a in range(d):
                            for b in range(d):
                                phi[i, k, a, b] = new[k, a, b]
                    break
            if calc_moments:
                for k in range(M):
                    for a in range(d):
                        for b in range(d):
                            dPhi[i, k, a, b] = 0.5 * (phi[i - 1, k, a, b] + phi[i, k, a, b])
                            dM[i, k, a, b] = 0.5 * (m[i - 1, k, a, b] + m[i, k, a, b])

    return collective, tagged, solve_block


def _tagged_geometry(q: np.ndarray) -> np.ndarray:
    """Dense ``T3[(i, j), l]``: ``M_s(q_i) = sum_{j, l} T3[i, j, l] w(p_l) phi_s(k_j)`` on ``q = dq (i + 1/2)``.

    mctpy's ``tagged_particle_model`` discretisation (bipolar coordinates,
    ``|i - j| <= l <= i + j``) with ``w(p) = rho c(p)^2 S(p) phi(p)`` of one component
    replaced by ``u^T S(p, t) u``.
    """
    n = q.size
    dq = q[1] - q[0]
    pre = 1.0 / (16.0 * np.pi ** 2)
    qi, kj, pl = q[:, None, None], q[None, :, None], q[None, None, :]
    i, j, ll = np.arange(n)[:, None, None], np.arange(n)[None, :, None], np.arange(n)[None, None, :]
    window = (ll >= np.abs(i - j)) & (ll <= i + j)
    s = qi ** 2 + pl ** 2
    geo = (kj ** 4 - 2 * kj ** 2 * s + s ** 2) * kj * pl / qi ** 3 * pre   # ((q^2 + p^2 - k^2)^2) k p / q^3
    return np.ascontiguousarray((dq ** 2 * geo * window).reshape(n * n, n))


@functools.lru_cache(maxsize=None)
def _model_classes():
    mct = mctpy()
    collective_kernel, tagged_kernel, solve_block = _numba()

    class Collective(mct.mixture_model):
        """mctpy's mixture model with a shared kernel, Newtonian inertia ``A = diag(m_a / k_B T)``."""

        def __init__(self, sq, q, D0=1.0, T=1.0, masses=None):
            super().__init__(sq, q, D0)
            masses = np.ones(self.S) if masses is None else np.asarray(masses, dtype=float)
            self.inertia = masses / float(T)

        def Aq(self):
            return np.ones((self.M, self.S, self.S)) * np.diag(self.inertia)

        def Aqinv(self):
            return np.ones((self.M, self.S, self.S)) * np.diag(1.0 / self.inertia)

        def make_kernel(self):
            return collective_kernel

        def kernel_extra_args(self):
            return [self.a2, self.a3, self.b1, self.b2, self.sqrtrho, self.pre, self.q]

        def solver_args(self):
            n = self.M
            return (0, *self.kernel_extra_args(), np.zeros((1, n)), np.zeros((1, 1)), np.zeros((1, 1)),
                    np.zeros((1, 1)), np.zeros(1, dtype=np.int64))

    class Tagged(mct.model_base):
        """Tagged particle of species ``a`` in the mixture: n_k scalar equations with ``W = k^2``, written
        as 1 x 1 matrices (one block solver, the matrix non-ergodicity iteration).
        """

        def __init__(self, base, species: int, D0=1.0, T=1.0, mass=1.0):
            super().__init__()
            self.base = base
            self.q = base.q
            self.M = base.M
            self.D0 = float(D0)
            self.inertia = float(mass) / float(T)
            self.u = np.ascontiguousarray(base.sqrtrho[None, :] * base.cq[:, species, :])
            self._t3 = _tagged_geometry(self.q)
            self._cache = np.zeros((self.M, self.M))
            self._last = np.zeros(1, dtype=np.int64)

        def __len__(self):
            return self.M

        def scalar(self):
            return False

        def _diag(self, v):
            return np.broadcast_to(np.asarray(v, dtype=float), (self.M,)).reshape(self.M, 1, 1).copy()

        def phi0(self):
            return self._diag(1.0)

        def Wq(self):
            return self._diag(self.q ** 2)

        def WqSq(self):
            return self.Wq()

        def Aq(self):
            return self._diag(self.inertia)

        def Aqinv(self):
            return self._diag(1.0 / self.inertia)

        def Bq(self):
            return self._diag(1.0 / self.D0)

        def Bqinv(self):
            return self._diag(self.D0)

        def make_kernel(self):
            return tagged_kernel

        def kernel_extra_args(self):
            self._last[0] = 0
            return [self.base.phi, self._t3, self.u, self._cache, self._last]

        def solver_args(self):
            b = self.base
            return (1, np.zeros_like(b.a2[:, :1]), np.zeros_like(b.a3[:, :1]), np.zeros_like(b.b1[:, :1, :1]),
                    np.zeros_like(b.b2[:, :1, :1]), b.sqrtrho, b.pre, self.q, *self.kernel_extra_args())

    class _MatrixCorrelator(mct.correlator):
        """mctpy's correlator with the real-matrix block step of this module."""

        def solve_block(self, istart, iend):
            self.model.set_base(self.phi_)
            d, n = self.dim, self.mdimen
            Aq = np.ascontiguousarray((np.zeros((n, d, d)) if self.brownian else self.model.Aq()).reshape(n, d, d))
            Bq = np.ascontiguousarray((self.model.Bq() if self.brownian else np.zeros((n, d, d))).reshape(n, d, d))
            shape = (-1, n, d, d)
            phi, m = self.phi_.reshape(shape), self.m_.reshape(shape)
            dPhi, dM = self.dPhi_.reshape(shape), self.dM_.reshape(shape)
            A = self.model.Wq().reshape(n, d, d) + dM[1] + 1.5 * Bq / self.h + 2.0 * Aq / self.h ** 2
            solve_block(istart, iend, self.h, np.ascontiguousarray(np.linalg.inv(A)),
                        np.ascontiguousarray(phi[0] - dPhi[1]), Aq, Bq, phi, m, dPhi, dM,
                        self.maxiter, self.accuracy, istart < self.blocksize // 2, *self.model.solver_args())

    return Collective, Tagged, _MatrixCorrelator


# ----------------------------------------------------------------------------------------------------------------
# the model
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class MixtureSolution:
    """Time-domain solution of the mixture MCT (library normalisation).

    Attributes
    ----------
    k : numpy.ndarray (n_k,)
    t : numpy.ndarray (n_t,)
        Strictly increasing, ``t[0] = 0``.
    collective : numpy.ndarray (n_t, n_k, n_s, n_s)
        ``S^ab(k, t)``, normalised by the total N (``= S^ab(k)`` of the library at t = 0).
    tagged : numpy.ndarray (n_t, n_s, n_k)
        Normalised tagged correlators ``phi_s^a(k, t) = F_s^aa(k, t) / F_s^aa(k, 0)``.
    tagged_kernel : numpy.ndarray (n_t, n_s, n_k)
        Their memory kernels ``m_s^a = M_s^a / k^2`` (module notes).
    dynamics : str
    """

    k: np.ndarray
    t: np.ndarray
    collective: np.ndarray
    tagged: np.ndarray
    tagged_kernel: np.ndarray
    dynamics: str

    def index(self, k: float) -> int:
        """Index of wave number ``k`` on the grid (a ValueError if it is not on it)."""
        return grid_index(self.k, k)


class MixtureMCT:
    """Mode-coupling theory of a simple-liquid mixture from tabulated partial structure factors.

    Parameters
    ----------
    k : array (n_k,)
        Wave numbers of the table.
    S : array (3, n_k)
        S^AA, S^AB, S^BB normalised by the total N (the library's; binary mixtures).
        :meth:`from_matrices` takes any number of species.
    rho : float
        Total number density.
    x : (float, float)
        Mole fractions.
    T : float
        Temperature (k_B T in the energy unit; Newtonian dynamics only).
    masses : (float, float)
        Particle masses (Newtonian dynamics only).
    D0 : float
        Short-time diffusion coefficient (Brownian dynamics only).
    grid : HardDiskGrid
        Wave numbers ``dq (i + offset)`` with ``offset = 0.5`` (mctpy's 3D grid) and time stepping
        (default :data:`MIXTURE_GRID`).
    """

    def __init__(self, k, S, rho: float, x, T: float = 1.0, masses=(1.0, 1.0), D0: float = 1.0,
                 grid: HardDiskGrid | None = None) -> None:
        self._setup(k, library_to_mctpy(S, x), rho, x, T, masses, D0, grid)

    @classmethod
    def from_matrices(cls, k, S, rho: float, x, T: float = 1.0, masses=None, D0: float = 1.0,
                      grid: HardDiskGrid | None = None) -> "MixtureMCT":
        """From ``S (n_k, n_s, n_s)`` in mctpy's normalisation (``-> delta_ab``), any number of species."""
        self = cls.__new__(cls)
        n = np.asarray(S).shape[-1]
        self._setup(k, S, rho, x, T, np.ones(n) if masses is None else masses, D0, grid)
        return self

    @classmethod
    def from_state(cls, state, grid: HardDiskGrid | None = None, masses=(1.0, 1.0), D0: float = 1.0) -> "MixtureMCT":
        """From a library :class:`~slowdyn.analysis.io.statepoints.StatePoint`."""
        return cls(state.k, state.S, state.rho, state.x, T=state.T, masses=masses, D0=D0, grid=grid)

    def _setup(self, k, S, rho, x, T, masses, D0, grid) -> None:
        self.grid = MIXTURE_GRID if grid is None else grid
        if not isinstance(self.grid, HardDiskGrid) or not np.isclose(self.grid.offset, 0.5):
            raise ValueError("the mixture MCT grid must be a HardDiskGrid with offset 0.5 (k = dq (i + 1/2))")
        self.masses = np.asarray(masses, dtype=float)
        if not (T > 0 and D0 > 0 and np.all(self.masses > 0)):
            raise ValueError(f"T, D0 and the masses must be > 0, got T={T}, D0={D0}, masses={tuple(self.masses)}")
        self.x = np.asarray(x, dtype=float)
        self.sq = TabulatedMixtureSq(k, S, rho, self.x)
        if self.masses.shape != self.x.shape:
            raise ValueError(f"{self.x.size} species but {self.masses.size} masses")
        self.rho, self.T, self.D0 = float(rho), float(T), float(D0)
        self.k = self.grid.q
        self._norm = np.sqrt(np.outer(self.x, self.x))   # library = mctpy * sqrt(x_a x_b)

    def structure_factor(self) -> np.ndarray:
        """``(n_k, n_s, n_s)``: S^ab on the MCT grid (library normalisation)."""
        return self.sq.Sq(self.k)[0] * self._norm

    def models(self) -> tuple:
        """``(collective, tagged_1, ..., tagged_n)`` mctpy-style models (mctpy normalisation)."""
        Collective, Tagged, _ = _model_classes()
        coll = Collective(self.sq, self.k, D0=self.D0, T=self.T, masses=self.masses)
        return (coll,) + tuple(Tagged(coll, a, D0=self.D0, T=self.T, mass=self.masses[a])
                               for a in range(self.x.size))

    def nonergodicity(self, accuracy: float = 1e-10, maxiter: int = 200_000, tagged: bool = True) -> dict:
        """Non-ergodicity parameters (zeros in the liquid).

        Returns
        -------
        dict
            ``k``; ``F`` (n_k, n_s, n_s): ``S^ab(k, t -> inf)`` (library normalisation); ``f``: ``F^ab / S^ab``
            (Nauroth & Kob's normalised f^ab; 0 where S^ab = 0); ``fs`` (n_s, n_k): tagged;
            ``converged``, ``iterations`` (collective).
        """
        from .critical import nonergodicity_parameter

        coll, *tags = self.models()
        c = nonergodicity_parameter(coll, accuracy, maxiter)
        F = c["f"] * self._norm
        S = self.structure_factor()
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(np.abs(S) > 1e-12, F / S, 0.0)
        out = {"k": self.k.copy(), "F": F, "f": f, "converged": c["converged"], "iterations": c["iterations"]}
        if tagged:
            coll.set_base(c["f"].reshape(1, -1).copy())
            fs = [nonergodicity_parameter(tg, accuracy, maxiter) for tg in tags]
            out["fs"] = np.vstack([s["f"][:, 0, 0] for s in fs])
            out["converged"] = out["converged"] and all(s["converged"] for s in fs)
        return out

    def solve(self, dynamics: str = "newtonian", tagged: bool = True, stop_on_zero: bool = False) -> MixtureSolution:
        """Collective and tagged correlators on the grid's time stepping.

        Parameters
        ----------
        dynamics : str
            ``"newtonian"`` (``A = m_a / k_B T``) or ``"brownian"`` (``B = 1 / D0``).
        tagged : bool
            Also solve the tagged correlators of every species.
        stop_on_zero : bool
            End after the first block in which every correlator is below 1e-8.
        """
        if dynamics not in DYNAMICS:
            raise ValueError(f"dynamics must be one of {', '.join(DYNAMICS)}, got {dynamics!r}")
        g = self.grid
        _, _, MatrixCorrelator = _model_classes()
        coll, *tags = self.models()
        phi = MatrixCorrelator(model=coll, store=True, h=g.h, blocksize=g.blocksize, blocks=g.blocks,
                               motion_type=dynamics)
        stack = [phi]
        if tagged:
            stack += [MatrixCorrelator(model=tg, base=phi, store=True, blocksize=g.blocksize, motion_type=dynamics)
                      for tg in tags]
        solve_correlators(*stack, stop_on_zero=stop_on_zero)
        t = np.asarray(phi.t, dtype=float)
        keep = np.concatenate([[True], np.diff(t) > 0])
        collective = np.asarray(phi.phi)[keep] * self._norm
        n_t = int(keep.sum())
        if tagged:
            ts = np.stack([np.asarray(s.phi)[keep][..., 0, 0] for s in stack[1:]], axis=1)
            tk = np.stack([np.asarray(s.m)[keep][..., 0, 0] for s in stack[1:]], axis=1) / self.k ** 2
        else:
            ts = tk = np.zeros((n_t, 0, self.k.size))
        return MixtureSolution(k=self.k.copy(), t=t[keep], collective=collective, tagged=ts, tagged_kernel=tk,
                               dynamics=dynamics)


# ----------------------------------------------------------------------------------------------------------------
# library states: the tagged memory at k_p, S(k) between temperatures, T_mct
# ----------------------------------------------------------------------------------------------------------------
def tagged_memory(state, kp: float | None = None, dynamics: str = "brownian", grid: HardDiskGrid | None = None,
                  masses=(1.0, 1.0), D0: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MCT memory kernels of the tagged correlators at the grid point nearest ``kp``.

    Parameters
    ----------
    state : StatePoint
        A library state (S^ab(k), rho, x, T).
    kp : float, optional
        Wave number (default ``state.kp``); the grid point nearest to it is used (a ValueError
        if it lies outside the grid).
    dynamics : str
        ``"brownian"`` (default: the first-order memory equation of Ciarella et al. eq. 5 and of
        :mod:`slowdyn.analysis.memory.cmaes`, D0 = 1) or ``"newtonian"``.

    Returns
    -------
    t, M_AA, M_BB : numpy.ndarray (n_t,)
        Time and the kernels ``m_s^a(k, t) = M_s^a / k^2`` of
        ``tau d_t phi_s + phi_s + int m_s d_t' phi_s = 0``, ``tau = 1 / (D0 k^2)`` (Brownian).
        :func:`tagged_correlators` returns the correlators themselves.
    """
    sol, i = _solve_at(state, kp, dynamics, grid, masses, D0)
    return sol.t, sol.tagged_kernel[:, 0, i].copy(), sol.tagged_kernel[:, 1, i].copy()


def tagged_correlators(state, kp: float | None = None, dynamics: str = "newtonian",
                       grid: HardDiskGrid | None = None, masses=(1.0, 1.0),
                       D0: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(t, Fs_AA, Fs_BB)``: MCT tagged correlators at the grid point nearest ``kp`` in the paper's
    eq. (1) normalisation ``F_s^aa(k_p, 0) = S^aa(k_p)`` (the library's fs.dat).
    """
    sol, i = _solve_at(state, kp, dynamics, grid, masses, D0)
    s = MixtureMCT.from_state(state, grid=grid).structure_factor()[i]
    return sol.t, sol.tagged[:, 0, i] * s[0, 0], sol.tagged[:, 1, i] * s[1, 1]


def _solve_at(state, kp, dynamics, grid, masses, D0):
    kp = float(state.kp if kp is None else kp)
    model = MixtureMCT.from_state(state, grid=grid, masses=masses, D0=D0)
    dq = model.grid.dq
    if not (model.k[0] - dq / 2 <= kp <= model.k[-1] + dq / 2):
        raise ValueError(f"k_p = {kp:g} lies outside the MCT grid [{model.k[0]:g}, {model.k[-1]:g}]")
    i = int(np.argmin(np.abs(model.k - kp)))
    return model.solve(dynamics=dynamics), i


def interpolate_structure(states: Sequence, T: float) -> tuple[np.ndarray, np.ndarray]:
    """``(k, S)`` at temperature ``T``, linear in ``1/T`` between the two bracketing states.

    ``states``: library states of one potential and density (same k grid, two or more temperatures).
    """
    states = sorted(states, key=lambda s: s.T)
    temps = np.array([s.T for s in states])
    if np.isclose(T, temps[0], rtol=1e-9) or np.isclose(T, temps[-1], rtol=1e-9):   # 1/(1/T) round-off
        T = float(np.clip(T, temps[0], temps[-1]))
    if not temps[0] <= T <= temps[-1]:
        raise ValueError(f"T = {T:g} outside the simulated temperatures [{temps[0]:g}, {temps[-1]:g}]")
    j = min(int(np.searchsorted(temps, T, side="right")), len(states) - 1)
    lo, hi = states[j - 1], states[j]
    w = (1 / T - 1 / lo.T) / (1 / hi.T - 1 / lo.T)
    return lo.k, (1 - w) * lo.S + w * hi.S


def _family(states: Sequence) -> list:
    states = list(states)
    if len({(s.potential, s.rho) for s in states}) > 1:
        raise ValueError("T_mct needs states of ONE potential and density")
    temps = sorted(s.T for s in states)
    if len(temps) < 2 or len(set(temps)) != len(temps):
        raise ValueError(f"T_mct needs at least two distinct temperatures, got {len(temps)} "
                         f"({', '.join(f'{t:g}' for t in temps)})")
    k0 = states[0].k
    if any(s.k.shape != k0.shape or not np.allclose(s.k, k0) for s in states):
        raise ValueError("T_mct: the states' S(k) are on different k grids")
    return sorted(states, key=lambda s: s.T)


def mct_temperature(states: Sequence, grid: HardDiskGrid | None = None, rtol: float = 1e-3,
                    threshold: float = 1e-6, accuracy: float = 1e-10, maxiter: int = 200_000) -> float:
    """T_mct: bisection in ``1/T`` of the collective non-ergodicity parameter, with S^ab(k)
    interpolated linearly in ``1/T`` between simulated states of one potential and density.

    Parameters
    ----------
    states : sequence of StatePoint
        One potential and density, two or more temperatures; the hottest must be ergodic and the
        coldest arrested in MCT (else a ValueError naming what to add).
    rtol : float
        Relative width of the final bracket in T.

    Returns
    -------
    float
        T_mct (the midpoint of the final bracket in 1/T).
    """
    from .critical import critical_point

    states = _family(states)
    first = states[0]

    def f_max(beta: float) -> np.ndarray:
        k, S = interpolate_structure(states, 1.0 / beta)
        return MixtureMCT(k, S, first.rho, first.x, grid=grid).nonergodicity(accuracy, maxiter, tagged=False)["F"]

    b_low, b_high = 1.0 / states[-1].T, 1.0 / states[0].T
    if np.max(f_max(b_low)) > threshold:
        raise ValueError(f"T_mct: already arrested at the hottest state T = {states[-1].T:g}; add hotter states")
    if not np.max(f_max(b_high)) > threshold:
        raise ValueError(f"T_mct: still ergodic at the coldest state T = {states[0].T:g}; add colder states")
    beta = critical_point(f_max, b_low, b_high, tol=rtol * b_low, threshold=threshold)
    return 1.0 / beta


__all__ = ["DYNAMICS", "MIXTURE_GRID", "MixtureMCT", "MixtureSolution", "TabulatedMixtureSq", "interpolate_structure",
           "library_to_mctpy", "mct_temperature", "mctpy_to_library", "tagged_correlators", "tagged_memory"]
