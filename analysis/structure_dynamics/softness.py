"""Softness: a linear soft-margin SVM that separates rearranging from non-rearranging structures.

Schoenholz, Cubuk, Sussman, Kaxiras & Liu (Nat. Phys. 12, 469 (2016)); Obadiya
(PhD thesis, Emory 2025, sec. 2.2.3): the features are standardised at the
training temperature (scikit-learn ``StandardScaler``), a ``LinearSVC``
(C = 1e-2) finds the normal w; the bias b is chosen by a scan with k-fold
cross-validation (the b of highest held-out accuracy), and the softness of a
particle is its signed distance to the hyperplane,

    S_i = w_hat . F~_i - b,     F~ = (F - mean) / scale,   |w_hat| = 1.

Fluidity (Obadiya 2025, sec. 2.3-2.4) is the same classifier trained on
extreme p_hop events at high temperature (:func:`.labels.extreme_examples`);
:func:`best_bias` re-optimises b on a test set at another temperature,
:func:`normalised_projection` is x = (w_hat . F~ - b_best) / sigma and
:func:`normal_overlap` the dot product between two classifiers' normals
(Table 2.1).

A classifier is saved with the description of its feature set
(:attr:`.features.StructureFeatures.description`); :meth:`Softness.load`
refuses features of another kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from slowdyn.common.optional import require
from slowdyn.common.plotting import figure_axes
from .._compute import Compute, computed_property

BIAS_OFFSETS = np.linspace(-1.5, 1.5, 121)


def _svm():
    require("sklearn", "softness", "softness")
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    return StandardScaler, LinearSVC


def _fit(features: np.ndarray, labels: np.ndarray, C: float, seed: int):
    """(mean, scale, unit normal, bias) of a LinearSVC on standardised features."""
    StandardScaler, LinearSVC = _svm()
    scaler = StandardScaler().fit(features)
    svc = LinearSVC(C=C, dual="auto", max_iter=20000, random_state=seed)
    svc.fit(scaler.transform(features), labels)
    w = svc.coef_[0]
    norm = np.linalg.norm(w)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    return scaler.mean_.copy(), scale, w / norm, -float(svc.intercept_[0]) / norm


class Softness(Compute):
    """A trained softness (or fluidity) classifier.

    Parameters
    ----------
    C : float
        Soft-margin parameter of ``LinearSVC`` (1e-2 as Schoenholz et al. 2016).
    folds : int
        Folds of the cross-validated bias scan.
    bias_offsets : numpy.ndarray
        Biases scanned, relative to the SVM's own bias.
    seed : int
        Seed of the fold split and the SVM.
    description : dict, optional
        The feature set (stored with the classifier, checked by :meth:`load`).
    """

    compute_hint = "compute(features, labels) or Softness.load(path)"

    def __init__(self, C: float = 1e-2, folds: int = 5, bias_offsets: np.ndarray = BIAS_OFFSETS, seed: int = 0,
                 description: dict | None = None) -> None:
        self.C, self.folds, self.seed = float(C), int(folds), int(seed)
        self.bias_offsets = np.asarray(bias_offsets, dtype=np.float64)
        self.description = dict(description or {})
        self.sigma = float("nan")         # std of the softness at the training temperature, when measured

    def compute(self, features: np.ndarray, labels: np.ndarray) -> "Softness":
        """Train on examples ``features`` ``(n, M)`` with labels +1 (rearranging) / -1.

        Raises
        ------
        ValueError
            For a single-class training set, or fewer examples per class than folds.
        """
        F = np.asarray(features, dtype=np.float64)
        y = np.sign(np.asarray(labels)).astype(int)
        n_pos, n_neg = int((y > 0).sum()), int((y < 0).sum())
        if n_pos == 0 or n_neg == 0:
            raise ValueError(f"single-class training set ({n_pos} rearranging, {n_neg} non-rearranging "
                             "examples): a classifier needs both classes")
        if min(n_pos, n_neg) < self.folds:
            raise ValueError(f"{min(n_pos, n_neg)} examples in the smaller class, fewer than the {self.folds} "
                             "folds of the bias scan")
        self.mean, self.scale, self.normal, b0 = _fit(F, y, self.C, self.seed)
        biases = b0 + self.bias_offsets
        rng = np.random.default_rng(self.seed)
        fold = np.empty(len(y), int)
        for cls in (1, -1):                                  # stratified folds
            idx = rng.permutation(np.flatnonzero(y == cls))
            fold[idx] = np.arange(len(idx)) % self.folds
        acc = np.zeros((self.folds, len(biases)))
        for k in range(self.folds):
            tr, te = fold != k, fold == k
            mean, scale, normal, _ = _fit(F[tr], y[tr], self.C, self.seed)
            d = ((F[te] - mean) / scale) @ normal
            acc[k] = (np.sign(d[:, None] - biases[None, :]) == y[te, None]).mean(axis=0)
        self.cv_bias, self.cv_accuracy = biases, acc.mean(axis=0)
        self.cv_accuracy_err = acc.std(axis=0, ddof=1) / np.sqrt(self.folds)
        best = int(np.argmax(self.cv_accuracy))
        self.bias = float(biases[best])
        self.svm_bias = float(b0)
        self.n_examples = (n_pos, n_neg)
        return self

    def _check(self, features: np.ndarray) -> np.ndarray:
        F = np.asarray(features, dtype=np.float64)
        if F.shape[-1] != len(self.normal):
            raise ValueError(f"features have {F.shape[-1]} columns, the classifier was trained on "
                             f"{len(self.normal)} ({self.description.get('kind', 'unknown kind')})")
        return F

    def decision(self, features: np.ndarray) -> np.ndarray:
        """w_hat . F~ (softness before the bias), any leading shape."""
        self._require()
        return ((self._check(features) - self.mean) / self.scale) @ self.normal

    def softness(self, features: np.ndarray, bias: float | None = None) -> np.ndarray:
        """S = w_hat . F~ - b (``bias`` overrides the trained b, e.g. a transferred b_best)."""
        return self.decision(features) - (self.bias if bias is None else bias)

    def accuracy(self, features: np.ndarray, labels: np.ndarray, bias: float | None = None) -> float:
        """Fraction of examples whose sign of S equals their label."""
        return float((np.sign(self.softness(features, bias)) == np.sign(labels)).mean())

    def _require(self) -> None:
        if not self._called_compute:
            raise RuntimeError(f"Softness: call {self.compute_hint} first")

    @computed_property
    def weights_raw(self) -> np.ndarray:
        """The normal as a direction in the raw (unstandardised) feature space, unit length."""
        w = self.normal / self.scale
        return w / np.linalg.norm(w)

    @computed_property
    def cv_best_accuracy(self) -> float:
        """Cross-validated accuracy at the chosen bias."""
        return float(self.cv_accuracy.max())

    def summary(self) -> dict[str, float]:
        return {"bias": self.bias, "svm_bias": self.svm_bias, "cv_accuracy": self.cv_best_accuracy,
                "n_rearranging": float(self.n_examples[0]), "n_non_rearranging": float(self.n_examples[1]),
                "C": self.C}

    def plot(self, ax=None):
        """Cross-validated accuracy against the bias (Obadiya 2025, Fig. 2.1)."""
        fig, ax = figure_axes(ax)
        ax.errorbar(self.cv_bias, self.cv_accuracy, self.cv_accuracy_err, fmt=".", ms=3)
        ax.axvline(self.bias, color="k", lw=0.8, ls=":")
        ax.set_xlabel("bias b")
        ax.set_ylabel(f"{self.folds}-fold CV accuracy")
        return fig

    def save(self, path: str | Path) -> Path:
        """Write the classifier (``.npz``) with its feature-set description."""
        self._require()
        path = Path(path)
        np.savez(path, normal=self.normal, mean=self.mean, scale=self.scale, bias=self.bias,
                 svm_bias=self.svm_bias, cv_bias=self.cv_bias, cv_accuracy=self.cv_accuracy,
                 cv_accuracy_err=self.cv_accuracy_err, n_examples=np.array(self.n_examples), sigma=self.sigma,
                 meta=json.dumps({"format": "slowdyn-softness-1", "C": self.C, "folds": self.folds,
                                  "seed": self.seed, "description": self.description}))
        return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")

    @classmethod
    def load(cls, path: str | Path, description: dict | None = None) -> "Softness":
        """Read a classifier written by :meth:`save`.

        Raises
        ------
        ValueError
            If the file is not a softness classifier, or ``description`` (the
            features it will be applied to) differs from the one it was trained on.
        """
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
            meta = json.loads(str(data["meta"]))
        except (ValueError, KeyError, OSError) as err:
            if isinstance(err, FileNotFoundError):
                raise
            raise ValueError(f"{path}: not a softness classifier written by 'slowdyn softness train' "
                             f"({err})") from err
        if meta.get("format") != "slowdyn-softness-1":
            raise ValueError(f"{path}: not a softness classifier (format {meta.get('format')!r})")
        if description is not None and _canon(description) != _canon(meta["description"]):
            raise ValueError(f"{path}: the classifier was trained on other features ({_brief(meta['description'])}) "
                             f"than these ({_brief(description)}); compute the features with its settings")
        self = cls(C=meta["C"], folds=meta["folds"], seed=meta["seed"], description=meta["description"])
        self.normal, self.mean, self.scale = data["normal"], data["mean"], data["scale"]
        self.bias, self.svm_bias = float(data["bias"]), float(data["svm_bias"])
        self.cv_bias, self.cv_accuracy = data["cv_bias"], data["cv_accuracy"]
        self.cv_accuracy_err = data["cv_accuracy_err"]
        self.n_examples = tuple(int(v) for v in data["n_examples"])
        self.sigma = float(data.get("sigma", np.nan))
        return self._computed()


def _canon(desc: dict) -> str:
    return json.dumps(desc, sort_keys=True)


def _brief(desc: dict) -> str:
    radii = desc.get("radii") or [0]
    return (f"{desc.get('kind', '?')}, species {desc.get('species')}, {len(radii)} radii "
            f"{min(radii):g}..{max(radii):g}, delta {desc.get('delta')}")


def best_bias(clf: Softness, features: np.ndarray, labels: np.ndarray,
              offsets: np.ndarray = BIAS_OFFSETS) -> tuple[float, float]:
    """The bias b_best that maximises the accuracy of ``clf``'s direction on a test set, and that accuracy."""
    return bias_scan(clf.decision(features), labels, clf.bias + offsets)


def bias_scan(decision: np.ndarray, labels: np.ndarray, grid: np.ndarray) -> tuple[float, float]:
    """The bias of highest accuracy for the values w_hat . F~ of labelled examples, and that accuracy.

    The scan covers ``grid`` and the 1 %, 2 %, ..., 99 % quantiles of ``decision``.
    """
    d = np.asarray(decision, dtype=np.float64)
    grid = np.unique(np.r_[np.asarray(grid, dtype=np.float64), np.quantile(d, np.linspace(0.01, 0.99, 99))])
    acc = (np.sign(d[:, None] - grid[None, :]) == np.sign(labels)[:, None]).mean(axis=0)
    k = int(np.argmax(acc))
    return float(grid[k]), float(acc[k])


def normalised_projection(clf: Softness, features: np.ndarray, b_best: float, sigma: float) -> np.ndarray:
    """The normalised projection x = (w_hat . F~ - b_best) / sigma (Obadiya 2025, sec. 2.4)."""
    return (clf.decision(features) - b_best) / sigma


def in_standardised_space(reference: Softness, gradient_raw: np.ndarray) -> np.ndarray:
    """A direction given by its gradient in the raw feature space, as a unit vector in the standardised
    feature space of ``reference`` (where ``reference.normal`` lives).
    """
    w = np.asarray(gradient_raw, dtype=np.float64) * reference.scale
    return w / np.linalg.norm(w)


def normal_overlap(reference: Softness, other: Softness) -> float:
    """Dot product of two classifiers' unit normals (Table 2.1), in the standardised space of ``reference``.

    Each classifier standardises with its own training temperature; the other's normal is mapped there
    (the raw space would be dominated by the features of tiny spread, G at r < 0.5).
    """
    return float(reference.normal @ in_standardised_space(reference, other.normal / other.scale))


__all__ = ["Softness", "best_bias", "bias_scan", "in_standardised_space", "normal_overlap", "normalised_projection"]
