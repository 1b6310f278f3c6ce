#!/usr/bin/env python3
"""PyTorch's figures for `swiftgrad bench matmul` and `swiftgrad bench autograd`: the lesson's cells, one thread.

Usage: python3 bench/lesson_pytorch.py [--json]     (needs `pip install torch`)
Prints the five matmul variants on 5×784 · 784×10 and the lesson's MLP (200×100 → 50 → ReLU → 1, MSE)
forward + backward, medians after warm-up, in the same {"results": [...]} shape as the Swift commands.
"""
import argparse

import torch

from timing import median_time, print_results


def naive(a, b):
    ar, ac = a.shape
    br, bc = b.shape
    c = torch.zeros(ar, bc)
    for i in range(ar):
        for j in range(bc):
            for k in range(ac):
                c[i, j] += a[i, k] * b[k, j]
    return c


def dot(a, b):
    c = torch.zeros(a.shape[0], b.shape[1])
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = (a[i, :] * b[:, j]).sum()
    return c


def broadcast(a, b):
    c = torch.zeros(a.shape[0], b.shape[1])
    for i in range(a.shape[0]):
        c[i] = (a[i].unsqueeze(-1) * b).sum(0)
    return c


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    m1, m2 = torch.randn(5, 784, generator=g), torch.randn(784, 10, generator=g)
    results = []
    naive_time = None
    for name, fn, warm in [("naive", naive, 1), ("dot", dot, 2), ("broadcast", broadcast, 100),
                           ("einsum", lambda a, b: torch.einsum("ik,kj->ij", a, b), 100), ("matmul", lambda a, b: a @ b, 100)]:
        seconds = median_time(lambda: fn(m1, m2), budget=0.3, warmup=warm)
        naive_time = naive_time or seconds
        results.append({"name": name, "median_seconds": seconds, "speedup": naive_time / seconds})

    x, y = torch.randn(200, 100, generator=g), torch.rand(200, generator=g)
    model = torch.nn.Sequential(torch.nn.Linear(100, 50), torch.nn.ReLU(), torch.nn.Linear(50, 1))

    def step():
        model.zero_grad()
        loss = (model(x).squeeze(-1) - y).pow(2).mean()
        loss.backward()

    results.append({"name": "mlp_forward", "median_seconds": median_time(lambda: model(x), warmup=100)})
    results.append({"name": "mlp_forward_backward", "median_seconds": median_time(step, warmup=100)})
    print_results(results, args.json, None,
                  lambda r: f"{r['name']:<22} {r['median_seconds'] * 1e6:>12.2f} µs"
                            + (f"  {r['speedup']:.0f}x" if "speedup" in r else ""))


if __name__ == "__main__":
    main()
