"""The NNLT network and its loss (Granz 2026, §4.2.3, eqs. 4.42-4.44).

A feed-forward network maps the polar-encoded transform (eq. 4.36) to
``f(t_j)`` on the fixed time grid; the first module standardises the input
(its mean and std are buffers, so a state dict is self-contained).
PyTorch is imported lazily.
"""

from __future__ import annotations

from slowdyn.common.optional import require
from .config import ACTIVATIONS


def _torch():
    return require("torch", "the NNLT", "nnlt", "CPU build: pip install torch==2.13.0")


def build_network(n_in: int, n_out: int, hidden, activation: str = "tanh", output: str = "sigmoid"):
    """``torch.nn.Sequential``: input standardisation, hidden layers, output activation.

    The first module holds the buffers ``mean`` and ``std`` of the input
    features (set from the training set), so a state dict is self-contained.
    """
    from slowdyn.common.training import standardized_mlp

    return standardized_mlp(n_in, hidden, n_out, ACTIVATIONS[activation],
                            "Sigmoid" if output == "sigmoid" else "Tanh")


def nnlt_loss(pred, target, w_mse: float = 1.0, w_log: float = 1.0, eps: float = 1e-12):
    """Loss of eqs. 4.42-4.44; returns ``(total, mse, logmse)`` (torch scalars)."""
    torch = _torch()
    mse = torch.mean((pred - target) ** 2)
    logmse = torch.mean((torch.log(pred + eps) - torch.log(target + eps)) ** 2)
    return w_mse * mse + w_log * logmse, mse, logmse


__all__ = ["build_network", "nnlt_loss"]
