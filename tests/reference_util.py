"""Golden YAML reference files, as in LAMMPS' unittest/force-styles.

A reference file holds the inputs that define a case (style commands, seeds,
a checksum of the generated configuration) and the numbers a run produced.
Tests compare a new run against it at a relative tolerance with an absolute
floor scaled by each quantity's largest magnitude (components that are ~0,
such as off-diagonal stresses, are compared against the scale of the whole
quantity).  ``python -m pytest tests/test_reference_yaml.py
--regenerate-reference`` rewrites the files instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def reference_path(name: str) -> Path:
    return REFERENCE_DIR / f"{name}.yaml"


def to_yaml_data(value: Any) -> Any:
    """numpy arrays and scalars -> plain lists and floats (PyYAML writes
    Python floats with repr, so every double round-trips exactly)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: to_yaml_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_yaml_data(v) for v in value]
    return value


def write_reference(name: str, header: dict, values: dict) -> Path:
    import yaml

    path = reference_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {**to_yaml_data(header), "values": to_yaml_data(values)}
    text = ("# written by: python -m pytest tests/test_reference_yaml.py --regenerate-reference\n"
            + yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100))
    path.write_text(text)
    return path


def read_reference(name: str) -> dict:
    import yaml

    path = reference_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing: run python -m pytest tests/test_reference_yaml.py "
                                "--regenerate-reference")
    return yaml.safe_load(path.read_text())


def compare(actual: dict, reference: dict, rtol: float, label: str = "") -> None:
    """Assert that every quantity of ``reference["values"]`` is reproduced.

    Element-wise ``|a - r| <= rtol * |r| + rtol * max|r|`` per quantity.
    """
    expected = reference["values"]
    assert set(actual) == set(expected), (label, sorted(actual), sorted(expected))
    for key, ref in expected.items():
        r = np.asarray(ref, dtype=float)
        a = np.asarray(actual[key], dtype=float)
        assert a.shape == r.shape, f"{label} {key}: shape {a.shape}, reference {r.shape}"
        floor = rtol * (np.abs(r).max() if r.size else 0.0)
        np.testing.assert_allclose(a, r, rtol=rtol, atol=floor, err_msg=f"{label} {key}")
