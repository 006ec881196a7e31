#!/usr/bin/env python3
"""Developer script: reference fixtures for the Swift LlamaForCausalLM (LayoutLM).

Writes into Tests/LayoutLMTests/Fixtures/:

- llama-<name>/: tiny random transformers LlamaForCausalLM models saved with
  save_pretrained(safe_serialization=True) in float32 (config.json +
  model.safetensors, each folder < 100 KB):
    base    vocab 100, hidden 32, intermediate 40, 2 layers, 4 heads, 4 kv heads
    gqa     as base with 2 kv heads (grouped-query attention, repeat_kv)
    tied    as gqa with tie_word_embeddings (no lm_head.weight in the file)
    theta   as base with rope_theta 500000 and rms_norm_eps 1e-5
    bias    attention_bias and mlp_bias, head_dim 12 (!= hidden / heads), 2 kv heads, intermediate 32
  Every weight (norms included) is drawn from N(0, 0.2^2) (biases N(0, 0.1^2))
  so the logits are far from uniform and a wrong layer shows.
- llama-base-sharded/: llama-base saved again with a small max_shard_size
  (model.safetensors.index.json + 2 shards), for the index path.
- llama_logits.safetensors: `input_ids` I64 [2, 7] (seeded random ids) and,
  per model, `<name>.logits` F32 [2, 7, 100] from the transformers forward
  (eager attention, float32).

Check that transformers reads a model our Swift `save(to:dtype:)` wrote:
    GLYPHPOSTER_KEEP_LLAMA_SAVE=/tmp/llama-saved swift test ... --filter LlamaSaveTests
    python3 tools/make_llama_fixtures.py --check-saved /tmp/llama-saved
(each subfolder is loaded with LlamaForCausalLM.from_pretrained and its logits
on the fixture input compared with the reference of the model it was saved from).

Needs transformers, torch, safetensors; run from the package root:
    python3 tools/make_llama_fixtures.py
Nothing is downloaded. The Swift tests never run Python.
"""

import argparse
import json
import os
import shutil
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "LayoutLMTests", "Fixtures")
LOGITS = os.path.join(FIXTURES, "llama_logits.safetensors")

BASE = dict(vocab_size=100, hidden_size=32, intermediate_size=40, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=64,
            rms_norm_eps=1e-6, bos_token_id=1, eos_token_id=2, pad_token_id=0)

CONFIGS = {
    "base": dict(BASE),
    "gqa": dict(BASE, num_key_value_heads=2),
    "tied": dict(BASE, num_key_value_heads=2, tie_word_embeddings=True),
    "theta": dict(BASE, rope_theta=500000.0, rms_norm_eps=1e-5),
    "bias": dict(BASE, attention_bias=True, mlp_bias=True, head_dim=12, num_key_value_heads=2, intermediate_size=32),
}


def build(name, seed):
    options = dict(CONFIGS[name])
    theta = options.pop("rope_theta", 10000.0)
    config = LlamaConfig(**options, rope_parameters={"rope_type": "default", "rope_theta": theta})
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for pname, p in model.named_parameters():
            p.copy_(torch.randn(p.shape) * (0.1 if pname.endswith(".bias") else 0.2))
    return model


def logits(model, ids):
    with torch.no_grad():
        return model(input_ids=ids, use_cache=False).logits.float().contiguous()


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    generator = torch.Generator().manual_seed(7)
    ids = torch.randint(0, 100, (2, 7), generator=generator, dtype=torch.int64)
    out = {"input_ids": ids}
    for seed, name in enumerate(CONFIGS):
        model = build(name, seed + 1)
        folder = os.path.join(FIXTURES, f"llama-{name}")
        shutil.rmtree(folder, ignore_errors=True)
        model.save_pretrained(folder, safe_serialization=True)
        gen = os.path.join(folder, "generation_config.json")
        if os.path.exists(gen):
            os.remove(gen)
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        assert size < 100_000, f"{folder} is {size} bytes"
        # The saved folder reproduces the model (and the tied head is really tied).
        reloaded = LlamaForCausalLM.from_pretrained(folder, attn_implementation="eager").eval()
        reference = logits(model, ids)
        assert torch.equal(reference, logits(reloaded, ids)), name
        out[f"{name}.logits"] = reference
        print(f"llama-{name}: {size} bytes, files {sorted(os.listdir(folder))}")
        if name == "base":
            sharded = os.path.join(FIXTURES, "llama-base-sharded")
            shutil.rmtree(sharded, ignore_errors=True)
            model.save_pretrained(sharded, safe_serialization=True, max_shard_size="60KB")
            if os.path.exists(os.path.join(sharded, "generation_config.json")):
                os.remove(os.path.join(sharded, "generation_config.json"))
            files = sorted(os.listdir(sharded))
            assert "model.safetensors.index.json" in files and len([f for f in files if f.endswith(".safetensors")]) == 2, files
            print(f"llama-base-sharded: {files}")
    save_file(out, LOGITS, metadata={"producer": "tools/make_llama_fixtures.py"})
    print(f"wrote {LOGITS}")


def check_saved(directory):
    """Loads every model folder under `directory` (written by the Swift save) with transformers."""
    reference = load_file(LOGITS)
    ids = reference["input_ids"]
    folders = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
    assert folders, f"no model folders in {directory}"
    worst = 0.0
    for folder in folders:
        path = os.path.join(directory, folder)
        with open(os.path.join(path, "config.json")) as f:
            config = json.load(f)
        source = folder.removesuffix("-f16")
        model = LlamaForCausalLM.from_pretrained(path, attn_implementation="eager", dtype=torch.float32).eval()
        got = logits(model, ids)
        expected = reference[f"{source}.logits"]
        error = ((got - expected).norm() / expected.norm()).item()
        tolerance = 1e-2 if config.get("dtype") == "float16" else 1e-5
        print(f"{folder} (from {source}, {config.get('dtype')}): relative error {error:.2e}")
        assert error <= tolerance, f"{folder}: relative error {error} > {tolerance}"
        worst = max(worst, error)
    print(f"transformers loads all {len(folders)} saved models; worst relative error {worst:.2e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-saved", metavar="DIR", help="check folders saved by the Swift LlamaForCausalLM.save")
    args = parser.parse_args()
    if args.check_saved:
        check_saved(args.check_saved)
    else:
        main()
    sys.exit(0)
