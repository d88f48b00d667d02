"""No silent wrong answers and one-line errors in the `slowdyn` command line.

Every case goes through the console-script entry point ``slowdyn.cli.main``:
a user mistake ends with one line ``slowdyn <command>: error: ...`` on stderr
and exit status 2 (1 for a failed LAMMPS run), without a traceback. The
physics checks compare with the exact answers of scaled and exponential inputs
(NNLT); the dumps of a hot LJ liquid come from the ``lj_dumps`` fixture
(conftest.py), whose dump physics test_io_dump.py checks.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import slowdyn
from cli_util import cli_error
from slowdyn.cli import main

# ---------------------------------------------------------------- self dynamics: wrapped coordinates
# (the physics of reading dumps, unwrapping and the self dynamics: test_io_dump.py)

def test_selfdyn_refuses_wrapped_coordinates_without_images(lj_dumps, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = cli_error(["observe", "selfdyn", str(lj_dumps / "wrapped.dump")], capsys)
    assert line.startswith("slowdyn observe selfdyn: error:")
    assert "id type x y z" in line and "xu yu zu" in line and "ix iy iz" in line
    assert not (tmp_path / "observe" / "selfdyn.txt").exists()


# ---------------------------------------------------------------- nnlt apply: amplitude, sign, columns

OMEGA = np.logspace(-6, 2, 300)
T = np.r_[0.0, np.logspace(-4, 3, 3000)]


def write(path, *cols, header=""):
    np.savetxt(path, np.column_stack(cols), header=header)
    return str(path)


def nnlt_table(path):
    return np.loadtxt(path)


@pytest.mark.parametrize("domain", ["omega", "time"])
def test_apply_scales_amplitude_back(domain, tmp_path, monkeypatch, capsys):
    """f = 5 exp(-t/10): the output is exactly 5x that of exp(-t/10), and close to the exact f."""
    monkeypatch.chdir(tmp_path)
    if domain == "omega":
        one = write("one.txt", OMEGA, (1 / (1j * OMEGA + 0.1)).real, (1 / (1j * OMEGA + 0.1)).imag)
        five = write("five.txt", OMEGA, (5 / (1j * OMEGA + 0.1)).real, (5 / (1j * OMEGA + 0.1)).imag)
        extra, flag = ["--f0", "5"], []
    else:
        one = write("one.txt", T, np.exp(-T / 10))
        five = write("five.txt", T, 5 * np.exp(-T / 10))
        extra, flag = [], ["--time-domain"]
    assert main(["nnlt", "apply", "pretrained", one, *flag, "--out", "one"]) == 0
    assert main(["nnlt", "apply", "pretrained", five, *flag, *extra, "--out", "five"]) == 0
    assert "f(0) = 5" in capsys.readouterr().out
    ref, out = nnlt_table("one/nnlt.txt"), nnlt_table("five/nnlt.txt")
    np.testing.assert_allclose(out[:, 1], 5 * ref[:, 1], rtol=1e-6, atol=1e-12)
    t = out[:, 0]
    assert np.max(np.abs(out[:, 1] - 5 * np.exp(-t / 10))) < 0.1   # shipped model: ~1e-2 on exponentials


def test_apply_refuses_unnormalised_omega_input(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    fhat = 5 / (1j * OMEGA + 0.1)
    five = write("five.txt", OMEGA, fhat.real, fhat.imag)
    line = cli_error(["nnlt", "apply", "pretrained", five], capsys)
    assert "not normalised" in line and "--f0 5" in line
    assert not (tmp_path / "nnlt" / "nnlt.txt").exists()


def test_apply_refuses_the_other_sign_convention(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    fhat = np.conj(1 / (1j * OMEGA + 0.1))    # int f exp(+i omega t) dt
    path = write("plus.txt", OMEGA, fhat.real, fhat.imag)
    line = cli_error(["nnlt", "apply", "pretrained", path], capsys)
    assert "Im fhat > 0" in line and "exp(+i omega t)" in line and "exp(-i omega t)" in line


def test_apply_reads_sisf_columns_by_header(tmp_path, monkeypatch, capsys):
    """A fix sisf/msd table: f is the --column, t its 'time' column (not the first, 'lag')."""
    monkeypatch.chdir(tmp_path)
    lag = np.arange(1, T.size + 1)
    fs = np.exp(-T / 10)
    header = ("slowdyn fix sisf/msd: fix sd group all dimension 3 NEVERY 1\nq: 7\ntypes: all\n"
              "columns: lag time norigin msd_all alpha2_all fs_all_q1")
    sisf = write("run.sisf", lag, T, lag[::-1], 6 * T, 0 * T, fs, header=header)
    two = write("two.txt", T, fs)
    line = cli_error(["nnlt", "apply", "pretrained", sisf, "--time-domain"], capsys)
    assert "6 columns" in line and "--column" in line and "fs_all_q1" in line
    line = cli_error(["nnlt", "apply", "pretrained", sisf, "--time-domain", "--column", "fs_q1"], capsys)
    assert "lag time norigin msd_all alpha2_all fs_all_q1" in line
    assert main(["nnlt", "apply", "pretrained", sisf, "--time-domain", "--column", "fs_all_q1",
                 "--out", "sisf"]) == 0
    assert main(["nnlt", "apply", "pretrained", two, "--time-domain", "--out", "two"]) == 0
    np.testing.assert_array_equal(nnlt_table("sisf/nnlt.txt"), nnlt_table("two/nnlt.txt"))
    # a 3-column table without a header is refused too
    three = write("three.txt", T, fs, fs)
    assert "3 columns" in cli_error(["nnlt", "apply", "pretrained", three, "--time-domain"], capsys)


def test_apply_writes_the_forward_transform_check(tmp_path, monkeypatch):
    """OUT/nnlt_check.txt (plotted in the right panel): |Filon(f) - fhat| / |fhat| of the output."""
    from slowdyn.analysis.laplace.filon import fourier_laplace
    from slowdyn.analysis.nnlt import pretrained

    monkeypatch.chdir(tmp_path)
    fhat = 1 / (1j * OMEGA + 0.1)
    path = write("one.txt", OMEGA, fhat.real, fhat.imag)
    assert main(["nnlt", "apply", "pretrained", path, "--method", "nnlt", "--method", "inverse_filon",
                 "--out", "chk"]) == 0
    check = np.loadtxt("chk/nnlt_check.txt")
    assert "columns: omega Re_fhat Im_fhat check_f check_f_inverse_filon" in open("chk/nnlt_check.txt").read()
    model = pretrained()
    np.testing.assert_allclose(check[:, 0], model.omega)
    grid_fhat = check[:, 1] + 1j * check[:, 2]
    np.testing.assert_allclose(grid_fhat, model.to_grid(fhat, OMEGA), rtol=1e-9)
    out = np.loadtxt("chk/nnlt.txt")
    expect = np.abs(fourier_laplace(out[:, 0], out[:, 1], model.omega) - grid_fhat) / np.abs(grid_fhat)
    np.testing.assert_allclose(check[:, 3], expect, rtol=1e-6, atol=1e-14)
    # the NNLT matches its input to a few per cent; inverse Filon misses the high-frequency tail
    assert np.median(check[:, 3]) < 0.05
    assert np.max(check[:, 4]) > 10 * np.median(check[:, 3])


# ---------------------------------------------------------------- one-line errors instead of tracebacks

def test_apply_input_errors_are_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    fhat = 1 / (1j * OMEGA + 0.1)
    good = write("good.txt", OMEGA, fhat.real, fhat.imag)
    assert "no such input file: missing.txt" in cli_error(["nnlt", "apply", "pretrained", "missing.txt"], capsys)
    line = cli_error(["nnlt", "apply", "pretrain", good], capsys)
    assert "model 'pretrain': no such file" in line and "'pretrained'" in line
    (tmp_path / "ragged.txt").write_text("1 2 3\n4 5\n")
    assert "not a numeric table" in cli_error(["nnlt", "apply", "pretrained", "ragged.txt"], capsys)
    (tmp_path / "words.txt").write_text("1 2 3\n4 five 6\n")
    assert "not a numeric table" in cli_error(["nnlt", "apply", "pretrained", "words.txt"], capsys)
    zero = write("zero.txt", np.r_[0.0, OMEGA], np.r_[10.0, fhat.real], np.r_[0.0, fhat.imag])
    assert "strictly increasing" in cli_error(["nnlt", "apply", "pretrained", zero], capsys)
    down = write("down.txt", OMEGA[::-1], fhat.real[::-1], fhat.imag[::-1])
    assert "strictly increasing" in cli_error(["nnlt", "apply", "pretrained", down], capsys)
    line = cli_error(["nnlt", "apply", "pretrained", good, "--column", "f"], capsys)
    assert "--column needs --time-domain" in line


def test_nnlt_train_unknown_config_and_model(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = cli_error(["nnlt", "train", "nnlt_4x4", "--quiet"], capsys)
    assert line.startswith("slowdyn nnlt train: error: no installed NNLT config 'nnlt_4x4'; known:")
    line = cli_error(["nnlt", "report", "--model", "my_nnlt/model.pt"], capsys)
    assert "--model my_nnlt/model.pt: no such file" in line


def test_observe_wrong_kind_of_file(lj_dumps, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = cli_error(["observe", "selfdyn", str(lj_dumps / "lj.sisf")], capsys)
    assert "is not a LAMMPS text dump" in line
    line = cli_error(["observe", "sisf", str(lj_dumps / "unwrapped.dump")], capsys)
    assert "is not a fix sisf/msd file" in line
    line = cli_error(["observe", "structure", "nothing.dump"], capsys)
    assert "No such file or directory: nothing.dump" in line
    # the header of a fix sisf/msd file fixes the dimension: --dim is not an option there
    with pytest.raises(SystemExit) as info:
        main(["observe", "sisf", str(lj_dumps / "lj.sisf"), "--dim", "2"])
    assert info.value.code == 2 and "unrecognized arguments: --dim 2" in capsys.readouterr().err
    assert "--every 0: must be > 0" in cli_error(["observe", "voronoi", str(lj_dumps / "unwrapped.dump"),
                                                  "--every", "0"], capsys)


def test_missing_optional_extra(lj_dumps, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "ase", None)
    monkeypatch.setitem(sys.modules, "ase.io", None)
    line = cli_error(["observe", "selfdyn", str(lj_dumps / "unwrapped.dump")], capsys)
    assert "pip install 'slowdyn[analysis]'" in line


def test_warnings_are_one_line(tmp_path, monkeypatch, capsys):
    """An input that has not decayed in the model's window: exit 0 and one warning line."""
    monkeypatch.chdir(tmp_path)
    w = np.logspace(-12, 2, 300)
    fhat = 1 / (1j * w + 1 / 3e9)
    assert main(["nnlt", "apply", "pretrained", write("slow.txt", w, fhat.real, fhat.imag), "--out", "s"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slowdyn nnlt apply: warning: NNLT: the input still relaxes")


def test_debug_shows_the_traceback_and_version(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="not a LAMMPS text dump"):
        (tmp_path / "x.txt").write_text("1 2\n")
        main(["observe", "selfdyn", "x.txt", "--debug"])
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith(f"slowdyn {slowdyn.__version__}")


# ---------------------------------------------------------------- one --out / --quiet rule (doc/cli.md)

def _commands(parser, name="slowdyn"):
    """(name, parser) of every command that runs (a parser without subcommands)."""
    import argparse

    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(name, parser)]
    return [c for a in subs for n, p in a.choices.items() for c in _commands(p, f"{name} {n}")]


def test_every_command_takes_quiet_and_no_no_progress():
    from slowdyn.cli import build_parser

    commands = dict(_commands(build_parser()))
    assert {"slowdyn kernels compute", "slowdyn kernels validate", "slowdyn kernels cmaes", "slowdyn kernels map",
            "slowdyn mct sisf", "slowdyn mct critical"} <= set(commands)
    assert not {"slowdyn closure cmaes", "slowdyn closure map", "slowdyn closure mct-sisf"} & set(commands)
    for name, parser in commands.items():
        options = parser._option_string_actions
        assert "--quiet" in options and "--no-progress" not in options and "--dest" not in options, name


def test_out_of_a_command_that_writes_several_files_is_a_folder(lj_dumps, tmp_path, monkeypatch, capsys):
    """observe sisf writes msd.png and fs.png into the folder --out (created); a file there is refused."""
    monkeypatch.chdir(tmp_path)
    assert main(["observe", "sisf", str(lj_dumps / "lj.sisf"), "--out", "new/run"]) == 0
    assert capsys.readouterr().out.split() == ["new/run/msd.png", "new/run/fs.png"]
    assert main(["observe", "sisf", str(lj_dumps / "lj.sisf"), "--out", "new/run", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    (tmp_path / "taken").write_text("x")
    line = cli_error(["observe", "sisf", str(lj_dumps / "lj.sisf"), "--out", "taken"], capsys)
    assert "--out taken: is a file" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "taken"]   # no taken_msd.png beside it


def test_kernels_needs_an_action(tmp_path, capsys):
    """`slowdyn kernels FILE` (the syntax before `compute`) names the actions instead of guessing."""
    with pytest.raises(SystemExit) as info:
        main(["kernels", str(tmp_path / "run.sisf"), "--D0", "1", "--out", "k"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "invalid choice" in err and "compute" in err and "validate" in err



def test_kernels_validate_negative_resolve(tmp_path, capsys):
    """`validate --resolve -1` stops with one line before any MCT solution is computed."""
    line = cli_error(["kernels", "validate", "--methods", "spectral", "--resolve", "-1", "--out",
                      str(tmp_path / "v")], capsys)
    assert line.startswith("slowdyn kernels validate: error:") and "--resolve must be >= 0" in line
    assert not (tmp_path / "v").exists()


# ---------------------------------------------------------------- slowdyn run and the decks' -var checks

def test_run_works_in_the_current_directory(tmp_path, monkeypatch, capsys):
    (tmp_path / "decks").mkdir()
    deck = tmp_path / "decks" / "in.tiny"
    deck.write_text("region b block 0 1 0 1 0 1\ncreate_box 1 b\nprint 'hello' file out.txt\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "decks/in.tiny", "--quiet"]) == 0
    assert (tmp_path / "out.txt").is_file() and not (tmp_path / "decks" / "out.txt").exists()
    assert "no such input deck: in.none" in cli_error(["run", "in.none"], capsys)


def test_run_lammps_error_is_one_line_with_exit_1(tmp_path, monkeypatch, capsys, lj_input):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.bad").write_text("region b block 0 1 0 1 0 1\ncreate_box 1 b\npair_style nonsense\n")
    line = cli_error(["run", "in.bad", "--quiet"], capsys, code=1)
    assert line.startswith("slowdyn run: error: in.bad: Unrecognized pair style 'nonsense'")
    (tmp_path / "in.fast").write_text(lj_input.split("timestep")[0] + "timestep 0.5\nfix 1 all nve\nrun 200\n")
    line = cli_error(["run", "in.fast", "--quiet"], capsys, code=1)
    assert "Lost atoms" in line and "the timestep may be too large" in line


def test_observe_energy_failed_run_is_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.bad").write_text("region b block 0 1 0 1 0 1\ncreate_box 1 b\npair_style nonsense\n")
    line = cli_error(["observe", "energy", "in.bad", "--dt", "0.001"], capsys, code=1)
    assert line.startswith("slowdyn observe energy: error: LAMMPS run of") and "nonsense" in line
    assert "--dt -0.001" in cli_error(["observe", "energy", "in.bad", "--dt", "-0.001"], capsys)


DECKS = ["voronoi/in.voronoi", "voronoi_binary/in.voronoi_binary", "lennard_jones/in.lennard_jones",
         "kob_andersen/in.kob_andersen"]


@pytest.mark.parametrize("deck", DECKS)
@pytest.mark.parametrize("var,value,message", [
    ("N", "abc", "Variable N: Non-numeric variable value"),
    ("N", "2.5", "-var N 2.5: the number of particles must be an integer"),
    ("T", "-1", "temperatures must be > 0"),
])
def test_decks_check_their_variables_first(deck, var, value, message, repo, bindir, tmp_path):
    proc = subprocess.run([str(bindir / "lmp"), "-in", str(repo / "inputs" / deck), "-log", "none",
                           "-var", var, value], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert message in proc.stdout + proc.stderr
    assert "Step" not in proc.stdout            # stopped before any run
    assert list(tmp_path.iterdir()) == []       # and before writing anything
