#!/usr/bin/env python3
"""Writes Tests/GlyphControlTests/Fixtures/pipeline_run.safetensors: a whole
StableDiffusionControlNetPipeline run (DDIM, 4 steps, guidance 3, ControlNet
scale 0.8) on the tiny components of make_unet_fixtures.py, with given prompt
embeddings and initial latents so GlyphPoster's pipeline can repeat it
exactly; plus `controlnet-rgb/`, a 3-channel-condition ControlNet as the
diffusers pipeline feeds it (grey masks become RGB). Developer-only.
"""
import os

import numpy as np
import torch
from diffusers import AutoencoderKL, ControlNetModel, DDIMScheduler, StableDiffusionControlNetPipeline, UNet2DConditionModel
from PIL import Image
from safetensors.torch import save_file

torch.manual_seed(1)
root = os.path.join(os.path.dirname(__file__), "..", "Tests", "GlyphControlTests", "Fixtures")
unet = UNet2DConditionModel.from_pretrained(os.path.join(root, "unet-latent")).eval()
vae = AutoencoderKL.from_pretrained(os.path.join(root, "vae")).eval()
control = ControlNetModel(in_channels=4, conditioning_channels=3, conditioning_embedding_out_channels=(4, 8),
                          block_out_channels=(8, 16), layers_per_block=2, norm_num_groups=4, cross_attention_dim=12,
                          attention_head_dim=2, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"))
with torch.no_grad():
    for name, p in control.named_parameters():
        p.copy_((1 + 0.1 * torch.randn_like(p)) if "norm" in name and name.endswith("weight") else 0.15 * torch.randn_like(p))
control.eval().save_pretrained(os.path.join(root, "controlnet-rgb"), safe_serialization=True)
scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, steps_offset=1,
                          set_alpha_to_one=False, clip_sample=False)
scheduler.save_pretrained(os.path.join(root, "scheduler"))
pipe = StableDiffusionControlNetPipeline(vae=vae, text_encoder=None, tokenizer=None, unet=unet, controlnet=control,
                                         scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                         requires_safety_checker=False)
mask = (np.random.RandomState(0).rand(32, 32) > 0.6).astype(np.uint8) * 255
prompt, negative = torch.randn(1, 5, 12), torch.randn(1, 5, 12)
latents = torch.randn(1, 4, 16, 16)
with torch.no_grad():
    image = pipe(prompt_embeds=prompt, negative_prompt_embeds=negative, image=Image.fromarray(mask).convert("RGB"),
                 height=32, width=32, num_inference_steps=4, guidance_scale=3.0, controlnet_conditioning_scale=0.8,
                 latents=latents, output_type="pt").images
save_file({"prompt_embeds": prompt, "negative_prompt_embeds": negative, "latents": latents,
           "mask": torch.from_numpy(mask).to(torch.uint8), "image": image.contiguous()},
          os.path.join(root, "pipeline_run.safetensors"))
print("image", tuple(image.shape), float(image.mean()))
