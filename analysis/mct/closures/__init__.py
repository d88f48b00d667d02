"""Learned memory-kernel closures ``m_phi[S]`` (Granz 2026, §4.5)."""
