"""Dynamical labels: p_hop, the cumulative squared displacement, and the training examples.

p_hop (Candelier, Dauchot & Biroli, PRL 102, 088001 (2009); Obadiya, PhD thesis,
Emory 2025, eq. 2.2) on frames ``dt`` apart, with the windows
w1 = [t - h, t], w2 = [t, t + h] (h = 5 tau, both ends included):

    p_hop(i, t) = sqrt( <(r_i - <r_i>_w2)^2>_w1  <(r_i - <r_i>_w1)^2>_w2 ).

Training examples (Schoenholz et al., Nat. Phys. 12, 469 (2016); Obadiya 2025, sec. 2.2.3):
rearranging if p_hop(i, t) > p_c = 0.2, with the structure taken at t - 2 tau;
non-rearranging if p_hop < p_l = 0.0085 throughout a stretch of at least
120 tau, with the structure at the middle of the stretch. The alternative label
of Obadiya 2025 (appendix A.0.2) is the cumulative squared displacement
Delta r^2(i, t) = (1/10) sum_{t'=t-9}^{t} |r_i(t') - r_i(t'-1)|^2 (threshold 0.0966).
The positions must be unwrapped (a wrapped coordinate jumps by a box length).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def unwrapped_positions(positions) -> np.ndarray:
    """Positions ``(F, N, d)`` of an array or of a :class:`~slowdyn.analysis.io.dump.Trajectory`.

    Raises
    ------
    ValueError
        For a trajectory with wrapped coordinates and no image flags (as the self dynamics).
    """
    if hasattr(positions, "unwrapped"):
        positions.require_unwrapped("p_hop needs")
        positions = positions.positions
    pos = np.asarray(positions, dtype=np.float64)
    if pos.ndim != 3:
        raise ValueError(f"positions must have the shape (frames, particles, dim), not {pos.shape}")
    return pos


def frames_of(duration: float, dt: float, what: str) -> int:
    """``duration / dt`` as a whole number of frames (ValueError if it is not one)."""
    n = duration / dt
    if abs(n - round(n)) > 1e-6 * max(1.0, n) or round(n) < 1:
        raise ValueError(f"{what} = {duration:g} is not a whole number (>= 1) of frame intervals dt = {dt:g}")
    return int(round(n))


def phop(positions, half_window: int = 5) -> np.ndarray:
    """p_hop(i, t) of every particle and frame (eq. 2.2 of Obadiya 2025).

    Parameters
    ----------
    positions : numpy.ndarray or Trajectory
        Unwrapped positions ``(F, N, d)`` on equally spaced frames.
    half_window : int
        Frames in each half window (h; 5 for 1 tau frames and 5 tau windows).

    Returns
    -------
    numpy.ndarray
        ``(F, N)``; NaN in the first and last ``half_window`` frames (incomplete windows).

    Raises
    ------
    ValueError
        For wrapped coordinates, or fewer than ``2 half_window + 1`` frames.
    """
    pos = unwrapped_positions(positions)
    h = int(half_window)
    if h < 1:
        raise ValueError(f"half_window must be >= 1 frame, not {half_window}")
    if pos.shape[0] < 2 * h + 1:
        raise ValueError(f"too few frames for the p_hop windows: {pos.shape[0]} frames, need at least "
                         f"2 * {h} + 1 = {2 * h + 1} (windows [t - {h}, t] and [t, t + {h}] frames)")
    out = np.full(pos.shape[:2], np.nan)
    for t in range(h, pos.shape[0] - h):
        w1, w2 = pos[t - h:t + 1], pos[t:t + h + 1]
        m1, m2 = w1.mean(axis=0), w2.mean(axis=0)
        a = ((w1 - m2) ** 2).sum(axis=-1).mean(axis=0)
        b = ((w2 - m1) ** 2).sum(axis=-1).mean(axis=0)
        out[t] = np.sqrt(a * b)
    return out


def cumulative_squared_displacement(positions, steps: int = 10) -> np.ndarray:
    """Delta r^2(i, t) = (1/steps) sum over the last ``steps`` frame steps ending at t (Obadiya 2025, A.0.2).

    Returns
    -------
    numpy.ndarray
        ``(F, N)``; NaN in the first ``steps`` frames.
    """
    pos = unwrapped_positions(positions)
    if pos.shape[0] < steps + 1:
        raise ValueError(f"too few frames for the cumulative squared displacement: {pos.shape[0]} frames, "
                         f"need at least {steps + 1}")
    sq = (np.diff(pos, axis=0) ** 2).sum(axis=-1)               # step t-1 -> t at index t-1
    c = np.vstack([np.zeros((1, sq.shape[1])), np.cumsum(sq, axis=0)])
    out = np.full(pos.shape[:2], np.nan)
    out[steps:] = (c[steps:] - c[:-steps]) / steps
    return out


@dataclass
class Examples:
    """Training examples: the frame of the structure, the particle and the label (+1 / -1).

    Attributes
    ----------
    frame : numpy.ndarray
        Frame whose structure is used.
    particle : numpy.ndarray
        Particle index.
    label : numpy.ndarray
        +1 rearranging, -1 non-rearranging.
    """

    frame: np.ndarray
    particle: np.ndarray
    label: np.ndarray

    def counts(self) -> tuple[int, int]:
        """(rearranging, non-rearranging)."""
        return int((self.label > 0).sum()), int((self.label < 0).sum())

    def balanced(self, n: int | None = None, seed: int = 0) -> "Examples":
        """A balanced subset: ``n`` of each class (default: as many as the smaller class has), drawn at random.

        Raises
        ------
        ValueError
            When one class is empty (a classifier needs both).
        """
        pos, neg = np.flatnonzero(self.label > 0), np.flatnonzero(self.label < 0)
        if len(pos) == 0 or len(neg) == 0:
            raise ValueError(f"single-class training set: {len(pos)} rearranging and {len(neg)} non-rearranging "
                             "examples; lengthen the trajectory or change the thresholds")
        k = min(len(pos), len(neg)) if n is None else min(n, len(pos), len(neg))
        rng = np.random.default_rng(seed)
        take = np.concatenate([rng.choice(pos, k, replace=False), rng.choice(neg, k, replace=False)])
        return Examples(self.frame[take], self.particle[take], self.label[take])


def rearrangement_examples(p: np.ndarray, dt: float = 1.0, p_c: float = 0.2, p_l: float = 0.0085,
                           quiet_time: float = 120.0, lag: float = 2.0, mask: np.ndarray | None = None) -> Examples:
    """Rearranging and non-rearranging examples from p_hop (Schoenholz et al. 2016 protocol).

    Parameters
    ----------
    p : numpy.ndarray
        p_hop ``(F, N)`` (NaN where undefined), or another label such as the
        cumulative squared displacement.
    dt : float
        Time between frames.
    p_c, p_l : float
        Rearranging above ``p_c``; quiet below ``p_l``.
    quiet_time : float
        Shortest stretch of p < p_l that makes a non-rearranging example (the middle frame is used).
    lag : float
        The structure of a rearrangement at t is taken at t - lag.
    mask : numpy.ndarray of bool, optional
        Particles to use (e.g. the A particles).
    """
    p = np.asarray(p, dtype=np.float64)
    nlag = frames_of(lag, dt, "lag") if lag > 0 else 0
    nquiet = frames_of(quiet_time, dt, "quiet_time")
    use = np.ones(p.shape[1], bool) if mask is None else np.asarray(mask, bool)
    t, i = np.nonzero((p > p_c) & use[None, :])
    ok = t - nlag >= 0
    frames, parts = [t[ok] - nlag], [i[ok]]
    quiet = (p < p_l) & use[None, :]                           # NaN compares False
    for j in np.flatnonzero(quiet.any(axis=0)):
        q = np.r_[False, quiet[:, j], False].astype(np.int8)
        edges = np.flatnonzero(np.diff(q))
        for start, stop in zip(edges[::2], edges[1::2]):
            if stop - start >= nquiet:
                frames.append(np.array([(start + stop - 1) // 2]))
                parts.append(np.array([j]))
    n_pos = len(frames[0])
    frame = np.concatenate(frames).astype(np.int64)
    particle = np.concatenate(parts).astype(np.int64)
    label = np.r_[np.ones(n_pos), -np.ones(len(frame) - n_pos)].astype(np.int64)
    return Examples(frame, particle, label)


def extreme_examples(p: np.ndarray, fraction: float = 3.3e-4, dt: float = 1.0, lag: float = 2.0,
                     mask: np.ndarray | None = None) -> Examples:
    """The most extreme ``fraction`` low and high p_hop events (fluidity training, Obadiya 2025 sec. 2.2.3).

    Both classes take their structure at t - lag.
    """
    p = np.asarray(p, dtype=np.float64)
    nlag = frames_of(lag, dt, "lag") if lag > 0 else 0
    use = np.ones(p.shape[1], bool) if mask is None else np.asarray(mask, bool)
    valid = np.isfinite(p) & use[None, :]
    valid[:nlag] = False
    vals = p[valid]
    if vals.size == 0:
        raise ValueError("no defined p_hop values after the lag")
    lo, hi = np.quantile(vals, [fraction, 1.0 - fraction])
    tp, ip = np.nonzero(valid & (p >= hi))
    tn, iN = np.nonzero(valid & (p <= lo))
    return Examples(np.r_[tp, tn] - nlag, np.r_[ip, iN],
                    np.r_[np.ones(len(tp)), -np.ones(len(tn))].astype(np.int64))


__all__ = ["Examples", "cumulative_squared_displacement", "extreme_examples", "frames_of", "phop",
           "rearrangement_examples", "unwrapped_positions"]
