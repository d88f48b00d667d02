"""Memory kernels from correlation functions (Granz 2026, ch. 4)."""
