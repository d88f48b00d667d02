"""slowdyn.analysis: post-processing of slow-dynamics simulations.

Observables, Laplace/Filon transforms, NNLT, memory kernels and MCT live here
(see DESIGN.md sections 5 and 6); modules are added issue by issue.
"""
