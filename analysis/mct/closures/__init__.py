"""Learned memory-kernel closures ``m_phi[S]`` (Granz 2026, §4.5).

- :mod:`.data`: tagged-particle hard-disk MCT samples ``(S_t(q), phi) -> m_t(q)``
  (:func:`generate_hard_disk_data`, :class:`ClosureData`, :class:`HardDiskGrid`),
  analytic F12 samples (:func:`f12_data`)
- :mod:`.network`: the 32-16-32 tanh network with the modified-ELU output
- :mod:`.training`: YAML configs and :func:`ClosureTrainer` (shared ``slowdyn.common.training.Trainer``)
- :mod:`.solver`: the network as an mctpy closure (numba), non-ergodicity
  parameters, critical packing fractions, time-domain correlators
- :mod:`.evaluate`: the learned closure against hard-disk MCT

torch, mctpy and numba are imported lazily.
"""

from .data import THESIS_Q, ClosureData, HardDiskGrid, f12_data, generate_hard_disk_data, solve_hard_disks
from .network import build_network, export_weights, mlp_numpy, modified_elu
from .solver import (closure_correlator, closure_critical_packing, closure_model, closure_nonergodicity,
                     critical_packing, hard_disk_nonergodicity, mct_critical_packing, nonergodicity_parameter)
from .training import ClosureTrainer, load_closure, load_config, save_closure, validate_config

__all__ = ["THESIS_Q", "ClosureData", "ClosureTrainer", "HardDiskGrid", "build_network", "closure_correlator",
           "closure_critical_packing", "closure_model", "closure_nonergodicity", "critical_packing",
           "export_weights", "f12_data", "generate_hard_disk_data", "hard_disk_nonergodicity", "load_closure",
           "load_config", "mct_critical_packing", "mlp_numpy", "modified_elu", "nonergodicity_parameter",
           "save_closure", "solve_hard_disks", "validate_config"]
