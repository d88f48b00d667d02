"""Independent cell integrals from vertex/face lists (for the voro++ reference)."""

from __future__ import annotations

import numpy as np


def polyhedron_volume_centroid(vertices: np.ndarray, faces: list[list[int]]) -> tuple[float, np.ndarray]:
    """Volume and centroid of a convex polyhedron by tetrahedra from its vertex mean.

    Face orientation is not trusted: each tetrahedron's volume is taken
    positive, which is exact for a convex body and an interior apex.
    """
    apex = vertices.mean(axis=0)
    vol, mom = 0.0, np.zeros(3)
    for face in faces:
        p = vertices[face]
        for k in range(1, len(face) - 1):
            a, b, c = p[0] - apex, p[k] - apex, p[k + 1] - apex
            v = abs(np.dot(a, np.cross(b, c))) / 6.0
            vol += v
            mom += v * (apex + p[0] + p[k] + p[k + 1]) / 4.0
    return vol, mom / vol if vol > 0 else apex


def polygon_area_centroid(vertices: np.ndarray) -> tuple[float, np.ndarray]:
    """Area and centroid of a convex polygon given its vertices in any order."""
    c0 = vertices.mean(axis=0)
    ang = np.arctan2(vertices[:, 1] - c0[1], vertices[:, 0] - c0[0])
    p = vertices[np.argsort(ang)]
    q = np.roll(p, -1, axis=0)
    cross = p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]
    area = 0.5 * cross.sum()
    cx = ((p[:, 0] + q[:, 0]) * cross).sum() / (6.0 * area)
    cy = ((p[:, 1] + q[:, 1]) * cross).sum() / (6.0 * area)
    return area, np.array([cx, cy])
