"""The words of the recorded-timings sections: one table per language, keyed alike.

Placeholders in braces are filled by :mod:`sitelib.timings.render`. Pairs are
chosen by a count: ``machine_count`` is (one, several), ``gpu_count`` is
(none, some). Commands are HTML (``<code>``); ``summary`` is plain text that
the renderer escapes.
"""

from __future__ import annotations

_CMD = "<code>python3 scripts/record_timings.py</code>"
_GPU_CMD = ("<code>scripts/gpu_check.sh OUTDIR</code>",
            "<code>make merge-timings FILE=OUTDIR/timings.json</code>")

STRINGS = {
    "en": {
        "sentence_gap": " ",  # between two sentences
        "provenance": "Recorded on {device} on {date} with torch {torch}.",
        "here": "recorded on the machine that built this page",
        "elsewhere": "recorded on another machine, not on the one that built this page",
        "details": "machine id {id} · {cores} logical cores · driver {driver} · CUDA {cuda} · "
                   "commit {commit} · script {script}",
        "no_gpu": "No GPU record has been recorded yet: every number on this page was measured "
                  "on a CPU. To add one, run " + _GPU_CMD[0] + " on a machine with an NVIDIA GPU, "
                  "then " + _GPU_CMD[1] + " here, and commit <code>data/timings.json</code>.",
        "summary": "Timings from {machines}, {gpus}.",
        "machine_count": ("1 machine", "{n} machines"),
        "gpu_count": ("none with a GPU", "{n} with a GPU"),
        "no_gpu_short": "No GPU record has been recorded yet.",
        "no_gpu_naive": "No GPU record has been recorded yet, so there is no clock comparison "
                        "and no host-to-device copy to show. On a CPU every call is "
                        "synchronous; what remains is the cost of the first call:",
        "no_data": "No timings have been recorded yet. Run " + _CMD + " to add the first record.",
        "note": "Note",
        "cols": ["Shape (M×K×N)", "Threads / precision", "Median", "IQR", "Runs × calls",
                 "TFLOP/s", "% of dense peak", "First call"],
        "mcols": ["Machine", "Device", "Threads / precision", "Median", "TFLOP/s",
                  "% of dense peak", "Recorded"],
        "legend_cpu": ["CPU ×{n} thread", "CPU ×{n} threads"],  # inside the chart: (one, several)
        "threads": "{n} thread(s)", "seed": "lesson", "this": "this machine",
        "other": "elsewhere", "one_machine": "Only one machine has been recorded so far; "
                                             "add yours with " + _CMD + ".",
        "chart_alt": "Line chart of TFLOP/s against matrix size n for n×n @ n×n products on "
                     "{device}, recorded {date}.",
        "series": "{label} reaches {best} TFLOP/s at n = {n}.",
        "cross": "{gpu} fp32 overtakes the CPU from n = {n}.",
        "no_cross": "{gpu} fp32 is not faster than the CPU at the largest size measured on both.",
        "cpu_only": "Only CPU series are drawn.",
        "mcols_naive": ["Clock", "Time", "Samples"],
        "methods": {
            "naive_first": "time.time() around the first call, no synchronize (the original lesson)",
            "naive_warm": "time.time() after warm-up, no synchronize (the original lesson)",
            "synchronized_first": "first call, torch.cuda.synchronize() before reading the clock",
            "synchronized_warm": "after warm-up, torch.cuda.synchronize() before reading the clock",
            "cuda_events": "CUDA events (torch.cuda.Event(enable_timing=True))",
            "benchmark": "torch.utils.benchmark median",
        },
        "copy_cols": ["Host memory", "Bytes", "Time", "GB/s"],
        "pageable": "pageable", "pinned": "pinned",
        "first_cols": ["Device", "Threads", "First call", "Median after warm-up", "First / median"],
    },
    "zh": {
        "sentence_gap": "",  # Chinese sentences end in 。 and take no space
        "provenance": "{date} 在 {device} 上用 torch {torch} 测得。",
        "here": "在构建本页的机器上测得",
        "elsewhere": "在另一台机器上测得，不是构建本页的机器",
        "details": "机器 ID {id} · {cores} 个逻辑核 · 驱动 {driver} · CUDA {cuda} · "
                   "提交 {commit} · 脚本 {script}",
        "no_gpu": "目前还没有任何 GPU 记录：本页的所有数字都是在 CPU 上测得的。要添加 GPU 记录，"
                  "请在有 NVIDIA GPU 的机器上运行 " + _GPU_CMD[0] + "，再在这里运行 " + _GPU_CMD[1]
                  + "，并提交 <code>data/timings.json</code>。",
        "summary": "这里的计时来自 {machines}，{gpus}。",
        "machine_count": ("1 台机器", "{n} 台机器"),
        "gpu_count": ("其中没有一台有 GPU", "其中 {n} 台有 GPU"),
        "no_gpu_short": "目前还没有任何 GPU 记录。",
        "no_gpu_naive": "目前还没有任何 GPU 记录，所以这里没有计时方法的对比，也没有主机到设备的拷贝。"
                        "在 CPU 上每次调用都是同步的，剩下可比的是首次调用的开销：",
        "no_data": "还没有任何计时记录。运行 " + _CMD + " 添加第一条记录。",
        "note": "注意",
        "cols": ["形状 (M×K×N)", "线程数 / 精度", "中位数", "四分位距", "轮数 × 次数",
                 "TFLOP/s", "占稠密峰值 %", "首次调用"],
        "mcols": ["机器", "设备", "线程数 / 精度", "中位数", "TFLOP/s", "占稠密峰值 %", "记录"],
        "legend_cpu": ["CPU（{n} 个线程）", "CPU（{n} 个线程）"],
        "threads": "{n} 个线程", "seed": "原文示例", "this": "本机", "other": "其他机器",
        "one_machine": "目前只记录了一台机器；用 " + _CMD + " 添加你的机器。",
        "chart_alt": "折线图：{device} 上 n×n @ n×n 矩阵乘法的 TFLOP/s 随矩阵大小 n 的变化，"
                     "记录于 {date}。",
        "series": "{label}在 n = {n} 时达到 {best} TFLOP/s。",
        "cross": "从 n = {n} 起 {gpu} fp32 快于 CPU。",
        "no_cross": "在两者都测过的最大尺寸上，{gpu} fp32 并不比 CPU 快。",
        "cpu_only": "图中只有 CPU 曲线。",
        "mcols_naive": ["计时方法", "时间", "样本数"],
        "methods": {
            "naive_first": "首次调用，time.time() 计时，不同步（原文代码的做法）",
            "naive_warm": "预热之后，time.time() 计时，不同步（原文代码的做法）",
            "synchronized_first": "首次调用，读时钟前先 torch.cuda.synchronize()",
            "synchronized_warm": "预热之后，读时钟前先 torch.cuda.synchronize()",
            "cuda_events": "CUDA 事件（torch.cuda.Event(enable_timing=True)）",
            "benchmark": "torch.utils.benchmark 中位数",
        },
        "copy_cols": ["主机内存", "字节数", "时间", "GB/s"],
        "pageable": "可分页内存", "pinned": "锁页内存",
        "first_cols": ["设备", "线程数", "首次调用", "预热后中位数", "首次 / 中位数"],
    },
}

# Statements that depend on what the records hold (sitelib.timings.render.render_chart_intro and
# render_first_call): a sentence about GPUs or first calls is only ever one the data bears out.
STRINGS["en"].update({
    "chart_intro_cpu": "No GPU record has been recorded yet, so the chart below draws CPU series only and "
                       "shows nothing about when a GPU would be faster. For what a datasheet predicts, "
                       "see the estimate further down.",
    "chart_intro_gpu": "Small products cannot keep a GPU busy: launching the kernel costs about as much "
                       "as the work. The dashed line marks the size from which a GPU in fp32 stays "
                       "faster than the CPU with all its threads.",
    "ratio_one": "{r} times", "ratio_span": "between {lo} and {hi} times",
    "first_same": "On the recorded machines the first call of the lesson's product took {span} the "
                  "median of the calls after warm-up ({n} measurements): there it paid no noticeable "
                  "one-off cost. The script still times the first call on its own, because where lazy "
                  "initialisation does happen it falls on that call.",
    "first_slow": "On the recorded machines the first call of the lesson's product took {span} the "
                  "median of the calls after warm-up ({n} measurements): the slow first calls pay "
                  "one-off costs such as lazy initialisation, so warm up before measuring.",
    "first_none": "No first-call time has been recorded yet.",
})
STRINGS["zh"].update({
    "chart_intro_cpu": "目前还没有任何 GPU 记录，所以下图只有 CPU 曲线，看不出 GPU 从多大的矩阵起会更快。"
                       "数据手册能预测什么，见下文的估算。",
    "chart_intro_gpu": "小矩阵乘法喂不饱 GPU：启动内核的开销和计算本身差不多。虚线标出的是 fp32 的 GPU "
                       "从哪个尺寸起一直快于使用全部线程的 CPU。",
    "ratio_one": "{r} 倍", "ratio_span": "{lo} 到 {hi} 倍",
    "first_same": "在已记录的机器上，原文示例乘法的首次调用耗时是预热后各次调用中位数的 {span}"
                  "（共 {n} 项测量）：首次调用并没有付出明显的一次性开销。脚本仍然单独为首次调用计时，"
                  "因为一旦发生延迟初始化，开销就落在这一次调用上。",
    "first_slow": "在已记录的机器上，原文示例乘法的首次调用耗时是预热后各次调用中位数的 {span}"
                  "（共 {n} 项测量）：较慢的首次调用付出了延迟初始化等一次性开销，所以测量前要先预热。",
    "first_none": "还没有记录任何首次调用的时间。",
})
