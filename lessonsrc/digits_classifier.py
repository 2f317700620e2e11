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
# # A real classifier: handwritten digits
#
# **Objectives:** load a real data set and wrap it in a `Dataset`; split it into
# training and test data with a seed; feed it to a model in mini-batches with a
# `DataLoader`; train a classifier with `CrossEntropyLoss`; measure its accuracy
# on digits it has never seen; draw the loss curve and the test digits with
# their predicted labels; save and load the trained weights.
#
# **Before this page:** [a first training loop](../first_training_loop/)
# (model, loss, optimizer, the four steps of a training step).
#
# **Install:** `pip install torch scikit-learn matplotlib`. The data set ships
# inside scikit-learn, so nothing is downloaded. Every number and picture
# below was produced when this page was built; training takes a few seconds
# on a laptop CPU. The network is so small that we run it on one CPU thread:
# splitting a 64×64 product across threads costs more time than it saves.

# %% [markdown] lang="zh"
# # 真正的分类器：手写数字
#
# **学习目标：** 载入一个真实的数据集并包装成 `Dataset`；用固定的随机种子把它分成训练数据和测试数据；
# 用 `DataLoader` 按小批量把数据送进模型；用 `CrossEntropyLoss` 训练一个分类器；
# 在模型从未见过的数字上测量准确率；画出损失曲线，以及测试数字和预测标签；保存并加载训练好的权重。
#
# **先读：** [第一个训练循环](../first_training_loop/)（模型、损失、优化器，以及训练一步的四个动作）。
#
# **安装：** `pip install torch scikit-learn matplotlib`。数据集就装在 scikit-learn 里，不需要下载。
# 下面的每个数字和每张图都是在构建本页时生成的；在笔记本电脑的 CPU 上训练只需几秒钟。
# 这个网络非常小，所以只用一个 CPU 线程：把 64×64 的乘法分给多个线程，花的时间比省下的还多。

# %%
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split

torch.manual_seed(0)  # the same split, weights and batch order on every run
torch.set_num_threads(1)  # tiny matrices: more threads cost more than they save
# The accelerator (a CUDA GPU, say) if there is one, else the CPU.
if torch.accelerator.is_available():
    device = torch.accelerator.current_accelerator()
else:
    device = torch.device("cpu")
print("torch", torch.__version__, "on", device)

# %% [markdown] lang="en"
# ## Step 1: the data
#
# `load_digits` returns 1797 scanned handwritten digits, each an 8×8 grid of
# grey levels from 0 (white) to 16 (black), with its label 0–9. Here are the
# first ten:

# %% [markdown] lang="zh"
# ## 第一步：数据
#
# `load_digits` 返回 1797 个扫描的手写数字，每个是 8×8 的灰度网格，取值从 0（白）到 16（黑），
# 并带有 0–9 的标签。下面是前十个：

# %%
digits = load_digits()
print("images", digits.images.shape, "labels", digits.target.shape)
print("grey levels from", digits.images.min(), "to", digits.images.max())

fig, axes = plt.subplots(1, 10, figsize=(8, 1.3))
for ax, image, label in zip(axes, digits.images, digits.target):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(str(label))
    ax.axis("off")
plt.show()

# %% [markdown] lang="en"
# ## Step 2: a `Dataset`
#
# A `Dataset` is any object with `__len__` (how many samples) and
# `__getitem__` (sample number *i*, as tensors). Writing our own class keeps
# the conversion in one place: the grey levels become `float32` between 0 and
# 1 (networks learn best with small inputs), and the labels become `int64`
# class indices, which is what `CrossEntropyLoss` expects. (For tensors you
# already hold, `TensorDataset` does the same in one line, as in the first
# training loop.)

# %% [markdown] lang="zh"
# ## 第二步：`Dataset`
#
# `Dataset` 是任何带有 `__len__`（样本个数）和 `__getitem__`（以张量形式返回第 *i* 个样本）的对象。
# 自己写一个类，可以把转换集中在一处：灰度值变成 0 到 1 之间的 `float32`（输入较小时网络学得最好），
# 标签变成 `int64` 类别编号，这正是 `CrossEntropyLoss` 需要的。
# （如果手上已经是张量，`TensorDataset` 一步就能做到同样的事，第一个训练循环里就是这样用的。）


# %%
class DigitsDataset(Dataset):
    """scikit-learn's 8×8 digits as (image, label) tensor pairs."""

    def __init__(self, images, labels):
        # grey levels 0..16 become floats 0..1
        self.images = torch.tensor(images, dtype=torch.float32) / 16
        self.labels = torch.tensor(labels, dtype=torch.int64)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i], self.labels[i]


dataset = DigitsDataset(digits.images, digits.target)
image, label = dataset[0]
print(len(dataset), "samples")
print("sample 0:", tuple(image.shape), image.dtype, "label", label.item())

# %% [markdown] lang="en"
# ## Step 3: training and test data
#
# A model is judged on data it did not learn from. `random_split` keeps 80 %
# of the samples for training and 20 % for testing; its own seeded generator
# makes the split the same on every run. A `DataLoader` then hands out
# mini-batches of 64: shuffled for training (a new order each epoch, also
# seeded), in order for testing.

# %% [markdown] lang="zh"
# ## 第三步：训练数据与测试数据
#
# 评价模型要用它没有学过的数据。`random_split` 留下 80% 的样本用于训练、20% 用于测试；
# 它自带的生成器固定了种子，每次运行的划分都一样。接着由 `DataLoader` 按每批 64 个分发：
# 训练时打乱顺序（每个轮次一个新顺序，同样固定了种子），测试时按原顺序。

# %%
split_seed = torch.Generator().manual_seed(0)
train_data, test_data = random_split(dataset, [0.8, 0.2], generator=split_seed)
shuffle_seed = torch.Generator().manual_seed(0)
train_loader = DataLoader(train_data, batch_size=64, shuffle=True,
                          generator=shuffle_seed)
test_loader = DataLoader(test_data, batch_size=64)
print(len(train_data), "training samples in", len(train_loader), "batches")
print(len(test_data), "test samples in", len(test_loader), "batches")

images, labels = next(iter(train_loader))
print("one batch:", tuple(images.shape), tuple(labels.shape))

# %% [markdown] lang="en"
# ## Step 4: the model
#
# `nn.Flatten` turns each 8×8 image into 64 numbers; a hidden layer of 64
# units with ReLU follows; the last layer gives 10 numbers per image, one
# score (a *logit*) per digit. The highest score is the prediction.

# %% [markdown] lang="zh"
# ## 第四步：模型
#
# `nn.Flatten` 把每张 8×8 的图像展平成 64 个数；接着是一个 64 个单元、用 ReLU 激活的隐藏层；
# 最后一层为每张图像给出 10 个数，每个数字一个分数（称为 *logit*）。分数最高的就是预测结果。


# %%
class DigitNet(nn.Module):
    def __init__(self, hidden: int = 64):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def forward(self, x):
        return self.layers(x)


model = DigitNet().to(device)
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")

# %% [markdown] lang="en"
# ## Step 5: loss, a training loop and a test loop
#
# `nn.CrossEntropyLoss` takes the raw scores, shape (batch, 10), and the true
# class indices, shape (batch,). It turns the scores into probabilities
# (softmax) and is small when the true class gets a high probability. Before
# training, every class is about equally likely, so the first loss is near
# $\ln 10 \approx 2.30$.
#
# As in PyTorch's [Learn the Basics](https://docs.pytorch.org/tutorials/beginner/basics/intro.html), one function trains for one epoch and
# another tests: the test loop runs under `model.eval()` and
# `torch.no_grad()`, and counts the correct predictions.

# %% [markdown] lang="zh"
# ## 第五步：损失、训练循环与测试循环
#
# `nn.CrossEntropyLoss` 接收原始分数（形状为 `(N, 10)`，N 是批大小）和真实的类别编号（形状为 `(N,)`）。
# 它先用 softmax 把分数变成概率；真实类别的概率越高，损失越小。
# 训练之前，每个类别的可能性差不多，所以第一次的损失接近 $\ln 10 \approx 2.30$。
#
# 和 PyTorch 官方教程 [Learn the Basics](https://docs.pytorch.org/tutorials/beginner/basics/intro.html) 一样，一个函数训练一个轮次，另一个函数做测试：
# 测试循环在 `model.eval()` 和 `torch.no_grad()` 下运行，并统计预测正确的个数。

# %%
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def train_loop(loader, model, loss_fn, optimizer):
    """One epoch of training; returns the mean loss over the epoch's samples."""
    model.train()
    total = 0.0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
    return total / len(loader.dataset)


def test_loop(loader, model, loss_fn):
    """Mean loss and accuracy on ``loader``'s samples, without training."""
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            scores = model(images)
            total += loss_fn(scores, labels).item() * len(labels)
            correct += (scores.argmax(dim=1) == labels).sum().item()
    return total / len(loader.dataset), correct / len(loader.dataset)


loss, accuracy = test_loop(test_loader, model, loss_fn)
print(f"before training: test loss {loss:.3f}, accuracy {accuracy:.1%}")

# %% [markdown] lang="en"
# Now twenty epochs. After each, we test, so that we see both curves: the
# training loss, and the loss on the held-out test digits.

# %% [markdown] lang="zh"
# 现在训练二十个轮次。每个轮次之后都测试一次，这样两条曲线都能看到：训练损失，以及留出的测试数字上的损失。

# %%
train_losses, test_losses = [], []
start = time.perf_counter()
for epoch in range(1, 21):
    train_losses.append(train_loop(train_loader, model, loss_fn, optimizer))
    test_loss, accuracy = test_loop(test_loader, model, loss_fn)
    test_losses.append(test_loss)
    if epoch == 1 or epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train loss {train_losses[-1]:.4f}  "
              f"test loss {test_loss:.4f}  test accuracy {accuracy:.1%}")
seconds = time.perf_counter() - start
print(f"training and testing took {seconds:.1f} s on {device}")
assert accuracy > 0.9, "a small network should get over 90 % of the test digits right"

# %% [markdown] lang="en"
# ## Step 6: look at the results
#
# The loss curve: both losses fall quickly, then level off. If the training
# loss kept falling while the test loss rose, the model would be memorising
# its training digits (*overfitting*).

# %% [markdown] lang="zh"
# ## 第六步：查看结果
#
# 损失曲线：两条损失都先快速下降，然后趋于平稳。如果训练损失继续下降而测试损失反而上升，
# 就说明模型在死记训练用的数字（*过拟合*）。

# %%
epochs = range(1, len(train_losses) + 1)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(epochs, train_losses, marker="o", label="training loss")
ax.plot(epochs, test_losses, marker="s", label="test loss")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy loss")
ax.set_xticks(range(0, len(train_losses) + 1, 5))
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown] lang="en"
# The first 24 test digits with the model's prediction and the true label.
# Mistakes, if any, are drawn in red: they are often digits a person would
# hesitate over too.

# %% [markdown] lang="zh"
# 前 24 个测试数字，标出模型的预测和真实标签。如果有错，错的用红色标出：
# 这些往往也是人看了会犹豫的数字。

# %%
test_images, test_labels = next(iter(DataLoader(test_data, batch_size=24)))
model.eval()
with torch.no_grad():
    predicted = model(test_images.to(device)).argmax(dim=1).cpu()

fig, axes = plt.subplots(3, 8, figsize=(8, 3.6))
for ax, image, guess, truth in zip(axes.flat, test_images, predicted, test_labels):
    ax.imshow(image.numpy(), cmap="gray_r")
    colour = "black" if guess == truth else "red"
    ax.set_title(f"pred {guess.item()} / true {truth.item()}", fontsize=8, color=colour)
    ax.axis("off")
fig.tight_layout()
plt.show()
print((predicted == test_labels).sum().item(), "of", len(test_labels), "are right")

# %% [markdown] lang="en"
# ## Step 7: save and load the weights
#
# As [*Learn the Basics*](https://docs.pytorch.org/tutorials/beginner/basics/saveloadrun_tutorial.html) does: save the `state_dict` with `torch.save`, build a
# new model of the same class and load the weights with
# `load_state_dict(torch.load(path, weights_only=True))`, then call `eval()`
# before predicting. We save into a temporary directory that is deleted
# afterwards; in your own project, choose a real path.

# %% [markdown] lang="zh"
# ## 第七步：保存与加载权重
#
# 和 [*Learn the Basics*](https://docs.pytorch.org/tutorials/beginner/basics/saveloadrun_tutorial.html) 的做法一样：用 `torch.save` 保存 `state_dict`，新建一个同一个类的模型，
# 用 `load_state_dict(torch.load(path, weights_only=True))` 加载权重，预测之前调用 `eval()`。
# 这里存到一个用完即删的临时目录；在你自己的项目里，请换成真正的路径。

# %%
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "digitnet.pth"
    torch.save(model.state_dict(), path)
    print("saved", path.name, f"({path.stat().st_size} bytes)")
    restored = DigitNet().to(device)
    restored.load_state_dict(torch.load(path, map_location=device, weights_only=True))

restored.eval()
_, restored_accuracy = test_loop(test_loader, restored, loss_fn)
print(f"restored model: test accuracy {restored_accuracy:.1%}")
assert restored_accuracy == accuracy

# %% [markdown] lang="en"
# ## Summary
#
# - A `Dataset` has `__len__` and `__getitem__`; a `DataLoader` batches and shuffles it.
# - Keep test data apart (`random_split` with a seeded generator) and report
#   accuracy on it, not on the training data.
# - A classifier outputs one score per class; `nn.CrossEntropyLoss` takes those
#   scores and the class indices (`int64`), and `argmax` gives the prediction.
# - The training loop changes the weights; the test loop, under `model.eval()`
#   and `torch.no_grad()`, only measures.
# - Save the `state_dict`; load it into a new instance with `weights_only=True`.
#
# **Next:** [common network layers](../../05-network-layers/) that go beyond
# `nn.Linear`, such as the convolutions image models use.

# %% [markdown] lang="zh"
# ## 小结
#
# - `Dataset` 有 `__len__` 和 `__getitem__`；`DataLoader` 把它分批并打乱。
# - 测试数据要单独留出（用固定种子生成器的 `random_split`），准确率要在测试数据上报告，而不是训练数据。
# - 分类器为每个类别输出一个分数；`nn.CrossEntropyLoss` 接收这些分数和类别编号（`int64`），
#   `argmax` 给出预测结果。
# - 训练循环修改权重；测试循环在 `model.eval()` 和 `torch.no_grad()` 下只做测量。
# - 保存 `state_dict`；用 `weights_only=True` 把它加载到新的实例中。
#
# **下一步：** 超越 `nn.Linear` 的[常用网络层](../../05-network-layers/)，例如图像模型所用的卷积。

# %% [markdown] lang="en"
# ## Exercises
#
# **1.** How many parameters does `DigitNet(hidden=32)` have? Count by hand, then check.
#
# <details class="success"><summary>Answer</summary>
#
# $64 \cdot 32$ weights and 32 biases in the hidden layer, $32 \cdot 10$ weights
# and 10 biases in the output layer: 2410.
#
# ```pycon
# >>> import torch
# >>> from torch import nn
# >>> class DigitNet(nn.Module):
# ...     def __init__(self, hidden=64):
# ...         super().__init__()
# ...         self.layers = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
# ...     def forward(self, x):
# ...         return self.layers(x)
# >>> sum(p.numel() for p in DigitNet(hidden=32).parameters())
# 2410
#
# ```
#
# </details>
#
# **2.** Why is the loss of an untrained classifier near 2.30? Compute the
# cross-entropy of scores that are all equal.
#
# <details class="success"><summary>Answer</summary>
#
# Equal scores give each of the 10 classes probability 1/10, and the loss is
# $-\ln(1/10) = \ln 10$, whatever the true label:
#
# ```pycon
# >>> scores = torch.zeros(4, 10)
# >>> labels = torch.tensor([0, 3, 7, 9])
# >>> round(nn.CrossEntropyLoss()(scores, labels).item(), 4)
# 2.3026
#
# ```
#
# </details>
#
# **3.** Compute the accuracy of these scores by hand, then with `argmax`.
#
# <details class="success"><summary>Answer</summary>
#
# The highest score of the first sample is class 1 (right), of the second class
# 0 (wrong, the label is 2): one of two, 0.5.
#
# ```pycon
# >>> scores = torch.tensor([[0.1, 2.0, -1.0], [1.5, 0.2, 0.3]])
# >>> labels = torch.tensor([1, 2])
# >>> scores.argmax(dim=1)
# tensor([1, 0])
# >>> (scores.argmax(dim=1) == labels).float().mean()
# tensor(0.5000)
#
# ```
#
# </details>
#
# **4.** `CrossEntropyLoss` wants class indices of type `int64`. What happens
# with `float32` labels of the same shape?
#
# <details class="success"><summary>Answer</summary>
#
# The loss refuses them: labels of shape (batch,) must be integer class
# indices (`Long` is PyTorch's name for `int64`).
#
# ```pycon
# >>> nn.CrossEntropyLoss()(torch.zeros(2, 3), torch.tensor([1.0, 2.0]))
# Traceback (most recent call last):
# ...
# RuntimeError: expected target dtype to be Long or Byte, but got Float
#
# ```
#
# </details>
#
# **5.** How many batches does a `DataLoader` with `batch_size=64` give for
# the 1438 training samples, and how big is the last one?
#
# <details class="success"><summary>Answer</summary>
#
# $1438 = 22 \cdot 64 + 30$: 23 batches, the last of 30 samples.
#
# ```pycon
# >>> from torch.utils.data import DataLoader, TensorDataset
# >>> loader = DataLoader(TensorDataset(torch.zeros(1438, 8, 8)), batch_size=64)
# >>> len(loader), len(list(loader)[-1][0])
# (23, 30)
#
# ```
#
# </details>

# %% [markdown] lang="zh"
# ## 练习
#
# **1.** `DigitNet(hidden=32)` 有多少个参数？先手算，再验证。
#
# <details class="success"><summary>答案</summary>
#
# 隐藏层有 $64 \cdot 32$ 个权重和 32 个偏置，输出层有 $32 \cdot 10$ 个权重和 10 个偏置：共 2410 个。
#
# ```pycon
# >>> import torch
# >>> from torch import nn
# >>> class DigitNet(nn.Module):
# ...     def __init__(self, hidden=64):
# ...         super().__init__()
# ...         self.layers = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
# ...     def forward(self, x):
# ...         return self.layers(x)
# >>> sum(p.numel() for p in DigitNet(hidden=32).parameters())
# 2410
#
# ```
#
# </details>
#
# **2.** 为什么未经训练的分类器损失接近 2.30？计算所有分数都相等时的交叉熵。
#
# <details class="success"><summary>答案</summary>
#
# 分数全都相等时，10 个类别的概率各为 1/10，无论真实标签是什么，损失都是 $-\ln(1/10) = \ln 10$：
#
# ```pycon
# >>> scores = torch.zeros(4, 10)
# >>> labels = torch.tensor([0, 3, 7, 9])
# >>> round(nn.CrossEntropyLoss()(scores, labels).item(), 4)
# 2.3026
#
# ```
#
# </details>
#
# **3.** 先手算下面这些分数的准确率，再用 `argmax` 验证。
#
# <details class="success"><summary>答案</summary>
#
# 第一个样本分数最高的是类别 1（正确），第二个是类别 0（错误，标签是 2）：两个对一个，即 0.5。
#
# ```pycon
# >>> scores = torch.tensor([[0.1, 2.0, -1.0], [1.5, 0.2, 0.3]])
# >>> labels = torch.tensor([1, 2])
# >>> scores.argmax(dim=1)
# tensor([1, 0])
# >>> (scores.argmax(dim=1) == labels).float().mean()
# tensor(0.5000)
#
# ```
#
# </details>
#
# **4.** `CrossEntropyLoss` 要求类别编号是 `int64`。如果换成形状相同的 `float32` 标签会怎样？
#
# <details class="success"><summary>答案</summary>
#
# 损失函数会拒绝它们：形状为 `(N,)` 的标签必须是整数类别编号（`Long` 是 PyTorch 对 `int64` 的叫法）。
#
# ```pycon
# >>> nn.CrossEntropyLoss()(torch.zeros(2, 3), torch.tensor([1.0, 2.0]))
# Traceback (most recent call last):
# ...
# RuntimeError: expected target dtype to be Long or Byte, but got Float
#
# ```
#
# </details>
#
# **5.** 对 1438 个训练样本，`batch_size=64` 的 `DataLoader` 给出多少批？最后一批有多大？
#
# <details class="success"><summary>答案</summary>
#
# $1438 = 22 \cdot 64 + 30$：共 23 批，最后一批有 30 个样本。
#
# ```pycon
# >>> from torch.utils.data import DataLoader, TensorDataset
# >>> loader = DataLoader(TensorDataset(torch.zeros(1438, 8, 8)), batch_size=64)
# >>> len(loader), len(list(loader)[-1][0])
# (23, 30)
#
# ```
#
# </details>
