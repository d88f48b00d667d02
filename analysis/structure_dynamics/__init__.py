"""Structure -> rearrangements: softness and its relatives.

After Schoenholz, Cubuk, Sussman, Kaxiras & Liu (Nat. Phys. 12, 469 (2016))
and Obadiya (PhD thesis, Emory 2025, ch. 1-3), one module per idea:

- :mod:`.features`: per-particle radial structure functions G_X(i; r, delta)
  and Steinhardt q_l on shells (freud neighbour queries)
- :mod:`.labels`: p_hop, the cumulative squared displacement, and the
  rearranging / non-rearranging training examples
- :mod:`.softness`: the linear SVM (softness, fluidity), bias scans, transfer,
  save/load with the feature-set description
- :mod:`.barriers`: P_R(S) per softness bin and the Kramers fit of
  Delta E(S), Sigma(S)
- :mod:`.isoconfig`: propensity and rearrangement probability of an
  isoconfigurational ensemble, and regressions of them on the features
- :mod:`.fs_network`: the system-averaged route of Ciarella et al. (Mach. Learn.:
  Sci. Technol. 4, 025010 (2023)): partial S^ab(k) -> F_s^aa(k_p, t) of a binary
  mixture with an MLP on the shared Trainer (torch lazily)
- :mod:`.propensity`: propensity data sets (snapshots, propensities at several
  times, per-configuration MSDs), the ridge / MLP baselines and their Pearson
  scores (Bapst et al., Nat. Phys. 16, 448 (2020))

scikit-learn and freud are imported lazily (``pip install 'slowdyn[softness]'``).
"""
