#!/usr/bin/env python3
"""Checks that PyTorch reads what SwiftGrad writes (not part of CI: needs torch and safetensors from pip).

Trains a small MLP and a small CNN (`--arch cnn`) with the release build of `swiftgrad`, loads each
model.safetensors with the Python safetensors library into the identical torch.nn.Sequential with strict=True
(the CNN's batch-norm buffers included), and checks that PyTorch's test accuracy equals `swiftgrad eval`'s on the
same images.

Usage: swift build -c release && python3 scripts/check_safetensors_interop.py
"""
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "swiftgrad")
SAMPLE = os.path.join(ROOT, "Sources", "Datasets", "Resources", "fashion-mnist-sample")


def read_idx(path):
    data = gzip.open(path).read()
    rank = data[3]
    shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def torch_cnn(channels, hidden, classes=10):
    """The `--arch cnn` preset as PyTorch writes it."""
    layers, previous = [], 1
    for c in channels:
        layers += [torch.nn.Conv2d(previous, c, 3, padding=1), torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        previous = c
    side = 28 // 2 ** len(channels)
    sizes = [previous * side * side] + hidden + [classes]
    layers.append(torch.nn.Flatten())
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        if i:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(a, b))
    return torch.nn.Sequential(*layers)


def check(arguments, model, image_shape):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([BIN, "train", "--data", SAMPLE, "--epochs", "2", "--out", out] + arguments,
                       check=True, stdout=subprocess.DEVNULL)
        path = os.path.join(out, "model.safetensors")
        with safe_open(path, "pt") as f:
            metadata = f.metadata()
        state = load_file(path)
        model.load_state_dict(state, strict=True)
        model.eval()
        mean = float(metadata["swiftgrad.normalization.mean"])
        std = float(metadata["swiftgrad.normalization.std"])
        x = read_idx(os.path.join(SAMPLE, "t10k-images-idx3-ubyte.gz")).reshape(-1, *image_shape).astype(np.float32) / 255
        y = read_idx(os.path.join(SAMPLE, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
        with torch.no_grad():
            predictions = model(torch.from_numpy((x - mean) / std)).argmax(1).numpy()
        torch_accuracy = float((predictions == y).mean())
        result = subprocess.run([BIN, "eval", "--model", path, "--data", SAMPLE, "--json"], check=True,
                                capture_output=True, text=True)
        swift_accuracy = json.loads(result.stdout.strip().splitlines()[-1])["test_accuracy"]
        print(f"{' '.join(arguments)}: tensors {sorted(state)}; metadata {metadata}")
        print(f"PyTorch accuracy {torch_accuracy:.4f}, swiftgrad eval {swift_accuracy:.4f}")
        if abs(torch_accuracy - swift_accuracy) > 1e-3:
            sys.exit("mismatch")


def main():
    check(["--hidden", "64"], torch.nn.Sequential(torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)),
          (784,))
    check(["--arch", "cnn", "--channels", "8,16", "--hidden", "32", "--limit", "3000"], torch_cnn([8, 16], [32]),
          (1, 28, 28))
    print("ok: PyTorch reads SwiftGrad's MLP and CNN checkpoints")


if __name__ == "__main__":
    main()
