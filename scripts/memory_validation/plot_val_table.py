"""m0 against phi from a KernelValidation text table (for a run that did not reach its own plots).

    python scripts/memory_validation/plot_val_table.py TABLE.txt OUT.png

Left: q^2 m0 of MCT, of the individually best and of the q-scaling m0 (a/q^2 (1 + b q), from the
per-phi a, b) for NNLT + tails and NNLS. Right: a (log) and b against phi, without the fits that
degenerated to a < 1e-6.
"""

import sys


from slowdyn.common.plotting import subplots

rows, scal = [], []
section = None
for line in open(sys.argv[1]):
    if line.startswith("# per phi"):
        section = "scal"
    elif line.startswith("# per (phi, q"):
        section = "rows"
    elif line.startswith("#") or not line.strip():
        if line.startswith("# Volterra") or line.startswith("# phi_MCT"):
            section = None
        continue
    elif section == "scal" and not line.split()[0].isalpha():
        w = line.split()
        scal.append((float(w[0]), w[1], float(w[6]), float(w[7])))
    elif section == "rows" and not line.split()[0].isalpha():
        w = line.split()
        rows.append((float(w[0]), float(w[1]), w[2], float(w[3]), float(w[6])))
fig, axes = subplots(1, 2, figsize=(10, 4))
qs = sorted({r[1] for r in rows})
methods = ("nnlt_tails", "nnls")
for k, q in enumerate(qs):
    r = sorted((x for x in rows if x[1] == q and x[2] == "nnlt_tails"), key=lambda x: x[0])
    axes[0].semilogy([x[0] for x in r], [q**2 * x[3] for x in r], "-", color=f"C{k}", label=f"MCT q={q:g}")
    for meth, mark in zip(methods, ("o", "s")):
        r = sorted((x for x in rows if x[1] == q and x[2] == meth), key=lambda x: x[0])
        axes[0].semilogy([x[0] for x in r], [q**2 * x[4] for x in r], mark, mfc="none", color=f"C{k}",
                         label=f"best {meth}" if k == 0 else None)
        s = sorted((x for x in scal if x[1] == meth), key=lambda x: x[0])
        axes[0].semilogy([x[0] for x in s], [x[2] * (1 + x[3] * q) for x in s], mark + "--", ms=3, color=f"C{k}",
                         label=f"scaling {meth}" if k == 0 else None)
axes[0].set_xlabel("phi")
axes[0].set_ylabel("q^2 m0")
axes[0].legend(fontsize="xx-small", ncol=2)
twin = axes[1].twinx()
for meth, mark in zip(methods, ("o", "s")):
    # a fit that degenerated to a -> 0, b -> inf (m0 = ab/q) would flatten the panel: left out
    s = sorted((x for x in scal if x[1] == meth and x[2] > 1e-6), key=lambda x: x[0])
    axes[1].semilogy([x[0] for x in s], [x[2] for x in s], mark + "-", label=f"a ({meth})")
    twin.plot([x[0] for x in s], [x[3] for x in s], mark + ":", color="gray", label=f"b ({meth})")
axes[1].set_xlabel("phi")
axes[1].set_ylabel("a")
twin.set_ylabel("b (dotted)")
axes[1].legend(fontsize="x-small", loc="upper left")
twin.legend(fontsize="x-small", loc="lower right")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
