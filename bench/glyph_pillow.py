#!/usr/bin/env python3
"""Peer benchmark for `poster bench glyph`: the same job with Pillow.

Takes the job from `poster bench glyph --print-job` (font file, four 448x80
pixel boxes on a 512x512 canvas, each mask's four texts), fits every line into
its box the way a careful Pillow user would (one measurement at a reference
size, analytic scale, a single-step correction; font objects cached per size),
draws white-on-black 'L' masks, and prints Pillow's rate, GlyphPoster's rate
and the ratio. Single-thread against single-thread; GlyphPoster's all-core
rate is printed too.

    python3 bench/glyph_pillow.py [--poster .build/release/poster] [--seconds 5]
Needs Pillow (pip install pillow); build first: swift build -c release.
"""
import argparse
import json
import subprocess
import time

from PIL import Image, ImageDraw, ImageFont

REFERENCE_SIZE = 100


def fitted_font(cache, path, text, width, height):
    ref = cache.get(REFERENCE_SIZE) or cache.setdefault(REFERENCE_SIZE, ImageFont.truetype(path, REFERENCE_SIZE))
    l, t, r, b = ref.getbbox(text)
    size = max(1, int(REFERENCE_SIZE * min(width / max(r - l, 1), height / max(b - t, 1))))
    font = cache.get(size) or cache.setdefault(size, ImageFont.truetype(path, size))
    l, t, r, b = font.getbbox(text)
    if r - l > width or b - t > height:  # single-step correction
        size -= 1
        font = cache.get(size) or cache.setdefault(size, ImageFont.truetype(path, size))
        l, t, r, b = font.getbbox(text)
    return font, (l, t, r, b)


def render_mask(job, texts, cache):
    width, height = job["canvas"]
    image = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(image)
    for (x0, y0, x1, y1), text in zip(job["boxes"], texts):
        bw, bh = x1 - x0 - 2, y1 - y0 - 2  # the same 1-px inset GlyphRender keeps
        font, (l, t, r, b) = fitted_font(cache, job["font"], text, bw, bh)
        x = x0 + 1 + (bw - (r - l)) / 2 - l
        y = y0 + 1 + (bh - (b - t)) / 2 - t
        draw.text((x, y), text, fill=255, font=font)
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poster", default=".build/release/poster")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    job = json.loads(subprocess.check_output([args.poster, "bench", "glyph", "--print-job"]))
    cache = {}
    for texts in job["masks"]:  # warm-up: load every size once, as GlyphPoster warms its caches
        render_mask(job, texts, cache)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for _ in range(16):
            render_mask(job, job["masks"][count % len(job["masks"])], cache)
            count += 1
    pillow = count / (time.perf_counter() - start)

    ours = json.loads(subprocess.check_output(
        [args.poster, "bench", "glyph", "--json", "--seconds", str(args.seconds)]))
    cold = json.loads(subprocess.check_output(
        [args.poster, "bench", "glyph", "--json", "--cold-glyphs", "--threads", "1", "--seconds", str(args.seconds)]))
    cold_single = cold["results"][0]["masks_per_second"]
    rates = {r["threads"]: r["masks_per_second"] for r in ours["results"]}
    single = rates[1]
    print(f"job: 512x512 masks, 4 lines fitted into 448x80 boxes, {job['font']}")
    print(f"Pillow {Image.__version__} (1 thread):  {pillow:10.0f} masks/s")
    print(f"GlyphPoster (1 thread):      {single:10.0f} masks/s")
    for threads, rate in sorted(rates.items()):
        if threads != 1:
            print(f"GlyphPoster ({threads} threads):     {rate:10.0f} masks/s")
    print(f"GlyphPoster (1 thread, glyph cache emptied per mask): {cold_single:10.0f} masks/s")
    print(f"ratio GlyphPoster/Pillow, 1 thread: {single / pillow:.2f}x")
    print(f"ratio GlyphPoster/Pillow, 1 thread, no glyph cache: {cold_single / pillow:.2f}x")
    if len(rates) > 1:
        print(f"ratio GlyphPoster all cores/Pillow: {max(rates.values()) / pillow:.2f}x")


if __name__ == "__main__":
    main()
