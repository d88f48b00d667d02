"""A dynamic graph CNN for per-particle dynamics in a periodic box.

EdgeConv layers (Wang, Sun, Liu, Sarma, Bronstein & Solomon, ACM TOG 38, 146 (2019)) as in the
ParticleNet variant that Ciacchi (MSc thesis, Sapienza 2022) trained on Kob-Andersen configurations,
with the graph built right for a bulk liquid:

- layer 1 runs on the k-nearest-neighbour graph of the particles under the minimum-image
  convention (:func:`.graph.knn_graph`, orthogonal and triclinic boxes); its edge function sees
  the one-hot types of both ends and the relative vector r_j - r_i with its length, never an
  absolute coordinate, so the output is invariant under a global translation;
- layers 2, 3, ... recompute the k nearest neighbours in the feature space of the previous layer
  (the "dynamic" graph of DGCNN), with the edge function h(x_i, x_j - x_i);
- each layer aggregates its edges with max and mean (permutation invariant; ``aggr``), the node features of all layers
  are concatenated and a per-node MLP gives the targets (the isoconfigurational propensity
  <Delta r_i^2(t)>_iso at several times t; Bapst et al., Nat. Phys. 16, 448 (2020)); optionally a
  per-configuration head on the mean node features of each species gives pooled targets (the species
  MSD at the plateau and at late time, Ciacchi's task).

Rotations: the relative vectors are not rotation invariant; training rotates them by a random
rotation per configuration and step (``augment="rotation"``, uniform on SO(3); ``"cubic"``: one of the
24 rotations of the cube; the graph of a rotated configuration is the same graph with rotated vectors,
box included), and :meth:`PropensityGNN.predict` averages the output over the 24 rotations of the
cube (``symmetrize=True``): the prediction is then exactly invariant under every symmetry of a cubic
box (and of any box, for those of the 24 that map it onto itself).

Why an own EdgeConv in plain torch rather than torch_geometric: torch_geometric 2.8.1 is a pure-Python
wheel on PyPI (its import also pulls xxhash and others), but ``DynamicEdgeConv``, the feature-space graph,
raises "requires torch-cluster" without torch_cluster, and PyPI has no wheel of torch_cluster
(``pip download --only-binary :all: torch-cluster`` finds none: a C++ build against the installed torch at
every install). The parts needed here are small: the spatial graph comes from freud anyway (periodic,
triclinic), the feature-space graph is a dense distance matrix and ``topk`` (N = 1000-4096 particles per
configuration), and EdgeConv is a gather and an aggregation, a few lines; float64 runs (the invariance
tests) and exact reproducibility come for free.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from itertools import permutations, product
from pathlib import Path

import numpy as np

from slowdyn.common.optional import require
from slowdyn.common.training import Trainer, load_torch_file
from .graph import knn_graph

FORMAT = "slowdyn propensity gnn v1"
AUGMENT = ("rotation", "cubic", "none")
AGGREGATIONS = ("max", "mean", "max+mean")


def _torch():
    return require("torch", "the graph network", "nnlt", "CPU build: pip install torch==2.13.0")


def cubic_rotations(dim: int = 3) -> np.ndarray:
    """The proper rotations of the cube (24, 3, 3) or, for ``dim=2``, of the square (4, 3, 3; about z)."""
    if dim == 2:
        c = [np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]])]
        c = [c[0], c[1], c[1] @ c[1], c[1] @ c[1] @ c[1]]
        return np.array(c, dtype=np.float64)
    out = []
    for perm in permutations(range(3)):
        for signs in product((1, -1), repeat=3):
            m = np.zeros((3, 3))
            m[np.arange(3), perm] = signs
            if np.linalg.det(m) > 0:
                out.append(m)
    return np.array(out)


def random_rotation(generator, dim: int = 3, dtype=None):
    """A rotation uniform on SO(3) (QR of a Gaussian matrix), or about z for ``dim=2``; a torch tensor."""
    torch = _torch()
    if dim == 2:
        a = 2 * np.pi * float(torch.rand(1, generator=generator))
        c, s = np.cos(a), np.sin(a)
        return torch.tensor([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    g = torch.randn(3, 3, generator=generator, dtype=torch.float64)
    q, r = torch.linalg.qr(g)
    q = q * torch.sign(torch.diagonal(r))
    if torch.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q.to(dtype)


@dataclass
class GNNConfig:
    """The network and its training.

    Parameters
    ----------
    k : int
        Neighbours per particle in every layer (spatial in layer 1, feature space after).
    widths : tuple of int
        Output width of each EdgeConv layer (their number is the number of layers).
    edge_hidden : int
        Hidden width of each layer's edge MLP (two linear layers, ReLU).
    head : tuple of int
        Hidden widths of the per-node (and pooled) output MLP.
    rbf, rbf_max : int, float
        The length |r_j - r_i| enters layer 1 also through ``rbf`` Gaussians centred on
        0 ... ``rbf_max`` (width: their spacing; as SchNet, Schütt et al., J. Chem. Phys. 148, 241722
        (2018)): a function of the distance, e.g. a step at a shell radius, is then nearly linear in them.
    aggr : {"max", "mean", "max+mean"}
        Aggregation over the k edges of a node: max (DGCNN, Ciacchi 2022), mean (ParticleNet, Qu & Gouskos,
        PRD 101, 056019 (2020)) or both side by side (default): a count of neighbours within a radius, the
        simplest structural predictor of propensity, is a mean over the k edges (k fixed) but no max is.
    dynamic : bool
        Layers after the first recompute the kNN graph in feature space (DGCNN); False: every layer
        uses the spatial graph.
    periodic : bool
        The spatial graph under the minimum-image convention (False: the open box, as Ciacchi 2022).
    augment : {"rotation", "cubic", "none"}
        Rotation of the relative vectors during training.
    epochs, lr, weight_decay, lr_decay, batch_size, seed : training (AdamW, exponential decay per epoch;
        ``batch_size`` configurations per step).
    pooled_weight : float
        Weight of the pooled (per-configuration) loss next to the per-node one.
    dtype : {"float32", "float64"}
    """

    k: int = 12
    widths: tuple = (32, 32, 32)
    edge_hidden: int = 32
    head: tuple = (64,)
    rbf: int = 16
    rbf_max: float = 3.0
    aggr: str = "max+mean"
    dynamic: bool = True
    periodic: bool = True
    augment: str = "rotation"
    epochs: int = 60
    lr: float = 3e-3
    weight_decay: float = 1e-5
    lr_decay: float = 0.97
    batch_size: int = 1
    seed: int = 0
    pooled_weight: float = 1.0
    dtype: str = "float32"

    def __post_init__(self) -> None:
        self.widths = tuple(int(w) for w in self.widths)
        self.head = tuple(int(w) for w in self.head)
        if self.augment not in AUGMENT:
            raise ValueError(f"augment must be one of {', '.join(AUGMENT)}, not {self.augment!r}")
        if self.aggr not in AGGREGATIONS:
            raise ValueError(f"aggr must be one of {', '.join(AGGREGATIONS)}, not {self.aggr!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be float32 or float64, not {self.dtype!r}")
        if int(self.k) < 1 or not self.widths or min(self.widths) < 1:
            raise ValueError("k >= 1 and at least one EdgeConv layer of width >= 1 are needed")

    def architecture(self) -> dict:
        """The entries that define the network (stored in the model file)."""
        keys = ("k", "widths", "edge_hidden", "head", "rbf", "rbf_max", "aggr", "dynamic", "periodic", "dtype")
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items() if k in keys}

    @classmethod
    def from_dict(cls, d: dict) -> "GNNConfig":
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown graph-network settings: {', '.join(unknown)}")
        return cls(**d)


def build_network(n_types: int, n_out: int, n_pooled: int, config: GNNConfig):
    """The dynamic graph CNN (``torch.nn.Module``); ``forward(x, nb, vec) -> (node (N, n_out), pooled)``.

    ``x`` is the one-hot type ``(N, n_types)``, ``nb`` the spatial neighbours ``(N, k)`` and ``vec`` the
    relative vectors ``(N, k, 3)``; ``pooled`` is ``(n_pooled,)`` (None when ``n_pooled`` is 0).
    """
    torch = _torch()
    nn = torch.nn

    def mlp(n_in, hidden, n_out, last_relu):
        layers, w = [], n_in
        for h in hidden:
            layers += [nn.Linear(w, h), nn.ReLU()]
            w = h
        layers.append(nn.Linear(w, n_out))
        if last_relu:
            layers.append(nn.ReLU())
        return nn.Sequential(*layers)

    n_aggr = 2 if config.aggr == "max+mean" else 1

    class EdgeConv(nn.Module):
        """x_i' = max_j h([a_i, e_ij]) (and/or the mean) over the k edges of i.

        A gather and an aggregation (own code, see the module doc).
        """

        def __init__(self, n_in, n_out):
            super().__init__()
            self.h = mlp(n_in, (config.edge_hidden,), n_out, True)

        def forward(self, edge):                        # (N, k, n_in) -> (N, n_aggr * n_out)
            e = self.h(edge)
            if config.aggr == "max":
                return e.amax(dim=1)
            if config.aggr == "mean":
                return e.mean(dim=1)
            return torch.cat([e.amax(dim=1), e.mean(dim=1)], dim=-1)

    class DGCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.n_types, self.k, self.dynamic = n_types, int(config.k), bool(config.dynamic)
            n_rbf = int(config.rbf)
            self.register_buffer("centres", torch.linspace(0.0, float(config.rbf_max), max(n_rbf, 2))[:n_rbf])
            self.gamma = 0.5 * ((n_rbf - 1) / float(config.rbf_max)) ** 2 if n_rbf > 1 else 1.0
            convs, w = [EdgeConv(2 * n_types + 4 + n_rbf, config.widths[0])], n_aggr * config.widths[0]
            for width in config.widths[1:]:
                convs.append(EdgeConv(2 * w, width))
                w = n_aggr * width
            self.convs = nn.ModuleList(convs)
            total = n_aggr * sum(config.widths)
            self.node_head = mlp(total, config.head, n_out, False)
            self.pooled_head = mlp(n_types * total, config.head, n_pooled, False) if n_pooled else None

        def feature_knn(self, h):
            """The k nearest other nodes in feature space (exact pairwise distances, no matmul shortcut)."""
            d = torch.cdist(h, h, compute_mode="donot_use_mm_for_euclid_dist")
            d.fill_diagonal_(float("inf"))
            return torch.topk(d, min(self.k, len(h) - 1), dim=1, largest=False).indices

        def forward(self, x, nb, vec):
            n, k = nb.shape
            r = torch.linalg.norm(vec, dim=-1, keepdim=True)
            basis = torch.exp(-self.gamma * (r - self.centres) ** 2)
            edge = torch.cat([x[:, None, :].expand(n, k, -1), x[nb], vec, r, basis], dim=-1)
            h = self.convs[0](edge)
            feats = [h]
            for conv in self.convs[1:]:
                idx = self.feature_knn(h) if self.dynamic else nb
                hi = h[:, None, :].expand(-1, idx.shape[1], -1)
                h = conv(torch.cat([hi, h[idx] - hi], dim=-1))
                feats.append(h)
            f = torch.cat(feats, dim=-1)
            node = self.node_head(f)
            if self.pooled_head is None:
                return node, None
            counts = x.sum(0).clamp(min=1.0)                           # (n_types,)
            means = (x.T @ f) / counts[:, None]                        # species means (n_types, total)
            return node, self.pooled_head(means.reshape(-1))

    net = DGCNN()
    return net.double() if config.dtype == "float64" else net


def type_codes(types: np.ndarray, known: list[int], where: str = "the configuration") -> np.ndarray:
    """Indices of ``types`` in ``known`` (the model's types); a ValueError names the mismatch."""
    types = np.asarray(types, dtype=np.int64)
    present = sorted(int(t) for t in np.unique(types))
    if not set(present) <= set(known):
        raise ValueError(f"the model was trained for {len(known)} particle types ({' '.join(map(str, known))}); "
                         f"{where} has {len(present)} types ({' '.join(map(str, present))})")
    return np.searchsorted(np.asarray(known), types)


@dataclass
class Graph:
    """One configuration as the network reads it (numpy; see :meth:`tensors`)."""

    codes: np.ndarray                  # (N,) type indices 0..n_types-1
    neighbours: np.ndarray             # (N, k)
    vectors: np.ndarray                # (N, k, 3)
    dim: int = 3

    @classmethod
    def build(cls, positions, types, cell, known: list[int], k: int, dim: int = 3, periodic: bool = True,
              where: str = "the configuration") -> "Graph":
        g = knn_graph(positions, cell, k, dim, periodic)
        return cls(type_codes(types, known, where), g.neighbours, g.vectors, dim)

    def tensors(self, n_types: int, dtype):
        torch = _torch()
        x = torch.nn.functional.one_hot(torch.as_tensor(self.codes), n_types).to(dtype)
        return x, torch.as_tensor(self.neighbours), torch.as_tensor(self.vectors, dtype=dtype)


@dataclass
class PropensityGNN:
    """A trained graph network with what it needs to be applied (the model file).

    Attributes
    ----------
    net : torch.nn.Module
    config : GNNConfig
    types : list of int
        The particle types it was trained for (one-hot order).
    targets : list of str
        Names of the per-node outputs (e.g. ``propensity(t=100)``).
    times : list of float
        The time of each per-node output (NaN when not a time).
    pooled : list of str
        Names of the per-configuration outputs (empty: none).
    scale : dict
        ``node_mean``, ``node_std`` (and ``pooled_mean``, ``pooled_std``): the targets were standardised
        with these in training; predictions are returned in the original units.
    history : dict
    """

    net: object
    config: GNNConfig
    types: list
    targets: list
    times: list
    pooled: list = field(default_factory=list)
    scale: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)
    dim: int = 3

    @property
    def dtype(self):
        return getattr(_torch(), self.config.dtype)

    def graph(self, positions, types, cell, where: str = "the configuration") -> Graph:
        return Graph.build(positions, types, cell, self.types, self.config.k, self.dim, self.config.periodic, where)

    def forward(self, graph: Graph, symmetrize: bool = True):
        """Standardised outputs ``(node (N, T), pooled (P,) or None)`` as tensors, averaged over the
        rotations of the cube when ``symmetrize``.
        """
        torch = _torch()
        x, nb, vec = graph.tensors(len(self.types), self.dtype)
        rots = cubic_rotations(graph.dim) if symmetrize else np.eye(3)[None]
        node, pooled = 0.0, 0.0
        with torch.no_grad():
            for rot in torch.as_tensor(rots, dtype=self.dtype):
                a, b = self.net(x, nb, vec @ rot.T)
                node = node + a
                pooled = pooled + b if b is not None else None
        pooled = None if pooled is None else pooled / len(rots)
        return node / len(rots), pooled

    def predict(self, positions, types, cell, symmetrize: bool = True, where: str = "the configuration"):
        """Per-particle predictions ``(N, len(targets))`` in the targets' units (and the pooled ones).

        Parameters
        ----------
        positions : numpy.ndarray
            ``(N, 3)``, wrapped or not.
        types : numpy.ndarray
            ``(N,)`` particle types (those of the model, a subset allowed).
        cell : numpy.ndarray
            ``(3, 3)`` box matrix (rows are box vectors).
        symmetrize : bool
            Average over the 24 rotations of the cube (exact invariance under them; 24 forward passes).

        Returns
        -------
        (numpy.ndarray, numpy.ndarray or None)
            ``(N, T)`` node outputs and the ``(P,)`` pooled outputs (None without a pooled head).
        """
        node, pooled = self.forward(self.graph(positions, types, cell, where), symmetrize)
        s = self.scale
        out = node.double().numpy() * np.asarray(s.get("node_std", 1.0)) + np.asarray(s.get("node_mean", 0.0))
        if pooled is not None:
            pooled = (pooled.double().numpy() * np.asarray(s.get("pooled_std", 1.0))
                      + np.asarray(s.get("pooled_mean", 0.0)))
        return out, pooled

    def state(self) -> dict:
        return {"format": FORMAT, "architecture": self.config.architecture(), "config": json.dumps(
                    {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self.config).items()}),
                "n_types": len(self.types), "types": [int(t) for t in self.types],
                "targets": list(self.targets), "times": [float(t) for t in self.times],
                "pooled": list(self.pooled), "dim": int(self.dim),
                "scale": json.dumps({k: np.asarray(v).tolist() for k, v in self.scale.items()}),
                "history": json.dumps(self.history), "state_dict": self.net.state_dict()}

    def save(self, path: str | os.PathLike) -> Path:
        from slowdyn.common.training import save_torch_file

        return save_torch_file(path, self.state())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "PropensityGNN":
        """Read a model file (``MODEL_DIR/model.pt``, or the folder itself)."""
        path = Path(path)
        if path.is_dir():
            path = path / "model.pt"
        blob = load_torch_file(path, "slowdyn propensity graph-network model",
                               ("format", "config", "types", "targets", "state_dict"))
        if blob["format"] != FORMAT:
            raise ValueError(f"{path}: not a slowdyn graph-network model (format {blob['format']!r}, "
                             f"expected {FORMAT!r})")
        try:
            config = GNNConfig.from_dict(json.loads(blob["config"]))
            types = [int(t) for t in blob["types"]]
            if int(blob.get("n_types", len(types))) != len(types):
                raise ValueError(f"n_types = {blob['n_types']} but {len(types)} types listed")
            net = build_network(len(types), len(blob["targets"]), len(blob.get("pooled", [])), config)
            net.load_state_dict(blob["state_dict"])
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(f"{path}: a damaged graph-network model (its settings and weights do not fit "
                             f"together: {type(exc).__name__} {' '.join(str(exc).split())[:160]})") from exc
        return cls(net.eval(), config, types, list(blob["targets"]), list(blob.get("times", [])),
                   list(blob.get("pooled", [])), json.loads(blob.get("scale", "{}")),
                   json.loads(blob.get("history", "{}")), int(blob.get("dim", 3)))


@dataclass
class GraphSet:
    """Configurations with per-particle targets (and optional per-configuration ones).

    Parameters
    ----------
    positions : sequence of numpy.ndarray
        ``(N, 3)`` per configuration.
    types : sequence of numpy.ndarray
        ``(N,)`` per configuration (or one array for all).
    cells : sequence of numpy.ndarray
        ``(3, 3)`` per configuration (or one for all).
    node_targets : sequence of numpy.ndarray
        ``(N, T)`` per configuration; NaN marks a particle without a target (not in the loss).
    pooled_targets : numpy.ndarray, optional
        ``(S, P)``.
    """

    positions: list
    types: list
    cells: list
    node_targets: list
    pooled_targets: np.ndarray | None = None

    def __post_init__(self) -> None:
        s = len(self.positions)
        self.positions = [np.asarray(p, dtype=np.float64) for p in self.positions]
        if isinstance(self.types, np.ndarray) and self.types.ndim == 1:
            self.types = [self.types] * s
        cells = np.asarray(self.cells, dtype=np.float64)
        self.cells = list(np.broadcast_to(cells, (s, 3, 3))) if cells.ndim == 2 else list(cells)
        self.node_targets = [np.asarray(y, dtype=np.float64).reshape(len(p), -1)
                             for y, p in zip(self.node_targets, self.positions)]
        if not (len(self.types) == len(self.cells) == len(self.node_targets) == s) or s == 0:
            raise ValueError("positions, types, cells and node_targets need one entry per configuration")
        if self.pooled_targets is not None:
            self.pooled_targets = np.asarray(self.pooled_targets, dtype=np.float64).reshape(s, -1)

    def __len__(self) -> int:
        return len(self.positions)

    def subset(self, idx) -> "GraphSet":
        idx = [int(i) for i in idx]
        return GraphSet([self.positions[i] for i in idx], [self.types[i] for i in idx],
                        [self.cells[i] for i in idx], [self.node_targets[i] for i in idx],
                        None if self.pooled_targets is None else self.pooled_targets[idx])


class GNNTrainer(Trainer):
    """Train a :class:`PropensityGNN` through the shared :class:`~slowdyn.common.training.Trainer`.

    Parameters
    ----------
    config : GNNConfig
    train, val : GraphSet
        Training and held-out configurations (``val`` may be None).
    out_dir : path
        ``checkpoint.pt``, ``history.json``, ``loss.png`` and ``model.pt``.
    targets, times, pooled : list
        Names of the node targets, their times, names of the pooled targets.
    types : list of int, optional
        The particle types (default: those in ``train``).
    dim : int
    max_cpu_seconds : float, optional
        CPU-time budget of the run (the shared Trainer's).
    resume, progress, num_threads : as the Trainer's.
    """

    def __init__(self, config: GNNConfig, train: GraphSet, val: GraphSet | None, out_dir, *,
                 targets: list | None = None, times: list | None = None, pooled: list | None = None,
                 types: list | None = None, dim: int = 3, max_cpu_seconds: float | None = None,
                 resume: bool = True, progress: bool = True, num_threads: int | None = None) -> None:
        super().__init__(out_dir, epochs=config.epochs, lr=config.lr, weight_decay=config.weight_decay,
                         batch_size=config.batch_size, seed=config.seed, schedule="exponential",
                         lr_decay=config.lr_decay, num_threads=num_threads, resume=resume, progress=progress,
                         desc="gnn", max_cpu_seconds=max_cpu_seconds)
        self.config, self.train_set, self.val_set, self.dim = config, train, val, int(dim)
        n_t = train.node_targets[0].shape[1]
        self.targets = list(targets) if targets is not None else [f"target_{i}" for i in range(n_t)]
        self.times = [float(t) for t in times] if times is not None else [float("nan")] * n_t
        n_p = 0 if train.pooled_targets is None else train.pooled_targets.shape[1]
        self.pooled = list(pooled) if pooled is not None else [f"pooled_{i}" for i in range(n_p)]
        self.types = sorted(int(t) for t in types) if types is not None else \
            sorted({int(t) for ty in train.types for t in np.unique(ty)})
        self._model: PropensityGNN | None = None

    @property
    def model(self) -> PropensityGNN:
        if self._model is None:
            raise RuntimeError("GNNTrainer: call run() first")
        return self._model

    def config_key(self) -> dict:
        c = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self.config).items() if k != "epochs"}
        y = np.concatenate([np.nan_to_num(t).ravel() for t in self.train_set.node_targets])
        return {**c, "types": self.types, "targets": self.targets, "n_train": len(self.train_set),
                "n_val": 0 if self.val_set is None else len(self.val_set), "target_sum": float(np.round(y.sum(), 6))}

    def _scale(self) -> dict:
        y = np.concatenate(self.train_set.node_targets)
        std = np.nanstd(y, axis=0)
        scale = {"node_mean": np.nanmean(y, axis=0), "node_std": np.where(std > 0, std, 1.0)}
        if self.train_set.pooled_targets is not None:
            p = self.train_set.pooled_targets
            ps = p.std(axis=0)
            scale.update(pooled_mean=p.mean(axis=0), pooled_std=np.where(ps > 0, ps, 1.0))
        return scale

    def _samples(self, data: GraphSet, scale: dict, model: PropensityGNN) -> list:
        torch = _torch()
        out = []
        for s in range(len(data)):
            g = model.graph(data.positions[s], data.types[s], data.cells[s], where=f"configuration {s}")
            x, nb, vec = g.tensors(len(self.types), model.dtype)
            y = (data.node_targets[s] - scale["node_mean"]) / scale["node_std"]
            mask = torch.as_tensor(np.isfinite(y).all(axis=1))
            p = None
            if data.pooled_targets is not None:
                p = torch.as_tensor((data.pooled_targets[s] - scale["pooled_mean"]) / scale["pooled_std"],
                                    dtype=model.dtype)
            out.append({"x": x, "nb": nb, "vec": vec, "y": torch.as_tensor(np.nan_to_num(y), dtype=model.dtype),
                        "mask": mask, "pooled": p})
        return out

    def setup(self):
        torch = _torch()
        cfg = self.config
        scale = self._scale()
        n_p = len(self.pooled)
        net = build_network(len(self.types), len(self.targets), n_p, cfg)
        self._model = PropensityGNN(net, cfg, self.types, self.targets, self.times, self.pooled,
                                    scale, {}, self.dim)
        train = self._samples(self.train_set, scale, self._model)
        val = {} if self.val_set is None else {"": self._samples(self.val_set, scale, self._model)}
        self._dtype = torch.float64 if cfg.dtype == "float64" else torch.float32
        return net, train, val

    def batches(self, data, generator=None):
        torch = _torch()
        n = len(data)
        order = torch.randperm(n, generator=generator).tolist() if generator is not None else list(range(n))
        size = self.batch_size or n
        rots = cubic_rotations(self.dim)
        for i in range(0, n, size):
            batch = []
            for j in order[i:i + size]:
                rot = None
                if generator is not None and self.config.augment == "rotation":
                    rot = random_rotation(generator, self.dim, self._dtype)
                elif generator is not None and self.config.augment == "cubic":
                    rot = torch.as_tensor(rots[int(torch.randint(len(rots), (1,), generator=generator))],
                                          dtype=self._dtype)
                batch.append((data[j], rot))
            yield batch

    def batch_size_of(self, batch) -> int:
        return len(batch)

    def loss(self, net, batch):
        torch = _torch()
        total, node_mse, pooled_mse = 0.0, 0.0, 0.0
        for s, rot in batch:
            vec = s["vec"] if rot is None else s["vec"] @ rot.T
            node, pooled = net(s["x"], s["nb"], vec)
            m = s["mask"]
            lm = torch.mean((node[m] - s["y"][m]) ** 2)
            total = total + lm
            node_mse += float(lm.detach())
            if pooled is not None:
                lp = torch.mean((pooled - s["pooled"]) ** 2)
                total = total + self.config.pooled_weight * lp
                pooled_mse += float(lp.detach())
        metrics = {"node_mse": node_mse / len(batch)}
        if self.pooled:
            metrics["pooled_mse"] = pooled_mse / len(batch)
        return total / len(batch), metrics

    def save_model(self, net, history: dict) -> Path:
        model = self.model
        model.net = net.eval()
        model.history = history
        return model.save(self.out_dir / "model.pt")


def predict(model: "str | os.PathLike | PropensityGNN", positions, types, cell, symmetrize: bool = True) -> np.ndarray:
    """The per-particle outputs ``(N, K)`` of a model (its folder, ``model.pt`` or a loaded one) for one
    configuration; column k is ``targets[k]`` at ``times[k]``.
    """
    if not isinstance(model, PropensityGNN):
        model = PropensityGNN.load(model)
    return model.predict(positions, types, cell, symmetrize)[0]


__all__ = ["FORMAT", "GNNConfig", "GNNTrainer", "Graph", "GraphSet", "PropensityGNN", "build_network",
           "cubic_rotations", "predict", "random_rotation", "type_codes"]
