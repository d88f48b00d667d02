"""Model file of the kNN Deep Potential, read by ``pair_style knn/nnp``.

Format (version 1, plain text, whitespace-separated tokens; a line whose first
character is ``#`` is a comment; every real number is written with 17
significant digits, so float64 weights round-trip exactly)::

    slowdyn_knn_nnp 1                 magic and format version
    ntypes NT
    type_names NAME_1 ... NAME_NT      LAMMPS maps its types onto these by pair_coeff
    k K                                neighbours per atom
    rmax RMAX                          search radius used in training (a hint)
    weighting r|inv_r                  s(r) = r (Granz 2026) or 1/r (DeePMD)
    embedding NL W_1 ... W_NL          embedding widths (M1 = W_NL)
    axis_neurons M2
    fitting NL W_1 ... W_NL            fitting hidden widths (output layer: W_NL -> 1, linear)
    avg  v_1 ... v_NT                  per centre type: mean of s
    std_r v_1 ... v_NT                 per centre type: std of s
    std_a v_1 ... v_NT                 per centre type: scale of s x/r
    e_shift v_1 ... v_NT               per type energy shift
    e_scale v                          scale of the fitting nets' output
    embedding_net TI TJ                NT*NT blocks, TI, TJ 0-based, TI major
      layer NIN NOUT                   then NOUT*NIN weights (row-major W[out][in]) and NOUT biases
      ...                              NL layers
    fitting_net TI                     NT blocks
      layer NIN NOUT ...               NL hidden layers + the linear output layer (NOUT = 1)
    end

Hidden layers apply tanh and DeePMD's residual rule (add x if NOUT = NIN, add
(x, x) if NOUT = 2 NIN); see :mod:`slowdyn.nnp.knn.model`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

MAGIC = "slowdyn_knn_nnp"
FORMAT_VERSION = 1


def _fmt(values) -> str:
    return " ".join(f"{float(v):.17g}" for v in np.ravel(values))


def write_model(model, path: str | Path, comment: str | None = None) -> Path:
    """Write ``model`` (from :func:`slowdyn.nnp.knn.model.build_model`) to ``path``.

    Parameters
    ----------
    model
        The trained :class:`KNNDeepPotential`.
    path
        Output file (conventionally ``*.knn``).
    comment
        Optional text written as ``#`` comment lines after the header
        (e.g. provenance: data set, epochs, test errors).

    Returns
    -------
    Path
    """
    path = Path(path)
    hp = model.hyperparameters()
    nt = len(hp["type_names"])
    for name in hp["type_names"]:
        if not name or any(c.isspace() for c in name) or name.startswith("#"):
            raise ValueError(f"type name {name!r} must be one word not starting with '#'")
    lines = [f"{MAGIC} {FORMAT_VERSION}",
             "# kNN Deep Potential (se_e2_a on the k nearest neighbours); read by pair_style knn/nnp"]
    if comment:
        lines += [f"# {c}" for c in str(comment).splitlines()]
    lines += [f"ntypes {nt}",
              "type_names " + " ".join(hp["type_names"]),
              f"k {hp['k']}",
              f"rmax {float(hp['rmax']):.17g}",
              f"weighting {hp['weighting']}",
              "embedding " + " ".join(str(w) for w in [len(hp["embedding"]), *hp["embedding"]]),
              f"axis_neurons {hp['axis_neurons']}",
              "fitting " + " ".join(str(w) for w in [len(hp["fitting"]), *hp["fitting"]])]
    for name in ("avg", "std_r", "std_a", "e_shift"):
        lines.append(f"{name} " + _fmt(getattr(model, name).detach().double().numpy()))
    lines.append("e_scale " + _fmt(model.e_scale.detach().double().numpy()))

    def layers(mlp) -> Iterator[str]:
        mods = list(mlp.hidden) + ([mlp.out] if mlp.out is not None else [])
        for lin in mods:
            w = lin.weight.detach().double().numpy()
            b = lin.bias.detach().double().numpy()
            yield f"layer {w.shape[1]} {w.shape[0]}"
            yield _fmt(w)
            yield _fmt(b)

    for ti in range(nt):
        for tj in range(nt):
            lines.append(f"embedding_net {ti} {tj}")
            lines.extend(layers(model.embedding[ti * nt + tj]))
    for ti in range(nt):
        lines.append(f"fitting_net {ti}")
        lines.extend(layers(model.fitting[ti]))
    lines.append("end")
    path.write_text("\n".join(lines) + "\n")
    return path


def read_model(path: str | Path):
    """Read a model file back into a float64 :class:`KNNDeepPotential`.

    Raises
    ------
    ValueError
        For a file that is not a kNN model, has another format version, or is
        truncated.
    """
    import torch  # noqa: PLC0415

    from .model import build_model  # noqa: PLC0415

    text = Path(path).read_text()
    toks = iter(t for line in text.splitlines() if not line.startswith("#") for t in line.split())

    def nxt(what: str) -> str:
        try:
            return next(toks)
        except StopIteration:
            raise ValueError(f"{path}: model file ends early (expected {what})") from None

    def key(name: str) -> None:
        got = nxt(name)
        if got != name:
            raise ValueError(f"{path}: expected '{name}', found '{got}'")

    if nxt("magic") != MAGIC:
        raise ValueError(f"{path} is not a kNN model file (no '{MAGIC}' header)")
    version = int(nxt("format version"))
    if version != FORMAT_VERSION:
        raise ValueError(f"{path}: format version {version}, this slowdyn reads {FORMAT_VERSION}")
    key("ntypes")
    nt = int(nxt("ntypes"))
    key("type_names")
    names = [nxt("type name") for _ in range(nt)]
    key("k")
    k = int(nxt("k"))
    key("rmax")
    rmax = float(nxt("rmax"))
    key("weighting")
    weighting = nxt("weighting")
    key("embedding")
    emb = [int(nxt("width")) for _ in range(int(nxt("layers")))]
    key("axis_neurons")
    m2 = int(nxt("axis_neurons"))
    key("fitting")
    fit = [int(nxt("width")) for _ in range(int(nxt("layers")))]
    model = build_model(names, k, rmax, weighting, emb, m2, fit)
    with torch.no_grad():
        for name in ("avg", "std_r", "std_a", "e_shift"):
            key(name)
            getattr(model, name).copy_(torch.tensor([float(nxt(name)) for _ in range(nt)],
                                                    dtype=torch.float64))
        key("e_scale")
        model.e_scale.fill_(float(nxt("e_scale")))

        def fill(mlp) -> None:
            mods = list(mlp.hidden) + ([mlp.out] if mlp.out is not None else [])
            for lin in mods:
                key("layer")
                n_in, n_out = int(nxt("NIN")), int(nxt("NOUT"))
                if (n_out, n_in) != tuple(lin.weight.shape):
                    raise ValueError(f"{path}: layer {n_in}x{n_out} does not match the header")
                lin.weight.copy_(torch.tensor([float(nxt("weight")) for _ in range(n_in * n_out)],
                                              dtype=torch.float64).reshape(n_out, n_in))
                lin.bias.copy_(torch.tensor([float(nxt("bias")) for _ in range(n_out)],
                                            dtype=torch.float64))

        for ti in range(nt):
            for tj in range(nt):
                key("embedding_net")
                if (int(nxt("TI")), int(nxt("TJ"))) != (ti, tj):
                    raise ValueError(f"{path}: embedding nets out of order at {ti} {tj}")
                fill(model.embedding[ti * nt + tj])
        for ti in range(nt):
            key("fitting_net")
            if int(nxt("TI")) != ti:
                raise ValueError(f"{path}: fitting nets out of order at {ti}")
            fill(model.fitting[ti])
    key("end")
    return model
