"""Machinery shared by the driver side (``slowdyn.runs``, ``slowdyn.nnp``, the CLI) and the
post-processing side (``slowdyn.analysis``): both may import it, and it imports neither.

- :mod:`.optional`: lazy import of optional dependencies with an error naming the extra
- :mod:`.plotting`: figures without pyplot state
- :mod:`.training`: the training loop every network shares (checkpoint/resume, history, loss PNG)
"""
