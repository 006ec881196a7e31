#!/usr/bin/env python3
"""Writes Tests/TensorCoreTests/Fixtures/ops.safetensors: inputs, outputs and
gradients of every TensorCore op, computed by PyTorch (CPU, float64 then
stored as float32 so the reference itself carries no float32 rounding).

Each case NAME stores `NAME.in.<arg>` (float inputs, gradients taken),
`NAME.ids.<arg>` (int64 ids/targets), `NAME.out` (forward result),
`NAME.cot` (random cotangent) and `NAME.grad.<arg>` = d(sum(out * cot))/d arg.
Developer-only: pip install torch (CPU wheel) safetensors; tests read the file.
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(0)
D = torch.float64
tensors = {}


def r(*shape, low=None):
    t = torch.randn(*shape, dtype=D)
    if low is not None:
        t = t.abs() + low
    return t


def case(name, fn, inputs, ids=None):
    ids = ids or {}
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**leaves, **ids)
    cot = torch.randn_like(out)
    (out * cot).sum().backward()
    for k, v in inputs.items():
        tensors[f"{name}.in.{k}"] = v.float().contiguous()
        tensors[f"{name}.grad.{k}"] = leaves[k].grad.float().contiguous()
    for k, v in ids.items():
        tensors[f"{name}.ids.{k}"] = v.long().contiguous()
    tensors[f"{name}.out"] = out.detach().float().contiguous()
    tensors[f"{name}.cot"] = cot.float().contiguous()


case("add", lambda a, b: a + b, {"a": r(2, 3, 4), "b": r(3, 1)})
case("sub", lambda a, b: a - b, {"a": r(2, 3, 4), "b": r(4)})
case("mul", lambda a, b: a * b, {"a": r(2, 3, 4), "b": r(2, 1, 4)})
case("div", lambda a, b: a / b, {"a": r(3, 4), "b": r(3, 4, low=0.5)})
case("exp", lambda a: a.exp(), {"a": r(3, 5)})
case("log", lambda a: a.log(), {"a": r(3, 5, low=0.3)})
case("sqrt", lambda a: a.sqrt(), {"a": r(3, 5, low=0.3)})
case("sigmoid", lambda a: a.sigmoid(), {"a": r(3, 5)})
case("tanh", lambda a: a.tanh(), {"a": r(3, 5)})
case("silu", lambda a: F.silu(a), {"a": r(3, 5)})
case("gelu", lambda a: F.gelu(a), {"a": r(3, 5)})
case("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), {"a": r(3, 5)})
case("quick_gelu", lambda a: a * torch.sigmoid(1.702 * a), {"a": r(3, 5)})
case("matmul", lambda a, b: a @ b, {"a": r(2, 3, 4), "b": r(2, 4, 5)})
case("matmul_shared", lambda a, b: a @ b, {"a": r(2, 3, 4), "b": r(4, 5)})
case("linear", lambda x, w, b: F.linear(x, w, b), {"x": r(2, 3, 4), "w": r(5, 4), "b": r(5)})
case("softmax", lambda a: torch.softmax(a, -1), {"a": r(3, 7)})
case("layer_norm", lambda x, w, b: F.layer_norm(x, (8,), w, b, 1e-5), {"x": r(2, 3, 8), "w": r(8), "b": r(8)})
case("rms_norm", lambda x, w: w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)), {"x": r(2, 5, 8), "w": r(8)})
case("group_norm", lambda x, w, b: F.group_norm(x, 4, w, b, 1e-5), {"x": r(2, 8, 5, 5), "w": r(8), "b": r(8)})
case("conv3x3", lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), {"x": r(2, 3, 6, 6), "w": r(4, 3, 3, 3), "b": r(4)})
case("conv3x3_s2", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), {"x": r(1, 3, 7, 7), "w": r(5, 3, 3, 3), "b": r(5)})
case("conv1x1", lambda x, w, b: F.conv2d(x, w, b), {"x": r(2, 6, 4, 4), "w": r(3, 6, 1, 1), "b": r(3)})
case("attention", lambda q, k, v: F.scaled_dot_product_attention(q, k, v), {"q": r(2, 2, 5, 4), "k": r(2, 2, 5, 4), "v": r(2, 2, 5, 4)})
case("attention_causal", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), {"q": r(1, 2, 6, 4), "k": r(1, 2, 6, 4), "v": r(1, 2, 6, 4)})
case("attention_cross", lambda q, k, v: F.scaled_dot_product_attention(q, k, v), {"q": r(1, 2, 5, 4), "k": r(1, 2, 7, 4), "v": r(1, 2, 7, 3)})
case("embedding", lambda table, ids: F.embedding(ids, table), {"table": r(10, 4)}, {"ids": torch.tensor([[1, 3, 3], [9, 0, 1]])})


def rotary(x):
    d = x.shape[-1]
    inv_freq = 1.0 / (10000 ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    freqs = torch.arange(x.shape[2]).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(D), emb.sin().to(D)
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


case("rotary", rotary, {"x": r(1, 2, 5, 8)})
case("upsample", lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), {"x": r(1, 2, 3, 3)})
case("concat", lambda a, b: torch.cat([a, b], dim=1), {"a": r(2, 3, 4), "b": r(2, 2, 4)})
case("narrow", lambda a: a.narrow(2, 1, 3), {"a": r(2, 3, 5)})
case("permute", lambda a: a.permute(2, 0, 1), {"a": r(2, 3, 4)})
case("sum_axis", lambda a: a.sum(1), {"a": r(2, 3, 4)})
case("mean", lambda a: a.mean().reshape(1), {"a": r(2, 3, 4)})
case("cross_entropy", lambda logits, targets: F.cross_entropy(logits, targets, ignore_index=-100).reshape(1),
     {"logits": r(6, 5)}, {"targets": torch.tensor([0, 4, -100, 2, 2, -100])})
case("mse", lambda a, b: F.mse_loss(a, b).reshape(1), {"a": r(3, 4), "b": r(3, 4)})
case("geglu", lambda x: (lambda h, g: h * F.gelu(g))(*x.chunk(2, dim=-1)), {"x": r(2, 3, 8)})
case("swiglu", lambda g, u: F.silu(g) * u, {"g": r(2, 6), "u": r(2, 6)})
# Wide enough for TensorCore's Winograd F(4x4, 3x3) path (width a multiple of 32, 16+ channels); 6 rows leave a partial tile row.
case("conv3x3_winograd", lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), {"x": r(1, 16, 6, 32), "w": r(16, 16, 3, 3), "b": r(16)})

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "TensorCoreTests", "Fixtures", "ops.safetensors")
os.makedirs(os.path.dirname(out), exist_ok=True)
save_file(tensors, out, metadata={"generator": "tools/make_op_fixtures.py", "torch": torch.__version__})
print(f"wrote {len(tensors)} tensors to {os.path.normpath(out)} ({os.path.getsize(out)} bytes)")
