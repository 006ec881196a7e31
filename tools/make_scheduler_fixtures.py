#!/usr/bin/env python3
"""Developer script: record diffusers scheduler behaviour for the Swift
GlyphControl scheduler tests (Tests/GlyphControlTests/SchedulerTests.swift).

Needs `pip install diffusers torch safetensors` (CPU torch is enough). The tests
themselves never run Python; they read the file this script writes:

    Tests/GlyphControlTests/Fixtures/schedulers.safetensors

Contents (F32 for float tensors, I64 for integer timesteps):
  shared.latent           [1,4,8,8]  starting noise of every trajectory
  shared.eps, shared.noise [1,4,8,8]  bases of the per-step tensors: step i
                          uses base.flatten()[(k*(2i+1) + c*i + d) % 256] at
                          element k (a permutation; c, d = 13, 0 for eps and
                          29, 5 for noise), see permuted()
  shared.image            [1,4,8,8]  clean latent for the img2img runs
  shared.addnoise.original/noise [2,4,4,4]
  <case>.timesteps.<N>    timesteps after set_timesteps(N), N in STEP_COUNTS
                          (I64, or F32 for Euler whose timesteps are floats)
  <case>.sigmas.<N>       F32 sigmas (DPM-Solver, Euler)
  <case>.init_noise_sigma [1]  (the run starts at shared.latent * it)
  <case>.prev.<i>         [1,4,8,8]  prev_sample after step i of a 10-step run
  <case>.addnoise.timesteps, <case>.addnoise   add_noise of the shared pair
  <case>.img2img.*        strength-0.6 img2img run (timesteps, init, prev.<i>)
  alphas_cumprod.<schedule>  [1000] for scaled_linear (SD) and squaredcos_cap_v2
The model used by every trajectory is
    model_output = 0.1 * scale_model_input(x, t) + shared.eps.<i>
computed in float32. Metadata: "cases" (comma list), and per case
"<case>.class", "<case>.config_in" (the partial config given to from_config,
so class defaults are exercised), "<case>.eta", "<case>.trajectory" (0/1),
and "<case>.config" (diffusers' full saved config JSON) for the first case of
each class.
"""
import json
import os

import numpy as np
import torch
import diffusers
import diffusers.schedulers.scheduling_ddpm as ddpm_module
from diffusers import (DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler,
                       EulerDiscreteScheduler)
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "GlyphControlTests", "Fixtures", "schedulers.safetensors")

STEP_COUNTS = [1, 3, 7, 10, 25, 50]
TRAJECTORY_STEPS = 10
SHAPE = (1, 4, 8, 8)

SD15 = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012,
            beta_schedule="scaled_linear", steps_offset=1, set_alpha_to_one=False,
            clip_sample=False)

# (name, class, partial config, eta for DDIM, img2img run); names in NO_TRAJECTORY
# record timesteps, sigmas and add_noise only (keeps the file under 200 KB).
NO_TRAJECTORY = {"dpm_trailing_linear", "euler_leading"}
CASES = [
    ("ddpm_sd15", DDPMScheduler, SD15, 0.0, False),
    ("ddpm_linear_clip", DDPMScheduler, {}, 0.0, False),  # class defaults: linear 1e-4..0.02, clip_sample
    ("ddpm_cos_vpred_trailing", DDPMScheduler,
     dict(beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction",
          timestep_spacing="trailing", clip_sample=False), 0.0, False),
    ("ddim_sd15", DDIMScheduler, SD15, 0.0, False),
    ("ddim_sd15_eta", DDIMScheduler, SD15, 0.7, False),
    ("ddim_vpred_trailing", DDIMScheduler,
     dict(SD15, prediction_type="v_prediction", timestep_spacing="trailing", set_alpha_to_one=True), 0.0, False),
    ("ddim_linspace_sample_clip", DDIMScheduler,
     dict(prediction_type="sample", timestep_spacing="linspace", clip_sample=True,
          clip_sample_range=0.8), 0.0, False),
    ("dpm_sd15", DPMSolverMultistepScheduler, SD15, 0.0, True),
    ("dpm_leading_vpred", DPMSolverMultistepScheduler,
     dict(SD15, timestep_spacing="leading", prediction_type="v_prediction"), 0.0, False),
    ("dpm_trailing_linear", DPMSolverMultistepScheduler,
     dict(timestep_spacing="trailing"), 0.0, False),
    ("euler_sd15", EulerDiscreteScheduler, SD15, 0.0, True),
    ("euler_leading", EulerDiscreteScheduler, dict(SD15, timestep_spacing="leading"), 0.0, False),
    ("euler_vpred_trailing", EulerDiscreteScheduler,
     dict(SD15, prediction_type="v_prediction", timestep_spacing="trailing"), 0.0, False),
]

tensors = {}
metadata = {}


def put(name, value):
    tensors[name] = value.detach().clone().contiguous()


def permuted(base, i, c, d):
    flat = base.flatten()
    n = flat.numel()
    index = torch.tensor([(k * (2 * i + 1) + c * i + d) % n for k in range(n)])
    return flat[index].reshape(base.shape).clone()


def main():
    gen = torch.Generator().manual_seed(20240601)
    latent = torch.randn(SHAPE, generator=gen)
    eps_base = torch.randn(SHAPE, generator=gen)
    noise_base = torch.randn(SHAPE, generator=gen)
    eps = [permuted(eps_base, i, 13, 0) for i in range(TRAJECTORY_STEPS)]
    noise = [permuted(noise_base, i, 29, 5) for i in range(TRAJECTORY_STEPS)]
    image = torch.randn(SHAPE, generator=gen) * 0.5
    an_original = torch.randn((2, 4, 4, 4), generator=gen)
    an_noise = torch.randn((2, 4, 4, 4), generator=gen)
    put("shared.latent", latent)
    put("shared.eps", eps_base)
    put("shared.noise", noise_base)
    put("shared.image", image)
    put("shared.addnoise.original", an_original)
    put("shared.addnoise.noise", an_noise)

    for schedule in ["scaled_linear", "squaredcos_cap_v2"]:
        s = DDPMScheduler(beta_schedule=schedule, beta_start=0.00085 if schedule == "scaled_linear" else 0.0001,
                          beta_end=0.012 if schedule == "scaled_linear" else 0.02)
        put(f"alphas_cumprod.{schedule}", s.alphas_cumprod)

    # DDPMScheduler.step draws its variance noise with randn_tensor; substitute
    # the recorded noise so the Swift side can pass the same tensor.
    pending_noise = []

    def fake_randn(shape, generator=None, device=None, dtype=None, layout=None):
        assert tuple(shape) == SHAPE
        return pending_noise.pop(0).to(dtype)

    ddpm_module.randn_tensor = fake_randn

    names = []
    for name, cls, config_in, eta, img2img in CASES:
        names.append(name)
        make = lambda: cls.from_config(dict(config_in))
        s = make()
        metadata[f"{name}.class"] = cls.__name__
        metadata[f"{name}.config_in"] = json.dumps(config_in, sort_keys=True)
        if not any(metadata.get(f"{other}.class") == cls.__name__ for other in names[:-1]):
            metadata[f"{name}.config"] = s.to_json_string()
        metadata[f"{name}.trajectory"] = "0" if name in NO_TRAJECTORY else "1"
        metadata[f"{name}.eta"] = repr(eta)
        is_float_t = cls is EulerDiscreteScheduler

        for n in STEP_COUNTS:
            s = make()
            s.set_timesteps(n)
            ts = s.timesteps
            put(f"{name}.timesteps.{n}", ts.to(torch.float32) if is_float_t else ts.to(torch.int64))
            if hasattr(s, "sigmas"):
                put(f"{name}.sigmas.{n}", s.sigmas.to(torch.float32))

        def run(s, timesteps, x, prefix):
            for i, t in enumerate(timesteps):
                xin = s.scale_model_input(x, t)
                out = 0.1 * xin + eps[i]
                if cls is DDPMScheduler:
                    pending_noise.clear()
                    pending_noise.append(noise[i])
                    x = s.step(out, t, x).prev_sample
                elif cls is DDIMScheduler:
                    x = s.step(out, t, x, eta=eta, variance_noise=noise[i] if eta > 0 else None).prev_sample
                else:
                    x = s.step(out, t, x).prev_sample
                put(f"{prefix}.prev.{i}", x)

        s = make()
        s.set_timesteps(TRAJECTORY_STEPS)
        put(f"{name}.init_noise_sigma", torch.tensor([float(s.init_noise_sigma)], dtype=torch.float32))
        if name not in NO_TRAJECTORY:
            x = latent * s.init_noise_sigma
            run(s, s.timesteps, x, name)

        if img2img:
            s = make()
            s.set_timesteps(TRAJECTORY_STEPS)
            init_timestep = min(int(TRAJECTORY_STEPS * 0.6), TRAJECTORY_STEPS)
            t_start = max(TRAJECTORY_STEPS - init_timestep, 0)
            ts = s.timesteps[t_start * s.order:]
            if hasattr(s, "set_begin_index"):
                s.set_begin_index(t_start * s.order)
            x = s.add_noise(image, latent, ts[:1])
            put(f"{name}.img2img.timesteps", ts.to(torch.float32) if is_float_t else ts.to(torch.int64))
            put(f"{name}.img2img.init", x)
            run(s, ts, x, f"{name}.img2img")

        s = make()
        if cls in (DDPMScheduler, DDIMScheduler):
            an_t = torch.tensor([999, 37], dtype=torch.int64)
        else:
            s.set_timesteps(TRAJECTORY_STEPS)
            an_t = s.timesteps[[0, 7]]
        put(f"{name}.addnoise.timesteps", an_t.to(torch.float32) if is_float_t else an_t.to(torch.int64))
        put(f"{name}.addnoise", s.add_noise(an_original, an_noise, an_t))

    metadata["cases"] = ",".join(names)
    metadata["step_counts"] = ",".join(map(str, STEP_COUNTS))
    metadata["diffusers"] = diffusers.__version__
    metadata["torch"] = torch.__version__
    save_file(tensors, OUT, metadata=metadata)
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
