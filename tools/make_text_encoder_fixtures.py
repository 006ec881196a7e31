#!/usr/bin/env python3
"""Developer script: reference fixtures for the Swift CLIP tokenizer and text encoder.

Writes into Tests/GlyphControlTests/Fixtures/:

- tiny-clip-tokenizer/: a small byte-level BPE (vocab.json, merges.txt in
  CLIP's layout: 256 byte symbols, the same with `</w>`, merges, then
  <|startoftext|> and <|endoftext|>), 400 merges trained here
  (deterministically) on a built-in text, split with CLIP's normalizer and
  pre-tokenizer from `tokenizers`; plus tokenizer_config.json /
  special_tokens_map.json naming the special tokens and a few added tokens
  (`added_tokens_decoder`, some normalized, some not).
- tiny-clip-tokenizer-json/: the same tokenizer as transformers saves it
  (tokenizer.json + tokenizer_config.json), to test reading tokenizer.json.
- tiny-clip-text/: a random CLIPTextModel (diffusers' test config: hidden 32,
  intermediate 37, 4 heads, 5 layers, vocab 1000) saved with
  save_pretrained(safe_serialization=True) in float16.
- text_encoder.json: the prompts (fixed and 150 random ones), decoded texts
  and unpadded id sequences.
- text_encoder.safetensors: the reference ids and hidden states.

The reference is transformers' CLIPTokenizer loaded from those files and
CLIPTextModel in float32 (weights rounded to float16 first, so the saved
float16 checkpoint holds exactly the weights the reference used).

Needs transformers, tokenizers, torch, safetensors; run from the package root:
    python3 tools/make_text_encoder_fixtures.py
Nothing is downloaded. The Swift tests never run Python.
"""

import collections
import json
import os
import random
import shutil
import string

import torch
from safetensors.torch import save_file
from tokenizers import Regex, normalizers, pre_tokenizers
from tokenizers import AddedToken
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "GlyphControlTests", "Fixtures")
TOKENIZER_DIR = os.path.join(FIXTURES, "tiny-clip-tokenizer")
TOKENIZER_JSON_DIR = os.path.join(FIXTURES, "tiny-clip-tokenizer-json")
MODEL_DIR = os.path.join(FIXTURES, "tiny-clip-text")

CORPUS = """
A poster that says "Grand Opening" in bold red letters on a white background.
A sign that says "Breath of the Wild" above a mountain landscape at sunset.
The movie poster for "The Last Summer" with a beach and palm trees.
A book cover titled "Learning to Draw" with pencils and paper on a wooden table.
A neon sign that reads "Open Late" glowing in the window of a small cafe.
A birthday card with the words "Happy Birthday" written in gold script.
A logo for a coffee shop called "Morning Brew" with a steaming cup.
An advertisement for a summer sale, fifty percent off everything in the store.
A vintage travel poster of Paris with the Eiffel Tower and the words "Visit France".
The cover of a science fiction novel with planets, stars and a spaceship.
A chalkboard menu outside a restaurant listing soup, salad and bread.
A concert flyer for a jazz band playing on Friday night at the old theater.
A road sign pointing to the city center, the airport and the train station.
A t-shirt design with the text "Stay Wild" and a drawing of a wolf.
A poster for a music festival with colorful shapes and the dates of the show.
It's a beautiful day, isn't it? We're going to the market, they'll meet us there.
I'm sure you'd like the new posters; we've printed them in many colors.
The quick brown fox jumps over the lazy dog while the cat sleeps on the mat.
Typography, layout and color are the three most important parts of a good poster.
Letters, words and lines of text are placed in boxes on a grid of the canvas.
"""

PROMPTS = [
    "A poster that says 'Grand Opening' today!",
    "Hello   World\t\nagain",
    "It's the CAT'S pajamas; we're sure they'll've done it, I'm told, you'd see. DON'T!",
    "Price: $19.99 -- 50% off!!! (limited time) #1 deal @store",
    "",
    "   \t ",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00dcN\u00cfC\u00d6D\u00c9 \u6771\u4eac \U0001f389 emoji",
    "e\u0301cole cafe\u0301",  # combining accents: NFC makes these precomposed
    "<|startoftext|>hello<|endoftext|> world",
    "Curly \u2019quotes\u2019 and \u201cdouble\u201d ones \u2014 dashes\u2026",
    "mixedCASE words123 abc123def 2024-05-17",
    " ".join(["the poster shows a very long caption with many words"] * 12),
    "a" * 300,
]

# TextDiffuser-2 style strings: coordinate tokens and [c] character tokens.
LAYOUT_PROMPTS = [
    "A poster of a summer sale l12 t40 r100 b60 [S] [a] [l] [e] <|endoftext|> l30 t10 r90 b20 [B] [I] [G] [ ] [!]",
    "l0 t0 r519 b519 [W] [i] [l] [d]",
    "l0t0r0b0[a][A][0][~][ ][\"][']",
    "xl12y b520 L12 [s][S] [x] [[a]] l5l5",
    "Breath of the Wild l26 t13 r73 b35 [B] [r] [e] [a] [t] [h] [ ] [o] [f] <|endoftext|> l30 t90 r100 b100 [2] [0] [2] [4]",
    " ".join(f"l{i} t{i + 1} r{i + 2} b{i + 3} [{c}]" for i, c in zip(range(0, 200, 5), "The quick brown fox jumps over the lazy dog")),
    "It's l100 the t20 END [E] [N] [D]",
]

# Added tokens written into tiny-clip-tokenizer/tokenizer_config.json
# (added_tokens_decoder): (content, normalized).
FILE_ADDED_TOKENS = [("<sks>", False), ("NeonSign", True), ("hello world", True), ("[Q]", False), ("[q]", False)]
FILE_ADDED_PROMPTS = [
    "a <sks> poster with a NeonSign and a neonsign, NEONSIGN",
    "Hello World! hello   world [Q] [q] <SKS>",
    "say hello worldwide",
]


FUZZ_PIECES = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
    + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") * 2
    + [" ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\u3000"]
    + ["'s", "'S", "'t", "'re", "'ve", "'m", "'LL", "'d", "n't", "\u2019s"]
    + ["\u00e9", "e\u0301", "\u00c9", "\u00df", "\u1e9e", "\u0130", "\u03a3", "\u01c5", "\u00bd", "\u2163", "\u0663"]
    + ["\u6771", "\u4eac", "\u3042", "\U0001f389", "\U0001f1eb\U0001f1f7", "\u200d", "\ufe0f", "\u0000", "\u007f"]
    + ["l12", "t40", "r100", "b519", "b520", "L3", "[S]", "[s]", "[ ]", "[[a]]", "<|endoftext|>", "<|startoftext|>",
       "<|EndOfText|>", "poster", "POSTER", "the", "sale", "hello", "world"]
)


def fuzz_prompts(count, seed=1234):
    """Random strings mixing letters, digits, punctuation, odd white space,
    contractions, combining marks, case-mapping corner cases, CJK, emoji,
    layout tokens and special-token spellings."""
    rng = random.Random(seed)
    return ["".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(0, 24))) for _ in range(count)]


def layout_tokens():
    """Coordinate tokens l/t/r/b 0..519 (interleaved per value), then one [c] per printable ASCII character."""
    tokens = []
    for i in range(520):
        tokens += [f"l{i}", f"t{i}", f"r{i}", f"b{i}"]
    alphabet = string.digits + string.ascii_lowercase + string.ascii_uppercase + string.punctuation + " "
    tokens += [f"[{c}]" for c in alphabet]
    return tokens


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def train_merges(max_merges):
    """A deterministic BPE training run (most frequent pair, ties broken by
    the pair's spelling, `max_merges` of them) over CORPUS, words split as CLIP splits them."""
    normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False),
    ])
    counts = collections.Counter()
    for line in CORPUS.strip().split("\n"):
        for word, _ in pre.pre_tokenize_str(normalizer.normalize_str(line)):
            counts[tuple(word[:-1]) + (word[-1] + "</w>",)] += 1
    words = dict(counts)
    merges = []
    while len(merges) < max_merges:
        pairs = collections.Counter()
        for word, n in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += n
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        merged = {}
        for word, n in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        words = merged
    return merges


def write_tokenizer_files():
    shutil.rmtree(TOKENIZER_DIR, ignore_errors=True)
    os.makedirs(TOKENIZER_DIR)
    merges = train_merges(400)
    symbols = list(bytes_to_unicode().values())
    vocab_list = symbols + [s + "</w>" for s in symbols]
    for a, b in merges:
        assert a in vocab_list and b in vocab_list, (a, b)
        vocab_list.append(a + b)
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {t: i for i, t in enumerate(vocab_list)}
    assert len(vocab) == len(vocab_list)
    with open(os.path.join(TOKENIZER_DIR, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(TOKENIZER_DIR, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(f"{a} {b}" for a, b in merges) + "\n")
    special = {
        "bos_token": {"content": "<|startoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "eos_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "pad_token": "<|endoftext|>",
        "unk_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
    }
    with open(os.path.join(TOKENIZER_DIR, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    decoder = {}
    for i, (content, normalized) in enumerate(FILE_ADDED_TOKENS):
        decoder[str(len(vocab) + i)] = {"content": content, "lstrip": False, "normalized": normalized, "rstrip": False,
                                        "single_word": False, "special": False}
    config = {
        "added_tokens_decoder": decoder,
        "bos_token": "<|startoftext|>",
        "clean_up_tokenization_spaces": True,
        "do_lower_case": True,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": "<|endoftext|>",
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": "<|endoftext|>",
    }
    with open(os.path.join(TOKENIZER_DIR, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return vocab


def base_tokenizer():
    """transformers' CLIPTokenizer from vocab.json + merges.txt only (no added tokens)."""
    scratch = os.path.join(FIXTURES, ".tokenizer-scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(TOKENIZER_DIR, name), scratch)
    tok = CLIPTokenizer.from_pretrained(scratch, model_max_length=77)
    shutil.rmtree(scratch)
    return tok


def encode(tok, prompts, padded=True):
    if padded:
        return tok(prompts, padding="max_length", max_length=77, truncation=True).input_ids
    return tok(prompts, truncation=False).input_ids


def main():
    torch.manual_seed(0)
    vocab = write_tokenizer_files()
    tensors = {}
    meta = {"prompts": PROMPTS, "layout_prompts": LAYOUT_PROMPTS, "file_added_prompts": FILE_ADDED_PROMPTS,
            "file_added_tokens": [{"content": c, "normalized": n} for c, n in FILE_ADDED_TOKENS],
            "base_vocab_size": len(vocab)}

    # 1. The base tokenizer: padded/truncated to 77 and unpadded, untruncated.
    tok = base_tokenizer()
    assert tok.pad_token_id == vocab["<|endoftext|>"] and tok.bos_token_id == vocab["<|startoftext|>"]
    tensors["ids.base"] = torch.tensor(encode(tok, PROMPTS), dtype=torch.int64)
    unpadded = encode(tok, PROMPTS, padded=False)
    meta["unpadded_ids"] = unpadded
    meta["decoded"] = [tok.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False) for ids in unpadded]
    # The same with "!" as the padding token (Stable Diffusion 2's tokenizer pads with "!").
    tok_bang = base_tokenizer()
    tok_bang.pad_token = "!"
    tensors["ids.pad_bang"] = torch.tensor(encode(tok_bang, PROMPTS), dtype=torch.int64)
    meta["pad_bang_id"] = tok_bang.pad_token_id

    # 2. TextDiffuser-2 layout tokens added through the API, matched case-sensitively on the raw text.
    tok_layout = base_tokenizer()
    added = tok_layout.add_tokens([AddedToken(t, normalized=False) for t in layout_tokens()])
    assert added == len(layout_tokens())
    tensors["ids.layout"] = torch.tensor(encode(tok_layout, LAYOUT_PROMPTS + PROMPTS[:4]), dtype=torch.int64)
    meta["layout_token_count"] = added
    fuzz = fuzz_prompts(150)
    meta["fuzz_prompts"] = fuzz
    meta["fuzz_ids"] = encode(tok_layout, fuzz, padded=False)
    meta["layout_decoded"] = [tok_layout.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
                              for ids in encode(tok_layout, LAYOUT_PROMPTS, padded=False)]

    # 3. Added tokens from tokenizer_config.json (some normalized): transformers reading the fixture directory.
    tok_file = CLIPTokenizer.from_pretrained(TOKENIZER_DIR)
    assert len(tok_file) == len(vocab) + len(FILE_ADDED_TOKENS), len(tok_file)
    check = base_tokenizer()
    check.add_tokens([AddedToken(c, normalized=n) for c, n in FILE_ADDED_TOKENS])
    ids_file = encode(tok_file, FILE_ADDED_PROMPTS + PROMPTS[:3])
    assert ids_file == encode(check, FILE_ADDED_PROMPTS + PROMPTS[:3])
    tensors["ids.file_added"] = torch.tensor(ids_file, dtype=torch.int64)
    # ... and as transformers saves it (tokenizer.json).
    shutil.rmtree(TOKENIZER_JSON_DIR, ignore_errors=True)
    tok_file.save_pretrained(TOKENIZER_JSON_DIR)
    reread = CLIPTokenizer.from_pretrained(TOKENIZER_JSON_DIR)
    assert encode(reread, FILE_ADDED_PROMPTS + PROMPTS[:3]) == ids_file

    # 4. The tiny text encoder (diffusers' test config), weights rounded to float16.
    config = CLIPTextConfig(bos_token_id=0, eos_token_id=2, hidden_size=32, intermediate_size=37, layer_norm_eps=1e-05,
                            num_attention_heads=4, num_hidden_layers=5, pad_token_id=1, vocab_size=1000,
                            max_position_embeddings=77, projection_dim=32)
    model = CLIPTextModel(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    shutil.rmtree(MODEL_DIR, ignore_errors=True)
    model.half().save_pretrained(MODEL_DIR, safe_serialization=True)
    model.float()
    # transformers 5 saves CLIPTextModel without the `text_model.` prefix that
    # Stable Diffusion checkpoints (saved by transformers 4) carry; it reads both.
    legacy = os.path.join(FIXTURES, ".legacy-scratch")
    shutil.rmtree(legacy, ignore_errors=True)
    os.makedirs(legacy)
    shutil.copy(os.path.join(MODEL_DIR, "config.json"), legacy)
    state = {"text_model." + k: v.half().contiguous() for k, v in model.state_dict().items()}
    state["text_model.embeddings.position_ids"] = torch.arange(77, dtype=torch.int64)[None]
    save_file(state, os.path.join(legacy, "model.safetensors"))
    reloaded = CLIPTextModel.from_pretrained(legacy, dtype=torch.float32)
    for k, v in model.state_dict().items():
        assert torch.equal(reloaded.state_dict()[k], v), k
    shutil.rmtree(legacy)

    eos = vocab["<|endoftext|>"]
    assert eos < 1000
    batch = tensors["ids.base"][[0, 2, 3, 11]].clone()
    # A hand-made row: ids above the end token and the end token mid-sequence,
    # so the argmax rule (eos_token_id == 2) and the eos-id rule pick different positions.
    special_row = torch.tensor([vocab["<|startoftext|>"], 999, 17, 998, eos, 5, eos] + [eos] * 70, dtype=torch.int64)
    batch = torch.cat([batch, special_row[None]], 0)
    tensors["model.ids"] = batch
    with torch.no_grad():
        out = model(input_ids=batch, output_hidden_states=True)
        tensors["model.last_hidden_state"] = out.last_hidden_state.contiguous()
        tensors["model.pooled_argmax"] = out.pooler_output.contiguous()
        # Two rows only for the rest, to keep the fixture small.
        pair = batch[[0, 4]]
        tensors["model.pair_ids"] = pair
        tensors["model.penultimate_hidden_state"] = model(input_ids=pair, output_hidden_states=True).hidden_states[-2].contiguous()
        # diffusers' encode_prompt with clip_skip=1: final_layer_norm(hidden_states[-2]).
        tensors["model.clip_skip_1"] = model.final_layer_norm(tensors["model.penultimate_hidden_state"]).contiguous()
        # New-style configs: the pooled output is at the first eos_token_id.
        model.eos_token_id = eos
        tensors["model.pooled_eos"] = model(input_ids=batch).pooler_output.contiguous()
        model.eos_token_id = 2
        # A short sequence without padding (fewer than 77 positions).
        short = torch.tensor([unpadded[0]], dtype=torch.int64)
        tensors["model.short_ids"] = short
        tensors["model.short_last_hidden_state"] = model(input_ids=short).last_hidden_state.contiguous()
        # The same weights with hidden_act "gelu" (as Stable Diffusion 2's OpenCLIP text encoder).
        gelu_config = CLIPTextConfig(**{**config.to_dict(), "hidden_act": "gelu"})
        gelu_model = CLIPTextModel(gelu_config).eval()
        gelu_model.load_state_dict(model.state_dict())
        tensors["model.gelu_last_hidden_state"] = gelu_model(input_ids=pair).last_hidden_state.contiguous()
    meta["model_eos_id"] = eos

    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(FIXTURES, "text_encoder.safetensors"),
              metadata={"generator": "tools/make_text_encoder_fixtures.py"})
    with open(os.path.join(FIXTURES, "text_encoder.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1, ensure_ascii=False)
    for name in sorted(tensors):
        print(name, tuple(tensors[name].shape))


if __name__ == "__main__":
    main()
