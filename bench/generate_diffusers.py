"""Peer for `poster bench generate`: the same 256x256, 20-step, guided denoise of a
GlyphPoster pipeline folder, run by diffusers/transformers (torch CPU, 2 threads).

    python3 bench/generate_diffusers.py [--model models/glyphcontrol] [--runs 3]

Times what `poster bench generate` calls denoise (prompt encoding, 20 x (ControlNet +
UNet on the batch of 2 that guidance needs), the folder's scheduler steps) and prints the median and
the ratio to GlyphPoster when given `--ours SECONDS` (ratio > 1: GlyphPoster faster).
The layout planner and mask rendering are not in diffusers; the mask is a white box.
"""
import argparse, json, time, statistics
import torch
import torch.nn.functional as F
import diffusers
from diffusers import UNet2DConditionModel, ControlNetModel
from transformers import CLIPTextModel, CLIPTokenizer

p = argparse.ArgumentParser()
p.add_argument("--model", default="models/glyphcontrol")
p.add_argument("--runs", type=int, default=3)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--ours", type=float, help="GlyphPoster's denoise seconds, for the ratio")
a = p.parse_args()
torch.set_num_threads(a.threads)
m = a.model
cfg = json.load(open(f"{m}/glyphposter.json"))
r, size = cfg.get("pixel_unshuffle", 1), cfg.get("sample_size", 256)
unet = UNet2DConditionModel.from_pretrained(m, subfolder="unet", dtype=torch.float32).eval()
cn = ControlNetModel.from_pretrained(m, subfolder="controlnet", dtype=torch.float32).eval()
te = CLIPTextModel.from_pretrained(m, subfolder="text_encoder", dtype=torch.float32).eval()
tok = CLIPTokenizer.from_pretrained(m, subfolder="tokenizer")
# The scheduler class the folder names (DPM-Solver++ 2M for the shipped model), as poster bench generate uses it.
sch_class = json.load(open(f"{m}/scheduler/scheduler_config.json")).get("_class_name", "DDIMScheduler")
sch = getattr(diffusers, sch_class).from_pretrained(m, subfolder="scheduler")
prompt = "a dark blue poster with yellow circles and white bold text 'Open Late'"
mask = torch.zeros(1, 1, size, size); mask[..., size // 3: size // 2, size // 8: size * 7 // 8] = 1
# A colour-hint ControlNet (conditioning_channels 4) reads the mask, then the same glyphs painted white.
cond = torch.cat([mask] * cn.config.conditioning_channels, dim=1)
cond = torch.cat([cond, cond])

def run(seed):
    with torch.no_grad():
        ids = tok(["", prompt], padding="max_length", max_length=77, truncation=True, return_tensors="pt").input_ids
        ctx = te(ids).last_hidden_state
        lat = torch.randn(1, 3 * r * r, size // r, size // r, generator=torch.Generator().manual_seed(seed))
        sch.set_timesteps(a.steps)
        for t in sch.timesteps:
            x = torch.cat([lat, lat])
            d, mid = cn(x, t, encoder_hidden_states=ctx, controlnet_cond=cond, return_dict=False)
            out = unet(x, t, encoder_hidden_states=ctx, down_block_additional_residuals=d, mid_block_additional_residual=mid).sample
            u, c = out.chunk(2)
            lat = sch.step(u + 4.0 * (c - u), t, lat).prev_sample
        return F.pixel_shuffle(lat, r)

run(0)
times = []
for i in range(a.runs):
    t0 = time.perf_counter(); run(i + 1); times.append(time.perf_counter() - t0)
med = statistics.median(times)
print(f"diffusers {size}x{size}, {a.steps} {sch_class} steps, guidance, {a.threads} threads: denoise {med:.2f} s (median of {a.runs})")
if a.ours:
    print(f"ratio diffusers / GlyphPoster: {med / a.ours:.2f}")
