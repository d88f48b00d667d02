"""The closure network ``{S_t(q_1..q_N), phi} -> {m_t(q_1..q_N)}`` (Granz 2026, §4.5.1).

Architecture: the inputs are shifted and scaled to order one (affine
constants fixed from the training data), three hidden layers of 32, 16 and
32 tanh units, and an output layer with the modified exponential linear unit

    g(z) = z            for z >= 1,
    g(z) = exp(z - 1)   for z <  1,

i.e. ``g(z) = ELU(z - 1) + 1``: exponential (and positive) near zero, linear
above one, continuous with a continuous first derivative at ``z = 1``. The
kernel is ``m(q) = s_q g(z_q)`` with a fixed per-q scale ``s_q`` (the mean
training kernel at that q), so the output is non-negative but unbounded, as
a memory kernel is (the thesis states the form only in words; this is the
form implemented here).

PyTorch is imported lazily. :func:`export_weights` turns a trained network
into plain numpy arrays and :func:`mlp_numpy` evaluates them (the numba
version used inside mctpy's solver lives in :mod:`.solver`).
"""

from __future__ import annotations

import functools

import numpy as np

from slowdyn.common.optional import require

HIDDEN = (32, 16, 32)


def _torch():
    return require("torch", "the closure network", "nnlt", "CPU build: pip install torch==2.13.0")


def modified_elu(z):
    """``g(z) = z`` for ``z >= 1``, ``exp(z - 1)`` below (torch tensors or numpy arrays)."""
    if isinstance(z, np.ndarray) or np.isscalar(z):
        z = np.asarray(z, dtype=float)
        return np.where(z >= 1.0, z, np.exp(np.minimum(z, 1.0) - 1.0))
    torch = _torch()
    return torch.where(z >= 1.0, z, torch.exp(torch.clamp(z, max=1.0) - 1.0))


@functools.lru_cache(maxsize=None)
def _net_class():
    torch = _torch()
    nn = torch.nn

    class ClosureNet(nn.Module):
        """MLP closure with fixed input normalisation and output scales (see module notes)."""

        def __init__(self, n_q: int, hidden=HIDDEN, in_shift=None, in_scale=None, out_scale=None, n_state=1):
            super().__init__()
            n_in = n_q + int(n_state)
            self.n_state = int(n_state)
            self.n_q = int(n_q)
            self.hidden = tuple(int(h) for h in hidden)
            sizes = (n_in, *self.hidden, n_q)
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
            d = torch.get_default_dtype()
            self.register_buffer("in_shift", torch.zeros(n_in, dtype=d) if in_shift is None
                                 else torch.as_tensor(in_shift, dtype=d))
            self.register_buffer("in_scale", torch.ones(n_in, dtype=d) if in_scale is None
                                 else torch.as_tensor(in_scale, dtype=d))
            self.register_buffer("out_scale", torch.ones(n_q, dtype=d) if out_scale is None
                                 else torch.as_tensor(out_scale, dtype=d))

        def forward_scaled(self, x):
            """Kernel divided by ``out_scale`` (what the loss compares)."""
            h = (x - self.in_shift) / self.in_scale
            for layer in self.layers[:-1]:
                h = torch.tanh(layer(h))
            return modified_elu(self.layers[-1](h))

        def forward(self, x):
            """``x``: (..., n_q + n_state) = (S_t(q_1..q_n), state) -> m_t(q_1..q_n)."""
            return self.forward_scaled(x) * self.out_scale

    return ClosureNet


def build_network(n_q: int, hidden=HIDDEN, in_shift=None, in_scale=None, out_scale=None, n_state: int = 1):
    """A ``ClosureNet``: ``n_q`` correlator values plus ``n_state`` control parameters in, ``n_q`` kernels out.

    The control parameter of hard-disk data is the packing fraction (``n_state = 1``).
    """
    if int(n_q) < 1 or int(n_state) < 1:
        raise ValueError(f"n_q and n_state must be >= 1, got {n_q}, {n_state}")
    if not hidden or any(int(h) < 1 for h in hidden):
        raise ValueError(f"hidden layer sizes must be positive integers, got {hidden}")
    return _net_class()(int(n_q), hidden, in_shift, in_scale, out_scale, int(n_state))


def export_weights(net) -> dict:
    """Plain float64 numpy arrays of a network: ``W`` and ``b`` lists plus the normalisation."""
    return {"n_q": int(net.n_q), "n_state": int(net.n_state),
            "W": [layer.weight.detach().cpu().double().numpy().copy() for layer in net.layers],
            "b": [layer.bias.detach().cpu().double().numpy().copy() for layer in net.layers],
            "in_shift": net.in_shift.detach().cpu().double().numpy().copy(),
            "in_scale": net.in_scale.detach().cpu().double().numpy().copy(),
            "out_scale": net.out_scale.detach().cpu().double().numpy().copy()}


def mlp_numpy(weights: dict, x: np.ndarray) -> np.ndarray:
    """Evaluate exported weights on inputs ``x`` (..., n_q + 1) with numpy."""
    h = (np.asarray(x, dtype=float) - weights["in_shift"]) / weights["in_scale"]
    for w, b in zip(weights["W"][:-1], weights["b"][:-1]):
        h = np.tanh(h @ w.T + b)
    z = h @ weights["W"][-1].T + weights["b"][-1]
    return modified_elu(z) * weights["out_scale"]
