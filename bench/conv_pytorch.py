#!/usr/bin/env python3
"""PyTorch side of `swiftgrad bench conv`: the CNN preset's convolutions, batch norm, max pooling and the block
BatchNorm2d -> ReLU -> MaxPool2d, forward and forward + backward, on a batch (default 128), medians of repeated
runs, GFLOPS or GB/s. Needs `pip install torch`.

Usage: python3 bench/conv_pytorch.py [--batch 128] [--threads N] [--json]
"""
import argparse

import torch

from timing import median_time, print_results


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
        for pass_name, seconds, pass_flops in [("forward", median_time(forward, budget=1.0), flops),
                                               ("forward+backward", median_time(step, budget=1.0), 3 * flops)]:
            results.append({"name": name, "pass": pass_name, "batch": args.batch, "median_seconds": seconds,
                            "gflops": pass_flops / seconds / 1e9})
    # The memory-bound layers on the first convolution's output, in GB/s of the input read (the pooling), read and
    # written (batch norm), or read twice (the block), as swiftgrad bench conv counts them.
    activations = torch.randn(args.batch, 32, 28, 28, requires_grad=True)
    blocks = [("batchnorm 32 28×28", torch.nn.BatchNorm2d(32), 2), ("maxpool 2 32 28×28", torch.nn.MaxPool2d(2), 1),
              ("bn+relu+maxpool 32 28×28",
               torch.nn.Sequential(torch.nn.BatchNorm2d(32), torch.nn.ReLU(), torch.nn.MaxPool2d(2)), 2)]
    for name, layer, passes in blocks:
        gigabytes = activations.numel() * 4 * passes / 1e9

        def forward():
            with torch.no_grad():
                layer(activations)

        def step():
            activations.grad = None
            layer(activations).sum().backward()

        for pass_name, seconds in [("forward", median_time(forward, budget=1.0)),
                                   ("forward+backward", median_time(step, budget=1.0))]:
            results.append({"name": name, "pass": pass_name, "batch": args.batch, "median_seconds": seconds,
                            "gigabytes_per_second": gigabytes / seconds})

    def line(r):
        rate = f"{r['gflops']:7.1f} GFLOPS" if "gflops" in r else f"{r['gigabytes_per_second']:7.1f} GB/s"
        return f"{r['name']:26} {r['pass']:17} {r['median_seconds'] * 1e3:8.2f} ms {rate}"

    print_results(results, args.json, None, line)

if __name__ == "__main__":
    main()
