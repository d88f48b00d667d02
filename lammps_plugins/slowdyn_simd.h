/* -*- c++ -*- ----------------------------------------------------------
   slowdyn - LAMMPS plugins for slow dynamics
   SLOWDYN_SIMD_CLONES: on x86-64 with GCC/Clang, compile a function twice,
   generic and AVX2/FMA (x86-64-v3), and pick the clone at load time, so the
   plugin runs on every x86-64 CPU and uses the wider units where present.
------------------------------------------------------------------------- */

#ifndef SLOWDYN_SIMD_H
#define SLOWDYN_SIMD_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SLOWDYN_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SLOWDYN_SIMD_CLONES
#endif

#endif
