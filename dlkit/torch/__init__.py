"""PyTorch twins of :mod:`dlkit.numpy`: same names, signatures and layouts.

Each function is written with torch operations, so autograd gives its
backward pass, and runs on the device and in the dtype of its inputs (CUDA
when the tensors are on a GPU).  Numbers and NumPy arrays are accepted too and
become float64 tensors on the CPU.
"""
