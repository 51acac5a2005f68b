"""numba kernels (CPU, the default backend).

Every kernel is ``@njit(cache=True, nogil=True)`` (compiled once, cached on disk, so a second
process does not recompile); ``parallel=True`` only where iterations are independent.
"""
