#!/usr/bin/env python3
"""Peer benchmark for `poster bench unet`: one guided denoising step
(ControlNetModel, then UNet2DConditionModel with its residuals, batch 2) in
diffusers on CPU, same configs and thread count, random weights; prints both
times and the ratio (diffusers' time / ours; above 1.0 means GlyphPoster is faster).

    python3 bench/unet_diffusers.py [--poster .build/release/poster] [--seconds 2]
Needs torch and diffusers (pip install torch==2.13.0+cpu diffusers).
"""
import argparse
import json
import resource
import subprocess
import time

import torch
from diffusers import ControlNetModel, UNet2DConditionModel

CASES = {
    "test-size (32,64) 32x32": (dict(block_out_channels=(32, 64), layers_per_block=2, cross_attention_dim=32, attention_head_dim=8,
                                      down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                      up_block_types=("CrossAttnUpBlock2D", "UpBlock2D")), (16, 32), 32),
    "mid-size (64,128,256) 64x64": (dict(block_out_channels=(64, 128, 256), layers_per_block=2, cross_attention_dim=64, attention_head_dim=8,
                                          down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                                          up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")), (16, 32, 96), 64),
}


def timed(seconds, fn):
    fn()
    samples, start = [], time.perf_counter()
    while len(samples) < 3 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return sorted(samples)[len(samples) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poster", default=".build/release/poster")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    ours = json.loads(subprocess.check_output([args.poster, "bench", "unet", "--json", "--seconds", str(args.seconds)]))
    torch.set_num_threads(ours["threads"])
    print(f"one guided step, {ours['threads']} threads, torch {torch.__version__}")
    print(f"{'config':32} {'GlyphPoster ms':>15} {'diffusers ms':>13} {'ratio':>7} {'GP peak MiB':>12}")
    for row in ours["rows"]:
        config, widths, size = CASES[row["name"]]
        unet = UNet2DConditionModel(in_channels=4, out_channels=4, sample_size=size, **config).eval()
        control_config = {k: v for k, v in config.items() if k != "up_block_types"}
        controlnet = ControlNetModel(in_channels=4, conditioning_embedding_out_channels=widths, **control_config).eval()
        factor = 2 ** (len(widths) - 1)
        sample, context = torch.randn(2, 4, size, size), torch.randn(2, 77, config["cross_attention_dim"])
        cond, t = torch.rand(2, 3, size * factor, size * factor), torch.tensor([500, 500])

        def step():
            with torch.no_grad():
                down, mid = controlnet(sample, t, encoder_hidden_states=context, controlnet_cond=cond, return_dict=False)
                unet(sample, t, encoder_hidden_states=context, down_block_additional_residuals=down, mid_block_additional_residual=mid)
        theirs = timed(args.seconds, step)
        print(f"{row['name']:32} {row['seconds'] * 1000:15.2f} {theirs * 1000:13.2f} {theirs / row['seconds']:7.2f} {row['peak_mib']:12.0f}")
    print(f"diffusers process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
