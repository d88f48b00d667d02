"""The softness SVM recovers a planted linear rule; save/load refuses another feature set."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from slowdyn.analysis.structure_dynamics.softness import Softness, best_bias, normal_overlap  # noqa: E402


def planted(n=3000, m=20, seed=3, noise=0.3):
    """Features of unequal scales and means; label = sign(u . F - c + noise); one rule, samples by ``seed``."""
    rule = np.random.default_rng(0)
    scales, shifts = rule.uniform(0.5, 3.0, m), rule.uniform(-2, 2, m)
    u = rule.normal(size=m) / scales          # the rule in raw units
    u /= np.linalg.norm(u)
    c = shifts @ u
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, m)) * scales + shifts
    z = F @ u - c
    y = np.where(z + noise * z.std() * rng.normal(size=n) > 0, 1, -1)
    return F, y, u


def test_recovers_planted_rule(tmp_path):
    F, y, u = planted()
    clf = Softness(description={"kind": "test", "n": 20}).compute(F, y)
    assert clf.weights_raw @ u > 0.95
    assert clf.cv_best_accuracy > 0.85
    # the bias scan is centred on the best accuracy; held-out data agree
    Ft, yt, _ = planted(seed=4)
    assert clf.accuracy(Ft, yt) > 0.85
    b, acc = best_bias(clf, Ft, yt)
    assert acc >= clf.accuracy(Ft, yt)
    path = clf.save(tmp_path / "clf.npz")
    back = Softness.load(path, description={"kind": "test", "n": 20})
    np.testing.assert_allclose(back.softness(Ft), clf.softness(Ft), rtol=1e-14)
    assert normal_overlap(back, clf) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="other features"):
        Softness.load(path, description={"kind": "test", "n": 21})


def test_single_class_refused():
    F, y, _ = planted(n=100)
    with pytest.raises(ValueError, match="single-class"):
        Softness().compute(F, np.ones(100))


def test_explained_variance_and_regressions():
    """Law of total variance: a perfect predictor explains all of Y, noise of equal variance half of it."""
    from slowdyn.analysis.structure_dynamics.isoconfig import Regressions, explained_variance

    rng = np.random.default_rng(7)
    x = rng.normal(size=20000)
    y = x + rng.normal(size=x.size)
    assert 0.99 < explained_variance(x, x) <= 1.0          # 40 bins keep a little within-bin variance
    assert explained_variance(y, x, bins=40) == pytest.approx(0.5, abs=0.03)
    F, y, u = planted(n=2000, noise=0.0)
    clf = Softness().compute(F, y)
    target = F @ u + 0.2 * rng.normal(size=len(F))
    reg = Regressions(models=("ridge", "linear_svr")).compute(F[:1500], target[:1500], F[1500:], target[1500:],
                                                              softness=clf)
    for row in reg.rows:
        assert row["explained_variance"] > 0.8 and row["projection"] > 0.95
