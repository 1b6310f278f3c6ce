#!/usr/bin/env python3
"""PyTorch side of `swiftgrad bench conv`: the CNN preset's convolutions, forward and forward + backward, on a
batch (default 128), medians of repeated runs, GFLOPS. Needs `pip install torch`.

Usage: python3 bench/conv_pytorch.py [--batch 128] [--threads N] [--json]
"""
import argparse
import json
import time

import torch


def median_seconds(fn, budget=1.0, min_runs=5):
    for _ in range(3):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = []
    for cin, cout, side in [(1, 32, 28), (32, 64, 14)]:
        layer = torch.nn.Conv2d(cin, cout, 3, padding=1)
        x = torch.randn(args.batch, cin, side, side, requires_grad=True)
        flops = 2.0 * args.batch * cout * side * side * cin * 9

        def forward():
            with torch.no_grad():
                layer(x)

        def step():
            layer.zero_grad()
            x.grad = None
            layer(x).sum().backward()

        name = f"conv {cin}→{cout} {side}×{side}"
        for pass_name, seconds, pass_flops in [("forward", median_seconds(forward), flops),
                                               ("forward+backward", median_seconds(step), 3 * flops)]:
            results.append({"name": name, "pass": pass_name, "batch": args.batch, "median_seconds": seconds,
                            "gflops": pass_flops / seconds / 1e9})
    if args.json:
        print(json.dumps({"threads": torch.get_num_threads(), "results": results}))
    else:
        for r in results:
            print(f"{r['name']:22} {r['pass']:17} {r['median_seconds'] * 1e3:8.2f} ms {r['gflops']:7.1f} GFLOPS")


if __name__ == "__main__":
    main()
