"""Shared by the diffusers fixture scripts (make_unet_fixtures.py,
make_pooled_caption_fixtures.py): where GlyphControl's fixtures live and how
a tiny model gets random weights that exercise every parameter."""
import os

import torch

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "Tests", "GlyphControlTests", "Fixtures")


def randomise(model, std=0.15):
    """Every weight random (zero convs too): norm scales near 1, the rest N(0, std)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(std * torch.randn_like(p))
    return model.eval()
