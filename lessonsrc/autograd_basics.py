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
# # Autograd: the gradients of y = a²x + bx + c
#
# **Objectives:** build a small computation from tensors that require
# gradients, ask PyTorch for the gradients with `torch.autograd.grad`, then
# get the same numbers through `y.backward()` and `.grad`.
#
# By hand: $\partial y / \partial a = 2ax$, $\partial y / \partial b = x$ and
# $\partial y / \partial c = 1$. At $x = 1, a = 1, b = 2, c = 3$ that is
# $2, 1, 1$, and $y = 1 + 2 + 3 = 6$. The code below checks it.

# %% [markdown] lang="zh"
# # 自动求导：y = a²x + bx + c 的梯度
#
# **学习目标：** 用需要梯度的张量搭建一个小计算，用 `torch.autograd.grad`
# 求梯度，再用 `y.backward()` 和 `.grad` 得到同样的结果。
#
# 手算：$\partial y / \partial a = 2ax$，$\partial y / \partial b = x$，
# $\partial y / \partial c = 1$。在 $x = 1, a = 1, b = 2, c = 3$ 处分别是
# $2, 1, 1$，而 $y = 1 + 2 + 3 = 6$。下面的代码来验证。

# %%
import torch
from torch import autograd

x = torch.tensor(1.0)
a = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(2.0, requires_grad=True)
c = torch.tensor(3.0, requires_grad=True)

y = a**2 * x + b * x + c
print("y =", y)

# %% [markdown] lang="en"
# ## Step 1: `torch.autograd.grad`
#
# `a`, `b` and `c` were created directly by us, not computed from other
# tensors: they are **leaf tensors** of the graph, and only leaves that require
# gradients get a `.grad` attribute filled in. `y`, computed from them, is not a leaf.
# Before any backward pass, `.grad` of every leaf is `None`.
# `autograd.grad` *returns* the gradients and leaves `.grad` untouched.

# %% [markdown] lang="zh"
# ## 第一步：`torch.autograd.grad`
#
# `a`、`b`、`c` 是我们直接创建的，而不是由别的张量算出来的：它们是计算图的**叶子张量**，
# 只有需要梯度的叶子张量才会被填入 `.grad`。由它们算出的 `y` 不是叶子张量。
# 在任何反向传播之前，每个叶子张量的 `.grad` 都是 `None`。
# `autograd.grad` 把梯度作为返回值给出，不会写入 `.grad`。

# %%
print("leaves:", a.is_leaf, b.is_leaf, c.is_leaf, "| y is a leaf:", y.is_leaf)
print("before:", a.grad, b.grad, c.grad)
grads = autograd.grad(y, [a, b, c])
print("after :", grads[0], grads[1], grads[2])
print("a.grad is still", a.grad)

# %% [markdown] lang="en"
# ## Step 2: `y.backward()` and `.grad`
#
# `backward()` *accumulates* the gradients into `.grad` of each leaf.
# `autograd.grad` freed the graph of `y`, so we build `y` again first.

# %% [markdown] lang="zh"
# ## 第二步：`y.backward()` 与 `.grad`
#
# `backward()` 把梯度**累加**进每个叶子张量的 `.grad`。
# 上一步的 `autograd.grad` 已经释放了 `y` 的计算图，所以先重新计算 `y`。

# %%
y = a**2 * x + b * x + c
y.backward()
print("after backward:", a.grad, b.grad, c.grad)

# %% [markdown] lang="en"
# ## Step 3: gradients accumulate
#
# A second `backward()` adds to `.grad` instead of replacing it; this is why
# training loops call `optimizer.zero_grad()` (or set `.grad` to `None`) every step.

# %% [markdown] lang="zh"
# ## 第三步：梯度会累加
#
# 再调用一次 `backward()`，梯度会加到 `.grad` 上而不是覆盖它；
# 所以训练循环每一步都要调用 `optimizer.zero_grad()`（或把 `.grad` 设为 `None`）。

# %%
y = a**2 * x + b * x + c
y.backward()
print("after a second backward:", a.grad, b.grad, c.grad)
assert (a.grad.item(), b.grad.item(), c.grad.item()) == (4.0, 2.0, 2.0)

# %% [markdown] lang="en"
# ## Summary
#
# - `autograd.grad(y, inputs)` returns $\partial y / \partial$ each input: here `tensor(2.) tensor(1.) tensor(1.)`.
# - `y.backward()` writes the same values into `.grad`, and a second call adds to them.
#
# **Exercise:** change `x` to `2.` and predict the three gradients before running the file.
#
# <details class="success"><summary>Answer</summary>
#
# $\partial y / \partial a = 2ax = 4$, $\partial y / \partial b = x = 2$, $\partial y / \partial c = 1$:
#
# ```pycon
# >>> import torch
# >>> from torch import autograd
# >>> x = torch.tensor(2.)
# >>> a = torch.tensor(1., requires_grad=True)
# >>> b = torch.tensor(2., requires_grad=True)
# >>> c = torch.tensor(3., requires_grad=True)
# >>> autograd.grad(a**2 * x + b * x + c, [a, b, c])
# (tensor(4.), tensor(2.), tensor(1.))
#
# ```
#
# </details>

# %% [markdown] lang="zh"
# ## 小结
#
# - `autograd.grad(y, inputs)` 返回 $y$ 对每个输入的偏导：这里是 `tensor(2.) tensor(1.) tensor(1.)`。
# - `y.backward()` 把同样的值写进 `.grad`，再调用一次会累加。
#
# **练习：** 把 `x` 改成 `2.`，先预测三个梯度再运行。
#
# <details class="success"><summary>答案</summary>
#
# $\partial y / \partial a = 2ax = 4$，$\partial y / \partial b = x = 2$，$\partial y / \partial c = 1$：
#
# ```pycon
# >>> import torch
# >>> from torch import autograd
# >>> x = torch.tensor(2.)
# >>> a = torch.tensor(1., requires_grad=True)
# >>> b = torch.tensor(2., requires_grad=True)
# >>> c = torch.tensor(3., requires_grad=True)
# >>> autograd.grad(a**2 * x + b * x + c, [a, b, c])
# (tensor(4.), tensor(2.), tensor(1.))
#
# ```
#
# </details>
