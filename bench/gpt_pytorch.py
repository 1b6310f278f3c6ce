#!/usr/bin/env python3
"""PyTorch's side of `bench/compare_gpt.sh`: what `swiftgrad bench gpt` times, with nanoGPT's model
(scripts/make_transformer_fixtures.py's GPT: F.scaled_dot_product_attention, tied lm_head) and torch.optim.AdamW.

Usage: python3 bench/gpt_pytorch.py [--preset cpu|baby] [--threads 1] [--tokens 200] [--parts step,attention,generate]
           [--precision f32|bf16] [--json]
The step is zero_grad, forward, cross-entropy, backward and AdamW's step on random tokens; attention is
scaled_dot_product_attention at [batch, heads, context, 64], causal; generation samples tokens one at a time from the
whole (cropped) prefix, without a cache, as nanoGPT's generate does. Peak memory is the process's (ru_maxrss).
With --precision bf16 the step's forward pass and loss run under torch.autocast("cpu", dtype=torch.bfloat16).
"""
import argparse
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from make_transformer_fixtures import GPT  # noqa: E402
from timing import median_time, print_results  # noqa: E402

PRESETS = {"cpu": dict(layers=4, heads=4, c=128, context=64, batch=12),
           "baby": dict(layers=6, heads=6, c=384, context=256, batch=64)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--preset", choices=PRESETS, default="cpu")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--tokens", type=int, default=200)
    p.add_argument("--parts", default="step,attention,generate")
    p.add_argument("--batch", type=int, help="the preset's batch, replaced")
    p.add_argument("--context", type=int, help="the preset's context length, replaced")
    p.add_argument("--precision", choices=["f32", "bf16"], default="f32")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    s, parts, results = dict(PRESETS[a.preset]), set(a.parts.split(",")), []
    s.update({k: getattr(a, k) for k in ("batch", "context") if getattr(a, k)})
    model = GPT(vocab=113, context=s["context"], layers=s["layers"], heads=s["heads"], c=s["c"])
    if "step" in parts:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
        x = torch.randint(0, 113, (s["batch"], s["context"]))
        y = torch.randint(0, 113, (s["batch"], s["context"]))

        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                loss = F.cross_entropy(model(x).view(-1, 113), y.view(-1))
            loss.backward()
            opt.step()
        results.append({"name": "step", "median_seconds": median_time(step, budget=3),
                        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})
    if "attention" in parts:
        shape = (s["batch"], s["heads"], s["context"], 64)
        q, k, v = (torch.randn(shape, requires_grad=True) for _ in range(3))
        with torch.no_grad():
            forward = median_time(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True), budget=2)
        both = median_time(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True).sum().backward(), budget=2)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        results += [{"name": "attention forward", "median_seconds": forward},
                    {"name": "attention forward+backward", "median_seconds": both, "peak_rss_bytes": rss}]
    if "generate" in parts:
        model.eval()
        idx = torch.zeros((1, 1), dtype=torch.long)
        start = time.perf_counter()
        with torch.no_grad():
            for _ in range(a.tokens):
                logits = model(idx[:, -s["context"]:])[:, -1, :]
                idx = torch.cat((idx, torch.multinomial(F.softmax(logits, dim=-1), 1)), dim=1)
        results.append({"name": "generate (no cache)", "tokens_per_second": a.tokens / (time.perf_counter() - start)})
    for r in results:
        r.update(preset=a.preset, threads=a.threads)
    print_results(results, a.json, None, lambda r: f"{r['name']:28s} " + (
        f"{r['median_seconds'] * 1e3:9.2f} ms" if "median_seconds" in r else f"{r['tokens_per_second']:9.1f} tok/s")
        + (f"  peak {r['peak_rss_bytes'] / 1e6:.0f} MB" if "peak_rss_bytes" in r else ""))


if __name__ == "__main__":
    main()
