#!/usr/bin/env python3
"""PyTorch's side of `bench/compare_train.sh`: the same model (the MLP, or with --arch cnn the CNN preset), data and
loop as `swiftgrad train`.

Usage: python3 bench/train_pytorch.py --hidden 50 --batch-size 64 --lr 0.5 [--arch mlp|cnn] [--channels 32,64]
           [--optimizer sgd|adamw] [--momentum 0] [--weight-decay 0] [--epochs 2] [--threads 1]
           [--precision f32|bf16] [--data /usr/share/datasets/fashion-mnist] [--json]
Data is loaded into memory first (pixels / 255, then (x - 0.28604) / 0.35302), then a plain loop over shuffled
batches (no DataLoader workers) runs SGD (or AdamW) with cross-entropy; with --precision bf16 the forward pass and the
loss run under torch.autocast("cpu", dtype=torch.bfloat16), as `swiftgrad train --precision bf16` does. Prints seconds per epoch of the training loop only
and the test accuracy; with --json, {"results": [...]} with one entry per epoch and the peak memory.
"""
import argparse
import gzip
import json
import resource
import struct
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--arch", choices=["mlp", "cnn"], default="mlp")
    p.add_argument("--channels", default="32,64")
    p.add_argument("--hidden", default="50")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.5)
    p.add_argument("--optimizer", choices=["sgd", "adamw"], default="sgd")
    p.add_argument("--momentum", type=float, default=0.0)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--precision", choices=["f32", "bf16"], default="f32")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    def load(prefix):
        x = read_idx(f"{args.data}/{prefix}-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
        y = read_idx(f"{args.data}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
        return torch.from_numpy((x - 0.28604) / 0.35302), torch.from_numpy(y)

    x, y = load("train")
    xt, yt = load("t10k")
    layers, first = [], 784
    if args.arch == "cnn":
        x, xt = x.reshape(-1, 1, 28, 28), xt.reshape(-1, 1, 28, 28)
        previous, side = 1, 28
        for c in [int(c) for c in args.channels.split(",")]:
            layers += [torch.nn.Conv2d(previous, c, 3, padding=1), torch.nn.BatchNorm2d(c), torch.nn.ReLU(),
                       torch.nn.MaxPool2d(2)]
            previous, side = c, side // 2
        layers.append(torch.nn.Flatten())
        first = previous * side * side
    sizes = [first] + [int(h) for h in args.hidden.split(",") if h] + [10]
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        if i:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(a, b))
    model = torch.nn.Sequential(*layers)
    if args.optimizer == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    results = []
    for epoch in range(args.epochs):
        order = torch.randperm(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), args.batch_size):
            idx = order[i:i + args.batch_size]
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
                loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            accuracy = sum((model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
                           for i in range(0, len(xt), 1000)) / len(xt)
        model.train()
        results.append({"name": "epoch", "epoch": epoch + 1, "train_seconds": seconds, "test_accuracy": accuracy})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"results": results, "peak_memory_mb": peak_mb}))
    else:
        for r in results:
            print(f"epoch {r['epoch']}: {r['train_seconds']:.2f} s, test accuracy {r['test_accuracy']:.4f}")
        print(f"peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
