#!/usr/bin/env python3
"""Peer benchmark for `poster bench ops`: the same rows in PyTorch CPU with
the same thread count, and the ratio per row (PyTorch's time over ours;
above 1.0 means GlyphPoster is faster).

    python3 bench/ops_torch.py [--poster .build/release/poster] [--seconds 1] [--rounds 1]
With --rounds N the two sides take turns N times (ours, PyTorch, ours, ...),
so a slow spell of a shared machine falls on both; each row then shows the
median times, the median of the per-round ratios and their range.
Needs torch (CPU wheel: pip install torch==2.13.0+cpu). Build first:
swift build -c release. Run it with OPENBLAS_CORETYPE set and unset.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import torch
import torch.nn.functional as F


def timed(seconds, fn):
    fn()
    samples, start = [], time.perf_counter()
    while len(samples) < 3 or (time.perf_counter() - start < seconds and len(samples) < 50):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return sorted(samples)[len(samples) // 2]


class BlockStack(torch.nn.Module):
    """The same stack as TensorCore's BenchBlockStack."""

    def __init__(self):
        super().__init__()
        C = torch.nn.Conv2d
        self.norm1, self.conv1 = torch.nn.GroupNorm(32, 64), C(64, 64, 3, padding=1)
        self.norm2, self.conv2 = torch.nn.GroupNorm(32, 64), C(64, 64, 3, padding=1)
        self.down = C(64, 128, 3, stride=2, padding=1)
        self.norm3, self.conv3 = torch.nn.GroupNorm(32, 128), C(128, 128, 3, padding=1)
        self.norm4, self.conv4 = torch.nn.GroupNorm(32, 128), C(128, 128, 3, padding=1)
        self.attention_norm = torch.nn.GroupNorm(32, 128)
        self.to_qkv, self.to_out = torch.nn.Linear(128, 384), torch.nn.Linear(128, 128)
        self.up = C(128, 64, 3, padding=1)

    def forward(self, x):
        h = self.conv2(F.silu(self.norm2(self.conv1(F.silu(self.norm1(x)))))) + x
        h = self.down(h)
        h = self.conv4(F.silu(self.norm4(self.conv3(F.silu(self.norm3(h)))))) + h
        tokens = self.attention_norm(h).reshape(1, 128, 256).transpose(1, 2)
        qkv = self.to_qkv(tokens).reshape(1, 256, 3, 4, 32).permute(2, 0, 3, 1, 4)
        q, k, v = [t.reshape(1, 4, 256, 32) for t in qkv.chunk(3, dim=0)]
        a = F.scaled_dot_product_attention(q, k, v).permute(0, 2, 1, 3).reshape(1, 256, 128)
        h = self.to_out(a).transpose(1, 2).reshape(1, 128, 16, 16) + h
        return self.up(F.interpolate(h, scale_factor=2, mode="nearest"))


def torch_rows(seconds):
    r = torch.randn
    rows = {}
    a, b = r(2048, 2048), r(2048, 2048)
    rows["sgemm 2048x2048x2048"] = timed(seconds, lambda: a @ b)
    x1, w1 = r(4096, 320), r(1280, 320)
    rows["linear 4096x320 -> 1280"] = timed(seconds, lambda: F.linear(x1, w1))
    for c, s in [(64, 64), (128, 32)]:
        x, w = r(1, c, s, s), r(c, c, 3, 3)
        rows[f"conv2d 3x3 1x{c}x{s}x{s} -> {c}"] = timed(seconds, lambda: F.conv2d(x, w, padding=1))
    q, k, v = r(1, 8, 4096, 64), r(1, 8, 4096, 64), r(1, 8, 4096, 64)
    rows["attention self 8x4096x64"] = timed(seconds, lambda: F.scaled_dot_product_attention(q, k, v))
    kc, vc = r(1, 8, 77, 64), r(1, 8, 77, 64)
    rows["attention cross 8x4096x77x64"] = timed(seconds, lambda: F.scaled_dot_product_attention(q, kc, vc))
    g = r(1, 128, 64, 64)
    rows["group norm 1x128x64x64 /32"] = timed(seconds, lambda: F.group_norm(g, 32))
    stack, x = BlockStack(), r(1, 64, 32, 32)
    with torch.no_grad():
        rows["block stack forward"] = timed(seconds, lambda: stack(x))

    def step():
        stack(x).mean().backward()
        stack.zero_grad()
    rows["block stack forward+backward"] = timed(seconds, step)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poster", default=".build/release/poster")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    ours_rounds, theirs_rounds = [], []
    for _ in range(max(1, args.rounds)):
        ours = json.loads(subprocess.check_output([args.poster, "bench", "ops", "--json", "--seconds", str(args.seconds)]))
        torch.set_num_threads(ours["threads"])
        ours_rounds.append({row["name"]: row["seconds"] for row in ours["rows"]})
        theirs_rounds.append(torch_rows(args.seconds))
    print(f"threads {ours['threads']}, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, "
          f"OpenBLAS core {ours.get('openblas_core', '?')}, sgemm kernel {ours.get('sgemm_kernel', '?')}, "
          f"torch {torch.__version__}, rounds {len(ours_rounds)}")
    print(f"{'row':36} {'GlyphPoster ms':>15} {'PyTorch ms':>11} {'ratio':>7} {'range':>12}")
    for row in ours["rows"]:
        name = row["name"]
        mine = [r[name] for r in ours_rounds]
        peer = [r[name] for r in theirs_rounds]
        ratios = [t / m for t, m in zip(peer, mine)]
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if len(ratios) > 1 else ""
        print(f"{name:36} {statistics.median(mine) * 1000:15.3f} {statistics.median(peer) * 1000:11.3f} "
              f"{statistics.median(ratios):7.2f} {spread:>12}")

if __name__ == "__main__":
    main()
