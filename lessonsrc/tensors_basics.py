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
# # Tensors by hand
#
# **Objectives:** create tensors and read their shape and `dtype`; index,
# slice and reshape them; predict the result of broadcasting; tell `*` from
# `@`; move between PyTorch and NumPy; switch gradient tracking off; and put
# tensors on a device, including what happens when two tensors sit on
# different devices.
#
# Every output below was printed when this site was built. Run the file
# yourself (`python tensors_basics.py`) or open it in Colab and change things:
# that is the fastest way to learn tensors.

# %% [markdown] lang="zh"
# # 动手操作张量
#
# **学习目标：** 创建张量并查看它的形状和 `dtype`；对张量做索引、切片和变形；
# 预测广播的结果；分清 `*` 和 `@`；在 PyTorch 与 NumPy 之间来回转换；
# 关闭梯度跟踪；把张量放到某个设备上，并看看两个张量在不同设备上时会发生什么。
#
# 下面的每一个输出都是在构建本站时打印出来的。自己运行这个文件
# （`python tensors_basics.py`），或在 Colab 中打开并改动代码，是学会张量最快的办法。

# %%
import numpy as np
import torch

print("torch", torch.__version__)

# %% [markdown] lang="en"
# ## 1. Creating tensors and their `dtype`
#
# `torch.tensor` copies a Python list into a new tensor. Its data type
# (`dtype`) follows the values: whole numbers give **`int64`**, numbers with a
# decimal point give **`float32`**. Factory functions build common tensors
# directly; a fixed seed makes the random ones repeatable.

# %% [markdown] lang="zh"
# ## 1. 创建张量与 `dtype`
#
# `torch.tensor` 把一个 Python 列表复制成新的张量。它的数据类型（`dtype`）由数值决定：
# 整数得到 **`int64`**，带小数点的数得到 **`float32`**。工厂函数可以直接生成常用的张量；
# 固定随机种子能让随机张量每次都一样。

# %%
ints = torch.tensor([1, 2, 3])
floats = torch.tensor([1.0, 2.0, 3.0])
print(ints, ints.dtype)
print(floats, floats.dtype)

print(torch.zeros(2, 3))
print(torch.arange(5))  # 0, 1, ..., 4 (int64)
torch.manual_seed(0)
print(torch.randn(2, 2))  # standard normal; repeatable thanks to the seed

# %% [markdown] lang="en"
# Mixing `float32` and `float64` is a classic first bug. NumPy's default is
# `float64`, PyTorch's is `float32`. Element-wise operations quietly promote
# to the wider type, but a matrix product refuses to mix them. The error
# below is the real one, caught and printed:

# %% [markdown] lang="zh"
# 混用 `float32` 和 `float64` 是初学者常见的第一个错误。NumPy 默认用 `float64`，
# PyTorch 默认用 `float32`。逐元素运算会悄悄提升到更宽的类型，矩阵乘法却拒绝混用。
# 下面的错误信息是真实捕获并打印出来的：

# %%
doubles = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
print((floats + doubles).dtype)  # promoted to float64

try:
    floats.reshape(1, 3) @ doubles.reshape(3, 1)
except RuntimeError as error:
    print("RuntimeError:", error)

print((floats.reshape(1, 3) @ doubles.reshape(3, 1).float()).item())  # convert first: works

# %% [markdown] lang="en"
# ## 2. Shape, indexing and slicing
#
# `shape` lists the size of every dimension; `ndim` counts the dimensions and
# `numel()` the elements. Indexing works like NumPy: one index per dimension,
# `:` for "all", `start:stop:step` for a slice, and a boolean tensor to pick
# elements.

# %% [markdown] lang="zh"
# ## 2. 形状、索引与切片
#
# `shape` 给出每一维的大小；`ndim` 是维数，`numel()` 是元素个数。索引的写法和 NumPy 一样：
# 每一维一个下标，`:` 表示“全部”，`start:stop:step` 表示切片，布尔张量用来挑选元素。

# %%
m = torch.arange(12).reshape(3, 4)
print(m)
print("shape", m.shape, "ndim", m.ndim, "numel", m.numel())
print("row 0:", m[0])
print("column 1:", m[:, 1])
print("rows 1-2, every other column:\n", m[1:, ::2])
print("elements > 8:", m[m > 8])

# %% [markdown] lang="en"
# ## 3. `reshape` and `view`
#
# Both change the shape without changing the elements, and the number of
# elements must stay the same (`-1` means "work it out"). `view` never copies:
# the result shares memory with the original, so writing into one changes the
# other. It therefore needs a memory layout that allows it; after a transpose
# it fails, while `reshape` copies when it has to.

# %% [markdown] lang="zh"
# ## 3. `reshape` 与 `view`
#
# 两者都只改变形状、不改变元素，元素个数必须保持不变（`-1` 表示“自动算出”）。
# `view` 从不复制：结果与原张量共享内存，改一个另一个也会变。因此它要求内存布局允许这样做；
# 转置之后 `view` 会失败，而 `reshape` 在必要时会复制。

# %%
flat = m.view(-1)
print(flat.shape)
flat[0] = 100
print("m[0, 0] after writing into the view:", m[0, 0].item())

t = m.t()  # transpose: same memory, different layout
try:
    t.view(-1)
except RuntimeError as error:
    print("RuntimeError:", error)
print(t.reshape(-1)[:4])

# %% [markdown] lang="en"
# ## 4. Broadcasting
#
# When two shapes differ, PyTorch compares them from the right. Two sizes fit
# if they are equal or one of them is 1, and a missing dimension counts as 1.
# Size-1 dimensions are stretched without copying. A $(3, 1)$ column plus a
# $(4,)$ row gives a $(3, 4)$ table:

# %% [markdown] lang="zh"
# ## 4. 广播
#
# 两个形状不同时，PyTorch 从右往左逐维比较。两个大小相等或其中一个为 1 时就能匹配，
# 缺少的维度按 1 处理。大小为 1 的维度会被“拉伸”，但并不真的复制数据。
# 一个 $(3, 1)$ 的列加上一个 $(4,)$ 的行，得到 $(3, 4)$ 的表：

# %%
col = torch.tensor([[0], [10], [20]])  # shape (3, 1)
row = torch.tensor([1, 2, 3, 4])  # shape (4,)
print(col + row)

try:
    torch.ones(3) + torch.ones(2)
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown] lang="en"
# ## 5. `*` versus `@`, and `.item()`
#
# `*` multiplies element by element (with broadcasting). `@` (or
# `torch.matmul`) is the matrix product: a $(2, 3)$ matrix times a $(3, 2)$
# matrix gives $(2, 2)$. `.item()` turns a one-element tensor into a plain
# Python number, for printing or logging.

# %% [markdown] lang="zh"
# ## 5. `*` 与 `@`，以及 `.item()`
#
# `*` 是逐元素相乘（可以广播）。`@`（即 `torch.matmul`）是矩阵乘法：
# $(2, 3)$ 矩阵乘以 $(3, 2)$ 矩阵得到 $(2, 2)$。`.item()` 把只有一个元素的张量
# 变成普通的 Python 数，便于打印或记录。

# %%
p = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(p * p)  # element-wise, shape (2, 3)
print(p @ p.T)  # matrix product, shape (2, 2)
total = p.sum()
print(total, "->", total.item(), type(total.item()).__name__)

# %% [markdown] lang="en"
# ## 6. NumPy interoperability
#
# `torch.from_numpy` and `.numpy()` share memory with the other side: no copy,
# and a change on one side shows on the other. `torch.tensor(array)` copies.
# The `dtype` is kept, so a NumPy array usually arrives as `float64`.

# %% [markdown] lang="zh"
# ## 6. 与 NumPy 互通
#
# `torch.from_numpy` 和 `.numpy()` 与对方共享内存：不复制，一边的改动会反映到另一边。
# `torch.tensor(array)` 则会复制。`dtype` 保持不变，所以 NumPy 数组过来时通常是 `float64`。

# %%
arr = np.array([1.0, 2.0, 3.0])
shared = torch.from_numpy(arr)
copied = torch.tensor(arr)
arr[0] = -1.0
print("shared:", shared)
print("copied:", copied)

back = floats.numpy()  # a CPU tensor's memory, seen as an array
floats[2] = 30.0
print("array after changing the tensor:", back, back.dtype)

# %% [markdown] lang="en"
# ## 7. Gradient tracking: `requires_grad`, `no_grad` and `detach`
#
# A tensor created with `requires_grad=True` asks autograd to record every
# operation done with it. Tensors you create yourself are **leaf tensors**;
# results computed from them are not, and carry a `grad_fn` that remembers the
# operation. After `backward()`, gradients are stored in `.grad` of the leaves
# only.
#
# Recording costs memory, so switch it off when you only evaluate: inside
# `with torch.no_grad():` results are not recorded, and `.detach()` returns a
# tensor that shares the data but is cut off from the graph. NumPy cannot see a
# tensor that requires gradients; detach it first.

# %% [markdown] lang="zh"
# ## 7. 梯度跟踪：`requires_grad`、`no_grad` 与 `detach`
#
# 用 `requires_grad=True` 创建的张量会让自动求导记录它参与的每一次运算。
# 你自己创建的张量叫**叶子张量**（leaf tensor）；由它们算出的结果不是叶子，
# 并带有记住运算的 `grad_fn`。调用 `backward()` 之后，梯度只存进叶子张量的 `.grad`。
#
# 记录需要占用内存，所以只做推理时应关闭它：在 `with torch.no_grad():` 里得到的结果不会被记录；
# `.detach()` 返回共享数据、但与计算图断开的张量。NumPy 不接受需要梯度的张量，要先 detach。

# %%
w = torch.tensor([1.0, 2.0], requires_grad=True)
out = (w * 3).sum()
print("w is a leaf:", w.is_leaf, "| out is a leaf:", out.is_leaf, "| out.grad_fn:", type(out.grad_fn).__name__)
out.backward()
print("w.grad:", w.grad)

with torch.no_grad():
    evaluated = w * 3
print("under no_grad, requires_grad =", evaluated.requires_grad)

try:
    w.numpy()
except RuntimeError as error:
    print("RuntimeError:", error)
print(w.detach().numpy())

# %% [markdown] lang="en"
# ## 8. Devices
#
# Every tensor lives on a **device**: `cpu`, `cuda` (an NVIDIA or AMD GPU),
# `mps` (an Apple GPU), ... Portable code picks the device at run time and
# moves tensors with `.to(device)`; `torch.zeros(..., device=device)` creates
# them there directly.

# %% [markdown] lang="zh"
# ## 8. 设备
#
# 每个张量都位于某个**设备**上：`cpu`、`cuda`（NVIDIA 或 AMD GPU）、`mps`（Apple GPU）等。
# 可移植的代码在运行时选择设备，用 `.to(device)` 移动张量；
# `torch.zeros(..., device=device)` 则直接在该设备上创建。

# %%
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("this run uses:", device)
x = torch.ones(2, 3).to(device)
print(x.device)

# %% [markdown] lang="en"
# An operation needs all its tensors on the same device; PyTorch never moves
# them for you. On a machine with a CUDA GPU the cell below adds a GPU tensor
# to a CPU tensor and prints the error that really occurs. On a machine
# without one it uses the **`meta`** device, which exists on every build:
# meta tensors have a shape and a `dtype` but no data. The mismatch is
# detected the same way, but the wording of the message depends on the devices.

# %% [markdown] lang="zh"
# 一次运算要求它的所有张量位于同一设备上；PyTorch 不会替你移动它们。
# 在有 CUDA GPU 的机器上，下面的单元格把 GPU 张量和 CPU 张量相加，并打印真实出现的错误。
# 在没有 GPU 的机器上，它改用每个版本都有的 **`meta`** 设备：meta 张量只有形状和 `dtype`，
# 没有数据。不匹配会以同样的方式被发现，只是错误信息的措辞随设备而不同。

# %%
if torch.cuda.is_available():
    other = torch.ones(2, 3, device="cuda")
else:
    other = torch.ones(2, 3, device="meta")
try:
    torch.ones(2, 3) + other
except RuntimeError as error:
    print(f"cpu + {other.device.type}: RuntimeError: {error}")

print("fixed:", (torch.ones(2, 3).to(other.device) + other).shape)

# %% [markdown] lang="en"
# ## Summary
#
# - Integers default to `int64`, floats to `float32`; NumPy arrays arrive as
#   `float64`. A matrix product does not mix `float32` and `float64`.
# - `shape`, indexing and slicing work like NumPy; `view` shares memory and
#   needs a compatible layout, `reshape` copies when it must.
# - Broadcasting compares shapes from the right; sizes must be equal or 1.
# - `*` is element-wise, `@` is the matrix product; `.item()` gives a Python number.
# - `from_numpy` and `.numpy()` share memory; `torch.tensor(array)` copies.
# - Leaf tensors with `requires_grad=True` collect `.grad`; `no_grad` and
#   `detach` switch recording off.
# - Choose the device at run time and keep every operand on it.
#
# Next: the [first training loop](../first_training_loop/) puts these pieces to work.

# %% [markdown] lang="zh"
# ## 小结
#
# - 整数默认是 `int64`，浮点数默认是 `float32`；NumPy 数组过来是 `float64`。
#   矩阵乘法不能混用 `float32` 和 `float64`。
# - `shape`、索引和切片的用法与 NumPy 相同；`view` 共享内存且要求布局兼容，
#   `reshape` 在必要时复制。
# - 广播从右往左比较形状；每一维的大小必须相等或为 1。
# - `*` 是逐元素乘法，`@` 是矩阵乘法；`.item()` 得到 Python 数。
# - `from_numpy` 和 `.numpy()` 共享内存；`torch.tensor(array)` 会复制。
# - `requires_grad=True` 的叶子张量会收集 `.grad`；`no_grad` 和 `detach` 关闭记录。
# - 在运行时选择设备，并让参与运算的张量都在同一设备上。
#
# 下一步：[第一个训练循环](../first_training_loop/)把这些知识用起来。

# %% [markdown] lang="en"
# ## Exercises
#
# Try each one before you open the answer. The answers are checked by the
# project's test suite, so they print exactly what PyTorch prints.
#
# **1.** What are the `dtype`s of `torch.tensor([2, 4])`, of
# `torch.tensor([2, 4]) / 2` and of `torch.tensor([2, 4]) // 2`?
#
# <details class="success"><summary>Answer</summary>
#
# `/` is true division, so the integers become `float32`; `//` stays integer.
#
# ```pycon
# >>> import torch
# >>> t = torch.tensor([2, 4])
# >>> t.dtype, (t / 2).dtype, (t // 2).dtype
# (torch.int64, torch.float32, torch.int64)
#
# ```
#
# </details>
#
# **2.** Which shape does `torch.ones(2, 1, 3) + torch.ones(4, 1)` have?
# Work it out from the right, then check.
#
# <details class="success"><summary>Answer</summary>
#
# Aligned from the right: `(2, 1, 3)` and `(_, 4, 1)`. Last dimension: 3 and 1
# give 3; middle: 1 and 4 give 4; first: 2 and missing give 2.
#
# ```pycon
# >>> (torch.ones(2, 1, 3) + torch.ones(4, 1)).shape
# torch.Size([2, 4, 3])
#
# ```
#
# </details>
#
# **3.** Take `m = torch.arange(6).reshape(2, 3)`. Get the last column, then
# the product `m @ m.T`. Why does `m @ m` fail?
#
# <details class="success"><summary>Answer</summary>
#
# ```pycon
# >>> m = torch.arange(6).reshape(2, 3)
# >>> m[:, -1]
# tensor([2, 5])
# >>> m @ m.T
# tensor([[ 5, 14],
#         [14, 50]])
#
# ```
#
# `m @ m` multiplies a $(2, 3)$ matrix by a $(2, 3)$ matrix: the inner sizes,
# 3 and 2, differ, so there is no matrix product.
#
# </details>
#
# **4.** You compute `loss = (w ** 2).sum()` for `w = torch.tensor([3.], requires_grad=True)`
# and want to print the loss as a plain number and store `w` in a NumPy array.
# Which calls do you need?
#
# <details class="success"><summary>Answer</summary>
#
# `.item()` for the number, `.detach().numpy()` for the array (`.numpy()`
# alone raises, because `w` requires gradients).
#
# ```pycon
# >>> w = torch.tensor([3.], requires_grad=True)
# >>> loss = (w ** 2).sum()
# >>> loss.item()
# 9.0
# >>> w.detach().numpy()
# array([3.], dtype=float32)
#
# ```
#
# </details>

# %% [markdown] lang="zh"
# ## 练习
#
# 先自己试，再展开答案。答案由项目的测试检查，输出与 PyTorch 实际打印的完全一致。
#
# **1.** `torch.tensor([2, 4])`、`torch.tensor([2, 4]) / 2` 和 `torch.tensor([2, 4]) // 2`
# 的 `dtype` 分别是什么？
#
# <details class="success"><summary>答案</summary>
#
# `/` 是真除法，所以整数变成 `float32`；`//` 仍是整数。
#
# ```pycon
# >>> import torch
# >>> t = torch.tensor([2, 4])
# >>> t.dtype, (t / 2).dtype, (t // 2).dtype
# (torch.int64, torch.float32, torch.int64)
#
# ```
#
# </details>
#
# **2.** `torch.ones(2, 1, 3) + torch.ones(4, 1)` 的形状是什么？先从右往左推算，再验证。
#
# <details class="success"><summary>答案</summary>
#
# 从右对齐：`(2, 1, 3)` 与 `(_, 4, 1)`。最后一维：3 和 1 得 3；中间一维：1 和 4 得 4；
# 第一维：2 和缺失得 2。
#
# ```pycon
# >>> (torch.ones(2, 1, 3) + torch.ones(4, 1)).shape
# torch.Size([2, 4, 3])
#
# ```
#
# </details>
#
# **3.** 取 `m = torch.arange(6).reshape(2, 3)`。先沿第 1 维取出最后一项（结果的形状为 (2,)），再计算 `m @ m.T`。
# 为什么 `m @ m` 会失败？
#
# <details class="success"><summary>答案</summary>
#
# ```pycon
# >>> m = torch.arange(6).reshape(2, 3)
# >>> m[:, -1]
# tensor([2, 5])
# >>> m @ m.T
# tensor([[ 5, 14],
#         [14, 50]])
#
# ```
#
# `m @ m` 是 $(2, 3)$ 矩阵乘以 $(2, 3)$ 矩阵：内侧的两个大小 3 和 2 不相等，无法做矩阵乘法。
#
# </details>
#
# **4.** 对 `w = torch.tensor([3.], requires_grad=True)` 计算 `loss = (w ** 2).sum()`，
# 想把损失打印成普通的数，并把 `w` 存进 NumPy 数组。需要调用什么？
#
# <details class="success"><summary>答案</summary>
#
# 数用 `.item()`，数组用 `.detach().numpy()`（只用 `.numpy()` 会报错，因为 `w` 需要梯度）。
#
# ```pycon
# >>> w = torch.tensor([3.], requires_grad=True)
# >>> loss = (w ** 2).sum()
# >>> loss.item()
# 9.0
# >>> w.detach().numpy()
# array([3.], dtype=float32)
#
# ```
#
# </details>
