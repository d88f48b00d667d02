"""CPU-time training budgets (``max_cpu_minutes``) of the three NNP training routes.

The shared :class:`slowdyn.common.training.Trainer` stops starting epochs once its
budget is spent (the run is then resumable to the same result as an
uninterrupted one); DeePMD-kit's ``dp train`` is stopped from outside by the
CPU time /proc reports for it (:func:`slowdyn.nnp.deepmd.run_with_budget`);
nequip-train gets a Lightning callback (checked in tests/test_nnp_nequip.py,
which needs the extra).  No network potential is trained here (seconds in all)."""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest
import yaml

torch = pytest.importorskip("torch")  # the test extra pins torch==2.13.0

from slowdyn.common.training import Trainer  # noqa: E402


class LineTrainer(Trainer):
    """Least-squares fit of y = 3 x + 1 by a single linear unit."""

    def config_key(self) -> dict:
        return {"model": "line"}

    def setup(self):
        x = torch.linspace(-1, 1, 64, dtype=torch.float64)[:, None]
        net = torch.nn.Linear(1, 1, dtype=torch.float64)
        return net, (x, 3 * x + 1), {"valid": (x, 3 * x + 1)}

    def batches(self, data, generator=None):
        x, y = data
        order = torch.randperm(len(x), generator=generator) if generator is not None else torch.arange(len(x))
        for i in range(0, len(x), 16):
            j = order[i:i + 16]
            yield x[j], y[j]

    def batch_size_of(self, batch) -> int:
        return len(batch[0])

    def loss(self, net, batch):
        x, y = batch
        loss = ((net(x) - y) ** 2).mean()
        return loss, {}

    def save_model(self, net, history):
        path = self.out_dir / "line.pt"
        torch.save(net.state_dict(), path)
        return path


def _line(out, epochs, **kw):
    return LineTrainer(out, epochs=epochs, lr=0.1, seed=3, progress=False, **kw)


def test_budget_stops_after_the_running_epoch_and_resumes_exactly(tmp_path):
    full = _line(tmp_path / "full", 30).run()
    assert not full.stopped_early and full.history["epoch"] == list(range(1, 31))
    # the fit works: slope 3, intercept 1
    w = full.net.weight.item(), full.net.bias.item()
    assert w == pytest.approx((3.0, 1.0), abs=0.05)

    cut = _line(tmp_path / "cut", 30, max_cpu_seconds=1e-9).run()
    assert cut.stopped_early and cut.history["epoch"] == [1]
    assert cut.model_path.exists()  # the model of the epochs done is written
    resumed = _line(tmp_path / "cut", 30).run()
    assert resumed.start_epoch == 1 and not resumed.stopped_early
    np.testing.assert_allclose(resumed.history["val_valid_loss"], full.history["val_valid_loss"], rtol=1e-12)

    # a budget that is not reached changes nothing
    roomy = _line(tmp_path / "roomy", 30, max_cpu_seconds=600).run()
    assert not roomy.stopped_early
    np.testing.assert_allclose(roomy.history["val_valid_loss"], full.history["val_valid_loss"], rtol=1e-12)


def test_budget_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="max_cpu_seconds must be > 0"):
        _line(tmp_path, 3, max_cpu_seconds=0)


def test_knn_config_takes_max_minutes(tmp_path):
    from slowdyn.nnp.knn.train import load_config

    cfg = load_config({"dataset": str(tmp_path), "train": {"max_cpu_minutes": 7}})
    assert cfg["train"]["max_cpu_minutes"] == 7 and cfg["train"]["epochs"] > 0


def test_run_with_budget_counts_cpu_time_not_wall_time(tmp_path):
    from slowdyn.nnp.deepmd import cpu_seconds, run_with_budget

    busy = [sys.executable, "-c", "print('up', flush=True)\nwhile True: pass"]
    polls = []
    with open(tmp_path / "log", "w") as log:
        rc, stopped = run_with_budget(busy, tmp_path, log, None, 0.5, poll=lambda: polls.append(1), interval=0.1)
    assert stopped and rc != 0 and polls
    assert (tmp_path / "log").read_text().strip() == "up"
    # a sleeping process uses (almost) no CPU: a 0.5 s budget does not stop 1.5 s of sleep
    with open(tmp_path / "log2", "w") as log:
        rc, stopped = run_with_budget([sys.executable, "-c", "import time; time.sleep(1.5)"], tmp_path, log,
                                      None, 0.5, interval=0.05)
    assert (rc, stopped) == (0, False)
    with open(tmp_path / "log3", "w") as log:
        rc, stopped = run_with_budget([sys.executable, "-c", "raise SystemExit(3)"], tmp_path, log, None, 60,
                                      interval=0.05)
    assert (rc, stopped) == (3, False)
    # /proc agrees with this process's own account of its CPU time
    t = time.process_time()
    assert cpu_seconds(os.getpid()) == pytest.approx(t, abs=0.05)


def test_deepmd_budget_must_be_positive(tmp_path):
    """Checked before `dp` is needed, where deepmd-kit is installed; else the ImportError says so."""
    from slowdyn.nnp import deepmd as dp

    ok, _ = dp.available()
    if not ok:
        with pytest.raises(ImportError, match="slowdyn\\[deepmd\\]"):
            dp.train({"dataset": str(tmp_path), "max_cpu_minutes": 0}, out_dir=tmp_path / "m")
        return
    _tiny_dataset(tmp_path)
    with pytest.raises(ValueError, match="max_cpu_minutes must be > 0"):
        dp.train({"dataset": str(tmp_path / "data"), "max_cpu_minutes": 0}, out_dir=tmp_path / "m")


def _tiny_dataset(tmp_path):
    """The files nequip's and DeePMD's config writers look at (contents are not read)."""
    d = tmp_path / "data"
    (d / "deepmd" / "train" / "sys0").mkdir(parents=True)
    (d / "deepmd" / "train" / "sys0" / "type.raw").write_text("0\n")
    for split in ("train", "valid", "test"):
        (d / f"{split}.extxyz").write_text("1\n\n")
    (d / "dataset.yaml").write_text(yaml.safe_dump({"type_names": ["A"], "symbols": ["H"]}))
    return d


def test_nequip_budget_is_a_callback(tmp_path):
    from slowdyn.nnp.nequip import hydra_config

    d = _tiny_dataset(tmp_path)
    plain = hydra_config({}, d)["trainer"]["callbacks"]
    cfg = hydra_config({"max_cpu_minutes": 7.5, "max_epochs": 10000}, d)
    extra = cfg["trainer"]["callbacks"][len(plain):]
    assert extra == [{"_target_": "slowdyn.nnp.nequip.cpu_time_budget", "seconds": 450.0}]
    assert cfg["trainer"]["max_epochs"] == 10000
    with pytest.raises(ValueError, match="max_cpu_minutes must be > 0"):
        hydra_config({"max_cpu_minutes": -1}, d)
