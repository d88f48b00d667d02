"""NNLT (slowdyn.analysis.nnlt): a tiny model trains (loss decreases),
save/load and checkpoint/resume round-trip, the loss of eqs. 4.42-4.44, the
Python API and the `slowdyn nnlt` CLI. CPU, one thread, a few seconds."""

from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # the test extra pins torch==2.13.0

from slowdyn.analysis.laplace.pipeline import invert  # noqa: E402
from slowdyn.analysis.nnlt import (INIT_KEYS, NNLT, NNLTConfig, NNLTTrainer, example_config,  # noqa: E402
                                   pretrained, pretrained_config)
from slowdyn.analysis.nnlt.network import nnlt_loss  # noqa: E402


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def tiny(out_dir, epochs=6, **kw) -> NNLTConfig:
    d = dict(hidden=[64, 64], grids=dict(n_omega=100, n_t=100), data=dict(n_samples=400, seed=1),
             epochs=epochs, batch_size=32, lr=3e-3, lr_decay=0.9, out_dir=str(out_dir), num_threads=1)
    d.update(kw)
    return NNLTConfig.from_dict(d)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("nnlt")
    t0 = time.perf_counter()
    tr = NNLTTrainer(tiny(out), progress=False).run()
    return tr, time.perf_counter() - t0


def test_tiny_model_learns(trained):
    tr, seconds = trained
    h = tr.history
    assert seconds < 20
    assert h["epoch"] == list(range(1, 7))
    assert h["val_loss"][-1] < 0.7 * h["val_loss"][0]
    assert h["train_loss"][-1] < 0.7 * h["train_loss"][0]
    # the learning rate decays exponentially
    np.testing.assert_allclose(np.array(h["lr"][1:]) / np.array(h["lr"][:-1]), 0.9)
    for name in ("model.pt", "checkpoint.pt", "history.json", "loss.png"):
        assert (tr.out_dir / name).stat().st_size > 0
    assert (tr.out_dir / "loss.png").read_bytes()[:4] == b"\x89PNG"


def test_save_load_round_trip(trained, tmp_path):
    tr, _ = trained
    nnlt = NNLT.load(tr.model_path)
    assert nnlt.config["hidden"] == [64, 64] and nnlt.omega.size == 100 and nnlt.t.size == 100
    assert nnlt.history["val_loss"] == tr.history["val_loss"]
    fhat = 1 / (1j * nnlt.omega + 1 / 30.0)
    y = nnlt(fhat)
    np.testing.assert_array_equal(y, tr.model(fhat))
    assert y.shape == (100,) and np.all((y >= 0) & (y <= 1))
    nnlt.save(tmp_path / "copy.pt")
    np.testing.assert_array_equal(NNLT.load(tmp_path / "copy.pt")(fhat), y)
    # callable input and batched input give the same answer
    np.testing.assert_array_equal(nnlt(lambda w: 1 / (1j * w + 1 / 30.0)), y)
    assert nnlt(np.stack([fhat, fhat, fhat])).shape == (3, 100)
    with pytest.raises(ValueError, match="omega="):
        nnlt(fhat[:-1])
    torch.save({"format": "something else"}, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="not a slowdyn NNLT"):
        NNLT.load(tmp_path / "bad.pt")


def test_resume_continues_exactly(trained, tmp_path):
    """3 epochs, stop, resume to 6 == 6 epochs in one go (same data, batches, optimiser state)."""
    tr, _ = trained
    NNLTTrainer(tiny(tmp_path, epochs=3), progress=False).run()
    resumed = NNLTTrainer(tiny(tmp_path, epochs=6), progress=False).run()
    assert resumed.start_epoch == 3
    np.testing.assert_allclose(resumed.history["val_loss"], tr.history["val_loss"], rtol=1e-6)
    a = resumed.model.network.state_dict()
    b = tr.model.network.state_dict()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="another config"):
        NNLTTrainer(tiny(tmp_path, epochs=8, lr=1e-2), progress=False).run()


def test_fine_tuning_starts_from_the_init_model(trained, tmp_path):
    """init: the weights and input standardisation of a trained model are the
    starting point (0 epochs reproduce it exactly); extra_data pairs are
    trained on and their held-out part is reported separately."""
    tr, _ = trained
    slow = dict(n_samples=200, seed=3, slow_mode=[1e5, 1e7])
    fhat = 1 / (1j * tr.model.omega + 1 / 30.0)
    same = NNLTTrainer(tiny(tmp_path / "zero", epochs=0, init=str(tr.model_path), extra_data=[slow]),
                       progress=False).run()
    np.testing.assert_array_equal(same.model(fhat), tr.model(fhat))
    tuned = NNLTTrainer(tiny(tmp_path / "ft", epochs=4, lr=1e-3, init=str(tr.model_path), extra_data=[slow]),
                        progress=False).run()
    h = tuned.history
    assert len(h["val_extra_mse"]) == 4 and h["val_extra_mse"] != h["val_mse"]
    assert h["val_extra_loss"][-1] < h["val_extra_loss"][0]
    assert NNLT.load(tuned.model_path).config["init"] == str(tr.model_path)
    # the input check uses the loosest decay bound over all training sets
    loose = NNLTTrainer(tiny(tmp_path / "loose", epochs=0, init=str(tr.model_path),
                             extra_data=[dict(slow, f_end_max=1e-4)]), progress=False).run()
    assert tuned.model.f_end_max == 1e-8 and loose.model.f_end_max == 1e-4
    with pytest.raises(ValueError, match="hidden"):
        NNLTTrainer(tiny(tmp_path / "bad", hidden=[32, 32], init=str(tr.model_path)), progress=False).run()
    with pytest.raises(FileNotFoundError, match="init model .*missing.pt not found"):
        NNLTTrainer(tiny(tmp_path / "bad", init=str(tmp_path / "missing.pt")), progress=False).run()
    with pytest.raises(ValueError, match="extra_data"):
        tiny(tmp_path, extra_data=dict(n_samples=10))


def test_resampling_onto_the_model_grid(trained):
    nnlt = trained[0].model
    tau = 50.0
    exact = 1 / (1j * nnlt.omega + 1 / tau)
    np.testing.assert_allclose(nnlt.to_grid(exact, nnlt.omega), exact, rtol=1e-10)
    # truncated spectrum on another grid: interpolated inside, asymptotics outside
    w = np.logspace(-9, 0, 300)
    got = nnlt.to_grid(1 / (1j * w + 1 / tau), w)
    inside = (nnlt.omega >= w[0]) & (nnlt.omega <= w[-1])
    np.testing.assert_allclose(got[inside], exact[inside], rtol=1e-3)
    np.testing.assert_allclose(got, exact, rtol=2e-2)
    np.testing.assert_array_equal(nnlt(1 / (1j * w + 1 / tau), omega=w), nnlt(got))


def test_loss_is_eq_4_44():
    y = torch.tensor([[0.5, 1e-3, 0.9]], dtype=torch.float64)
    yt = torch.tensor([[0.4, 1e-5, 1.0]], dtype=torch.float64)
    total, mse, logmse = nnlt_loss(y, yt, w_mse=2.0, w_log=0.5, eps=1e-12)
    mse_np = np.mean((y.numpy() - yt.numpy()) ** 2)
    log_np = np.mean((np.log(y.numpy() + 1e-12) - np.log(yt.numpy() + 1e-12)) ** 2)
    assert float(mse) == pytest.approx(mse_np, rel=1e-12)
    assert float(logmse) == pytest.approx(log_np, rel=1e-12)
    assert float(total) == pytest.approx(2.0 * mse_np + 0.5 * log_np, rel=1e-12)


def test_example_config_is_the_thesis_network():
    cfg = NNLTConfig.from_yaml(example_config())
    assert cfg.hidden == [1024, 1024] and cfg.activation == "tanh" and cfg.output == "sigmoid"
    assert cfg.grids["n_omega"] == 500 and cfg.grids["n_t"] == 500
    assert (cfg.grids["omega_min"], cfg.grids["omega_max"]) == (1e-12, 1e2)
    assert (cfg.grids["t_min"], cfg.grids["t_max"]) == (1e-6, 1e10)
    assert cfg.batch_size == 128 and cfg.eps == 1e-12 and cfg.data["n_terms"] == [1, 200]
    assert example_config("nnlt_2x1024") == example_config()
    with pytest.raises(FileNotFoundError, match="known: nnlt_2x1024, nnlt_2x1024_gelu"):
        example_config("nnlt_2x2048")
    with pytest.raises(ValueError, match="unknown NNLT config keys"):
        NNLTConfig.from_dict({"hiden": [3]})
    with pytest.raises(ValueError, match="activation"):
        NNLTConfig.from_dict({"activation": "swish"})


def test_installed_configs_load_and_fine_tunings_start_from_an_installed_run():
    """Every shipped YAML parses, and each ``init`` is the model.pt of another installed
    config's run with the same network and encoding (what ``_load_init`` demands)."""
    configs = {p.stem: NNLTConfig.from_yaml(p) for p in example_config().parent.glob("*.yaml")}
    assert set(configs) == {"nnlt_2x1024", "nnlt_2x1024_gelu", "nnlt_2x1024_gelu_slow"}
    runs = {c.out_dir: name for name, c in configs.items()}
    assert len(runs) == len(configs)  # one output folder per config
    chained = 0
    for name, cfg in configs.items():
        if not cfg.init:
            continue
        init = Path(cfg.init)
        assert init.name == "model.pt" and init.parent.as_posix() in runs, name
        parent = configs[runs[init.parent.as_posix()]]
        assert parent is not cfg, name
        for key in INIT_KEYS:
            assert getattr(parent, key) == getattr(cfg, key), (name, key)
        chained += 1
    assert chained == 1


def test_base_config_is_overridden_entry_by_entry(tmp_path):
    """``base`` takes every entry of the named config; ``data`` is merged key by key."""
    (tmp_path / "a.yaml").write_text("hidden: [8]\nepochs: 3\ndata: {n_samples: 40, seed: 7}\n")
    (tmp_path / "b.yaml").write_text("base: a\nepochs: 5\ndata: {seed: 9}\n")
    cfg = NNLTConfig.from_yaml(tmp_path / "b.yaml")
    assert cfg.hidden == [8] and cfg.epochs == 5 and cfg.data == {"n_samples": 40, "seed": 9}
    (tmp_path / "c.yaml").write_text("base: c\n")
    with pytest.raises(ValueError, match="too long"):
        NNLTConfig.from_yaml(tmp_path / "c.yaml")
    with pytest.raises(FileNotFoundError, match="no installed NNLT config 'nope'"):
        (tmp_path / "d.yaml").write_text("base: nope\n")
        NNLTConfig.from_yaml(tmp_path / "d.yaml")


def test_shipped_model_was_trained_with_the_installed_chain():
    """The config stored in the shipped model equals nnlt_2x1024_gelu_slow.yaml with its base resolved."""
    stored = NNLTConfig.from_dict(pretrained().config).to_dict()
    assert stored == NNLTConfig.from_yaml(pretrained_config()).to_dict()


@pytest.mark.parametrize("name, module", [("tanh", "Tanh"), ("gelu", "GELU"), ("silu", "SiLU"), ("elu", "ELU")])
def test_hidden_activation_is_built_and_saved(name, module, tmp_path):
    cfg = NNLTConfig.from_dict(dict(hidden=[8, 8], activation=name, grids=dict(n_omega=10, n_t=6)))
    model = NNLT.from_config(cfg)
    hidden = [type(m).__name__ for m in model.network[1:-1] if not isinstance(m, torch.nn.Linear)]
    assert hidden == [module, module]
    loaded = NNLT.load(model.save(tmp_path / "m.pt"))
    assert [type(m).__name__ for m in loaded.network] == [type(m).__name__ for m in model.network]
    x = torch.randn(3, 20)
    with torch.no_grad():
        assert torch.equal(loaded.network(x), model.network(x))


def test_torch_is_imported_lazily():
    code = ("import sys; import slowdyn.analysis.nnlt, slowdyn.cli; "
            "slowdyn.cli.build_parser(); assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    code = ("import sys; sys.modules['torch'] = None\n"
            "from slowdyn.analysis.nnlt import NNLT\n"
            "try:\n    NNLT.load('x.pt')\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert "pip install 'slowdyn[nnlt]'" in out


def _fails(main, argv, capsys, match):
    """The CLI exits with status 2 and a one-line error matching ``match``."""
    import re

    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and re.search(match, err), err


def test_cli_train_and_apply(tmp_path, monkeypatch, capsys):
    import yaml

    from slowdyn.cli import main

    monkeypatch.chdir(tmp_path)
    cfg = tiny(tmp_path / "run", epochs=2).to_dict()
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(cfg))
    assert main(["nnlt", "train", "tiny.yaml", "--quiet", "--threads", "1"]) == 0
    model = tmp_path / "run" / "model.pt"
    assert model.exists()
    assert main(["nnlt", "train", "tiny.yaml", "--quiet", "--epochs", "3"]) == 0  # resumes
    assert NNLT.load(model).history["epoch"] == [1, 2, 3]
    with pytest.raises(SystemExit) as info:   # one-line errors: tests/test_cli_errors.py
        main(["nnlt", "train", "nnlt_4x4", "--quiet"])
    assert info.value.code == 2

    w = np.logspace(-8, 1, 200)
    fhat = 1 / (1j * w + 1 / 20.0)
    np.savetxt("fhat.txt", np.column_stack([w, fhat.real, fhat.imag]))
    assert main(["nnlt", "apply", str(model), "fhat.txt", "--out", "lap"]) == 0
    tab = np.loadtxt("lap/nnlt.txt")
    nnlt = NNLT.load(model)
    np.testing.assert_allclose(tab[:, 0], nnlt.t)
    np.testing.assert_allclose(tab[:, 1], nnlt(fhat, omega=w), rtol=1e-7)
    assert (tmp_path / "lap/nnlt.png").exists()
    # --refine adds the data-consistency refinement of the same output as a third column
    assert main(["nnlt", "apply", str(model), "fhat.txt", "--refine", "--out", "ref"]) == 0
    tab = np.loadtxt("ref/nnlt.txt")
    assert "columns: t f f_refined" in open("ref/nnlt.txt").read()
    grid_fhat = nnlt.to_grid(fhat, w)
    np.testing.assert_allclose(tab[:, 2], invert(grid_fhat, method="nnlt_refined", model=nnlt, lam=1e-2)[1],
                               rtol=1e-7)
    _fails(main, ["nnlt", "apply", str(model), "fhat.txt", "--refine", "0"], capsys,
           "--refine 0: the weight LAM must be > 0")
    # --tails adds the refined output with NNLS tails as a fourth column
    assert main(["nnlt", "apply", str(model), "fhat.txt", "--refine", "--tails", "--out", "tails"]) == 0
    assert "columns: t f f_refined f_tails" in open("tails/nnlt.txt").read()
    np.testing.assert_allclose(np.loadtxt("tails/nnlt.txt")[:, 3],
                               invert(grid_fhat, method="nnlt_tails", model=nnlt)[1], rtol=1e-7)

    t = np.logspace(-6, 4, 2000)
    np.savetxt("ft.txt", np.column_stack([t, np.exp(-t / 20.0)]))
    assert main(["nnlt", "apply", str(model), "ft.txt", "--time-domain", "--out", "td"]) == 0
    assert np.loadtxt("td/nnlt.txt").shape == (100, 2)
    # noisy data: cut at 1e-3 and continued with the fitted exponential (tau = 20 recovered)
    noisy = np.exp(-t / 20.0) + np.random.default_rng(1).normal(0.0, 1e-4, t.size)
    np.savetxt("noisy.txt", np.column_stack([t, noisy]))
    assert main(["nnlt", "apply", str(model), "noisy.txt", "--time-domain", "--cut", "1e-3", "--out", "cut"]) == 0
    from slowdyn.analysis.laplace.truncation import TailExtrapolation
    from slowdyn.analysis.laplace.metrics import tail_transform
    # --f0 auto: divided by the first value, the output multiplied by it
    expect = noisy[0] * nnlt(tail_transform(t, noisy / noisy[0], nnlt.omega,
                                            TailExtrapolation(threshold=1e-3, floor=1e-6)))
    np.testing.assert_allclose(np.loadtxt("cut/nnlt.txt")[:, 1], expect, rtol=1e-7)
    np.savetxt("flat.txt", np.column_stack([t, 0.5 + 0.5 * np.exp(-t)]))
    _fails(main, ["nnlt", "apply", str(model), "flat.txt", "--time-domain", "--cut", "1e-3"], capsys,
           "never falls below the cut 0.001")
    _fails(main, ["nnlt", "apply", str(model), "flat.txt", "--time-domain"], capsys,
           "f ends at 0.5 .* the data stop before the decay")
    _fails(main, ["nnlt", "apply", str(model), "fhat.txt", "--cut", "1e-3"], capsys,
           "--cut needs --time-domain")


def test_report_compares_methods(trained, tmp_path, monkeypatch):
    from slowdyn.analysis.laplace.metrics import error_metrics
    from slowdyn.analysis.validation.report import LaplaceReport
    from slowdyn.cli import main

    e = error_metrics([[0.5, -0.1]], [[0.4, 1e-3]])
    assert e["mse"][0] == pytest.approx((0.1**2 + 0.101**2) / 2)
    assert e["max"][0] == pytest.approx(0.101)
    assert e["logmse"][0] == pytest.approx(((np.log(0.5) - np.log(0.4)) ** 2
                                            + (np.log(1e-12) - np.log(1e-3 + 1e-12)) ** 2) / 2)
    rep = LaplaceReport(model=trained[0].model_path, n_functions=6).compute()
    s = rep.summary()     # {"COND/METHOD/METRIC": value}
    assert {k.split("/")[0] for k in s} == {"clean", "noisy"}
    assert list(dict.fromkeys(k.split("/")[1] for k in s if k.startswith("clean/"))) == [
        "nnlt", "nnlt_refined", "nnlt_tails", "inverse_filon", "nnls"]
    # inverse Filon misses the high-frequency tail: f(t -> 0) ~ 1/2 instead of 1
    assert s["clean/inverse_filon/max"] > 0.3
    # NNLS is exact for this class up to its tau grid, and stable with 1e-3 noise
    assert s["clean/nnls/rms"] < 2e-3 and s["noisy/nnls/rms"] < 1e-2
    monkeypatch.chdir(tmp_path)
    assert main(["nnlt", "report", "--n", "4", "--model", "none", "--out", "rep"]) == 0  # classical only
    assert "inverse_filon" in (tmp_path / "rep" / "report.txt").read_text()
    for name in ("rep/examples.png", "rep/errors.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
