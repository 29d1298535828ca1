"""Training steps per second of the NumPy core, side by side with PyTorch eager and JAX jit.

    .venv/bin/python tests/benchmarks/bench_training.py [--seconds 3] [--threads 1]

Three nets (float64, one BLAS thread unless --threads says otherwise):

    2-16-16-1     tanh, MSE, batch 64
    2-8-8-8-8-1   ReLU, MSE, batch 256
    784-128-64-10 ReLU, softmax cross-entropy, batch 128

Every framework runs plain mini-batch SGD on the same data with reshuffling per epoch
left out of the timing for the others but *included* for ours: our number is the core's
real ``Trainer.steps()`` generator, with its batching, divergence guard and snapshots.
PyTorch (``pip install torch==2.13.0``) and JAX (``pip install jax jaxlib``) are used
when installed and skipped otherwise.  For the large net the arithmetic rate is compared
with this machine's float64 matmul peak, measured here on one thread.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

NETS = [
    ("2-16-16-1", (2, 16, 16, 1), "tanh", "mse", 64),
    ("2-8-8-8-8-1", (2, 8, 8, 8, 8, 1), "relu", "mse", 256),
    ("784-128-64-10", (784, 128, 64, 10), "relu", "softmax_ce", 128),
]
ROWS_PER_BATCHES = 40  # data set = 40 batches
LR = 0.01


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/intra-op threads")
    parser.add_argument("--repeat", type=int, default=3,
                        help="measure each this many times and keep the best (the machine is shared)")
    args = parser.parse_args()
    threads = str(args.threads)
    # Before NumPy, torch or JAX load their thread pools.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = threads
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                          f"intra_op_parallelism_threads={threads}")
    pinned = ""
    if args.threads == 1 and hasattr(os, "sched_setaffinity"):
        # XLA ignores its thread flags in places (measured: JAX used 1.5 cores with them);
        # pinning the process to one CPU gives every framework the same single core.
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        pinned = f", pinned to CPU {cpu}"
    import numpy as np
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)
    print(f"threads {args.threads}{pinned}, float64, best of {args.repeat} × {args.seconds:g} s, "
          f"NumPy {np.__version__}, load average {os.getloadavg()[0]:.2f}")
    peak = max(matmul_peak(np, args.seconds) for _ in range(args.repeat))
    print(f"float64 matmul peak (1024×1024, {args.threads} thread): {peak:.1f} GFLOP/s\n")
    frameworks = [("NumPy core", bench_core)]
    try:
        import torch

        torch.set_num_threads(args.threads)
        frameworks.append((f"PyTorch {torch.__version__} eager", bench_torch))
    except ImportError:
        print("PyTorch not installed: skipped (pip install torch==2.13.0)")
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        frameworks.append((f"JAX {jax.__version__} jit", bench_jax))
    except ImportError:
        print("JAX not installed: skipped (pip install jax jaxlib)")
    header = f"{'net':<15}{'batch':>6}" + "".join(f"{name:>24}" for name, _ in frameworks)
    print(header)
    print("-" * len(header))
    results = {}
    for label, sizes, act, loss, batch in NETS:
        X, Y = data(np, sizes, loss, batch)
        row = {name: 0.0 for name, _ in frameworks}
        for _ in range(args.repeat):  # alternate, so a busy spell of the machine hits all alike
            for name, bench in frameworks:
                row[name] = max(row[name], bench(sizes, act, loss, batch, X, Y, args.seconds))
        results[label] = row
        print(f"{label:<15}{batch:>6}" + "".join(f"{row[name]:>18,.0f} st/s" for name, _ in frameworks))
    print()
    ours = "NumPy core"
    for label, sizes, _act, _loss, batch in NETS:
        row = results[label]
        parts = [f"{label}:"]
        for name, _ in frameworks[1:]:
            parts.append(f"{row[ours] / row[name]:.2f}× {name.split()[0]}")
        flops = step_flops(sizes, batch)
        gflops = row[ours] * flops / 1e9
        parts.append(f"{gflops:.1f} GFLOP/s = {gflops / peak:.0%} of matmul peak")
        print("  ".join(parts))
    print("\ngoals: ≥ 4× PyTorch eager and ≥ 1.2× JAX jit on the small nets; ≥ 80 % of the "
          "matmul peak on 784-128-64-10")
    return 0


def data(np, sizes, loss, batch):
    rng = np.random.default_rng(0)
    rows = batch * ROWS_PER_BATCHES
    X = rng.normal(size=(rows, sizes[0]))
    if loss == "mse":
        Y = np.sin(X.sum(axis=1, keepdims=True))
    else:
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], rows)]
    return X, Y


def step_flops(sizes, batch) -> float:
    """Multiply-adds ×2 of forward (XW), ∇W (AᵀΔ) and back-propagated δ (ΔWᵀ, not for layer 1)."""
    pairs = list(zip(sizes, sizes[1:]))
    forward = sum(2 * batch * (i + 1) * o for i, o in pairs)
    grads = sum(2 * batch * (i + 1) * o for i, o in pairs)
    backward = sum(2 * batch * i * o for i, o in pairs[1:])
    return forward + grads + backward


def matmul_peak(np, seconds) -> float:
    a = np.random.default_rng(0).normal(size=(1024, 1024))
    b = a.copy()
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds / 2:
        np.matmul(a, b, out=out)
        count += 1
    return count * 2 * 1024**3 / (time.perf_counter() - start) / 1e9


def timed(step, seconds, finish=lambda: None) -> float:
    """Steps per second; ``finish`` waits for queued work (JAX dispatches asynchronously)."""
    for _ in range(20):
        step()
    finish()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            step()
        count += 50
        if time.perf_counter() >= deadline:
            finish()
            return count / (time.perf_counter() - start)


def bench_core(sizes, act, loss, batch, X, Y, seconds) -> float:
    import numpy as np

    from chainrule_gui.core.nn.datasets import Dataset
    from chainrule_gui.core.nn.network import Network
    from chainrule_gui.core.nn.spec import spec_from_sizes
    from chainrule_gui.core.nn.training import TrainConfig, Trainer

    if loss == "mse":
        dataset = Dataset("bench", X, None, Y, np.arange(len(X)), np.zeros(0, dtype=int))
    else:
        dataset = Dataset("bench", X, Y.argmax(axis=1), None, np.arange(len(X)), np.zeros(0, dtype=int),
                          class_names=tuple(str(i) for i in range(sizes[-1])))
    net = Network.initialized(spec_from_sizes(sizes, act, loss, seed=0))
    trainer = Trainer(net, dataset, TrainConfig("sgd", LR, batch))
    steps = trainer.steps()
    return timed(lambda: next(steps), seconds)


def bench_torch(sizes, act, loss, batch, X, Y, seconds) -> float:
    import torch

    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    Xt = torch.tensor(X)
    Yt = torch.tensor(Y) if loss == "mse" else torch.tensor(Y.argmax(axis=1))
    criterion = (lambda out, y: 0.5 * torch.mean((out - y) ** 2)) if loss == "mse" else torch.nn.CrossEntropyLoss()
    batches = [(Xt[i:i + batch], Yt[i:i + batch]) for i in range(0, len(Xt), batch)]
    state = {"i": 0}

    def step():
        xb, yb = batches[state["i"] % len(batches)]
        state["i"] += 1
        optimizer.zero_grad(set_to_none=True)
        criterion(model(xb), yb).backward()
        optimizer.step()

    return timed(step, seconds)


def bench_jax(sizes, act, loss, batch, X, Y, seconds) -> float:
    import jax
    import jax.numpy as jnp

    key = jax.random.PRNGKey(0)
    params = []
    for a, b in zip(sizes, sizes[1:]):
        key, sub = jax.random.split(key)
        params.append((jax.random.normal(sub, (a, b), dtype=jnp.float64) * (1 / a) ** 0.5,
                       jnp.zeros(b, dtype=jnp.float64)))
    sigma = jnp.tanh if act == "tanh" else jax.nn.relu

    def forward(params, x):
        for W, b in params[:-1]:
            x = sigma(x @ W + b)
        W, b = params[-1]
        return x @ W + b

    def loss_fn(params, x, y):
        out = forward(params, x)
        if loss == "mse":
            return 0.5 * jnp.mean((out - y) ** 2)
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(out), axis=1))

    @jax.jit
    def update(params, x, y):
        grads = jax.grad(loss_fn)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - LR * g, params, grads)

    batches = [(jnp.asarray(X[i:i + batch]), jnp.asarray(Y[i:i + batch])) for i in range(0, len(X), batch)]
    state = {"i": 0, "params": params}

    def step():
        xb, yb = batches[state["i"] % len(batches)]
        state["i"] += 1
        state["params"] = update(state["params"], xb, yb)

    return timed(step, seconds, lambda: jax.block_until_ready(state["params"]))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
    sys.exit(main())
