#!/usr/bin/env python3
"""Writes tiny diffusers UNet2DConditionModel / ControlNetModel checkpoints with
`addition_embed_type="text"` (the pooled caption, diffusers TextTimeEmbedding,
added to the time embedding) and their outputs, under
Tests/GlyphControlTests/Fixtures/: `unet-pooled/`, `controlnet-pooled/` and
`pooled_outputs.safetensors`. Developer-only: pip install diffusers torch.
"""
import os

import torch
from diffusers import ControlNetModel, UNet2DConditionModel
from safetensors.torch import save_file

from diffusers_fixture_helpers import FIXTURES, randomise

torch.manual_seed(1)
root = FIXTURES


common = dict(block_out_channels=(8, 16), layers_per_block=1, norm_num_groups=4, cross_attention_dim=12,
              attention_head_dim=2, addition_embed_type="text", addition_embed_type_num_heads=3)
unet = randomise(UNet2DConditionModel(in_channels=3, out_channels=3, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                      up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), sample_size=8, **common))
control = randomise(ControlNetModel(in_channels=3, conditioning_channels=1, conditioning_embedding_out_channels=(4, 8),
                                    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), **common))
for name, model in [("unet-pooled", unet), ("controlnet-pooled", control)]:
    model.save_pretrained(os.path.join(root, name), safe_serialization=True)

tensors = {}
with torch.no_grad():
    sample = torch.randn(2, 3, 8, 8)
    context = torch.randn(2, 5, 12)
    timesteps = torch.tensor([3, 900])
    mask = (torch.rand(2, 1, 16, 16) > 0.7).float()
    tensors.update({"sample": sample, "context": context, "timesteps": timesteps, "mask": mask})
    tensors["pooled"] = unet.add_embedding(context)
    tensors["unet.out"] = unet(sample, timesteps, encoder_hidden_states=context).sample
    down, mid = control(sample, timesteps, encoder_hidden_states=context, controlnet_cond=mask, return_dict=False)
    tensors["control.mid"] = mid
    tensors["combined.out"] = unet(sample, timesteps, encoder_hidden_states=context,
                                   down_block_additional_residuals=down, mid_block_additional_residual=mid).sample
save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(root, "pooled_outputs.safetensors"))
print("wrote unet-pooled/, controlnet-pooled/ and pooled_outputs.safetensors")
