"""Learned memory-kernel closures ``m_phi[S]`` (Granz 2026, §4.5).

- :mod:`.data`: tagged-particle hard-disk MCT samples ``(S_t(q), phi) -> m_t(q)``
  (:func:`generate_hard_disk_data`, :class:`ClosureData`) of
  :class:`~slowdyn.analysis.mct.hard_disks.HardDisks2D` on
  :data:`~slowdyn.analysis.mct.hard_disks.CLOSURE_GRID`, analytic F12 samples (:func:`f12_data`)
- :mod:`.network`: the 32-16-32 tanh network with the modified-ELU output
- :mod:`.training`: YAML configs and :func:`ClosureTrainer` (shared ``slowdyn.common.training.Trainer``)
- :mod:`.solver`: the network as an mctpy closure (numba), its non-ergodicity
  parameters, critical packing fraction, time-domain correlators
- :mod:`.evaluate`: the learned closure against hard-disk MCT

torch, mctpy and numba are imported lazily.
"""

from ..hard_disks import CLOSURE_GRID
from .data import THESIS_Q, ClosureData, f12_data, generate_hard_disk_data, solve_hard_disks
from .network import build_network, export_weights, mlp_numpy, modified_elu
from .solver import closure_correlator, closure_critical_packing, closure_model, closure_nonergodicity
from .training import ClosureTrainer, load_closure, load_config, save_closure, validate_config

__all__ = ["CLOSURE_GRID", "THESIS_Q", "ClosureData", "ClosureTrainer", "build_network", "closure_correlator",
           "closure_critical_packing", "closure_model", "closure_nonergodicity", "export_weights", "f12_data",
           "generate_hard_disk_data", "load_closure", "load_config", "mlp_numpy", "modified_elu", "save_closure",
           "solve_hard_disks", "validate_config"]
