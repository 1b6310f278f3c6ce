#!/usr/bin/env python3
"""bfloat16 and float16 as PyTorch converts, stores and prints them (../shared/fixtures/make_fixtures.py is the model).

Writes into Tests/SwiftGradTests/Resources:
  half_precision.json         float32 inputs as bit patterns (ties, overflow, subnormals, infinities, NaN and
                              random bits) with the bits PyTorch's `to(torch.bfloat16)` and `to(torch.float16)`
                              give for each; a bfloat16 and a float16 tensor as PyTorch prints them
  half_precision.safetensors  a bfloat16 and a float16 tensor as safetensors' torch writer stores them
  half_precision.npy          the float16 tensor from numpy.save

Regenerate with:  python3 scripts/make_half_fixtures.py   (needs torch, safetensors and numpy)
"""
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SwiftGradTests", "Resources")


def float_bits(values):
    return np.array(values, dtype=np.float32).view(np.uint32).tolist()


def main():
    special = [0.0, -0.0, 1.0, -1.0, 1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, 3.3895314e38, 3.4028235e38,
               -3.4028235e38, 1e-40, -1e-45, 2**-126, float("inf"), float("-inf"),
               65504.0, 65519.99, 65520.0, -65520.0, 2**-24, 2**-25, 1.5 * 2**-25, 2**-14, 2**-14 - 2**-25,
               0.1, 1 / 3, 2048.5, 2049.0, 1e5, -7.5e-6]
    rng = np.random.default_rng(7)
    bits = float_bits(special)
    random_bits = rng.integers(0, 2**32, size=4000, dtype=np.uint64).astype(np.uint32)
    random_bits = [b for b in random_bits.tolist() if not np.isnan(np.array([b], dtype=np.uint32).view(np.float32)[0])]
    bits += random_bits[:2000]
    # Values in float16's range, where the random bit patterns above mostly overflow or vanish.
    bits += float_bits(rng.normal(0, 300, size=500)) + float_bits(rng.normal(0, 1e-5, size=200))
    inputs = torch.from_numpy(np.array(bits, dtype=np.uint32).view(np.float32))
    nan_inputs = float_bits([float("nan"), -float("nan")])
    nans = torch.from_numpy(np.array(nan_inputs, dtype=np.uint32).view(np.float32))

    def bf16_bits(t):
        return (t.to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)).tolist()

    def f16_bits(t):
        return (t.to(torch.float16).view(torch.int16).numpy().view(np.uint16)).tolist()

    brain = torch.tensor([[1.5, -2.25, 3.0e5], [0.1, 1e-3, -7.0]], dtype=torch.bfloat16)
    half = torch.tensor([[1.5, -2.25, 65504.0], [0.1, 6e-8, -7.0]], dtype=torch.float16)
    save_file({"brain": brain, "half": half}, os.path.join(OUT, "half_precision.safetensors"))
    np.save(os.path.join(OUT, "half_precision.npy"), half.numpy())
    results = {
        "_note": "float32 inputs as uint32 bit patterns; PyTorch's bfloat16 and float16 bits for each (uint16)",
        "inputs": bits,
        "bfloat16": bf16_bits(inputs),
        "float16": f16_bits(inputs),
        "nan_inputs": nan_inputs,
        "nan_bfloat16": bf16_bits(nans),
        "nan_float16": f16_bits(nans),
        "brain_float32": brain.float().reshape(-1).tolist(),
        "half_float32": half.float().reshape(-1).tolist(),
        "print_brain": str(brain),
        "print_half": str(half),
    }
    with open(os.path.join(OUT, "half_precision.json"), "w") as f:
        json.dump(results, f)
        f.write("\n")


if __name__ == "__main__":
    main()
