"""SISF tables for the kernel pipeline: a ``fix sisf/msd`` file or a plain ``t F_s`` table
(:func:`slowdyn.analysis.io.sisf.load_sisf`, re-exported here).
"""

from __future__ import annotations

from ..io.sisf import load_sisf

__all__ = ["load_sisf"]
