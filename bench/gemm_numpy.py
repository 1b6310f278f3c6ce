#!/usr/bin/env python3
"""NumPy (OpenBLAS) figures for `swiftgrad bench gemm`: float32 C = A·B, median GFLOPS; with --torch, PyTorch's;
with --torch --bf16, PyTorch's bfloat16 product (oneDNN on VDPBF16PS where the CPU has AVX512-BF16).

Usage: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
           python3 bench/gemm_numpy.py --sizes 64,128,256x784x1024 [--json]
       python3 bench/gemm_numpy.py --torch [--bf16] --threads 1 --sizes 1x784x1024T [--json]

Shapes are N (N×N·N×N) or MxKxN; a T suffix on M or N reads that operand transposed, as in the Swift command.
Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in this command only: this machine's environment forces
OpenBLAS's AVX2 kernel otherwise. The thread count comes from OPENBLAS_NUM_THREADS.
"""
import argparse
import os

import numpy as np

from timing import median_time, print_results


def parse(text):
    parts = text.lower().split("x")
    if len(parts) == 1:
        n = int(parts[0])
        return n, n, n, False, False
    m, k, n = parts
    return int(m.rstrip("t")), int(k), int(n.rstrip("t")), m.endswith("t"), n.endswith("t")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="64,128,256,512,1024,2048")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--torch", action="store_true", help="time PyTorch (torch.matmul, no autograd) instead of NumPy")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch's thread count (with --torch)")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 operands (with --torch)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count()))
    if args.torch:
        import torch
        torch.set_num_threads(args.threads)
        torch.set_grad_enabled(False)
        threads = args.threads
    results = []
    for text in args.sizes.split(","):
        m, k, n, ta, tb = parse(text)
        a = rng.standard_normal((k, m), dtype=np.float32).T if ta else rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((n, k), dtype=np.float32).T if tb else rng.standard_normal((k, n), dtype=np.float32)
        if args.torch:
            a, b = torch.from_numpy(a), torch.from_numpy(b)
            if args.bf16:
                a, b = a.to(torch.bfloat16), b.to(torch.bfloat16)
        flops = 2.0 * m * k * n
        seconds = median_time(lambda: a @ b, min(2.0, max(0.3, flops / 1e10)))
        results.append({"name": "gemm", "shape": text, "m": m, "k": k, "n": n, "threads": threads,
                        "gflops": flops / seconds / 1e9, "median_seconds": seconds})
    print_results(results, args.json, f"{'shape':<16} {'threads':>7} {'median':>12} {'GFLOPS':>7}",
                  lambda r: f"{r['shape']:<16} {r['threads']:>7} {r['median_seconds'] * 1e6:>10.2f}µs {r['gflops']:>7.1f}")


if __name__ == "__main__":
    main()
