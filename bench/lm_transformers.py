#!/usr/bin/env python3
"""Peer benchmark for `poster bench lm`: prompt and decode tokens/s of the layout LLM in transformers' LlamaForCausalLM
on CPU, batch 1, same models, same weights and same thread count; prints both rates and the ratio (ours / theirs:
above 1.0 means GlyphPoster is faster).

Models: (b) a random 8-layer, 512-wide Llama (8 heads, MLP 1376, vocabulary 518), made here with torch.manual_seed(0),
saved to a temporary folder and run by `poster bench lm --model TMP` too, so both run identical weights; and (a) the
trained planner in --model (default models/layout; skipped when absent), loaded by both as float32.

Prompt: one forward over --prompt-tokens ids (the same ids poster uses) with a fresh cache, median of --repeats runs
after a warm-up. Decode: generate(max_new_tokens=N, min_new_tokens=N, do_sample=False) after that prompt; decode
tokens/s = (N - 1) / (time from the first new token to the last, by streamer timestamps), as poster counts it; the
whole generate call's rate is printed too.

    python3 bench/lm_transformers.py [--poster .build/release/poster] [--model models/layout] [--threads 2]
Needs torch and transformers (pip install torch==2.13.0+cpu transformers).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.generation.streamers import BaseStreamer

LARGER = dict(vocab_size=518, hidden_size=512, intermediate_size=1376, num_hidden_layers=8, num_attention_heads=8,
              num_key_value_heads=8, rms_norm_eps=1e-6, rope_theta=10000.0, max_position_embeddings=512,
              tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, pad_token_id=0)


def prompt_ids(count, vocabulary, seed=1):
    """LlamaBenchmark.promptIDs: the same LCG, so both sides see the same ids."""
    mask = (1 << 64) - 1
    a, c = 6364136223846793005, 1442695040888963407
    state = (seed * a + c) & mask
    low = min(4, vocabulary - 1)
    ids = []
    for _ in range(count):
        state = (state * a + c) & mask
        ids.append(low + (state >> 33) % max(1, vocabulary - low))
    return ids


class Stamps(BaseStreamer):
    """Timestamps of generate's puts: the first is the prompt, then one per new token."""

    def __init__(self):
        self.times = []

    def put(self, value):
        self.times.append(time.perf_counter())

    def end(self):
        pass


def run_transformers(model, prompt_tokens, new_tokens, repeats):
    config = model.config
    prompt_tokens = max(1, min(prompt_tokens, config.max_position_embeddings - new_tokens))
    ids = torch.tensor([prompt_ids(prompt_tokens, config.vocab_size)])
    mask = torch.ones_like(ids)
    prompt_times, decode_times, generate_times = [], [], []
    with torch.inference_mode():
        for run in range(repeats + 1):   # run 0 warms up
            t0 = time.perf_counter()
            model(input_ids=ids, attention_mask=mask, use_cache=True)
            t1 = time.perf_counter()
            stamps = Stamps()
            g0 = time.perf_counter()
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                 do_sample=False, use_cache=True, streamer=stamps, pad_token_id=0)
            g1 = time.perf_counter()
            assert out.shape[1] == prompt_tokens + new_tokens, out.shape
            assert len(stamps.times) == new_tokens + 1, len(stamps.times)
            if run == 0:
                continue
            prompt_times.append(t1 - t0)
            decode_times.append(stamps.times[-1] - stamps.times[1])
            generate_times.append(g1 - g0)
        generated = out[0, prompt_tokens:].tolist()
    p, d, g = statistics.median(prompt_times), statistics.median(decode_times), statistics.median(generate_times)
    return dict(prompt_tokens=prompt_tokens, prompt_seconds=p, prompt_tokens_per_second=prompt_tokens / p,
                new_tokens=new_tokens, decode_seconds=d, decode_tokens_per_second=(new_tokens - 1) / d,
                generate_seconds=g, generate_tokens_per_second=new_tokens / g, generated=generated)


def run_poster(args, directory, threads):
    env = dict(os.environ, GLYPHPOSTER_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.check_output([args.poster, "bench", "lm", "--model", directory, "--skip-random", "--json",
                                   "--prompt-tokens", str(args.prompt_tokens), "--new-tokens", str(args.new_tokens),
                                   "--repeats", str(args.repeats)], env=env)
    return json.loads(out)["rows"][0]


def report(name, ours, theirs):
    print(f"{name}")
    print(f"  {'':8} {'GlyphPoster tok/s':>18} {'transformers tok/s':>19} {'ratio':>7}")
    for key, label in [("prompt_tokens_per_second", "prompt"), ("decode_tokens_per_second", "decode"),
                       ("generate_tokens_per_second", "generate")]:
        print(f"  {label:8} {ours[key]:18.1f} {theirs[key]:19.1f} {ours[key] / theirs[key]:7.2f}")
    a, b = ours.get("generated", []), theirs["generated"]
    same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    print(f"  greedy tokens agree for the first {same} of {len(b)} (same weights, same prompt ids)")
    return dict(name=name, ours=ours, transformers=theirs,
                prompt_ratio=ours["prompt_tokens_per_second"] / theirs["prompt_tokens_per_second"],
                decode_ratio=ours["decode_tokens_per_second"] / theirs["decode_tokens_per_second"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poster", default=".build/release/poster")
    parser.add_argument("--model", default="models/layout", help="trained planner folder; skipped when absent")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--prompt-tokens", type=int, default=200)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the results as JSON here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"layout LLM, batch 1, {args.threads} threads, torch {torch.__version__}, poster {args.poster}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)
        model = LlamaForCausalLM(LlamaConfig(**LARGER)).eval()
        model.save_pretrained(tmp)
        ours = run_poster(args, tmp, args.threads)
        results.append(report("random 8x512 (same weights)", ours, run_transformers(model, args.prompt_tokens, args.new_tokens, args.repeats)))
    if args.model and os.path.exists(os.path.join(args.model, "config.json")):
        model = LlamaForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
        ours = run_poster(args, args.model, args.threads)
        results.append(report(f"trained {args.model}", ours, run_transformers(model, args.prompt_tokens, args.new_tokens, args.repeats)))
    else:
        print(f"(no model at {args.model}: trained-model row skipped)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(threads=args.threads, torch=torch.__version__, rows=results), f, indent=1)


if __name__ == "__main__":
    main()
