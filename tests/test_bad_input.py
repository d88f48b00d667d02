"""Bad input from the newcomer trial: a one-line error or a correct result, never a traceback.

Each case goes through the console-script entry point ``slowdyn.cli.main`` (or,
where LAMMPS' ``quit`` ends the process, the ``slowdyn`` script): a user
mistake ends with one line ``slowdyn <command>: error: ...`` on stderr and exit
status 2 (1 when LAMMPS stopped). The 2D structure factor, which used to be
refused, is checked against the Fourier-Bessel transform of g(r) and against
the direct sum over the wave vectors of the box.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from cli_util import cli_error
from slowdyn.cli import main

SISF_HEADER = ("slowdyn fix sisf/msd: fix sd group all dimension 2 NEVERY 1 nlen 8 ncount 2 ncorr 20 com no\n"
               "q: 7.25\ntypes: all\ncolumns: lag time norigin msd_all alpha2_all fs_all_q1")


def sisf_table(path, header: str = SISF_HEADER, nan_row: int | None = None) -> str:
    lag = np.arange(1, 21)
    t = 0.01 * lag
    data = np.column_stack([lag, t, lag[::-1], 4 * t, 0 * t, np.exp(-t)])
    if nan_row is not None:
        data[nan_row, 3:] = np.nan
    np.savetxt(path, data, header=header)
    return str(path)


def write_dump(path, cell: np.ndarray, frames: list[np.ndarray], types: np.ndarray) -> str:
    """A LAMMPS text dump (orthogonal box, id type x y z) of the given frames."""
    with open(path, "w") as fh:
        for step, x in enumerate(frames):
            fh.write(f"ITEM: TIMESTEP\n{10 * step}\nITEM: NUMBER OF ATOMS\n{len(x)}\nITEM: BOX BOUNDS pp pp pp\n")
            for lo, hi in cell:
                fh.write(f"{lo:.10g} {hi:.10g}\n")
            fh.write("ITEM: ATOMS id type x y z\n")
            for i, (t, p) in enumerate(zip(types, x)):
                fh.write(f"{i + 1} {t} {p[0]:.10g} {p[1]:.10g} {p[2]:.10g}\n")
    return str(path)


def random_sequential_disks(n: int, box: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-diameter disks placed one after another at random non-overlapping spots (periodic square box)."""
    pts = np.empty((n, 2))
    k = 0
    while k < n:
        p = rng.uniform(0.0, box, 2)
        d = pts[:k] - p
        d -= box * np.round(d / box)
        if k == 0 or np.min(np.einsum("ij,ij->i", d, d)) >= 1.0:
            pts[k] = p
            k += 1
    return pts


# ---------------------------------------------------------------- observe sisf: the table's layout and values

def test_observe_sisf_refuses_a_renamed_column(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["observe", "sisf", sisf_table("good.sisf"), "--out", "good"]) == 0
    renamed = sisf_table("renamed.sisf", SISF_HEADER.replace("msd_all", "msd_total"))
    line = cli_error(["observe", "sisf", renamed, "--out", "bad"], capsys)
    assert "missing msd_all" in line and "msd_total" in line
    assert not list(tmp_path.glob("bad*"))


def test_observe_sisf_refuses_nan_rows(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = cli_error(["observe", "sisf", sisf_table("nan.sisf", nan_row=5), "--out", "bad"], capsys)
    assert "1 of 20 rows hold nan" in line and "lag 6" in line
    assert not list(tmp_path.glob("bad*"))


def test_observe_sisf_says_when_the_msd_was_not_measured(tmp_path, monkeypatch, capsys):
    """SISFs of an MCT solution in the fix's format (write_sisf) have msd = nan throughout."""
    from slowdyn.analysis.io.sisf import write_sisf

    monkeypatch.chdir(tmp_path)
    t = np.logspace(-3, 2, 50)
    path = write_sisf(tmp_path / "mct.sisf", t, [6.0], np.exp(-t)[:, None])
    assert main(["observe", "sisf", str(path), "--out", "mct"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slowdyn observe sisf: warning: ") and "msd_all is nan" in err[0]
    assert (tmp_path / "mct" / "fs.png").is_file() and not (tmp_path / "mct" / "msd.png").exists()


# ---------------------------------------------------------------- pack

@pytest.mark.parametrize("value", ["0", "-1"])
def test_pack_refuses_a_growth_time_that_is_not_positive(value, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = cli_error(["pack", "--n", "10", "--phi", "0.3", "--growth-time", value, "--out", "p.data"], capsys)
    assert f"growth_time = {value} must be > 0" in line
    assert not (tmp_path / "p.data").exists()


# ---------------------------------------------------------------- nnp data / evaluate

MINI = """\
name: mini
system:
  pair_style: {pair_style}
  pair_coeff: {pair_coeff}
  type_names: [A, B]
  masses: [1.0, 1.0]
  n_atoms: 16
grid: {{temperature: [1.0, 4.0], density: [1.1], composition: [0.5]}}
protocol: {{n_hot: 10, n_cool: 10, n_relax: 5, n_frames: 1, every: 5, n_quench: 0, seed: 3}}
split: {{valid: 0.0, test: 0.5, seed: 1}}
"""
VORONOI = {"pair_style": "voronoi/radical 1000 3.0", "pair_coeff": '["1 1 0.95", "2 2 1.05"]'}


@pytest.fixture(scope="module")
def knn_model(tmp_path_factory):
    """A kNN Deep Potential file with types A and B (random weights: only its header matters here)."""
    pytest.importorskip("torch")
    from slowdyn.nnp.knn.export import write_model
    from slowdyn.nnp.knn.model import build_model

    path = tmp_path_factory.mktemp("knn") / "m.knn"
    write_model(build_model(["A", "B"], k=8, rmax=2.5, weighting="r", embedding=(4, 8), axis_neurons=2,
                            fitting=(8, 8), seed=1), path)
    return path


@pytest.fixture(scope="module")
def mini_dataset(tmp_path_factory):
    """A 16-atom Voronoi data set: two state points, one frame each."""
    import yaml

    from slowdyn.nnp.data import build_dataset

    return build_dataset(yaml.safe_load(MINI.format(**VORONOI)), tmp_path_factory.mktemp("nnp") / "mini",
                         progress=False)


def test_nnp_data_broken_yaml(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.yaml").write_text("name: x\nsystem: {pair_style: [\n  bad\n")
    line = cli_error(["nnp", "data", "broken.yaml", "--quiet"], capsys)
    assert "broken.yaml: not valid YAML" in line and "line 4" in line


@pytest.mark.parametrize("pair_style, pair_coeff, message", [
    ("voronoi/radicl 1000 3.0", VORONOI["pair_coeff"], "Unrecognized pair style 'voronoi/radicl'"),
    ("knn/nnp missing.knn 2.5", '["* * A B"]', "cannot open model file 'missing.knn'"),
    ("knn/nnp MODEL 2.5", '["* * A X"]', "type name 'X' (LAMMPS type 2) is not in the model file"),
])
def test_nnp_data_lammps_errors_are_one_line(pair_style, pair_coeff, message, knn_model, tmp_path, monkeypatch,
                                             capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(knn_model, "m.knn")
    cfg = MINI.format(pair_style=pair_style.replace("MODEL", "m.knn"), pair_coeff=pair_coeff)
    (tmp_path / "c.yaml").write_text(cfg)
    line = cli_error(["nnp", "data", "c.yaml", "--out", "ds", "--quiet"], capsys, code=1)
    assert line.startswith("slowdyn nnp data: error: LAMMPS stopped while sampling c.yaml: ") and message in line
    assert not (tmp_path / "ds" / "dataset.yaml").exists()


@pytest.mark.parametrize("pair_style, pair_coeff, message", [
    ("knn/nnp missing.knn 2.5", "* * A B", "cannot open model file 'missing.knn'"),
    ("knn/nnp MODEL 2.5", "* * A C", "type name 'C' (LAMMPS type 2) is not in the model file"),
])
def test_nnp_evaluate_lammps_errors_are_one_line(pair_style, pair_coeff, message, knn_model, mini_dataset,
                                                 tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["nnp", "evaluate", str(mini_dataset), "--pair-style", pair_style.replace("MODEL", str(knn_model)),
            "--pair-coeff", pair_coeff, "--out", "ev", "--quiet"]
    line = cli_error(argv, capsys, code=1)
    assert line.startswith("slowdyn nnp evaluate: error: LAMMPS stopped") and message in line


@pytest.mark.parametrize("n", ["0", "-1"])
def test_nnp_evaluate_max_frames(n, mini_dataset, tmp_path, monkeypatch, capsys):
    """--max-frames 0 divided by zero; -1 silently dropped the last frame."""
    monkeypatch.chdir(tmp_path)
    argv = ["nnp", "evaluate", str(mini_dataset), "--pair-style", VORONOI["pair_style"], "--pair-coeff", "1 1 0.95",
            "--pair-coeff", "2 2 1.05", "--max-frames", n, "--out", "ev", "--quiet"]
    assert f"max_frames = {n}: evaluate at least one frame" in cli_error(argv, capsys)


# ---------------------------------------------------------------- corrupt model files

@pytest.fixture
def broken_models(tmp_path):
    from slowdyn.analysis.nnlt import pretrained_path

    (tmp_path / "garbage.pt").write_bytes(b"not a torch file")
    (tmp_path / "truncated.pt").write_bytes(pretrained_path().read_bytes()[:3000])
    (tmp_path / "empty.pt").write_bytes(b"")
    return ["garbage.pt", "truncated.pt", "empty.pt"]


def test_nnlt_apply_corrupt_model(broken_models, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    w = np.logspace(-6, 2, 300)
    fhat = 1 / (1j * w + 0.1)
    np.savetxt("in.txt", np.column_stack([w, fhat.real, fhat.imag]))
    for model in broken_models:
        line = cli_error(["nnlt", "apply", model, "in.txt"], capsys)
        assert f"{model}: not a readable slowdyn NNLT model" in line


def test_closure_extrapolate_corrupt_model(broken_models, tmp_path, monkeypatch, capsys):
    from slowdyn.analysis.nnlt import pretrained_path

    monkeypatch.chdir(tmp_path)
    for model in broken_models:
        line = cli_error(["closure", "extrapolate", "--model", model, "--packings", "0.6", "--out", "x"], capsys)
        assert f"{model}: not a readable slowdyn learned closure" in line
    # a readable torch file of another kind: the NNLT model
    line = cli_error(["closure", "extrapolate", "--model", str(pretrained_path()), "--packings", "0.6",
                      "--out", "x"], capsys)
    assert "not a slowdyn learned closure (it has no state_names" in line


# ---------------------------------------------------------------- nnlt apply: silently wrong inputs

def test_nnlt_apply_refuses_a_real_laplace_transform(tmp_path, monkeypatch, capsys):
    """F(s) = 1/(s + 0.1) written as 'omega Re Im' with Im = 0 was inverted without a word."""
    monkeypatch.chdir(tmp_path)
    s = np.logspace(-6, 2, 300)
    np.savetxt("laplace.txt", np.column_stack([s, 1 / (s + 0.1), 0 * s]))
    line = cli_error(["nnlt", "apply", "pretrained", "laplace.txt", "--out", "lap"], capsys)
    assert "Im fhat = 0 at every frequency" in line
    assert not (tmp_path / "lap_nnlt.txt").exists()


def test_nnlt_apply_refuses_a_table_that_starts_late(tmp_path, monkeypatch, capsys):
    """exp(-t) from t = 0.685 on: f(0) was taken as 0.50 and the output missed the decay before it."""
    monkeypatch.chdir(tmp_path)
    t = np.r_[0.0, np.logspace(-4, 3, 3000)]
    late = t[t >= 0.685]
    np.savetxt("late.txt", np.column_stack([late, np.exp(-late)]))
    line = cli_error(["nnlt", "apply", "pretrained", "late.txt", "--time-domain", "--out", "late"], capsys)
    assert "the table starts at t = 0.6875 (f = 0.5028)" in line and "misses the start of the decay" in line
    # one coarse grid step after t = 0, but f has already dropped by 10 %: refused
    coarse = 0.1 * np.arange(1, 400)
    np.savetxt("coarse.txt", np.column_stack([coarse, np.exp(-coarse)]))
    line = cli_error(["nnlt", "apply", "pretrained", "coarse.txt", "--time-domain"], capsys)
    assert "misses the start of the decay" in line
    # a fix sisf/msd-like grid (time = lag dt, lag = 1, 2, ...) and a log grid from t = 1e-6, which have barely
    # decayed at their first time: accepted
    for name, t in (("lags", 0.001 * np.unique(np.round(np.logspace(0, 5, 400)))), ("log", np.logspace(-6, 3, 400))):
        np.savetxt(f"{name}.txt", np.column_stack([t, np.exp(-t)]))
        assert main(["nnlt", "apply", "pretrained", f"{name}.txt", "--time-domain", "--out", name]) == 0
        out = np.loadtxt(f"{name}/nnlt.txt")
        assert np.max(np.abs(out[:, 1] - np.exp(-out[:, 0]))) < 0.05


# ---------------------------------------------------------------- observe structure: r_max and 2D S(q)

def test_observe_structure_rmax_beyond_half_the_box(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 5.0, (40, 3))
    dump = write_dump("d.dump", [(0, 5.0), (0, 5.0), (0, 5.0)], [x], np.ones(40, int))
    line = cli_error(["observe", "structure", dump, "--rmax", "3", "--no-sq"], capsys)
    assert "r_max = 3 is not below half the smallest width of the box, 2.5" in line
    assert main(["observe", "structure", dump, "--rmax", "2.4", "--no-sq", "--out", "ok"]) == 0


def test_observe_structure_of_a_2d_dump(tmp_path, monkeypatch, capsys):
    """A 2D dump (all z equal) used to fail with freud's '2D boxes are not currently supported'."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(2)
    x = np.zeros((120, 3))
    x[:, :2] = random_sequential_disks(120, 14.0, rng)
    types = np.r_[np.ones(60, int), 2 * np.ones(60, int)]
    dump = write_dump("d2.dump", [(0, 14.0), (0, 14.0), (-0.5, 0.5)], [x], types)
    assert main(["observe", "structure", dump, "--out", "s", "--kmax", "10", "--bins", "40"]) == 0
    sq = np.loadtxt("s/sq.txt")
    assert "columns: q S_all S_1-1 S_1-2 S_2-2" in (tmp_path / "s" / "sq.txt").read_text()
    assert np.isfinite(sq[:, 1]).sum() > 30 and np.nanmax(np.abs(sq[:, 1] - 1)) > 0.2


def test_structure_factor_2d_is_the_direct_sum_over_the_box_wave_vectors():
    """Total and partial S(k) of a tilted 2D box: the average of Re[rho_a(k)* rho_b(k)] / N over the
    box's wave vectors k = 2 pi (n1 b1 + n2 b2), n1, n2 >= 0 (the sector freud's direct method samples,
    as in 3D), in each |k| bin."""
    from slowdyn.analysis.observables.structure import Structure

    rng = np.random.default_rng(0)
    n = 40
    cell = np.array([[6.0, 0, 0], [1.2, 5.0, 0], [0, 0, 1.0]])
    pos = np.zeros((n, 3))
    pos[:, :2] = rng.uniform(size=(n, 2)) @ cell[:2, :2]
    types = np.r_[np.ones(25, int), 2 * np.ones(15, int)]
    st = Structure(r_max=2.0, bins=30, k_max=8.0, dim=2).compute([pos], types, [cell])
    recip = np.linalg.inv(cell[:2, :2]).T
    grid = np.array([(i, j) for i in range(21) for j in range(21)])
    k = 2 * np.pi * grid @ recip
    kabs = np.linalg.norm(k, axis=1)
    rho = np.exp(1j * k @ pos[:, :2].T)
    s_all = np.abs(rho.sum(axis=1)) ** 2 / n
    s_12 = (np.conj(rho[:, types == 1].sum(axis=1)) * rho[:, types == 2].sum(axis=1)).real / n
    edges = np.linspace(np.pi / np.linalg.norm(cell[:2, :2], axis=1).max(), 8.0, 31)
    for key, s in (("all", s_all), ((1, 2), s_12)):
        expect = np.array([s[(kabs >= a) & (kabs < b)].mean() if np.any((kabs >= a) & (kabs < b)) else np.nan
                           for a, b in zip(edges[:-1], edges[1:])])
        np.testing.assert_array_equal(np.isnan(st.sq[key]), np.isnan(expect))
        np.testing.assert_allclose(st.sq[key], expect, rtol=0, atol=1e-4 * np.nanmax(np.abs(expect)), equal_nan=True)


def test_structure_factor_2d_is_the_fourier_bessel_transform_of_gr():
    """Random sequential disks (phi = 0.35): S(q) = 1 + rho 2 pi int r (g(r) - 1) J0(q r) dr."""
    from scipy.integrate import simpson
    from scipy.special import j0

    from slowdyn.analysis.observables.structure import Structure

    rng = np.random.default_rng(3)
    n, nconf = 300, 12
    box = np.sqrt(n * np.pi / 4 / 0.35)
    frames = []
    for _ in range(nconf):
        x = np.zeros((n, 3))
        x[:, :2] = random_sequential_disks(n, box, rng)
        frames.append(x)
    cells = [np.diag([box, box, 1.0])] * nconf
    types = np.ones(n, int)
    gr = Structure(r_max=10.0, bins=200, dim=2).compute(frames, types, cells, structure_factor=False)
    sq = Structure(r_max=2.0, bins=30, k_max=10.0, dim=2).compute(frames, types, cells)
    r, g = gr.r, gr.rdf["all"]
    q, s = sq.k, sq.sq["all"]
    s_ft = np.array([1 + n / box**2 * 2 * np.pi * simpson(r * (g - 1) * j0(qq * r), x=r) for qq in q])
    m = q > 2.5     # below, the few wave vectors of the box and the cut of g(r) at r = 10 dominate
    assert np.isfinite(s[m]).all()
    assert np.sqrt(np.mean((s[m] - s_ft[m]) ** 2)) < 0.05 and np.max(np.abs(s[m] - s_ft[m])) < 0.15
    assert s[m].min() < 0.5 and s[m].max() > 1.15          # structured: a depleted low q and a main peak


# ---------------------------------------------------------------- slowdyn run --quiet

def test_run_quiet_prints_why_the_deck_stopped(repo, bindir, tmp_path):
    """A deck's -var check ends with 'quit 1', which exits inside LAMMPS: --quiet used to say nothing."""
    deck = repo / "inputs" / "voronoi" / "in.voronoi"
    proc = subprocess.run([str(bindir / "slowdyn"), "run", str(deck), "-var", "N", "2.5", "--quiet"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"slowdyn run: error: {deck}: -var N 2.5: the number of particles must be an integer >= 2"]
    assert list(tmp_path.iterdir()) == []
    # a deck that ends normally (or with quit 0) says nothing under --quiet
    (tmp_path / "in.ok").write_text("print 'all fine'\nquit 0\n")
    proc = subprocess.run([str(bindir / "slowdyn"), "run", "in.ok", "--quiet"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == ""
