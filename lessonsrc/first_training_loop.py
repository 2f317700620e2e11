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
# # A first training loop
#
# **Objectives:** write a model as an `nn.Module` subclass with a `forward`
# method; train it with a loss function and an optimizer for a few epochs and
# watch the loss fall; make the run repeatable with a seed; save the trained
# weights as a `state_dict` and load them back.
#
# The task is small on purpose: learn the curve $y = \sin x$ on
# $[-3, 3]$ from 256 noisy samples. Training takes a few seconds at most on a
# CPU; where there is a GPU, the file uses it.

# %% [markdown] lang="zh"
# # 第一个训练循环
#
# **学习目标：** 把模型写成带 `forward` 方法的 `nn.Module` 子类；用损失函数和优化器训练几个轮次
# （epoch），看着损失下降；用随机种子让运行可复现；把训练好的权重存成 `state_dict` 再加载回来。
#
# 任务故意选得很小：从 256 个带噪声的样本中学出 $[-3, 3]$ 上的曲线 $y = \sin x$。
# 在 CPU 上训练最多只需几秒钟；有 GPU 时，程序就使用 GPU。

# %%
import tempfile
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)  # the same weights, noise and batch order on every run
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("torch", torch.__version__, "on", device)

# %% [markdown] lang="en"
# ## Step 1: the data
#
# 256 points $x$ evenly spaced in $[-3, 3]$, and targets $y = \sin x$ plus a
# little noise. Both are $(256, 1)$ tensors: one row per sample, one column per
# feature, the layout `nn.Linear` expects. A `DataLoader` hands them out in
# shuffled mini-batches of 32; its own seeded generator fixes the order.

# %% [markdown] lang="zh"
# ## 第一步：数据
#
# 在 $[-3, 3]$ 上均匀取 256 个点 $x$，目标值是 $y = \sin x$ 加上一点噪声。
# 两者都是 $(256, 1)$ 的张量：第 0 维是样本，第 1 维是特征，正是 `nn.Linear` 需要的排列。
# `DataLoader` 把它们打乱后按每批 32 个分发；它自带的生成器固定了种子，所以顺序也是确定的。

# %%
x = torch.linspace(-3, 3, 256).unsqueeze(1)
y = torch.sin(x) + 0.1 * torch.randn_like(x)
print("x", tuple(x.shape), "y", tuple(y.shape))

loader = DataLoader(
    TensorDataset(x, y), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0)
)
print(len(loader), "batches per epoch")

# %% [markdown] lang="en"
# ## Step 2: the model
#
# A model is a subclass of `nn.Module`. Its `__init__` creates the layers,
# which registers their weights as *parameters*; its `forward` says how an
# input becomes an output. You call the model like a function, `model(x)`,
# and PyTorch calls `forward` for you. This one has a hidden layer of 32
# units with a `tanh` activation: $1 \cdot 32 + 32 + 32 \cdot 1 + 1 = 97$ parameters.

# %% [markdown] lang="zh"
# ## 第二步：模型
#
# 模型是 `nn.Module` 的子类。`__init__` 创建各层，这样它们的权重就登记为*参数*；
# `forward` 规定输入如何变成输出。像调用函数一样写 `model(x)`，PyTorch 会替你调用 `forward`。
# 这个模型有一个 32 个单元、用 `tanh` 激活的隐藏层：
# 参数共 $1 \cdot 32 + 32 + 32 \cdot 1 + 1 = 97$ 个。


# %%
class TinyNet(nn.Module):
    def __init__(self, hidden: int = 32):
        super().__init__()
        self.hidden = nn.Linear(1, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


model = TinyNet().to(device)
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")

# %% [markdown] lang="en"
# ## Step 3: loss, optimizer and the loop
#
# The **loss** measures how wrong the model is; here the mean squared error
# `nn.MSELoss`. The **optimizer** changes the parameters to reduce it; `Adam`
# with learning rate 0.01 is a robust first choice. Every step of the loop does
# the same four things:
#
# 1. `optimizer.zero_grad()`: clear the gradients of the previous step
#    (`backward()` *adds* to `.grad`);
# 2. forward pass: `loss = loss_fn(model(xb), yb)`;
# 3. `loss.backward()`: autograd computes the gradient of the loss for every parameter;
# 4. `optimizer.step()`: the optimizer updates the parameters.
#
# One pass over all batches is an **epoch**. We print the mean loss every 10 epochs.

# %% [markdown] lang="zh"
# ## 第三步：损失、优化器与循环
#
# **损失**衡量模型错得有多厉害；这里用均方误差 `nn.MSELoss`。**优化器**修改参数来减小损失；
# 学习率为 0.01 的 `Adam` 是稳妥的首选。循环的每一步都做同样的四件事：
#
# 1. `optimizer.zero_grad()`：清掉上一步的梯度（`backward()` 会把梯度**累加**到 `.grad`）；
# 2. 前向计算：`loss = loss_fn(model(xb), yb)`；
# 3. `loss.backward()`：自动求导算出损失对每个参数的梯度；
# 4. `optimizer.step()`：优化器更新参数。
#
# 把所有批次走一遍叫一个**轮次**（epoch）。每 10 个轮次打印一次平均损失。

# %%
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

history = []
for epoch in range(1, 61):
    model.train()
    total = 0.0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    history.append(total / len(loader.dataset))
    if epoch == 1 or epoch % 10 == 0:
        print(f"epoch {epoch:3d}  loss {history[-1]:.4f}")

assert history[-1] < history[0] / 10, "the loss should fall by more than 10x"

# %% [markdown] lang="en"
# The loss falls quickly at first, then levels off near the variance of the
# noise we added ($0.1^2 = 0.01$): the model cannot predict random noise, and
# should not try.
#
# ## Step 4: use the trained model
#
# For evaluation, switch the model to `eval()` mode (it matters for layers
# such as dropout and batch normalisation) and turn off gradient recording with
# `torch.no_grad()`. Compare a few predictions with $\sin x$:

# %% [markdown] lang="zh"
# 损失一开始下降得很快，之后趋于平稳，接近我们加入的噪声的方差（$0.1^2 = 0.01$）：
# 模型无法预测随机噪声，也不应该去预测。
#
# ## 第四步：使用训练好的模型
#
# 评估时先把模型切换到 `eval()` 模式（这对 dropout、批归一化等层有影响），
# 并用 `torch.no_grad()` 关闭梯度记录。把几个预测值与 $\sin x$ 比较：

# %%
model.eval()
probe = torch.tensor([[-2.0], [0.0], [1.5]], device=device)
with torch.no_grad():
    predicted = model(probe)
for xi, pi in zip(probe.flatten().tolist(), predicted.flatten().tolist()):
    print(f"x = {xi:+.1f}   model {pi:+.3f}   sin(x) {torch.sin(torch.tensor(xi)).item():+.3f}")

# %% [markdown] lang="en"
# ## Step 5: save and load the weights
#
# `model.state_dict()` is a dictionary from parameter names to tensors. Saving
# it (rather than the whole model object) is the recommended way: to load, you
# build the same class again and call `load_state_dict`. We save into a
# temporary directory that is deleted afterwards; in your own project, choose
# a real path.

# %% [markdown] lang="zh"
# ## 第五步：保存与加载权重
#
# `model.state_dict()` 是从参数名到张量的字典。推荐保存它（而不是整个模型对象）：
# 加载时重新构造同一个类，再调用 `load_state_dict`。这里存到一个用完即删的临时目录；
# 在你自己的项目里，请换成真正的路径。

# %%
state = model.state_dict()
for name, tensor in state.items():
    print(f"{name:14s} {tuple(tensor.shape)}")

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "tinynet.pt"
    torch.save(state, path)
    restored = TinyNet().to(device)
    restored.load_state_dict(torch.load(path, map_location=device, weights_only=True))

restored.eval()
with torch.no_grad():
    same = torch.equal(restored(probe), predicted)
print("restored model gives identical predictions:", same)
assert same

# %% [markdown] lang="en"
# ## Summary
#
# - A model is an `nn.Module` subclass: layers in `__init__`, computation in `forward`.
# - Each training step: `zero_grad()`, forward pass and loss, `backward()`, `step()`.
# - `torch.manual_seed` (and a seeded `DataLoader` generator) make a CPU run
#   repeatable; on a GPU the last digits of the losses can differ.
# - Evaluate under `model.eval()` and `torch.no_grad()`.
# - Save `model.state_dict()` with `torch.save`; load it into a new instance of
#   the same class with `load_state_dict(torch.load(path, weights_only=True))`.
#
# The [code walk-through](../../06-code-walkthrough/) explains where the
# gradients in `loss.backward()` come from.

# %% [markdown] lang="zh"
# ## 小结
#
# - 模型是 `nn.Module` 的子类：在 `__init__` 中定义层，在 `forward` 中定义计算。
# - 每个训练步骤：`zero_grad()`，前向计算与损失，`backward()`，`step()`。
# - `torch.manual_seed`（加上固定种子的 `DataLoader` 生成器）让 CPU 上的运行可复现；
#   在 GPU 上，损失的最后几位可能不同。
# - 在 `model.eval()` 和 `torch.no_grad()` 下评估。
# - 用 `torch.save` 保存 `model.state_dict()`；用
#   `load_state_dict(torch.load(path, weights_only=True))` 加载到同一个类的新实例中。
#
# [代码分析](../../06-code-walkthrough/)一页解释了 `loss.backward()` 中的梯度从何而来。

# %% [markdown] lang="en"
# ## Exercises
#
# **1.** How many parameters does `TinyNet(hidden=10)` have? Count by hand, then check.
#
# <details class="success"><summary>Answer</summary>
#
# The hidden layer has $1 \cdot 10$ weights and 10 biases, the output layer
# 10 weights and 1 bias: 31.
#
# ```pycon
# >>> import torch
# >>> from torch import nn
# >>> class TinyNet(nn.Module):
# ...     def __init__(self, hidden=32):
# ...         super().__init__()
# ...         self.hidden = nn.Linear(1, hidden)
# ...         self.out = nn.Linear(hidden, 1)
# ...     def forward(self, x):
# ...         return self.out(torch.tanh(self.hidden(x)))
# >>> sum(p.numel() for p in TinyNet(hidden=10).parameters())
# 31
#
# ```
#
# </details>
#
# **2.** Which keys does the `state_dict` of `TinyNet` hold, and where do the
# names come from?
#
# <details class="success"><summary>Answer</summary>
#
# From the attribute names given in `__init__` (`hidden`, `out`) and the
# parameter names of `nn.Linear` (`weight`, `bias`):
#
# ```pycon
# >>> list(TinyNet().state_dict())
# ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
#
# ```
#
# </details>
#
# **3.** Do one optimizer step by hand. A single parameter $w = 1$ has the loss
# $w^2$. With `torch.optim.SGD` and learning rate 0.1, what is $w$ after one step?
#
# <details class="success"><summary>Answer</summary>
#
# The gradient is $2w = 2$, and SGD subtracts learning rate times gradient:
# $1 - 0.1 \cdot 2 = 0.8$.
#
# ```pycon
# >>> w = nn.Parameter(torch.tensor(1.0))
# >>> opt = torch.optim.SGD([w], lr=0.1)
# >>> opt.zero_grad()
# >>> (w ** 2).backward()
# >>> w.grad
# tensor(2.)
# >>> opt.step()
# >>> w.data
# tensor(0.8000)
#
# ```
#
# </details>
#
# **4.** What goes wrong if you forget `optimizer.zero_grad()`? Call
# `backward()` twice on the same loss formula and look at the gradient.
#
# <details class="success"><summary>Answer</summary>
#
# The second call adds to the first, so the step uses twice the gradient (and
# in a loop, the sum of all previous gradients).
#
# ```pycon
# >>> w.grad = None
# >>> (w ** 2).backward()
# >>> (w ** 2).backward()
# >>> w.grad
# tensor(3.2000)
#
# ```
#
# With $w = 0.8$ one gradient is $2w = 1.6$; two calls give $3.2$.
#
# </details>

# %% [markdown] lang="zh"
# ## 练习
#
# **1.** `TinyNet(hidden=10)` 有多少个参数？先手算，再验证。
#
# <details class="success"><summary>答案</summary>
#
# 隐藏层有 $1 \cdot 10$ 个权重和 10 个偏置，输出层有 10 个权重和 1 个偏置：共 31 个。
#
# ```pycon
# >>> import torch
# >>> from torch import nn
# >>> class TinyNet(nn.Module):
# ...     def __init__(self, hidden=32):
# ...         super().__init__()
# ...         self.hidden = nn.Linear(1, hidden)
# ...         self.out = nn.Linear(hidden, 1)
# ...     def forward(self, x):
# ...         return self.out(torch.tanh(self.hidden(x)))
# >>> sum(p.numel() for p in TinyNet(hidden=10).parameters())
# 31
#
# ```
#
# </details>
#
# **2.** `TinyNet` 的 `state_dict` 里有哪些键？这些名字从哪里来？
#
# <details class="success"><summary>答案</summary>
#
# 来自 `__init__` 中的属性名（`hidden`、`out`）和 `nn.Linear` 的参数名（`weight`、`bias`）：
#
# ```pycon
# >>> list(TinyNet().state_dict())
# ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
#
# ```
#
# </details>
#
# **3.** 手动做一步优化。单个参数 $w = 1$，损失为 $w^2$。用 `torch.optim.SGD`、
# 学习率 0.1，走一步之后 $w$ 是多少？
#
# <details class="success"><summary>答案</summary>
#
# 梯度是 $2w = 2$，SGD 减去学习率乘以梯度：$1 - 0.1 \cdot 2 = 0.8$。
#
# ```pycon
# >>> w = nn.Parameter(torch.tensor(1.0))
# >>> opt = torch.optim.SGD([w], lr=0.1)
# >>> opt.zero_grad()
# >>> (w ** 2).backward()
# >>> w.grad
# tensor(2.)
# >>> opt.step()
# >>> w.data
# tensor(0.8000)
#
# ```
#
# </details>
#
# **4.** 忘了调用 `optimizer.zero_grad()` 会怎样？对同一个损失公式调用两次 `backward()`，看看梯度。
#
# <details class="success"><summary>答案</summary>
#
# 第二次调用会加到第一次上，于是这一步用的是两倍的梯度（在循环里则是之前所有梯度之和）。
#
# ```pycon
# >>> w.grad = None
# >>> (w ** 2).backward()
# >>> (w ** 2).backward()
# >>> w.grad
# tensor(3.2000)
#
# ```
#
# 当 $w = 0.8$ 时，一次的梯度是 $2w = 1.6$；两次调用得到 $3.2$。
#
# </details>
