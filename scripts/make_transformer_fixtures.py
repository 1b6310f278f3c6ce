#!/usr/bin/env python3
"""Reference values computed by PyTorch for the sequence-model ops and modules
(../shared/fixtures/make_fixtures.py is the model).

Writes into Tests/SwiftGradTests/Resources:
  transformer_ops.json     GELU (exact and tanh), layer norm, embedding (repeated ids, padding_idx),
                           scaled_dot_product_attention (plain, causal, float mask with a fully masked row,
                           broadcast mask), nn.MultiheadAttention (batch_first, causal float mask; bool
                           key_padding_mask with a bool causal attn_mask),
                           nn.TransformerEncoderLayer (post- and pre-norm, GELU), each with the gradients of
                           (output * grad_out).sum()
  torch_gpt.safetensors    a small nanoGPT (2 layers, 2 heads, 16 wide, context 8, 11 symbols), both tied keys
  torch_gpt_expected.json  its logits for two sequences

Regenerate with:  python3 scripts/make_transformer_fixtures.py   (needs torch and safetensors)
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SwiftGradTests", "Resources")


def t2j(t):
    t = t.detach().cpu().contiguous()
    return {"shape": list(t.shape), "data": [float(v) if math.isfinite(v) else str(v) for v in t.double().reshape(-1).tolist()]}


def with_grads(fn, inputs, grad_out_gen):
    """Runs fn on leaf copies of inputs; returns output and the gradients of (output * grad_out).sum()."""
    leaves = {k: v.clone().requires_grad_(v.is_floating_point()) for k, v in inputs.items()}
    out = fn(**leaves)
    grad_out = torch.randn(out.shape, generator=grad_out_gen)
    (out * grad_out).sum().backward()
    result = {"output": t2j(out), "grad_out": t2j(grad_out)}
    for k, v in inputs.items():
        result[k] = t2j(v)
        if leaves[k].grad is not None:
            result[k + ".grad"] = t2j(leaves[k].grad)
    return result


def ops():
    g = torch.Generator().manual_seed(29)
    r = {"_note": "sequence-model ops; gradients of (output * grad_out).sum(); masks are additive floats"}
    x = torch.randn(3, 7, generator=g) * 3
    r["gelu"] = with_grads(lambda x: F.gelu(x), {"x": x}, g)
    r["gelu_tanh"] = with_grads(lambda x: F.gelu(x, approximate="tanh"), {"x": x}, g)
    ln_in = {"x": torch.randn(2, 3, 5, generator=g) * 2 + 1, "weight": torch.randn(5, generator=g),
             "bias": torch.randn(5, generator=g)}
    r["layer_norm"] = with_grads(lambda x, weight, bias: F.layer_norm(x, (5,), weight, bias, 1e-5), ln_in, g)
    ln2 = {"x": torch.randn(2, 3, 4, generator=g)}
    r["layer_norm_2d_no_affine"] = with_grads(lambda x: F.layer_norm(x, (3, 4), None, None, 1e-5), ln2, g)
    emb = {"indices": torch.tensor([[1, 4, 1], [0, 2, 4]]), "weight": torch.randn(5, 3, generator=g)}
    r["embedding"] = with_grads(lambda indices, weight: F.embedding(indices, weight, padding_idx=0), emb, g)
    q, k, v = (torch.randn(2, 3, 5, 4, generator=g), torch.randn(2, 3, 7, 4, generator=g),
               torch.randn(2, 3, 7, 6, generator=g))
    sdpa = lambda **kw: (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw))
    r["sdpa"] = with_grads(sdpa(), {"q": q, "k": k, "v": v}, g)
    r["sdpa_scale"] = with_grads(sdpa(scale=0.3), {"q": q, "k": k, "v": v}, g)
    qs, ks, vs = (torch.randn(2, 2, 70, 5, generator=g), torch.randn(2, 2, 70, 5, generator=g),
                  torch.randn(2, 2, 70, 5, generator=g))
    r["sdpa_causal"] = with_grads(sdpa(is_causal=True), {"q": qs, "k": ks, "v": vs}, g)
    mask = torch.randn(5, 7, generator=g)
    mask[1, :] = float("-inf")
    mask[3, 2] = float("-inf")
    r["sdpa_mask"] = with_grads(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
                                {"q": q, "k": k, "v": v}, g)
    r["sdpa_mask"]["mask"] = t2j(mask)
    mask4 = torch.where(torch.rand(2, 1, 1, 7, generator=g) > 0.3, 0.0, float("-inf"))
    mask4[..., 0] = 0.0
    r["sdpa_mask_broadcast"] = with_grads(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask4),
                                          {"q": q, "k": k, "v": v}, g)
    r["sdpa_mask_broadcast"]["mask"] = t2j(mask4)

    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(2, 5, 8, generator=g)
    causal = torch.triu(torch.full((5, 5), float("-inf")), diagonal=1)
    out, _ = mha(x, x, x, attn_mask=causal, need_weights=False)
    r["multihead_attention"] = {"state": {k: t2j(v) for k, v in mha.state_dict().items()}, "x": t2j(x),
                                "mask": t2j(causal), "output": t2j(out)}
    # Bool masks, PyTorch's MultiheadAttention convention: true marks what may not be attended to.
    padding = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    future = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
    out_padded, _ = mha(x, x, x, key_padding_mask=padding, attn_mask=future, need_weights=False)
    r["multihead_attention"]["key_padding_mask"] = t2j(padding.double())
    r["multihead_attention"]["bool_mask"] = t2j(future.double())
    r["multihead_attention"]["output_padded"] = t2j(out_padded)
    for name, first in (("encoder_post", False), ("encoder_pre", True)):
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=first)
        layer.eval()
        with torch.no_grad():
            y = layer(x, src_mask=causal)
        r[name] = {"state": {k: t2j(v) for k, v in layer.state_dict().items()}, "x": t2j(x), "output": t2j(y)}
    return r


class CausalSelfAttention(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.heads = heads

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c)
        self.attn = CausalSelfAttention(c, heads)
        self.ln_2 = nn.LayerNorm(c)
        self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(c, 4 * c), c_proj=nn.Linear(4 * c, c)))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    """nanoGPT's model (bias=True, dropout 0), under its state-dict names."""

    def __init__(self, vocab, context, layers, heads, c):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, c), wpe=nn.Embedding(context, c),
            h=nn.ModuleList([Block(c, heads) for _ in range(layers)]), ln_f=nn.LayerNorm(c)))
        self.lm_head = nn.Linear(c, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx):
        t = idx.shape[1]
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(t))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


def gpt():
    torch.manual_seed(3)
    model = GPT(vocab=11, context=8, layers=2, heads=2, c=16)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    idx = torch.tensor([[1, 5, 2, 9, 0, 3, 3, 7], [4, 4, 10, 1, 2, 6, 8, 0]])
    with torch.no_grad():
        logits = model(idx)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(OUT, "torch_gpt.safetensors"))
    config = {"vocabulary": 11, "context": 8, "layers": 2, "heads": 2, "embedding": 16}
    return {"_note": "nanoGPT-style GPT saved by torch_gpt.safetensors; logits for idx", "config": config,
            "idx": t2j(idx), "logits": t2j(logits)}


def main():
    torch.set_num_threads(1)
    with open(os.path.join(OUT, "transformer_ops.json"), "w") as f:
        json.dump(ops(), f)
    with open(os.path.join(OUT, "torch_gpt_expected.json"), "w") as f:
        json.dump(gpt(), f)


if __name__ == "__main__":
    main()
