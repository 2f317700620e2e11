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
# the CPU and check its norm against theory; *see* why timing GPU code naively
# goes wrong, with a CPU experiment that works the same way; know which lines
# make Python wait for the GPU; and, where a GPU is present, time it correctly.
#
# **Before this page:** [tensors by hand](../tensors_basics/).
# **Install:** `pip install torch matplotlib`.
#
# **No GPU here?** The site is built on a machine without one. Where the
# banner above lists a GPU run, that run was made on a GPU machine and merged
# into the site, and its outputs sit in tabs beside this build's CPU run;
# otherwise the GPU step below says it was skipped. To run it yourself, open this page's
# notebook in Colab (the button above), choose **Runtime → Change runtime
# type**, pick a GPU under **Hardware accelerator**, **Save**, then run all
# cells again (the runtime restarts, so earlier results are gone).
#
# The numbers on this page come from the runs the banner lists. Carefully
# repeated measurements, each with the machine it was recorded on, are on the
# [recorded timings](../../timings/) page.

# %% [markdown] lang="zh"
# # 在 CPU 与 GPU 上做矩阵乘法
#
# **学习目标：** 在 CPU 上为本课的 `(10000, 1000) @ (1000, 2000)` 矩阵乘法计时，
# 并用理论值核对结果的范数；用一个原理相同的 CPU 实验，亲眼**看到**为什么天真地给 GPU 代码计时会出错；
# 知道哪些代码会让 Python 等待 GPU；如果有 GPU，再正确地在 GPU 上计时。
#
# **先读：** [手算张量](../tensors_basics/)。
# **安装：** `pip install torch matplotlib`。
#
# **这里没有 GPU？** 本站是在没有 GPU 的机器上构建的。如果上方的说明列出了 GPU 运行，
# 那次运行是在 GPU 机器上完成后合并进本站的，它的输出以标签页与本次构建的 CPU 运行并列显示；
# 否则下面的 GPU 步骤会说明已跳过。
# 想自己运行，请用上方的按钮在 Colab 中打开本页的笔记本，选择 **Runtime → Change runtime type**
# （代码执行程序 → 更改运行时类型），在 **Hardware accelerator**（硬件加速器）中选一种 GPU，
# 点 **Save**（保存），然后重新运行所有单元格（运行时会重启，之前的结果都会清空）。
#
# 本页的数字来自上方说明列出的各次运行。经过反复测量的结果见[实测计时](../../timings/)页，
# 每条结果都注明了测量所用的机器。

# %%
import time
from concurrent.futures import ThreadPoolExecutor

import matplotlib.pyplot as plt
import torch
from torch.utils.benchmark import Timer

# The accelerator (a CUDA GPU, say) if there is one; None on a CPU-only machine.
gpu = None
if torch.accelerator.is_available():
    gpu = torch.accelerator.current_accelerator()
print("torch", torch.__version__, "| accelerator:", gpu)
print("CPU threads:", torch.get_num_threads())

# %% [markdown] lang="en"
# ## Step 1: the product on the CPU
#
# A fixed seed makes the run repeatable. We time the first call on its own,
# then let `torch.utils.benchmark.Timer` repeat the product for at least two
# seconds and report the median: the tool the [recorded
# timings](../../timings/) use too. One product is $2 \cdot m \cdot k \cdot n$
# floating-point operations (each of the $m \cdot n$ outputs needs $k$
# multiplications and $k$ additions), which gives the rate in TFLOP/s.

# %% [markdown] lang="zh"
# ## 第一步：在 CPU 上计算
#
# 固定随机种子让结果可复现。先单独为第一次调用计时，再让 `torch.utils.benchmark.Timer`
# 重复这次乘法至少两秒并报告中位数，[实测计时](../../timings/)页用的也是这个工具。
# 一次乘法是 $2 \cdot m \cdot k \cdot n$ 次浮点运算（$m \cdot n$ 个输出各需要 $k$ 次乘法和 $k$ 次加法），
# 由此算出每秒多少 TFLOP。

# %%
torch.manual_seed(0)
m, k, n = 10000, 1000, 2000
a = torch.randn(m, k)
b = torch.randn(k, n)


def tflops(seconds):
    """Rate of one (m, k) @ (k, n) product that took ``seconds``, in TFLOP/s."""
    return 2 * m * k * n / seconds / 1e12


x = torch.ones(4, 4)  # a tiny product first: its first call shows the one-off costs
t0 = time.perf_counter()
x @ x
t1 = time.perf_counter()
x @ x
t2 = time.perf_counter()
print(f"tiny 4x4 product: first call {(t1 - t0) * 1e6:.0f} µs, "
      f"second call {(t2 - t1) * 1e6:.0f} µs")

t0 = time.perf_counter()
c = torch.matmul(a, b)
first = time.perf_counter() - t0
timer = Timer("torch.matmul(a, b)", globals={"torch": torch, "a": a, "b": b})
timing = timer.blocked_autorange(min_run_time=2)
print(f"first call: {first:.3f} s")
print(f"median of {len(timing.times)} timed runs: {timing.median:.3f} s "
      f"= {tflops(timing.median):.3f} TFLOP/s")
print(f"first call / median: {first / timing.median:.2f}")

# %% [markdown] lang="en"
# What does a first call pay? Very little on the CPU: the first product
# of a process starts the thread pool and picks a kernel. The tiny product
# shows that cost (its first call is many times slower than its second), but
# it is small next to a product that takes a fraction of a second. So the ratio above is close to 1, unless
# something else used the CPU while the product ran: the site's build runs
# other examples at the same time as this one (one per core), so the rate here can be lower than on
# the recorded timings page, which measures with nothing else running. On a
# GPU the first call pays far more (creating the CUDA context, loading cuBLAS,
# the library that runs the product), which is why GPU timings warm up first.

# %% [markdown] lang="zh"
# 第一次调用要付出什么？在 CPU 上很少：进程里的第一次乘法要启动线程池、选择计算内核，
# 很小的乘法能显示出这笔开销（它的第一次调用比第二次慢很多倍），但和耗时零点几秒的乘法相比，这笔开销很小。
# 所以上面的比值接近 1，除非乘法运行时有别的程序占用 CPU：网站构建时，
# 其他示例会与这个示例同时运行（每个核心一个），所以这里的速度可能低于[实测计时](../../timings/)页，
# 那一页是在没有其他程序运行时测量的。在 GPU 上，第一次调用的开销大得多（要创建 CUDA 上下文、
# 加载执行乘法的 cuBLAS 库），所以 GPU 计时要先预热。

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
expected = (m * n * k) ** 0.5
norm = torch.linalg.vector_norm(c)
print("torch.linalg.vector_norm(c) =", norm)
print(f"expected about {expected:.4g}")
assert abs(norm.item() / expected - 1) < 0.01

# %% [markdown] lang="en"
# ## Step 3: the asynchrony trap, on a CPU
#
# A GPU does not compute while Python waits. `torch.matmul` on a GPU puts the
# work into the GPU's queue (a *stream*) and returns at once; the GPU works
# through the queue on its own. A clock read right after the call measures the
# queuing, not the product.
#
# A CPU can show the same thing. A thread pool with one worker is a queue with
# one worker, like a stream: `submit()` queues a job and returns a *future* at
# once, and `future.result()` waits until the job is done. We queue the same
# product three times and read the clock after each `submit()`, then wait for
# the last result.

# %% [markdown] lang="zh"
# ## 第三步：异步的陷阱，在 CPU 上重现
#
# GPU 并不是在 Python 等待时计算的。GPU 上的 `torch.matmul` 只是把工作放进 GPU 的队列（称为**流**，stream）
# 就立即返回；GPU 自己按顺序处理队列里的工作。调用之后马上读时钟，量到的是排队，而不是乘法。
#
# CPU 也能演示同样的事。只有一个工作线程的线程池就是一个只有一名“工人”的队列，和流一样：
# `submit()` 把任务放进队列，立即返回一个 *future*；`future.result()` 则等到任务完成。
# 我们把同一个乘法放进队列三次，每次 `submit()` 之后读一次时钟，然后等待最后一个结果。

# %%
events = {"queued": [], "ran": []}  # (start, end) in seconds since t0
t0 = time.perf_counter()


def job():
    start = time.perf_counter() - t0
    result = torch.matmul(a, b)
    events["ran"].append((start, time.perf_counter() - t0))
    return result


with ThreadPoolExecutor(max_workers=1) as queue:
    futures = []
    for _ in range(3):
        before = time.perf_counter() - t0
        futures.append(queue.submit(job))
        events["queued"].append((before, time.perf_counter() - t0))
    wait_from = time.perf_counter() - t0
    futures[-1].result()  # like torch.accelerator.synchronize(): wait for the queue
    wait_to = time.perf_counter() - t0

submitted = events["queued"][-1][1]
print(f"three submit() calls returned after {submitted * 1e3:8.3f} ms  (a naive timer)")
print(f"the last result() returned after    {wait_to * 1e3:8.1f} ms  (the work)")

# %% [markdown] lang="en"
# The timeline of that run, drawn from the times it recorded: the main thread
# (above) spends almost no time queuing and then waits; the worker (below)
# does the work. Replace "worker" by "GPU stream", `submit()` by a kernel
# launch and `result()` by `torch.accelerator.synchronize()`, and this is what
# happens when Python drives a GPU.

# %% [markdown] lang="zh"
# 下图是这次运行的时间线，由它记录的时间画出：主线程（上）排队几乎不花时间，然后就在等待；
# 工作线程（下）完成实际的计算。把“工作线程”换成“GPU 流”，把 `submit()` 换成内核启动，
# 把 `result()` 换成 `torch.accelerator.synchronize()`，这就是 Python 驱动 GPU 时发生的事。

# %%
fig, ax = plt.subplots(figsize=(7, 2.6))
queued = [(s, max(e - s, 0.004)) for s, e in events["queued"]]  # wide enough to see
ax.broken_barh(queued, (1.6, 0.6), color="tab:orange", label="submit() / kernel launch")
ax.broken_barh([(wait_from, wait_to - wait_from)], (1.6, 0.6), color="lightgray",
               label="result() / synchronize(): waiting")
ran = [(s, e - s) for s, e in events["ran"]]
ax.broken_barh(ran, (0.4, 0.6), color="tab:blue", edgecolor="white",
               label="the work (a matmul each)")
ax.axvline(submitted, color="black", linewidth=1)
ax.annotate(f"naive clock read: {submitted * 1e3:.1f} ms", (submitted, 2.35),
            xytext=(6, 0), textcoords="offset points", fontsize=9)
ax.annotate(f"synchronized clock read: {wait_to:.2f} s", (wait_to, 2.35),
            xytext=(-4, 0), textcoords="offset points", fontsize=9, ha="right")
ax.axvline(wait_to, color="black", linewidth=1)
ax.set_yticks([0.7, 1.9], ["worker\n(GPU stream)", "main thread\n(Python)"])
ax.set_ylim(0, 2.9)
ax.set_xlabel("seconds since the first submit()")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize=8,
          frameon=False)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Step 4: from the analogy to CUDA
#
# | thread pool (above) | GPU |
# | --- | --- |
# | `queue.submit(job)` returns a future at once | `a @ b` on the GPU queues a kernel and returns a tensor at once |
# | the worker runs jobs in order | a stream runs its kernels in order |
# | `future.result()` waits | `torch.accelerator.synchronize()` waits for every queued kernel |
# | read the clock after `result()` | read the clock after `synchronize()`, or let CUDA *events* in the stream time the kernels |
#
# **Hidden synchronisations.** Any line that needs the *value* of a GPU
# tensor on the CPU waits for the queue first, just like `result()`:
# `.item()`, `.tolist()`, `.cpu()` or `.to("cpu")`, `print(tensor)`, and an
# `if` on a tensor (`if loss < 0.1:`). Such a line can look slow in a
# profile only because it waits for all the work queued before it. In a
# training loop, a `loss.item()` at every step makes Python wait for the GPU
# at every step; printing every 100 steps keeps the queue full.

# %% [markdown] lang="zh"
# ## 第四步：从类比到 CUDA
#
# | 线程池（上面的实验） | GPU |
# | --- | --- |
# | `queue.submit(job)` 立即返回一个 future | GPU 上的 `a @ b` 把一个内核放进队列，立即返回一个张量 |
# | 工作线程按顺序执行任务 | 一个流按顺序执行它的内核 |
# | `future.result()` 会等待 | `torch.accelerator.synchronize()` 等待队列中的所有内核 |
# | 在 `result()` 之后读时钟 | 在 `synchronize()` 之后读时钟，或者让流中的 CUDA **事件**为内核计时 |
#
# **隐藏的同步。** 任何需要在 CPU 上拿到 GPU 张量**值**的代码，都会先等待队列，就像 `result()` 一样：
# `.item()`、`.tolist()`、`.cpu()` 或 `.to("cpu")`、`print(tensor)`，以及对张量做 `if` 判断
# （`if loss < 0.1:`）。这样的一句代码在性能分析里可能显得很慢，只是因为它在等待之前排队的全部工作。
# 在训练循环里，每一步都调用 `loss.item()` 会让 Python 每一步都等待 GPU；每 100 步打印一次，队列就能一直排满。

# %% [markdown] lang="en"
# ## Step 5: the GPU, if there is one
#
# The lesson's `time.time()` around `torch.matmul` measures the queuing; on
# the first call it also pays for setting up cuBLAS. We time it that way once,
# to see the trap, then warm up and let `Timer` (which synchronizes before it
# reads the clock) measure. On a machine without a GPU this cell says so and
# skips the GPU part; that is not an error. Full-precision `float32` is what
# we time: TensorFloat-32, faster and less precise, is allowed with
# `torch.backends.cuda.matmul.fp32_precision = "tf32"`.

# %% [markdown] lang="zh"
# ## 第五步：如果有 GPU
#
# 原文用 `time.time()` 包住 `torch.matmul`，量到的是排队；第一次调用还包含初始化 cuBLAS 的开销。
# 我们先这样计时一次，看看这个陷阱，然后预热，再让 `Timer`（它在读时钟之前会同步）来测量。
# 没有 GPU 的机器上，这个单元格会如实说明并跳过 GPU 部分，这不是错误。
# 这里计时的是全精度 `float32`；更快但精度较低的 TensorFloat-32 要用
# `torch.backends.cuda.matmul.fp32_precision = "tf32"` 开启。

# %%
if gpu is not None:
    a_gpu, b_gpu = a.to(gpu), b.to(gpu)
    torch.accelerator.synchronize()  # the copies are queued too: wait before timing

    t0 = time.time()
    c_gpu = torch.matmul(a_gpu, b_gpu)
    t1 = time.time()  # no synchronize: this is the lesson's (wrong) way
    print(f"naive first call, no synchronize: {t1 - t0:.6f} s (set-up + queuing)")

    for _ in range(3):
        torch.matmul(a_gpu, b_gpu)  # warm-up
    on_gpu = {"torch": torch, "a": a_gpu, "b": b_gpu}
    gpu_timer = Timer("torch.matmul(a, b)", globals=on_gpu)
    gpu_timing = gpu_timer.blocked_autorange()
    print(f"synchronized median: {gpu_timing.median * 1e3:.3f} ms "
          f"= {tflops(gpu_timing.median):.1f} TFLOP/s")
    print(f"speed-up over this CPU: {timing.median / gpu_timing.median:.0f}x")
    gpu_norm = torch.linalg.vector_norm(c_gpu)  # .item() below waits: a hidden sync
    print("torch.linalg.vector_norm(c_gpu) =", gpu_norm)
    assert abs(gpu_norm.item() / expected - 1) < 0.01
else:
    print("No GPU was found on this machine, so the GPU part was skipped.")
    print("The recorded timings page lists every recorded machine")
    print("and says which had a GPU.")

# %% [markdown] lang="en"
# ## Summary
#
# - On the CPU the first call of a large product costs about what later calls
#   do; report the median of several runs (`torch.utils.benchmark.Timer`).
# - The norm of the product is about $1.41 \times 10^5$, not 7070.
# - GPU work is queued: a call returns before the work is done. Synchronize
#   (`torch.accelerator.synchronize()`), use CUDA events, or use
#   `torch.utils.benchmark` before reading the clock; warm up first.
# - `.item()`, `.cpu()`, `print(tensor)` and `if tensor:` wait for the GPU.
#
# **Next:** the [recorded timings](../../timings/) compare machines, and the
# [code walk-through](../../06-code-walkthrough/) reads the original lesson's code line by line.

# %% [markdown] lang="zh"
# ## 小结
#
# - 在 CPU 上，大矩阵乘法的第一次调用和之后的调用耗时相近；应报告多次运行的中位数
#   （`torch.utils.benchmark.Timer`）。
# - 乘积的范数约为 $1.41 \times 10^5$，而不是 7070。
# - GPU 的工作是排队执行的：调用返回时工作还没做完。读时钟之前要同步
#   （`torch.accelerator.synchronize()`），或用 CUDA 事件、`torch.utils.benchmark`；并且先预热。
# - `.item()`、`.cpu()`、`print(tensor)` 和 `if tensor:` 都会等待 GPU。
#
# **下一步：** [实测计时](../../timings/)页比较不同的机器，[代码分析](../../06-code-walkthrough/)逐句解读原文的代码。

# %% [markdown] lang="en"
# ## Exercises
#
# **1.** A queue with one worker gets two jobs of 0.2 s each. About how long
# do the two `submit()` calls take, and how long until the second result is
# there? Predict, then check.
#
# <details class="success"><summary>Answer</summary>
#
# The `submit()` calls return at once (well under a millisecond each); the
# worker runs the jobs one after the other, so the second result comes after
# about 0.4 s, as the second of two kernels in one stream would.
#
# ```pycon
# >>> import time
# >>> from concurrent.futures import ThreadPoolExecutor
# >>> with ThreadPoolExecutor(max_workers=1) as queue:
# ...     t0 = time.perf_counter()
# ...     jobs = [queue.submit(time.sleep, 0.2) for _ in range(2)]
# ...     queued = time.perf_counter() - t0
# ...     jobs[-1].result()
# ...     done = time.perf_counter() - t0
# >>> queued < 0.05
# True
# >>> 0.39 < done < 1.0
# True
#
# ```
#
# </details>
#
# **2.** Which of these lines make Python wait for the GPU: `c = a @ b`,
# `c.sum().item()`, `c.shape`, `c.cpu()`? Check the rule on the CPU: which of
# them give a plain Python value or a CPU tensor?
#
# <details class="success"><summary>Answer</summary>
#
# `c.sum().item()` and `c.cpu()` need the values, so they wait. `c = a @ b` only
# queues the product, and `c.shape` is known before the product runs (from the
# shapes of `a` and `b`), so neither waits.
#
# ```pycon
# >>> import torch
# >>> a, b = torch.ones(2, 3), torch.ones(3, 4)
# >>> c = a @ b
# >>> c.shape
# torch.Size([2, 4])
# >>> c.sum().item()
# 24.0
# >>> c.cpu().device
# device(type='cpu')
#
# ```
#
# </details>

# %% [markdown] lang="zh"
# ## 练习
#
# **第 1 题：** 一个只有一个工作线程的队列收到两个各耗时 0.2 秒的任务。两次 `submit()` 大约花多少时间？
# 第二个结果多久之后才拿到？先预测，再验证。
#
# <details class="success"><summary>答案</summary>
#
# `submit()` 立即返回（每次远少于一毫秒）；工作线程一个接一个地执行任务，所以第二个结果大约在 0.4 秒后才出来，
# 就像同一个流中的第二个内核一样。
#
# ```pycon
# >>> import time
# >>> from concurrent.futures import ThreadPoolExecutor
# >>> with ThreadPoolExecutor(max_workers=1) as queue:
# ...     t0 = time.perf_counter()
# ...     jobs = [queue.submit(time.sleep, 0.2) for _ in range(2)]
# ...     queued = time.perf_counter() - t0
# ...     jobs[-1].result()
# ...     done = time.perf_counter() - t0
# >>> queued < 0.05
# True
# >>> 0.39 < done < 1.0
# True
#
# ```
#
# </details>
#
# **第 2 题：** 下面哪几句会让 Python 等待 GPU：`c = a @ b`、`c.sum().item()`、`c.shape`、`c.cpu()`？
# 在 CPU 上验证这条规则：哪几句得到的是普通的 Python 值或 CPU 上的张量？
#
# <details class="success"><summary>答案</summary>
#
# `c.sum().item()` 和 `c.cpu()` 需要用到数值，所以会等待。`c = a @ b` 只是把乘法放进队列；
# `c.shape` 在乘法运行之前就已确定（由 `a` 和 `b` 的形状决定），所以两者都不等待。
#
# ```pycon
# >>> import torch
# >>> a, b = torch.ones(2, 3), torch.ones(3, 4)
# >>> c = a @ b
# >>> c.shape
# torch.Size([2, 4])
# >>> c.sum().item()
# 24.0
# >>> c.cpu().device
# device(type='cpu')
#
# ```
#
# </details>
