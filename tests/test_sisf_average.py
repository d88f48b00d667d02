"""slowdyn.analysis.io.sisf.average_sisf: norigin-weighted replica averages of fix sisf/msd files."""

from __future__ import annotations

import numpy as np
import pytest

from slowdyn.analysis.io.sisf import average_sisf, read_sisf

HEAD = ("# slowdyn fix sisf/msd: fix sd group all dimension 2 NEVERY 5\n# step 100 samples 21 first_step 0\n"
        "# q: 2 6.5\n# types: all\n# columns: lag time norigin msd_all alpha2_all fs_all_q1 fs_all_q2\n")


def write(path, norigin, fs, lags=(5, 10, 15), head=HEAD):
    rows = "".join(f"{lag} {lag * 1e-4:.10g} {n} {0.1 * lag} 0.0 {f:.10g} {0.5 * f:.10g}\n"
                   for lag, n, f in zip(lags, norigin, fs))
    path.write_text(head + rows)
    return path


def test_average_weights_by_norigin(tmp_path):
    a = write(tmp_path / "a.sisf", [10, 6, 0], [0.9, 0.5, 0.7])
    b = write(tmp_path / "b.sisf", [30, 2, 4], [0.5, 0.1, 0.3])
    out = tmp_path / "avg.sisf"
    avg = average_sisf([a, b], out)
    np.testing.assert_allclose(avg["fs_all_q1"], [(10 * 0.9 + 30 * 0.5) / 40, (6 * 0.5 + 2 * 0.1) / 8, 0.3])
    np.testing.assert_array_equal(avg["norigin"], [40, 8, 4])
    assert avg["replica_fs"]["fs_all_q2"].shape == (2, 3)
    back = read_sisf(out)      # the written file is a valid fix sisf/msd table
    np.testing.assert_allclose(back["fs_all_q2"], 0.5 * avg["fs_all_q1"], rtol=1e-7)
    np.testing.assert_allclose(back["q"], [2.0, 6.5])
    assert "# average of 2 replicas" in out.read_text()


def test_average_rejects_mismatched_replicas(tmp_path):
    a = write(tmp_path / "a.sisf", [1, 1, 1], [0.9, 0.5, 0.1])
    with pytest.raises(ValueError, match="same nevery"):
        average_sisf([a, write(tmp_path / "b.sisf", [1, 1, 1], [0.9, 0.5, 0.1], lags=(5, 10, 20))])
    with pytest.raises(ValueError, match="q values"):
        average_sisf([a, write(tmp_path / "c.sisf", [1, 1, 1], [0.9, 0.5, 0.1], head=HEAD.replace("6.5", "7"))])
    with pytest.raises(ValueError, match="same nrun"):
        average_sisf([a, write(tmp_path / "d.sisf", [1, 1], [0.9, 0.5], lags=(5, 10))])
    with pytest.raises(ValueError, match="at least one"):
        average_sisf([])
