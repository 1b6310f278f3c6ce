#!/usr/bin/env python3
"""NumPy's (or PyTorch's) figures for `swiftgrad bench ops`: add, multiply, exp, log, tanh, greater and sum on
float32 arrays.

Usage: python3 bench/ops_numpy.py [--sizes 1048576,16777216] [--torch --threads N] [--json]
Prints the same table (or {"results": [...]} JSON) as the Swift command, median of repeated runs. NumPy runs
these on one thread; with --torch, PyTorch runs them on --threads threads (as `swiftgrad bench ops --threads N`).
"""
import argparse

import numpy as np

from timing import median_time, print_results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1048576,16777216")
    parser.add_argument("--torch", action="store_true", help="time PyTorch instead of NumPy")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch's thread count (with --torch)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    lib = np
    if args.torch:
        import torch
        torch.set_num_threads(args.threads)
        lib = torch
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        a = rng.standard_normal(n, dtype=np.float32)
        b = rng.standard_normal(n, dtype=np.float32)
        positive = np.abs(a) + 1
        if args.torch:
            a, b, positive = lib.from_numpy(a), lib.from_numpy(b), lib.from_numpy(positive)
        for name, bytes_per_element, fn in [
            ("add", 12, lambda: a + b),
            ("multiply", 12, lambda: a * b),
            ("exp", 8, lambda: lib.exp(a)),
            ("log", 8, lambda: lib.log(positive)),
            ("tanh", 8, lambda: lib.tanh(a)),
            ("greater", 9, lambda: a > b),
            ("sum", 4, lambda: a.sum()),
        ]:
            seconds = median_time(fn)
            results.append({"name": name, "elements": n, "threads": args.threads if args.torch else 1,
                            "median_seconds": seconds, "gb_per_second": bytes_per_element * n / seconds / 1e9})
    print_results(results, args.json, f"{'op':<9} {'elements':>9} {'median':>11} {'GB/s':>6}",
                  lambda r: f"{r['name']:<9} {r['elements']:>9} {r['median_seconds'] * 1e6:>9.1f}µs "
                            f"{r['gb_per_second']:>6.1f}")


if __name__ == "__main__":
    main()
