#!/usr/bin/env python3
"""How much the caption steers a GlyphPoster pipeline folder: the ControlNet +
UNet prediction (diffusers) on fixed noise and an empty glyph condition, for
captions that differ only in the background colour word, and for the empty
caption; prints ||pred(caption) - pred(purple caption)|| / ||pred(purple)|| per
timestep. Developer-only (pip install diffusers transformers torch).

    python3 tools/probe_caption_influence.py models/glyphcontrol [PAD_LENGTH]

PAD_LENGTH (default 77) pads the tokens to fewer positions, to see whether the
padding tokens dilute the colour word's attention.

For an x0-predicting folder (prediction_type "sample") it also prints the mean
RGB of the predicted image at t = 999, 949 and 849 for five background colour
words: a model that reads the caption gives five different colours there,
one that does not gives the dataset's mean colour five times.
"""
import json
import sys

import torch
from diffusers import ControlNetModel, UNet2DConditionModel
from transformers import CLIPTextModel, CLIPTokenizer

folder = sys.argv[1]
length = int(sys.argv[2]) if len(sys.argv) > 2 else 77
tokenizer = CLIPTokenizer.from_pretrained(folder + "/tokenizer")
text_encoder = CLIPTextModel.from_pretrained(folder + "/text_encoder").float()
unet = UNet2DConditionModel.from_pretrained(folder + "/unet").float()
controlnet = ControlNetModel.from_pretrained(folder + "/controlnet").float()


def encode(prompt):
    ids = tokenizer(prompt, padding="max_length", max_length=length, truncation=True, return_tensors="pt").input_ids
    with torch.no_grad():
        return text_encoder(ids).last_hidden_state


def predict(t, context):
    """ControlNet then UNet on the fixed sample and empty condition."""
    with torch.no_grad():
        down, mid = controlnet(sample, t, encoder_hidden_states=context, controlnet_cond=condition, return_dict=False)
        return unet(sample, t, encoder_hidden_states=context, down_block_additional_residuals=down,
                    mid_block_additional_residual=mid).sample


torch.manual_seed(0)
sample = torch.randn(1, unet.config.in_channels, unet.config.sample_size, unet.config.sample_size)
scale = 256 // unet.config.sample_size
condition = torch.zeros(1, controlnet.config.conditioning_channels, sample.shape[2] * scale, sample.shape[3] * scale)
for t in [999, 900, 700, 400]:
    outputs = {}
    for colour in ["purple", "green", "yellow", ""]:
        outputs[colour] = predict(t, encode(f"a {colour} poster with white bold text 'Happy Birthday'" if colour else ""))
    base = outputs["purple"]
    print(f"t={t}: " + ", ".join(f"{c or 'empty caption'} {float((o - base).norm() / base.norm()):.4f}" for c, o in outputs.items() if c != "purple"))

with open(folder + "/scheduler/scheduler_config.json") as f:
    prediction_type = json.load(f).get("prediction_type", "epsilon")
if prediction_type == "sample":
    print("mean RGB (0-255) of the x0 prediction, fixed noise, no glyphs:")
    for t in [999, 949, 849]:
        means = []
        for colour in ["black", "white", "yellow", "red", "dark blue"]:
            x0 = predict(t, encode(f"a {colour} poster with white bold text 'Open Late'"))
            image = torch.nn.functional.pixel_shuffle(x0, scale)[0]
            means.append(f"{colour} {((image.mean(dim=(1, 2)) + 1) * 127.5).round().int().tolist()}")
        print(f"t={t}: " + ", ".join(means))
