#!/usr/bin/env python3
"""Writes tiny diffusers UNet2DConditionModel / ControlNetModel checkpoints and
their outputs for GlyphControl's exactness tests, under
Tests/GlyphControlTests/Fixtures/: `unet-latent/`, `unet-pixel/`, `controlnet/`
(config.json + diffusion_pytorch_model.safetensors, random weights: zero convs
too, so the ControlNet path is really exercised) and `unet_outputs.safetensors`
(inputs and noise predictions). Developer-only: pip install diffusers torch.
"""
import os

import torch
from diffusers import AutoencoderKL, ControlNetModel, UNet2DConditionModel
from safetensors.torch import save_file

from diffusers_fixture_helpers import FIXTURES, randomise

torch.manual_seed(0)
root = FIXTURES


common = dict(block_out_channels=(8, 16), layers_per_block=2, norm_num_groups=4, cross_attention_dim=12,
              attention_head_dim=2)
latent = randomise(UNet2DConditionModel(in_channels=4, out_channels=4,
                                        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), sample_size=16, **common))
pixel = randomise(UNet2DConditionModel(in_channels=3, out_channels=3, use_linear_projection=True,
                                       down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                       up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), sample_size=16, **common))
control = randomise(ControlNetModel(in_channels=4, conditioning_channels=1, conditioning_embedding_out_channels=(4, 8),
                                    down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), **common))
vae = randomise(AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16), layers_per_block=1,
                               norm_num_groups=4, down_block_types=("DownEncoderBlock2D",) * 2,
                               up_block_types=("UpDecoderBlock2D",) * 2, sample_size=16), std=0.1)
for name, model in [("unet-latent", latent), ("unet-pixel", pixel), ("controlnet", control), ("vae", vae)]:
    model.save_pretrained(os.path.join(root, name), safe_serialization=True)

tensors = {}
with torch.no_grad():
    sample = torch.randn(2, 4, 16, 16)
    pixels = torch.randn(2, 3, 16, 16)
    context = torch.randn(2, 5, 12)
    timesteps = torch.tensor([10, 700])
    mask = (torch.rand(2, 1, 32, 32) > 0.7).float()
    tensors.update({"sample": sample, "pixels": pixels, "context": context, "timesteps": timesteps, "mask": mask})
    tensors["latent.out"] = latent(sample, timesteps, encoder_hidden_states=context).sample
    tensors["pixel.out"] = pixel(pixels, timesteps, encoder_hidden_states=context).sample
    down, mid = control(sample, timesteps, encoder_hidden_states=context, controlnet_cond=mask,
                        conditioning_scale=0.7, return_dict=False)
    for i, d in enumerate(down):
        tensors[f"control.down.{i}"] = d
    tensors["control.mid"] = mid
    tensors["combined.out"] = latent(sample, timesteps, encoder_hidden_states=context,
                                     down_block_additional_residuals=down, mid_block_additional_residual=mid).sample
    down, mid = control(sample, timesteps, encoder_hidden_states=context, controlnet_cond=mask,
                        conditioning_scale=1.0, guess_mode=True, return_dict=False)
    tensors["guess.mid"] = mid
    tensors["guess.down.0"] = down[0]
    image = torch.rand(1, 3, 16, 16) * 2 - 1
    posterior = vae.encode(image).latent_dist
    tensors.update({"vae.image": image, "vae.mean": posterior.mean, "vae.logvar": posterior.logvar})
    latents = torch.randn(1, 4, 8, 8)
    tensors.update({"vae.latents": latents, "vae.decoded": vae.decode(latents).sample})
save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(root, "unet_outputs.safetensors"))
total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
print(f"wrote fixtures under {os.path.normpath(root)} ({total} bytes in all)")
