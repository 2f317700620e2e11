"""Code of Lesson 01: the executed examples and the helpers they import.

Files with ``# %%`` cells (``autograd_basics.py``, ``matmul_cpu_gpu.py``) are
examples, executed when the site is built; the other modules are helpers.
"""
