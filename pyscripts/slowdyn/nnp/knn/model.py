"""The k-nearest-neighbour Deep Potential in PyTorch.

Descriptor: the se_e2_a ("smooth edition, two-body embedding, all
information") descriptor of Deep Potential (Zhang, Han, Wang, Saidi, Car, E,
NeurIPS 2018; Wang, Zhang, Han, E, Comput. Phys. Commun. 228, 178 (2018)),
built from the k nearest neighbours of each atom instead of all atoms within
a radial cut-off, with the weighting s(r) = r of Granz (PhD thesis, HHU
Duesseldorf 2026, sec. 3.3.2: "the weighting function is simplified to
s(r) = r, removing the reciprocal form").  ``weighting="inv_r"`` gives
DeePMD's s(r) = 1/r (without its smooth cut-off, which a kNN neighbourhood has
no use for).

For atom i of type t_i with neighbours j = 1..k (r_ji = r_j - r_i):

* environment row  R_j = ((s_j - mu_t)/sigma_r_t, s_j x_ji/(r_ji sigma_a_t), s_j y_ji/(...), s_j z_ji/(...))
  with per-centre-type statistics mu, sigma_r, sigma_a taken from the data
  (DeePMD's davg/dstd);
* embedding        g_j = G_{t_i t_j}(R_j0) in R^M1 (one net per type pair);
* A = (1/k) sum_j g_j R_j^T  (M1 x 4),   D = A A_<^T  (M1 x M2, A_< = first M2 rows);
* atomic energy    E_i = e_scale * F_{t_i}(vec D) + e_shift_{t_i}.

Layers follow DeePMD's residual rule: y = tanh(W x + b) plus x when the width
is kept, plus (x, x) when it doubles; the fitting net ends in a linear layer.

Energy discontinuity: when the k-th and (k+1)-th neighbours swap places the
descriptor jumps (nothing switches them off smoothly); this is inherent to a
number-based cut-off and is the same in ``pair_style knn/nnp``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import torch

WEIGHTINGS = ("r", "inv_r")


def _torch():
    from slowdyn.common.optional import require  # noqa: PLC0415

    return require("torch", "the kNN Deep Potential", "knn", "CPU build: pip install torch==2.13.0")


def residual_kind(n_in: int, n_out: int) -> int:
    """DeePMD's residual rule: 1 identity (same width), 2 doubled input, 0 none."""
    if n_out == n_in:
        return 1
    if n_out == 2 * n_in:
        return 2
    return 0


def build_model(type_names: Sequence[str], k: int, rmax: float, weighting: str = "r",
                embedding: Sequence[int] = (40, 40, 40), axis_neurons: int = 16,
                fitting: Sequence[int] = (25, 50, 100), dtype: str = "float64",
                seed: int = 0) -> "torch.nn.Module":
    """Create a :class:`KNNDeepPotential` (defined lazily: torch is imported here).

    Parameters
    ----------
    type_names
        Names of the atom types (LAMMPS type 1 is ``type_names[0]``).
    k
        Number of nearest neighbours in the descriptor (thesis: 96, 128, 200).
    rmax
        Neighbour search radius; a hint stored in the model file (LAMMPS takes
        its own RMAX), every atom must have k neighbours inside.
    weighting
        ``"r"`` (thesis) or ``"inv_r"`` (DeePMD).
    embedding, axis_neurons, fitting
        Widths of the embedding net (M1 = last), the axis neurons M2 and the
        fitting net's hidden layers (thesis: 3 x 40, 16, 25-50-100).
    dtype
        ``"float64"`` or ``"float32"``.
    seed
        Seed of the weight initialisation.
    """
    torch = _torch()
    nn = torch.nn
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    if axis_neurons > embedding[-1]:
        raise ValueError(f"axis_neurons = {axis_neurons} exceeds the embedding width {embedding[-1]}")

    class MLP(nn.Module):
        """tanh layers with DeePMD's residual rule; optional linear output layer."""

        def __init__(self, n_in: int, widths: Sequence[int], n_out: int | None):
            super().__init__()
            self.hidden = nn.ModuleList()
            self.kinds: list[int] = []
            prev = n_in
            for w in widths:
                self.hidden.append(nn.Linear(prev, w))
                self.kinds.append(residual_kind(prev, w))
                prev = w
            self.out = nn.Linear(prev, n_out) if n_out else None

        def forward(self, x):
            for layer, kind in zip(self.hidden, self.kinds):
                y = torch.tanh(layer(x))
                if kind == 1:
                    y = y + x
                elif kind == 2:
                    y = y + torch.cat([x, x], dim=-1)
                x = y
            return self.out(x) if self.out is not None else x

    class KNNDeepPotential(nn.Module):
        """se_e2_a Deep Potential on the k nearest neighbours (see module docstring)."""

        def __init__(self):
            super().__init__()
            self.type_names = list(type_names)
            self.ntypes = len(self.type_names)
            self.k = int(k)
            self.rmax = float(rmax)
            self.weighting = weighting
            self.embedding_widths = [int(w) for w in embedding]
            self.axis_neurons = int(axis_neurons)
            self.fitting_widths = [int(w) for w in fitting]
            m1 = self.embedding_widths[-1]
            nt = self.ntypes
            self.embedding = nn.ModuleList(MLP(1, self.embedding_widths, None) for _ in range(nt * nt))
            self.fitting = nn.ModuleList(MLP(m1 * self.axis_neurons, self.fitting_widths, 1)
                                         for _ in range(nt))
            self.register_buffer("avg", torch.zeros(nt))
            self.register_buffer("std_r", torch.ones(nt))
            self.register_buffer("std_a", torch.ones(nt))
            self.register_buffer("e_shift", torch.zeros(nt))
            self.register_buffer("e_scale", torch.ones(()))

        def hyperparameters(self) -> dict:
            return dict(type_names=self.type_names, k=self.k, rmax=self.rmax, weighting=self.weighting,
                        embedding=self.embedding_widths, axis_neurons=self.axis_neurons,
                        fitting=self.fitting_widths)

        def weight(self, r):
            return r if self.weighting == "r" else 1.0 / r

        def atomic_energies(self, positions, types, index, offset):
            """Per-atom energies.

            positions (N, 3); types (N,) 0-based; index (N, k) neighbour
            indices into positions; offset (N, k, 3) Cartesian image shifts.
            Frames may be concatenated (indices global).
            """
            rvec = positions[index] + offset - positions[:, None, :]          # r_j - r_i
            r = torch.linalg.vector_norm(rvec, dim=-1)
            s = self.weight(r)
            ti = types
            tj = types[index]
            avg, sr, sa = self.avg[ti][:, None], self.std_r[ti][:, None], self.std_a[ti][:, None]
            r0 = (s - avg) / sr
            rxyz = (s / r / sa)[..., None] * rvec
            env = torch.cat([r0[..., None], rxyz], dim=-1)                   # (N, k, 4)
            m1 = self.embedding_widths[-1]
            g = env.new_zeros(env.shape[0], self.k, m1)
            nt = self.ntypes
            if nt == 1:
                g = self.embedding[0](r0[..., None])
            else:
                pair = ti[:, None] * nt + tj
                for p in range(nt * nt):
                    mask = pair == p
                    if bool(mask.any()):
                        g = g.index_put((mask,), self.embedding[p](r0[mask][:, None]))
            a = torch.einsum("nkm,nkc->nmc", g, env) / self.k                 # (N, M1, 4)
            d = torch.einsum("nmc,npc->nmp", a, a[:, : self.axis_neurons])    # (N, M1, M2)
            d = d.reshape(d.shape[0], -1)
            e = positions.new_zeros(positions.shape[0])
            for t in range(nt):
                mask = ti == t
                if bool(mask.any()):
                    e = e.index_put((mask,), self.fitting[t](d[mask]).squeeze(-1))
            return self.e_scale * e + self.e_shift[ti]

    torch.manual_seed(seed)
    model = KNNDeepPotential()
    if dtype == "float64":
        model = model.double()
    elif dtype != "float32":
        raise ValueError(f"dtype must be float64 or float32, got {dtype!r}")
    return model


def frame_inputs(model, positions: np.ndarray, types: np.ndarray, cell: np.ndarray,
                 rmax: float | None = None):
    """Tensors (positions, types, index, offset) of one periodic frame for ``model``.

    ``types`` are 0-based; ``rmax`` defaults to the model's hint.
    """
    torch = _torch()
    from .neighbors import knn_list  # noqa: PLC0415

    dtype = next(model.parameters()).dtype
    nl = knn_list(positions, cell, model.k, model.rmax if rmax is None else rmax)
    offset = nl.shift.astype(np.float64) @ np.asarray(cell, dtype=np.float64)
    return (torch.as_tensor(np.asarray(positions, dtype=np.float64), dtype=dtype),
            torch.as_tensor(np.asarray(types, dtype=np.int64)),
            torch.as_tensor(nl.index), torch.as_tensor(offset, dtype=dtype))


def energy_and_forces(model, positions: np.ndarray, types: np.ndarray, cell: np.ndarray,
                      rmax: float | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """Total energy, forces ``(N, 3)`` and per-atom energies of one frame (autograd forces).

    ``types`` are 0-based.
    """
    torch = _torch()
    pos, typ, idx, off = frame_inputs(model, positions, types, cell, rmax)
    pos.requires_grad_(True)
    e_atom = model.atomic_energies(pos, typ, idx, off)
    e = e_atom.sum()
    (grad,) = torch.autograd.grad(e, pos)
    return float(e.detach()), (-grad).detach().numpy(), e_atom.detach().numpy()
