/* ----------------------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   Convex cells by half-space clipping (see voronoi_cell.h)
------------------------------------------------------------------------- */

#include "voronoi_cell.h"
#include "slowdyn_simd.h"

#include <algorithm>
#include <cmath>

using namespace SlowDyn;

// 2D only: relative tolerance for classifying a vertex as lying on a cutting
// line (3D classifies by sign alone, see ConvexCell3D)
static constexpr double PLANE_TOL = 1.0e-12;

/* ----------------------------------------------------------------------
   3D: initial cube; edges of each corner ordered counter-clockwise seen
   from outside (consecutive edge directions d_a, d_b with (d_a x d_b).p > 0)
------------------------------------------------------------------------- */

// face walk: arriving at a vertex through slot j, leave through PREV_SLOT[j]
static const int PREV_SLOT[3] = {2, 0, 1};

// corner k has coordinates (x, y, z) = sign bits of k.  Its neighbours k^1,
// k^2, k^4 are listed counter-clockwise seen from outside (consecutive edge
// directions d_a, d_b with (d_a x d_b) . corner > 0); CUBE_BACK holds the slot
// of k in each neighbour's list.
static const int CUBE_EDGE[8][3] = {{1, 4, 2}, {0, 3, 5}, {3, 0, 6}, {2, 7, 1},
                                    {5, 6, 0}, {4, 1, 7}, {7, 2, 4}, {6, 5, 3}};
static const int CUBE_BACK[8][3] = {{0, 2, 1}, {0, 2, 1}, {0, 2, 1}, {0, 2, 1},
                                    {0, 2, 1}, {0, 2, 1}, {0, 2, 1}, {0, 2, 1}};

void ConvexCell3D::reset_cube(double h)
{
  v.resize(8);
  live.resize(8);
  for (int k = 0; k < 8; k++) {
    Vertex &c = v[k];
    c.x[0] = (k & 1) ? h : -h;
    c.x[1] = (k & 2) ? h : -h;
    c.x[2] = (k & 4) ? h : -h;
    c.r2 = 3.0 * h * h;
    for (int a = 0; a < 3; a++) {
      c.e[a] = CUBE_EDGE[k][a];
      c.back[a] = CUBE_BACK[k][a];
    }
    live[k] = k;
  }
  rmax2 = 3.0 * h * h;
}

/* ----------------------------------------------------------------------
   3D: clip by the half-space n.v <= d.  Work is proportional to the cut
   region: one new vertex on every edge from an outside vertex u to an
   inside vertex w, linked to its two neighbours on the cap polygon by
   walking the faces on either side of the edge through the outside region.
------------------------------------------------------------------------- */

SLOWDYN_SIMD_CLONES
void ConvexCell3D::clip(const double *n, double d)
{
  const int nlive = (int) live.size();
  if (nlive == 0) return;
  const double nx = n[0], ny = n[1], nz = n[2];
  const double nsq = nx * nx + ny * ny + nz * nz;
  // max_v n.v <= |n| rmax: the plane cannot reach the cell
  if (d > 0.0 && d * d >= nsq * rmax2) return;

  // room for this cut: at most 3 new vertices per outside vertex
  const int nvert = (int) v.size();
  if ((int) sval.size() < nvert) {
    sval.resize(2 * nvert);
    cutv.resize(6 * nvert);
  }
  if ((int) outv.size() < nlive) {
    outv.resize(2 * nlive);
    newu.resize(6 * nlive);
    live2.resize(8 * nlive);
  }
  if ((int) v.capacity() < nvert + 3 * nlive) v.reserve(2 * (nvert + 3 * nlive));

  // classify; the surviving vertices and their largest r^2 are collected on
  // the way (used only if the plane cuts)
  int nout = 0, n2 = 0;
  double r2max = 0.0;
  for (int a = 0; a < nlive; a++) {
    const int k = live[a];
    const double s = nx * v[k].x[0] + ny * v[k].x[1] + nz * v[k].x[2] - d;
    sval[k] = s;
    if (s > 0.0)
      outv[nout++] = k;
    else {
      live2[n2++] = k;
      r2max = std::max(r2max, v[k].r2);
    }
  }
  if (nout == 0) return;
  if (nout == nlive) {    // nothing left inside
    live.clear();
    rmax2 = 0.0;
    return;
  }

  // new vertices on the edges leaving the outside region; newu holds
  // 4 * u + k for the edge slot k of outside vertex u
  const int first_new = nvert;
  int nnew = 0;
  for (int a = 0; a < nout; a++) {
    const int u = outv[a];
    for (int k = 0; k < 3; k++) {
      const int w = v[u].e[k];
      if (sval[w] > 0.0) continue;
      const double t = sval[w] / (sval[w] - sval[u]);
      const int q = (int) v.size();
      v.emplace_back();
      Vertex &nv = v[q];
      const Vertex &vw = v[w], &vu = v[u];
      nv.x[0] = vw.x[0] + t * (vu.x[0] - vw.x[0]);
      nv.x[1] = vw.x[1] + t * (vu.x[1] - vw.x[1]);
      nv.x[2] = vw.x[2] + t * (vu.x[2] - vw.x[2]);
      nv.r2 = nv.x[0] * nv.x[0] + nv.x[1] * nv.x[1] + nv.x[2] * nv.x[2];
      r2max = std::max(r2max, nv.r2);
      live2[n2++] = q;
      const int j = vu.back[k];
      v[w].e[j] = q;
      v[w].back[j] = 0;
      nv.e[0] = w;
      nv.back[0] = j;
      cutv[3 * u + k] = q;
      newu[nnew++] = 4 * u + k;
    }
  }

  // link each new vertex p (on edge w-u) to the next one q on the face left
  // of w->u: p's slot 2 holds q, q's slot 1 holds p
  const int guard = 3 * nvert;
  for (int a = 0; a < nnew; a++) {
    int x = newu[a] >> 2, slot = newu[a] & 3, steps = 0;
    int q = -1;
    while (steps++ < guard) {
      const int b = PREV_SLOT[slot];
      const int y = v[x].e[b];
      if (sval[y] <= 0.0) {
        q = cutv[3 * x + b];
        break;
      }
      slot = v[x].back[b];
      x = y;
    }
    if (q < 0) {    // corrupted graph (cannot happen for a convex cell)
      live.clear();
      rmax2 = 0.0;
      return;
    }
    const int p = first_new + a;
    v[p].e[2] = q;
    v[p].back[2] = 1;
    v[q].e[1] = p;
    v[q].back[1] = 2;
  }

  rmax2 = r2max;
  live.assign(live2.begin(), live2.begin() + n2);
}

/* ----------------------------------------------------------------------
   3D: volume, first and second moments by tetrahedra (origin, a, b, c)
   over a fan of every face loop; signed volumes make this valid when the
   origin lies outside the cell
------------------------------------------------------------------------- */

SLOWDYN_SIMD_CLONES
void ConvexCell3D::moments(CellMoments &m)
{
  // For a fan (a, b, c) of face triangles with t = 6 x signed volume:
  //   int x dV     = t/24  (a + b + c)
  //   int x x^T dV = t/120 (a a^T + b b^T + c c^T + s s^T),  s = a + b + c.
  // With w = b + c the terms in a factor out of the fan:
  //   sum_fan t (...) = 2 T a a^T + a U^T + U a^T + Q,
  //   T = sum t,  U = sum t w,  Q = sum t (b b^T + c c^T + w w^T).
  // Totals are kept in locals: writing through m in the loop would force a
  // store and reload per triangle (m may alias the vertex array).
  double vol = 0.0, m1x = 0.0, m1y = 0.0, m1z = 0.0;
  double xx = 0.0, yy = 0.0, zz = 0.0, xy = 0.0, xz = 0.0, yz = 0.0;
  int nfaces = 0;
  if (seen.size() < v.size()) seen.resize(2 * v.size());
  for (int k : live) seen[k] = 0;
  const double area_tol2 = 1.0e-24 * rmax2 * rmax2;

  for (int start : live)
    for (int s0 = 0; s0 < 3; s0++) {
      if (seen[start] & (1 << s0)) continue;
      // walk the face loop that starts with the directed edge start -> e[s0]
      const double ax = v[start].x[0], ay = v[start].x[1], az = v[start].x[2];
      seen[start] |= (unsigned char) (1 << s0);
      int prev = v[start].e[s0];
      int slot = PREV_SLOT[v[start].back[s0]];
      seen[prev] |= (unsigned char) (1 << slot);
      // twice the face area vector: sum of x_k x x_k+1 around the loop
      double cx = ay * v[prev].x[2] - az * v[prev].x[1];
      double cy = az * v[prev].x[0] - ax * v[prev].x[2];
      double cz = ax * v[prev].x[1] - ay * v[prev].x[0];
      double T = 0.0, ux = 0.0, uy = 0.0, uz = 0.0;
      double qxx = 0.0, qyy = 0.0, qzz = 0.0, qxy = 0.0, qxz = 0.0, qyz = 0.0;
      int x = v[prev].e[slot];
      slot = PREV_SLOT[v[prev].back[slot]];
      while (x != start) {
        seen[x] |= (unsigned char) (1 << slot);
        const double bx = v[prev].x[0], by = v[prev].x[1], bz = v[prev].x[2];
        const double qx = v[x].x[0], qy = v[x].x[1], qz = v[x].x[2];
        const double bcx = by * qz - bz * qy, bcy = bz * qx - bx * qz, bcz = bx * qy - by * qx;
        const double t = ax * bcx + ay * bcy + az * bcz;
        const double wx = bx + qx, wy = by + qy, wz = bz + qz;
        T += t;
        ux += t * wx;
        uy += t * wy;
        uz += t * wz;
        qxx += t * (bx * bx + qx * qx + wx * wx);
        qyy += t * (by * by + qy * qy + wy * wy);
        qzz += t * (bz * bz + qz * qz + wz * wz);
        qxy += t * (bx * by + qx * qy + wx * wy);
        qxz += t * (bx * bz + qx * qz + wx * wz);
        qyz += t * (by * bz + qy * qz + wy * wz);
        cx += bcx;
        cy += bcy;
        cz += bcz;
        prev = x;
        const int next = v[x].e[slot];
        slot = PREV_SLOT[v[x].back[slot]];
        x = next;
      }
      vol += T;
      m1x += T * ax + ux;
      m1y += T * ay + uy;
      m1z += T * az + uz;
      xx += 2.0 * T * ax * ax + 2.0 * ax * ux + qxx;
      yy += 2.0 * T * ay * ay + 2.0 * ay * uy + qyy;
      zz += 2.0 * T * az * az + 2.0 * az * uz + qzz;
      xy += 2.0 * T * ax * ay + ax * uy + ux * ay + qxy;
      xz += 2.0 * T * ax * az + ax * uz + ux * az + qxz;
      yz += 2.0 * T * ay * az + ay * uz + uy * az + qyz;
      // closing edge prev -> start
      const double bx = v[prev].x[0], by = v[prev].x[1], bz = v[prev].x[2];
      cx += by * az - bz * ay;
      cy += bz * ax - bx * az;
      cz += bx * ay - by * ax;
      if (0.25 * (cx * cx + cy * cy + cz * cz) > area_tol2) nfaces++;
    }

  m.vol = vol / 6.0;
  m.m1[0] = m1x / 24.0;
  m.m1[1] = m1y / 24.0;
  m.m1[2] = m1z / 24.0;
  m.m2[0] = xx / 120.0;
  m.m2[1] = yy / 120.0;
  m.m2[2] = zz / 120.0;
  m.m2[3] = xy / 120.0;
  m.m2[4] = xz / 120.0;
  m.m2[5] = yz / 120.0;
  m.nfaces = nfaces;
}

/* ----------------------------------------------------------------------
   2D: initial square, counter-clockwise
------------------------------------------------------------------------- */

void ConvexCell2D::reset_square(double h)
{
  nv = 4;
  vx.assign({-h, -h, h, -h, h, h, -h, h});
  eid.assign(4, -1);
  rmax2 = 2.0 * h * h;
}

/* ----------------------------------------------------------------------
   2D: clip by the half-plane n.v <= d; the new edge runs from the exit
   point to the entry point and carries id
------------------------------------------------------------------------- */

void ConvexCell2D::clip(const double *n, double d, int id)
{
  if (nv == 0) return;
  const double nsq = n[0] * n[0] + n[1] * n[1];
  if (d > 0.0 && d * d >= nsq * rmax2) return;

  const double tol = PLANE_TOL * std::sqrt(nsq * rmax2);
  sval.resize(nv);
  cls.resize(nv);
  int nout = 0, nin = 0;
  for (int k = 0; k < nv; k++) {
    const double s = n[0] * vx[2 * k] + n[1] * vx[2 * k + 1] - d;
    sval[k] = s;
    if (s > tol) {
      cls[k] = OUT;
      nout++;
    } else if (s < -tol) {
      cls[k] = IN;
      nin++;
    } else
      cls[k] = ON;
  }
  if (nout == 0) return;
  if (nin == 0) {
    nv = 0;
    rmax2 = 0.0;
    return;
  }

  vx2.clear();
  eid2.clear();
  for (int k = 0; k < nv; k++) {
    const int b = (k + 1) % nv;
    const int ca = cls[k], cb = cls[b];
    if (ca != OUT) {
      vx2.push_back(vx[2 * k]);
      vx2.push_back(vx[2 * k + 1]);
      eid2.push_back(cb == OUT && ca == ON ? id : eid[k]);
    }
    if ((ca == IN && cb == OUT) || (ca == OUT && cb == IN)) {
      const int in = ca == IN ? k : b;
      const int out = ca == IN ? b : k;
      const double t = sval[in] / (sval[in] - sval[out]);
      vx2.push_back(vx[2 * in] + t * (vx[2 * out] - vx[2 * in]));
      vx2.push_back(vx[2 * in + 1] + t * (vx[2 * out + 1] - vx[2 * in + 1]));
      eid2.push_back(ca == IN ? id : eid[k]);
    }
  }
  vx.swap(vx2);
  eid.swap(eid2);
  nv = (int) eid.size();
  if (nv < 3) {
    nv = 0;
    rmax2 = 0.0;
    return;
  }
  rmax2 = 0.0;
  for (int k = 0; k < nv; k++) {
    const double r2 = vx[2 * k] * vx[2 * k] + vx[2 * k + 1] * vx[2 * k + 1];
    if (r2 > rmax2) rmax2 = r2;
  }
}

/* ----------------------------------------------------------------------
   2D: area and moments by triangles (origin, vk, vk+1)
------------------------------------------------------------------------- */

void ConvexCell2D::moments(CellMoments &m) const
{
  m.vol = 0.0;
  for (int d = 0; d < 3; d++) m.m1[d] = 0.0;
  for (int d = 0; d < 6; d++) m.m2[d] = 0.0;
  m.nfaces = 0;
  for (int k = 0; k < nv; k++) {
    if (eid[k] >= 0) m.nfaces++;
    const double *a = &vx[2 * k];
    const double *b = &vx[2 * ((k + 1) % nv)];
    const double area = 0.5 * (a[0] * b[1] - a[1] * b[0]);
    const double s[2] = {a[0] + b[0], a[1] + b[1]};
    m.vol += area;
    m.m1[0] += area * s[0] / 3.0;
    m.m1[1] += area * s[1] / 3.0;
    // int_T x_p x_q = A/12 (sum_vertices v_p v_q + s_p s_q), origin a vertex
    m.m2[0] += area / 12.0 * (a[0] * a[0] + b[0] * b[0] + s[0] * s[0]);
    m.m2[1] += area / 12.0 * (a[1] * a[1] + b[1] * b[1] + s[1] * s[1]);
    m.m2[3] += area / 12.0 * (a[0] * a[1] + b[0] * b[1] + s[0] * s[1]);
  }
}
