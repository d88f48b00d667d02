"""The YAML files of the NNP side, read and checked in one place.

- :func:`read_yaml` (:func:`slowdyn.common.config.read_yaml`, the reader of
  every YAML file of slowdyn): every YAML file of :mod:`slowdyn.nnp` (data-set
  recipes of ``slowdyn nnp data``, training configs, a data set's
  ``dataset.yaml``) goes through it: a missing file, broken YAML or a file that is not a mapping
  is a one-line error naming the file.
- :func:`load_training_config`: the training config of every backend
  (``knn``, ``deepmd``, ``nequip``), with the keys they share:

  ``dataset``
      the folder written by ``slowdyn nnp data`` (required). A relative path
      is taken next to the config file when it exists there, else in the
      current folder; the result is absolute.
  ``out_dir``, ``name``
      optional output folder and name.

  and the backend's own keys; an unknown key is an error listing the known ones.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable

from slowdyn.common.config import read_yaml

#: the keys every backend's training config has
COMMON_KEYS = ("dataset", "out_dir", "name")
#: keys of earlier versions, with their present name
RENAMED = {"data": "dataset"}


def load_training_config(config: str | os.PathLike | Mapping, backend: str, keys: Iterable[str],
                         shipped: str | os.PathLike | None = None) -> dict[str, Any]:
    """A backend's training config, checked, with ``dataset`` an absolute path.

    Parameters
    ----------
    config
        YAML path, the name of a config shipped in ``shipped`` (without
        ``.yaml``), or a mapping (relative paths then count from the current folder).
    backend
        ``knn``, ``deepmd`` or ``nequip``, for the messages.
    keys
        The backend's own top-level keys (besides :data:`COMMON_KEYS`).
    shipped
        Folder of the backend's shipped configs.

    Returns
    -------
    dict
        A copy of the config; ``dataset`` resolved (see the module notes).
    """
    where = "config"
    if isinstance(config, Mapping):
        cfg, base = dict(config), Path.cwd()
    else:
        path = Path(config)
        if not path.exists() and shipped is not None and (Path(shipped) / f"{config}.yaml").is_file():
            path = Path(shipped) / f"{config}.yaml"
        if not path.exists():
            names = sorted(p.stem for p in Path(shipped).glob("*.yaml")) if shipped is not None else []
            raise FileNotFoundError(f"training config {config} not found"
                                    + (f" (shipped {backend} configs: {', '.join(names)})" if names else ""))
        cfg, base, where = read_yaml(path, f"{backend} training config"), path.parent, str(path)
    for old, new in RENAMED.items():
        if old in cfg:
            raise ValueError(f"{where}: the key '{old}' is called '{new}' (the folder written by "
                             f"'slowdyn nnp data'); rename it")
    known = set(COMMON_KEYS) | set(keys)
    bad = set(cfg) - known
    if bad:
        raise ValueError(f"{where}: unknown keys {sorted(bad)} in the {backend} training config; "
                         f"known: {sorted(known)}")
    if cfg.get("dataset") in (None, ""):
        raise ValueError(f"{where}: the {backend} training config needs 'dataset': the folder written by "
                         "'slowdyn nnp data'")
    cfg["dataset"] = str(resolve_dataset(cfg["dataset"], base))
    return cfg


def resolve_dataset(dataset: str | os.PathLike, base: str | os.PathLike) -> Path:
    """The absolute data-set folder: a relative ``dataset`` next to ``base`` when it exists
    there, else in the current folder.
    """
    p = Path(dataset).expanduser()
    if not p.is_absolute() and (Path(base) / p).exists():
        p = Path(base) / p
    return p.resolve()


__all__ = ["COMMON_KEYS", "RENAMED", "load_training_config", "read_yaml", "resolve_dataset"]
