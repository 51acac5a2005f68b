"""Hot loops as free functions over arrays, one subpackage per backend (numba_, torch_).

Kernels do no validation and hold no estimator logic; each docstring gives shapes, dtypes and
which arguments are inputs and which are outputs the caller allocated.
"""
