#!/usr/bin/env python3
"""Reference values computed by PyTorch that the project adds to the shared fixtures
(../shared/fixtures/make_fixtures.py is the model; its files are copied as they are).

Writes into Tests/SwiftGradTests/Resources:
  optimizers_long.json  Adam and AdamW over 300 steps of a fixed gradient sequence, so that the bias
                        corrections 1 - beta^t are checked at every scale of t; and one AdamW step resumed
                        at step 2^40 (a closed-form 1 - beta^t takes no longer there than at step 1).

Regenerate with:  python3 scripts/make_test_fixtures.py   (needs torch)
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SwiftGradTests", "Resources")


def t2j(t):
    t = t.detach().cpu().contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.float().reshape(-1).tolist()]}


def optimizers_long():
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(7)
    initial = torch.randn(4, 5, generator=g)
    # Gradients that grow and shrink over the run, so that the second moment matters at every step.
    gradients = [torch.randn(4, 5, generator=g) * (0.5 + (t % 50) / 25) for t in range(300)]
    checkpoints = [1, 2, 10, 100, 299, 300]
    result = {"initial": t2j(initial), "gradients": t2j(torch.stack(gradients)), "checkpoints": checkpoints}
    for name, make in {
        "adam": lambda p: torch.optim.Adam(p, lr=1e-2, weight_decay=1e-2),
        "adamw": lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
        "adam_betas": lambda p: torch.optim.Adam(p, lr=3e-3, betas=(0.8, 0.99)),
    }.items():
        p = torch.nn.Parameter(initial.clone())
        opt = make([p])
        after = {}
        for t, grad in enumerate(gradients, start=1):
            p.grad = grad.clone()
            opt.step()
            if t in checkpoints:
                after[str(t)] = t2j(p)
        result[name] = after
    p = torch.nn.Parameter(initial.clone())
    opt = torch.optim.AdamW([p], lr=1e-2, weight_decay=0.1)
    p.grad = gradients[0].clone()
    opt.step()
    state = opt.state[p]
    state["step"] = torch.tensor(2.0 ** 40)
    resumed = {"step": 2.0 ** 40, "parameter": t2j(p), "m": t2j(state["exp_avg"]), "v": t2j(state["exp_avg_sq"]),
               "gradient": t2j(gradients[1])}
    p.grad = gradients[1].clone()
    opt.step()
    resumed["after"] = t2j(p)
    result["adamw_resumed"] = resumed
    note = ("a [4, 5] parameter updated by each optimizer from the 300 gradients [300, 4, 5] in order; "
            "the parameter after the steps listed in checkpoints; adamw_resumed: one AdamW step from the "
            "state (parameter, m, v) at step 2^40")
    with open(os.path.join(OUT, "optimizers_long.json"), "w") as f:
        json.dump({"_note": note, **result}, f, separators=(",", ":"))


if __name__ == "__main__":
    optimizers_long()
