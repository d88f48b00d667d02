"""Memory kernels from correlation functions (Granz 2026, ch. 4).

- :mod:`.mz_laplace`: the Laplace-domain Mori-Zwanzig equation (eq. 4.47),
  preprocessing of measured SISFs, truncation of high-frequency artefacts
- :mod:`.mz_time`: the time-domain Mori-Zwanzig equation for a given kernel (mctpy's solver)
- :mod:`.m0`: estimators of ``m0 = m(q, 0)``: asymptotic, Kramers-Kronig, iterative, q-scaling
- :mod:`.kernels`: the pipeline, SISF -> kernel -> reconstructed SISF (:class:`MemoryKernel`)
- :mod:`.kernelset`: the kernels of all q of one state with every m0 estimator and the
  Volterra baseline (:class:`KernelSet`, also ``slowdyn.analysis.memory.KernelSet``)
- :mod:`.volterra`: classical baseline, the discretised Volterra equation in the time domain
- :mod:`.exact`: the exactly solvable exponential kernel, Brownian and Newtonian (test oracles)
- :mod:`.mapping`: effective packing-fraction mapping between simulation and MCT (§4.4.3)
- :mod:`.spectral`: completely monotone (CONTIN-style) fit of a Brownian SISF with the noise
  estimated from the data, and the exact MZ kernel of its spectrum (:class:`~.spectral.SpectralKernel`;
  the route for noisy data, measured in doc/dev/memory_noisy_trials.md, not yet the CLI default)
- :mod:`.newtonian`: the second-order (Newtonian, molecular-dynamics) MZ equation: kernel of a noisy
  SISF as a positive exponential sum, fitted to the reconstruction error (:class:`~.newtonian.NewtonianKernel`)
- :mod:`.cmaes`: stretched-exponential kernels fitted by CMA-ES (Ciarella et al., Mach. Learn.: Sci. Technol. 2023)

Imported on demand; mctpy, numba and torch load lazily.
"""


def __getattr__(name: str):
    if name == "KernelSet":
        from .kernelset import KernelSet

        return KernelSet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
