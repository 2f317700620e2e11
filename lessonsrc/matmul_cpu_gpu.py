# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] lang="en"
# # Matrix product on the CPU and the GPU
#
# **Objectives:** time the lesson's `(10000, 1000) @ (1000, 2000)` product on
# the CPU, check the result's norm against theory, and, where a CUDA GPU is
# present, time it there *correctly*: with warm-up and synchronization.
#
# The numbers on this page were produced when the site was built, on the
# machine named in the output. Carefully repeated measurements, each with the
# machine it was recorded on, are on the [recorded timings](../../timings/) page,
# which also says how many of those machines had a GPU.

# %% [markdown] lang="zh"
# # 在 CPU 与 GPU 上做矩阵乘法
#
# **学习目标：** 在 CPU 上为本课的 `(10000, 1000) @ (1000, 2000)` 矩阵乘法计时，
# 用理论值核对结果的范数；若有 CUDA GPU，再**正确地**在 GPU 上计时：先预热，再同步。
#
# 本页的数字是在构建网站时、在输出中写明的那台机器上得到的。
# 经过反复测量的结果见[实测计时](../../timings/)页，每条结果都注明了测量所用的机器；
# 那一页也写明这些机器中有几台带 GPU。

# %%
import time

import torch

from lessonsrc.timing import describe_device, expected_norm, median_time, tflops

print("torch", torch.__version__)
print("CUDA available:", torch.cuda.is_available())

# %% [markdown] lang="en"
# ## Step 1: the product on the CPU
#
# A fixed seed makes the run repeatable. The CPU computes synchronously, so
# reading the clock right after `torch.matmul` is fine here. The first call
# also pays one-off costs, so we time it once as the lesson does, then take
# the median of five more calls.

# %% [markdown] lang="zh"
# ## 第一步：在 CPU 上计算
#
# 固定随机种子让结果可复现。CPU 是同步计算的，所以在 `torch.matmul` 之后立刻读时钟没有问题。
# 第一次调用还包含一次性开销，所以先像原文那样计一次时，再取五次调用的中位数。

# %%
torch.manual_seed(0)
m, k, n = 10000, 1000, 2000
a = torch.randn(m, k)
b = torch.randn(k, n)

t0 = time.perf_counter()
c = torch.matmul(a, b)
t1 = time.perf_counter()
print(describe_device(a.device))
print(f"first call: {t1 - t0:.4f} s")

cpu_seconds = median_time(lambda: torch.matmul(a, b), "cpu", warmup=0, repeat=5)
print(f"median of 5: {cpu_seconds:.4f} s = {tflops(m, k, n, cpu_seconds):.2f} TFLOP/s")

# %% [markdown] lang="en"
# ## Step 2: the norm, checked
#
# Each entry of `c` sums 1000 products of independent standard normals, so its
# variance is 1000; the Frobenius norm is about $\sqrt{m \cdot n \cdot k} \approx 1.41 \times 10^5$.
# The original lesson printed 7070 here, which is about 20 times too small.
# We compute the norm with `torch.linalg.vector_norm`: `Tensor.norm` is
# deprecated in favour of the `torch.linalg` functions.

# %% [markdown] lang="zh"
# ## 第二步：核对范数
#
# `c` 的每个元素是 1000 个独立标准正态乘积之和，方差为 1000；
# Frobenius 范数约为 $\sqrt{m \cdot n \cdot k} \approx 1.41 \times 10^5$。
# 原文此处打印的 7070 小了约 20 倍。
# 这里用 `torch.linalg.vector_norm` 计算范数，因为 `Tensor.norm` 已被弃用，推荐改用 `torch.linalg` 中的函数。

# %%
norm = torch.linalg.vector_norm(c)
print("torch.linalg.vector_norm(c) =", norm)
print(f"expected about {expected_norm(m, k, n):.4g}")
assert abs(norm.item() / expected_norm(m, k, n) - 1) < 0.01

# %% [markdown] lang="en"
# ## Step 3: the GPU, if there is one
#
# CUDA runs asynchronously: `torch.matmul` on the GPU returns when the kernel
# is queued, so the lesson's `time.time()` around it does not time the product.
# On the first call it is not the launch alone either: that call also sets up
# cuBLAS, the library that runs the product. We warm up, then synchronize
# before reading the clock. On a machine without a CUDA GPU this cell says so
# and skips the GPU part; that is not an error.

# %% [markdown] lang="zh"
# ## 第三步：如果有 GPU
#
# CUDA 是异步执行的：GPU 上的 `torch.matmul` 在内核进入队列时就返回了，
# 所以原文用 `time.time()` 包住它，量不到乘法本身的耗时。
# 第一次调用量到的也不只是启动：这一次还要初始化执行乘法的 cuBLAS 库。
# 我们先预热，再在读时钟之前同步。
# 没有 CUDA GPU 的机器上，这个单元格会如实说明并跳过 GPU 部分，这不是错误。

# %%
if torch.cuda.is_available():
    device = torch.device("cuda", torch.cuda.current_device())
    a_gpu, b_gpu = a.to(device), b.to(device)
    print(describe_device(device))

    t0 = time.time()
    c_gpu = torch.matmul(a_gpu, b_gpu)
    t1 = time.time()  # no synchronize: this is the lesson's (wrong) way
    print(f"naive first call, no synchronize (cuBLAS set-up + launch, not the product): {t1 - t0:.6f} s")

    gpu_seconds = median_time(lambda: torch.matmul(a_gpu, b_gpu), device, warmup=3, repeat=10)
    print(f"synchronized median of 10: {gpu_seconds * 1e3:.3f} ms = {tflops(m, k, n, gpu_seconds):.1f} TFLOP/s")
    print(f"speed-up over this CPU: {cpu_seconds / gpu_seconds:.0f}x")
    gpu_norm = torch.linalg.vector_norm(c_gpu)
    print("torch.linalg.vector_norm(c_gpu) =", gpu_norm)
    assert abs(gpu_norm.item() / expected_norm(m, k, n) - 1) < 0.01
else:
    print("No CUDA GPU was found on this machine, so the GPU part was skipped.")
    print("The recorded timings page lists every recorded machine and says which had a GPU.")

# %% [markdown] lang="en"
# ## Summary
#
# - On the CPU the first call and later calls differ; report a median of several.
# - The norm of the product is about $1.41 \times 10^5$, not 7070.
# - On a GPU, synchronize (or use CUDA events, or `torch.utils.benchmark`) before
#   reading the clock; see the [code walk-through](../../06-code-walkthrough/).

# %% [markdown] lang="zh"
# ## 小结
#
# - 在 CPU 上，第一次调用和之后的调用耗时不同；应报告多次运行的中位数。
# - 乘积的范数约为 $1.41 \times 10^5$，而不是 7070。
# - 在 GPU 上，读时钟之前要同步（或用 CUDA 事件、`torch.utils.benchmark`）；
#   见[代码分析](../../06-code-walkthrough/)。
