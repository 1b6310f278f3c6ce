#!/usr/bin/env python3
"""PyTorch's figures for `swiftgrad bench inference`: an MLP's forward pass under no_grad at several batch sizes.

Usage: python3 bench/inference_pytorch.py [--sizes 784,256,128,10] [--batches 1,16,128] [--threads N] [--json]
(needs `pip install torch`). Prints medians after warm-up, in the same {"results": [...]} shape as the Swift command.
"""
import argparse

import torch

from timing import median_time, print_results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="784,256,128,10")
    parser.add_argument("--batches", default="1,16,128")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    sizes = [int(s) for s in args.sizes.split(",")]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    results = []
    with torch.no_grad():
        for batch in [int(b) for b in args.batches.split(",")]:
            x = torch.randn(batch, sizes[0])
            seconds = median_time(lambda: model(x), warmup=20, min_runs=20)
            results.append({"name": "mlp_inference", "sizes": sizes, "batch": batch, "median_seconds": seconds,
                            "threads": torch.get_num_threads()})
    print_results(results, args.json, f"{'batch':>5}  {'median':>10}  {'images/s':>10}",
                  lambda r: f"{r['batch']:>5}  {r['median_seconds'] * 1e6:>8.2f}µs  {r['batch'] / r['median_seconds']:>10.0f}")


if __name__ == "__main__":
    main()
