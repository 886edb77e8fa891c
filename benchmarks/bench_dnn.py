"""Time the C1W4A2 training loops: NumPy building blocks vs the same nets in PyTorch.

    python benchmarks/bench_dnn.py                  # 2500 iterations, as the course
    python benchmarks/bench_dnn.py --quick          # 200 iterations, a smoke run
    python benchmarks/bench_dnn.py --iterations 500 --repeats 3
    python benchmarks/bench_dnn.py --threads 1      # also shows main-thread CPU time

What is timed
    numpy        the C1W4A2 master's reference two_layer_model (12288, 7, 1) and
                 L_layer_model [12288, 20, 7, 5, 1], i.e. the course loops
                 calling utils/dnn_app_utils.py exactly as a student's solution.
    torch-auto   the same networks in PyTorch, CPU, float64, autograd
                 (X does not require a gradient, so dX is never formed).
    torch-manual the same networks in PyTorch with the course's hand-written
                 backward pass, including dA0 = W1^T dZ1 like the NumPy API
                 (formed as (dZ1^T W1)^T, the faster orientation for both).
    numpy-no-dA0 (--no-da0) the numpy loops again, with linear_backward patched
                 for the benchmark only so that layer 1 skips dA0 = W1^T dZ1
                 (the gradient w.r.t. the data, which nothing uses but which
                 the course API returns).  It measures what that third X-sized
                 product costs; it is not what students run.
All start from the same initial parameters (initialize_parameters[_deep])
and use the same learning rate; final costs are printed so agreement can be
seen.  Each timing is the best of --repeats runs, after a short warm-up run
(steady state: allocator, thread pools and caches already warm).

Input: synthetic "cat-shaped" data, 209 seeded random uint8 images 64x64x3,
flattened as the notebook does (reshape(m, -1).T / 255.), so X is
(12288, 209) float64 in Fortran order, like the notebook's train_x.

Reported per implementation: wall seconds, GFLOP/s over the matrix products actually executed
(2*m*n_l*n_{l-1} flops each), effective GB/s = (bytes of X read per iteration,
two passes: W1 X and dZ1 X^T) / time per iteration, and numpy/torch ratios.
The read bandwidth of this machine is measured first for comparison.

"cpu s" (only with --threads 1) is the CPU time of the main thread, which
is where all the work runs then; it hardly moves when other processes compete
for the cores, unlike wall time.

The load average is printed: the machine has 2 cores and any other busy
process makes multi-threaded BLAS times jump (spinning threads), so compare
only figures taken on an idle machine.
"""

import argparse
import os
import sys
import time

import numpy as np

from coursekit import reference
from dnn_app_utils import initialize_parameters, initialize_parameters_deep

TWO_LAYER_DIMS = (12288, 7, 1)
L_LAYER_DIMS = [12288, 20, 7, 5, 1]
M = 209
LEARNING_RATE = 0.0075


# ---------------------------------------------------------------------------
# Data and machine facts
# ---------------------------------------------------------------------------

def make_data(m=M, seed=0, order="F"):
    """Seeded cat-shaped data: X (12288, m) float64 in [0, 1], Y (1, m) 0/1 int."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(m, 64, 64, 3), dtype=np.uint8)
    X = images.reshape(m, -1).T / 255.          # Fortran order, as in the notebook
    if order == "C":
        X = np.ascontiguousarray(X)
    Y = rng.integers(0, 2, size=(1, m))
    return X, Y


def blas_description():
    """One line per BLAS / OpenMP pool loaded: library, version, kernel, threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return ["numpy BLAS: %s %s (threadpoolctl not installed: thread count unknown)"
                % (cfg.get("name"), cfg.get("version"))]
    lines = []
    for pool in threadpool_info():
        lines.append("%-9s %-18s %-8s threads=%s arch=%s" % (
            pool.get("internal_api"), pool.get("prefix"), pool.get("version") or "",
            pool.get("num_threads"), pool.get("architecture", "-")))
    return lines


def _best_time(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure_read_bandwidth(x_like):
    """Read bandwidth in GB/s: (DRAM-sized array, X-sized array already in cache).

    Each figure is the best of np.sum (one thread, SIMD) and a BLAS
    matrix-vector product (all BLAS threads), which both read every byte once.
    """
    results = []
    for arr in (np.ones((8192, 8192)), np.ascontiguousarray(x_like)):   # 512 MiB, X
        v = np.ones(arr.shape[1])
        reps = 3 if arr.nbytes > 1e8 else 20
        arr.sum(); arr @ v
        t = min(_best_time(arr.sum, reps), _best_time(lambda: arr @ v, reps))
        results.append(arr.nbytes / t / 1e9)
    return results


def measure_dgemm_peak(n=2048):
    """GFLOP/s of one large square float64 matrix product (BLAS near its best)."""
    a = np.random.default_rng(1).random((n, n))
    a @ a
    return 2.0 * n ** 3 / _best_time(lambda: a @ a, 3) / 1e9


def matmul_flops(dims, m, with_dx):
    """Flops of the matrix products of one iteration (forward + backward)."""
    flops = 0
    for l in range(1, len(dims)):
        one = 2.0 * m * dims[l] * dims[l - 1]
        flops += one * (3 if (l > 1 or with_dx) else 2)   # Z, dW, dA_prev
    return flops


class skipping_dA0:
    """While active, dnn_app_utils.linear_backward returns None for dA_prev
    when A_prev is X itself (layer 1); all other results are unchanged."""

    def __init__(self, X):
        import dnn_app_utils
        self.module, self.X, self.original = dnn_app_utils, X, dnn_app_utils.linear_backward

    def linear_backward(self, dZ, cache):
        A_prev, W, b = cache
        if A_prev is not self.X:
            return self.original(dZ, cache)
        m = A_prev.shape[1]
        dW = np.dot(dZ, A_prev.T)
        dW *= 1.0 / m
        db = np.sum(dZ, axis=1, keepdims=True)
        db *= 1.0 / m
        return None, dW, db

    def __enter__(self):
        self.module.linear_backward = self.linear_backward

    def __exit__(self, *exc):
        self.module.linear_backward = self.original


# ---------------------------------------------------------------------------
# PyTorch versions of the same networks
# ---------------------------------------------------------------------------

def torch_train_autograd(torch, X, Y, init, learning_rate, num_iterations):
    """[LINEAR->RELU]*(L-1)->LINEAR->SIGMOID with autograd; returns the last cost."""
    L = len(init) // 2
    params = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in init.items()}
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y.astype(np.float64))
    m = X.shape[1]
    cost = None
    for _ in range(num_iterations):
        A = Xt
        for l in range(1, L):
            A = torch.relu(params["W%d" % l] @ A + params["b%d" % l])
        AL = torch.sigmoid(params["W%d" % L] @ A + params["b%d" % L])
        cost = (-1.0 / m) * torch.sum(Yt * torch.log(AL) + (1 - Yt) * torch.log(1 - AL))
        cost.backward()
        with torch.no_grad():
            for p in params.values():
                p -= learning_rate * p.grad
                p.grad = None
    return float(cost.detach())


def torch_train_manual(torch, X, Y, init, learning_rate, num_iterations):
    """Same network, the course's explicit backward pass (dA0 included)."""
    L = len(init) // 2
    P = {k: torch.from_numpy(v.copy()) for k, v in init.items()}
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y.astype(np.float64))
    m = X.shape[1]
    cost = None
    with torch.no_grad():
        for _ in range(num_iterations):
            A, caches = Xt, []
            for l in range(1, L + 1):
                Z = P["W%d" % l] @ A + P["b%d" % l]
                caches.append((A, Z))
                A = torch.relu(Z) if l < L else torch.sigmoid(Z)
            AL = A
            cost = (-1.0 / m) * torch.sum(Yt * torch.log(AL) + (1 - Yt) * torch.log(1 - AL))
            dA = -(Yt / AL - (1 - Yt) / (1 - AL))
            for l in range(L, 0, -1):
                A_prev, Z = caches[l - 1]
                if l == L:
                    s = torch.sigmoid(Z)
                    dZ = dA * s * (1 - s)
                else:
                    dZ = torch.where(Z > 0, dA, 0.0)
                dW = (1.0 / m) * (dZ @ A_prev.T)
                db = (1.0 / m) * torch.sum(dZ, dim=1, keepdim=True)
                dA = (dZ.T @ P["W%d" % l]).T     # W^T dZ; this orientation is the
                                                   # faster one in MKL too (as in NumPy)
                P["W%d" % l] = P["W%d" % l] - learning_rate * dW
                P["b%d" % l] = P["b%d" % l] - learning_rate * db
    return float(cost)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=2500,
                    help="gradient-descent steps per timed run (course: 2500)")
    ap.add_argument("--quick", action="store_true",
                    help="200 iterations, 1 repeat, smaller bandwidth probe")
    ap.add_argument("--repeats", type=int, default=1,
                    help="timed runs per implementation; the best is reported")
    ap.add_argument("--order", choices=["F", "C"], default="F",
                    help="memory order of X (F is what the notebook's X is)")
    ap.add_argument("--threads", type=int, default=None,
                    help="limit BLAS and torch to this many threads (default: "
                         "their own choice, 2 here); with 1 the main thread's CPU "
                         "time is also shown, which other busy processes barely move")
    ap.add_argument("--no-torch", action="store_true", help="time NumPy only")
    ap.add_argument("--no-da0", action="store_true",
                    help="also time numpy with layer 1's dA0 skipped (what dA0 costs)")
    args = ap.parse_args(argv)
    iters = 200 if args.quick and args.iterations == 2500 else args.iterations
    repeats = 1 if args.quick else args.repeats

    try:
        import torch
        torch.set_default_dtype(torch.float64)
    except ImportError:
        torch = None
    if args.no_torch:
        torch = None
    X, Y = make_data(order=args.order)
    dram_bw, x_bw = measure_read_bandwidth(X)      # with every thread, before limits
    peak = measure_dgemm_peak()
    if args.threads is not None:
        try:
            from threadpoolctl import threadpool_limits
            threadpool_limits(args.threads)
        except ImportError:
            print("threadpoolctl not installed: set OPENBLAS_NUM_THREADS=%d instead"
                  % args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    cpu_clock = args.threads == 1

    print("X %s float64, %s order, %.1f MB; %d iterations, best of %d"
          % (X.shape, "Fortran" if X.flags.f_contiguous else "C", X.nbytes / 1e6,
             iters, repeats))
    print("load average: %.2f %.2f %.2f (2 cores; >~0.2 before start means noisy figures)"
          % os.getloadavg())
    print("OPENBLAS_CORETYPE=%s" % os.environ.get("OPENBLAS_CORETYPE", "(unset)"))
    if torch is not None:
        print("torch %s, %d threads" % (torch.__version__, torch.get_num_threads()))
    for line in blas_description():
        print("  " + line)
    print("measured read bandwidth: %.1f GB/s (512 MiB array), %.1f GB/s (X-sized, cache-warm)"
          % (dram_bw, x_bw))
    print("measured dgemm 2048^3: %.1f GFLOP/s (all threads)" % peak)
    print("floors per iteration: 2 passes over X at %.1f GB/s = %.2f ms"
          % (dram_bw, 2 * X.nbytes / dram_bw / 1e9 * 1e3))

    cases = [
        ("two_layer_model", TWO_LAYER_DIMS, reference.load("C1W4A2").two_layer_model,
         lambda: initialize_parameters(*TWO_LAYER_DIMS)),
        ("L_layer_model", L_LAYER_DIMS, reference.load("C1W4A2").L_layer_model,
         lambda: initialize_parameters_deep(L_LAYER_DIMS)),
    ]
    x_read = 2.0 * X.nbytes                 # W1 X and dZ1 X^T read X once each
    header = "%-16s %-13s %9s %9s %8s %8s %9s %13s" % (
        "model", "impl", "seconds", "ms/iter", "GFLOP/s", "GB/s", "cpu s", "final cost")
    print(header)
    print("-" * len(header))
    for name, dims, model, init_fn in cases:
        runs = {}

        def numpy_run(n):
            _, costs = model(X, Y, dims, learning_rate=LEARNING_RATE, num_iterations=n)
            return float(costs[-1])
        impls = [("numpy", numpy_run, True)]
        if args.no_da0:
            def numpy_no_da0(n):
                with skipping_dA0(X):
                    return numpy_run(n)
            impls.append(("numpy-no-dA0", numpy_no_da0, False))
        if torch is not None:
            init = init_fn()
            impls.append(("torch-auto", lambda n: torch_train_autograd(
                torch, X, Y, init, LEARNING_RATE, n), False))
            impls.append(("torch-manual", lambda n: torch_train_manual(
                torch, X, Y, init, LEARNING_RATE, n), True))
        for impl, fn, with_dx in impls:      # warm-up: pools, allocator, caches
            fn(min(10, iters))
        best = {impl: float("inf") for impl, _, _ in impls}
        best_cpu = dict(best)
        costs = {}
        for _ in range(repeats):             # interleaved, so drifts hit all alike
            for impl, fn, with_dx in impls:
                t0, c0 = time.perf_counter(), time.thread_time()
                costs[impl] = fn(iters)
                best_cpu[impl] = min(best_cpu[impl], time.thread_time() - c0)
                best[impl] = min(best[impl], time.perf_counter() - t0)
        for impl, fn, with_dx in impls:
            t = best[impl]
            runs[impl] = t
            gflops = matmul_flops(dims, X.shape[1], with_dx) * iters / t / 1e9
            print("%-16s %-13s %9.2f %9.2f %8.1f %8.1f %9s %13.10f" % (
                name, impl, t, t / iters * 1e3, gflops, x_read * iters / t / 1e9,
                "%.2f" % best_cpu[impl] if cpu_clock else "-", costs[impl]))
        for mine in ("numpy", "numpy-no-dA0"):
            for impl in runs:
                if mine in runs and impl.startswith("torch"):
                    line = "%-16s %s/%s = %.2f" % (name, mine, impl, runs[mine] / runs[impl])
                    if cpu_clock:
                        line += " (cpu time: %.2f)" % (best_cpu[mine] / best_cpu[impl])
                    print(line)
    print("GB/s: bytes of X read per iteration (2 passes) / time per iteration; "
          "compare with the measured read bandwidth above.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
