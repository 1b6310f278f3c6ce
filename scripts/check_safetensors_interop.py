#!/usr/bin/env python3
"""Checks that PyTorch reads what SwiftGrad writes (not part of CI: needs torch and safetensors from pip).

Trains a small model with the release build of `swiftgrad`, loads its model.safetensors with the Python
safetensors library into torch.nn.Sequential(Linear, ReLU, Linear) with strict=True, and checks that PyTorch's test
accuracy equals `swiftgrad eval`'s on the same images.

Usage: swift build -c release -Xcc -march=native && python3 scripts/check_safetensors_interop.py
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


def main():
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([BIN, "train", "--data", SAMPLE, "--hidden", "64", "--epochs", "2", "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        path = os.path.join(out, "model.safetensors")
        with safe_open(path, "pt") as f:
            metadata = f.metadata()
        state = load_file(path)
        model = torch.nn.Sequential(torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
        model.load_state_dict(state, strict=True)
        mean = float(metadata["swiftgrad.normalization.mean"])
        std = float(metadata["swiftgrad.normalization.std"])
        x = read_idx(os.path.join(SAMPLE, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
        y = read_idx(os.path.join(SAMPLE, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
        with torch.no_grad():
            predictions = model(torch.from_numpy((x - mean) / std)).argmax(1).numpy()
        torch_accuracy = float((predictions == y).mean())
        result = subprocess.run([BIN, "eval", "--model", path, "--data", SAMPLE, "--json"], check=True,
                                capture_output=True, text=True)
        swift_accuracy = json.loads(result.stdout.strip().splitlines()[-1])["test_accuracy"]
        print(f"tensors {sorted(state)}; metadata {metadata}")
        print(f"PyTorch accuracy {torch_accuracy:.4f}, swiftgrad eval {swift_accuracy:.4f}")
        if abs(torch_accuracy - swift_accuracy) > 1e-3:
            sys.exit("mismatch")
        print("ok: PyTorch reads SwiftGrad's checkpoint")


if __name__ == "__main__":
    main()
