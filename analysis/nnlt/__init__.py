"""The neural-network inverse Laplace transform (NNLT; Granz 2026, §4.2).

- :mod:`~slowdyn.analysis.nnlt.grids`: the fixed omega/t grids and the polar input encoding (eq. 4.36)
- :mod:`~slowdyn.analysis.nnlt.data`: exact exponential-sum training pairs (eqs. 4.40, 4.41)
- :mod:`~slowdyn.analysis.nnlt.network`: the network and the loss (eqs. 4.42-4.44)
- :mod:`~slowdyn.analysis.nnlt.model`: a trained model, inference only; the shipped model
- :mod:`~slowdyn.analysis.nnlt.config`: training configs (``configs/``: the thesis' and the shipped chain)
- :mod:`~slowdyn.analysis.nnlt.train`: training on :class:`slowdyn.common.training.Trainer`

Refinement, NNLS tails and the classical inversions:
:func:`slowdyn.analysis.laplace.pipeline.invert`. PyTorch is imported lazily.
"""

from .config import INIT_KEYS, NNLTConfig, example_config, pretrained_config
from .data import TrainingData
from .grids import NNLTGrids, encode_polar
from .model import NNLT, NNLTInputWarning, pretrained, pretrained_path
from .train import NNLTTrainer

__all__ = ["INIT_KEYS", "NNLT", "NNLTConfig", "NNLTGrids", "NNLTInputWarning", "NNLTTrainer", "TrainingData",
           "encode_polar", "example_config", "pretrained", "pretrained_config", "pretrained_path"]
