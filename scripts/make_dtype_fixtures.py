#!/usr/bin/env python3
"""Integer and bool tensors written by PyTorch and NumPy, and what PyTorch computes with them
(../shared/fixtures/make_fixtures.py is the model).

Writes into Tests/SwiftGradTests/Resources:
  dtypes.safetensors   int64, int32 and bool tensors (and an F16 one), as torch's safetensors writer stores them
  dtypes_int64.npy, dtypes_int32.npy, dtypes_bool.npy, dtypes_uint8.npy   the same from numpy.save
  dtypes.json          PyTorch's results of ops on them: casts float -> int (truncation toward zero), int -> bool,
                       comparisons with mixed dtypes, integer arithmetic (wrapping int32), true division of
                       integers, sum of a bool mask, argmax, where with a bool condition, gather, printing

Regenerate with:  python3 scripts/make_dtype_fixtures.py   (needs torch, safetensors and numpy)
"""
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SwiftGradTests", "Resources")


def values(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [v if isinstance(v, (int, bool)) else float(v) for v in t.reshape(-1).tolist()]}


def main():
    ids = torch.tensor([[3, -1, 7], [2**40, 0, -(2**35)]], dtype=torch.int64)
    small = torch.tensor([5, -6, 2147483647], dtype=torch.int32)
    mask = torch.tensor([[True, False, True], [False, False, True]])
    half = torch.tensor([1.5, -0.25, 65504.0], dtype=torch.float16)
    save_file({"ids": ids, "small": small, "mask": mask, "half": half}, os.path.join(OUT, "dtypes.safetensors"))
    np.save(os.path.join(OUT, "dtypes_int64.npy"), ids.numpy())
    np.save(os.path.join(OUT, "dtypes_int32.npy"), small.numpy())
    np.save(os.path.join(OUT, "dtypes_bool.npy"), mask.numpy())
    np.save(os.path.join(OUT, "dtypes_uint8.npy"), np.array([[0, 200], [255, 7]], dtype=np.uint8))

    floats = torch.tensor([2.7, -2.7, 0.0, -0.5, 1e3, 3.0])
    a = torch.tensor([[1, 2, 3], [4, 5, 6]])
    b = torch.tensor([3, 2, 1], dtype=torch.int32)
    results = {
        "floats": values(floats),
        "floats_to_int64": values(floats.to(torch.int64)),
        "floats_to_int32": values(floats.to(torch.int32)),
        "floats_to_bool": values(floats.to(torch.bool)),
        "ids_to_bool": values(ids.to(torch.bool)),
        "ids_to_float64": values(ids.to(torch.float64)),
        "a": values(a), "b": values(b),
        "a_plus_b": values(a + b),
        "a_minus_b": values(a - b),
        "a_times_b": values(a * b),
        "a_over_b": values(a / b),
        "a_less_b": values(a < b),
        "a_less_2_5": values(a < 2.5),
        "a_eq_floats": values(a == torch.tensor([1.0, 2.5, 3.0])),
        "small_plus_one": values(small + torch.tensor(1, dtype=torch.int32)),
        "floats_times_mask": values(floats[:3] * mask[0]),
        "mask_sum": values(mask.sum()),
        "mask_sum_axis1": values(mask.sum(1)),
        "a_sum": values(a.sum()),
        "a_max_axis0": values(a.max(0).values),
        "argmax": values(torch.tensor([[0.5, 3.0, 3.0], [-1.0, -2.0, 7.0]]).argmax(1)),
        "where_mask": values(torch.where(mask, a, torch.tensor(-1))),
        "gather_source": values(torch.arange(12.0).reshape(3, 4) * 1.5),
        "gather_index": values(torch.tensor([[3, 3], [0, 1], [2, 0]])),
        "gather_axis1": values((torch.arange(12.0).reshape(3, 4) * 1.5).gather(1, torch.tensor([[3, 3], [0, 1], [2, 0]]))),
        "gather_axis0": values((torch.arange(12.0).reshape(3, 4) * 1.5).gather(0, torch.tensor([[2, 0, 1, 2]]))),
        "print_ids": str(torch.tensor([1, 20, 300])),
        "print_small": str(b),
        "print_mask": str(mask),
    }
    with open(os.path.join(OUT, "dtypes.json"), "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
