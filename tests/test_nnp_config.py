"""One reader of the NNP side's YAML files and one training-config loader for the
three backends (kNN, DeePMD-kit, NequIP): the same key ``dataset``, the same
path rule, one-line errors. DeePMD-kit and NequIP need not be installed: only
their config loading is exercised here."""

from __future__ import annotations

from pathlib import Path

import pytest

import slowdyn.nnp
from slowdyn.nnp import deepmd, nequip
from slowdyn.nnp.config import load_training_config, read_yaml
from slowdyn.nnp.knn import train as knn

pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parents[1]
NNP = Path(slowdyn.nnp.__file__).parent
LOADERS = {"knn": knn.load_config, "deepmd": deepmd.load_config, "nequip": nequip.load_config}
SHIPPED = {
    "knn": sorted((NNP / "knn" / "configs").glob("*.yaml")) + [REPO / "doc/nnp_side_by_side/knn.yaml"],
    "deepmd": sorted((NNP / "configs").glob("deepmd_*.yaml")) + [REPO / "doc/nnp_side_by_side/deepmd.yaml",
                                                                 REPO / "doc/nnp_deepmd_example/train_config.yaml"],
    "nequip": sorted((NNP / "configs").glob("nequip_*.yaml")) + sorted(REPO.glob("doc/nnp_side_by_side/nequip_*.yaml")),
}


@pytest.mark.parametrize("backend", sorted(LOADERS))
def test_every_shipped_config_loads(backend):
    """Every shipped and documented training config names its data set by ``dataset``."""
    assert len(SHIPPED[backend]) >= 3
    for path in SHIPPED[backend]:
        cfg = LOADERS[backend](path)
        assert Path(cfg["dataset"]).is_absolute(), path
        assert "data" not in cfg, path


@pytest.mark.parametrize("backend", sorted(LOADERS))
def test_one_key_and_one_path_rule_for_every_backend(backend, tmp_path, monkeypatch):
    """The same file works for all three backends (the kNN loader read ``data:``, the others
    ``dataset:``); a relative data set is found next to the file, else in the current folder."""
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "near").mkdir()
    work = tmp_path / "work"
    (work / "far").mkdir(parents=True)
    monkeypatch.chdir(work)
    (conf / "a.yaml").write_text("dataset: near\n")
    (conf / "b.yaml").write_text("dataset: far\n")
    assert LOADERS[backend](conf / "a.yaml")["dataset"] == str((conf / "near").resolve())
    assert LOADERS[backend](conf / "b.yaml")["dataset"] == str((work / "far").resolve())
    assert LOADERS[backend]({"dataset": "far"})["dataset"] == str((work / "far").resolve())


@pytest.mark.parametrize("backend", sorted(LOADERS))
def test_old_key_is_an_error_naming_the_new_one(backend, tmp_path):
    (tmp_path / "c.yaml").write_text("data: somewhere\n")
    with pytest.raises(ValueError, match="the key 'data' is called 'dataset'") as err:
        LOADERS[backend](tmp_path / "c.yaml")
    assert str(tmp_path / "c.yaml") in str(err.value)
    with pytest.raises(ValueError, match="needs 'dataset'"):
        LOADERS[backend]({})
    with pytest.raises(ValueError, match=r"unknown keys \['datset'\]"):
        LOADERS[backend]({"dataset": "x", "datset": "y"})


def test_shipped_config_by_name_and_missing_config():
    assert knn.load_config("tiny")["model"]["k"] == 12
    assert deepmd.load_config("deepmd_se_e2_a_rc2.5")["rcut"] == 2.5
    with pytest.raises(FileNotFoundError, match="shipped knn configs: thesis, tiny"):
        knn.load_config("no_such_config")


def test_read_yaml_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("system:\n  pair_style: [lj/cut\n")
    with pytest.raises(ValueError, match=r"bad.yaml: not valid YAML \(line \d+, column \d+\)") as err:
        read_yaml(bad, "data-set config")
    assert "\n" not in str(err.value)
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(ValueError, match="expected a YAML mapping"):
        read_yaml(tmp_path / "list.yaml", "data-set config")
    with pytest.raises(FileNotFoundError, match="data-set config .*nope.yaml not found"):
        read_yaml(tmp_path / "nope.yaml", "data-set config")
    (tmp_path / "empty.yaml").write_text("")
    assert read_yaml(tmp_path / "empty.yaml", "x") == {}
    with pytest.raises(ValueError, match="not valid YAML"):
        load_training_config(bad, "knn", ())


def test_broken_yaml_is_a_one_line_cli_error(tmp_path, capsys):
    """`slowdyn nnp data` / `nnp train` on broken YAML: exit 2 and one line naming the file (was a
    yaml.ScannerError traceback, exit 3)."""
    from slowdyn.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("system:\n  pair_style: [lj/cut\n")
    for argv in (["nnp", "data", str(bad)], ["nnp", "train", str(bad), "--backend", "deepmd"]):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1, (argv, code, err)
        assert "bad.yaml: not valid YAML (line 3" in err
