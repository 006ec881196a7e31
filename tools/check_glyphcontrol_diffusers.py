#!/usr/bin/env python3
"""Checks that diffusers and transformers load a GlyphPoster pipeline folder
(as `poster train glyphcontrol` writes it) unchanged and compute what
GlyphPoster computes on the same inputs:

  a. the whole folder loads with StableDiffusionControlNetPipeline.from_pretrained
     (vae=None passed for a pixel-space folder: diffusers does not treat vae as
     optional, so model_index.json's null entry alone is not enough), in float32;
     config keys diffusers does not read are listed;
  b. the caption's token ids (exact) and CLIP last_hidden_state match
     `poster debug text`;
  c. one ControlNet + UNet call (seeded pixel-unshuffled image, timestep 500,
     the text states from b, a glyph mask with a white rectangle) matches
     `poster debug denoise`: relative error ||ours - diffusers|| / ||diffusers||
     at most --tolerance;
  d. scheduler/ loads into the class model_index.json names (one GlyphPoster implements) with the folder's prediction_type; a
     folder with trained_betas (a shifted cosine schedule) samples with them,
     and they are squaredcos_cap_v2 with every SNR divided by one constant.

If the whole-folder load fails, the components are loaded one by one (the
output says so and why), the remaining checks still run, and check a fails.

    python3 tools/check_glyphcontrol_diffusers.py [--model models/glyphcontrol] [--poster .build/release/poster]
Needs torch, diffusers, transformers, safetensors, numpy
(pip install torch==2.13.0+cpu diffusers transformers safetensors numpy).
Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

warnings.filterwarnings("ignore")
import diffusers  # noqa: E402
import transformers  # noqa: E402
from diffusers import ControlNetModel, DDIMScheduler, UNet2DConditionModel  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer  # noqa: E402

diffusers.utils.logging.set_verbosity_error()
diffusers.utils.logging.disable_progress_bar()
transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

CAPTION = "a dark blue poster with yellow circles and white bold text 'Open Late'"
results = []


def check(name, ok, detail):
    results.append((name, ok, detail))
    print(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}")


def first_line(error):
    return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"


def errors(ours, ref):
    ours, ref = ours.double(), ref.double()
    diff = (ours - ref).norm().item()
    return (ours - ref).abs().max().item(), diff / max(ref.norm().item(), 1e-30)


def text_encoder_from(folder):
    """CLIPTextModel.from_pretrained, or, when transformers rejects config.json,
    the config with integer values cast to float where transformers declares a
    float field, so the numeric checks still run; returns (model, fields cast)."""
    try:
        return CLIPTextModel.from_pretrained(folder, dtype=torch.float32), []
    except Exception as error:  # noqa: BLE001 (diagnosed below)
        first = error
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    cast = []
    for _ in range(len(config)):
        try:
            fixed = CLIPTextConfig.from_dict(config)
            break
        except Exception as error:  # noqa: BLE001
            field = str(error).split("field '", 1)[-1].split("'", 1)[0]
            if field in config and type(config[field]) is int:
                cast.append(f"{field}: {config[field]} -> {float(config[field])}")
                config[field] = float(config[field])
            else:
                raise first
    else:
        raise first
    return CLIPTextModel.from_pretrained(folder, config=fixed, dtype=torch.float32), cast


def load(model, index):
    """Step a: the components, by the whole-folder route when it works."""
    print("a. loading with diffusers", diffusers.__version__, "/ transformers", transformers.__version__)
    has_vae = (index.get("vae") or [None, None])[1] is not None
    pipeline_class = getattr(diffusers, index.get("_class_name", "StableDiffusionControlNetPipeline"))
    kwargs = {} if has_vae else {"vae": None}
    call = f"{pipeline_class.__name__}.from_pretrained(model{'' if has_vae else ', vae=None'}, dtype=torch.float32)"
    try:
        pipe = pipeline_class.from_pretrained(model, dtype=torch.float32, **kwargs)
        print(f"  route: whole folder, {call}")
        check("diffusers loads the folder", True, f"{type(pipe).__name__}, vae {'present' if has_vae else 'None (pixel space)'}")
        return pipe.unet, getattr(pipe, "controlnet", None), pipe.text_encoder, pipe.tokenizer
    except Exception as error:  # noqa: BLE001
        why = first_line(error)
    print(f"  route: components one by one, because {call} failed with\n    {why}")
    unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet", dtype=torch.float32)
    controlnet = None
    if index.get("controlnet"):
        controlnet = ControlNetModel.from_pretrained(model, subfolder="controlnet", dtype=torch.float32)
    tokenizer = CLIPTokenizer.from_pretrained(model, subfolder="tokenizer")
    text_encoder, cast = text_encoder_from(os.path.join(model, "text_encoder"))
    if cast:
        print(f"  text_encoder/config.json is rejected by transformers {transformers.__version__}: "
              f"integer values in float fields ({'; '.join(cast)}); loaded with them cast to float for the checks below")
    check("diffusers loads the folder", False, why + (f" [text_encoder/config.json: {'; '.join(cast)}]" if cast else ""))
    return unet, controlnet, text_encoder, tokenizer


def unread_keys(model, index):
    """Config keys diffusers does not pass to the class (it would ignore them)."""
    classes = {"unet": UNet2DConditionModel, "controlnet": ControlNetModel, "scheduler": DDIMScheduler}
    notes = []
    for sub, cls in classes.items():
        if not index.get(sub):
            continue
        if sub == "scheduler":
            cls = getattr(diffusers, index["scheduler"][1])
        _, unused, _ = cls.extract_init_dict(cls.load_config(model, subfolder=sub))
        unused = sorted(k for k in unused if not k.startswith("_"))
        if unused:
            notes.append(f"{sub}: {', '.join(unused)}")
    print(f"  config keys diffusers does not read: {'; '.join(notes) if notes else 'none'}")


def run_poster(poster, *args):
    done = subprocess.run([poster, "debug", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"poster debug {args[0]} exited {done.returncode}: {(done.stderr or done.stdout).strip()[-500:]}")


def denoise(args, tmp, name, unet, controlnet, sample, timestep, states, cond, scale):
    """Step c: diffusers' ControlNet + UNet call vs `poster debug denoise` on the
    same tensors; returns how much the ControlNet residuals move diffusers'
    noise_pred (relative), None without a ControlNet."""
    inputs = {"sample": sample.contiguous(), "timestep": timestep, "encoder_hidden_states": states.contiguous()}
    residuals, effect = {}, None
    if controlnet is not None:
        inputs["controlnet_cond"] = cond
        inputs["conditioning_scale"] = torch.tensor([scale], dtype=torch.float32)
        down, mid = controlnet(sample, timestep, encoder_hidden_states=states, controlnet_cond=cond,
                               conditioning_scale=scale, return_dict=False)
        residuals = {"down_block_additional_residuals": down, "mid_block_additional_residual": mid}
    reference = unet(sample, timestep, encoder_hidden_states=states, **residuals).sample
    if controlnet is not None:
        effect = errors(unet(sample, timestep, encoder_hidden_states=states).sample, reference)[1]
    input_path, output_path = os.path.join(tmp, "denoise_in.safetensors"), os.path.join(tmp, "denoise_out.safetensors")
    save_file(inputs, input_path)
    try:
        run_poster(args.poster, "denoise", "--model", args.model, "--input", input_path, "--output", output_path)
        ours = load_file(output_path)["noise_pred"]
        if ours.shape == reference.shape:
            max_abs, rel = errors(ours, reference)
            check(name, rel <= args.tolerance,
                  f"{list(reference.shape)} max abs err {max_abs:.3e}, rel err {rel:.3e} (tolerance {args.tolerance:g}; "
                  f"diffusers' std {reference.std().item():.3e}" + (f", scale {scale:.4g}" if controlnet is not None else "") + ")")
        else:
            check(name, False, f"shape {list(ours.shape)}, diffusers {list(reference.shape)}")
    except RuntimeError as error:
        check(name, False, str(error))
    return effect


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/glyphcontrol", help="GlyphPoster pipeline folder")
    parser.add_argument("--poster", default=".build/release/poster", help="the poster binary")
    parser.add_argument("--caption", default=CAPTION)
    parser.add_argument("--timestep", type=int, default=500)
    parser.add_argument("--conditioning-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest relative error (norm of diff / norm of diffusers')")
    args = parser.parse_args()
    for path, what in [(args.model, "model folder"), (args.poster, "poster binary")]:
        if not os.path.exists(path):
            sys.exit(f"error: {what} {path} does not exist")
    with open(os.path.join(args.model, "model_index.json")) as f:
        index = json.load(f)
    settings = {}
    if os.path.exists(os.path.join(args.model, "glyphposter.json")):
        with open(os.path.join(args.model, "glyphposter.json")) as f:
            settings = json.load(f)
    print(f"checking {args.model} against {args.poster} (torch {torch.__version__})")

    unet, controlnet, text_encoder, tokenizer = load(args.model, index)
    unread_keys(args.model, index)

    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        # b. Tokenizer and text encoder, as StableDiffusionPipeline.encode_prompt does.
        print("b. text: tokenizer + CLIPTextModel vs poster debug text")
        ids = tokenizer(args.caption, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                        return_tensors="pt").input_ids
        states = text_encoder(ids)[0]
        ours_text = os.path.join(tmp, "text.safetensors")
        try:
            run_poster(args.poster, "text", "--model", args.model, "--prompt", args.caption, "--output", ours_text)
            ours = load_file(ours_text)
            same = ours["input_ids"].shape == ids.shape and torch.equal(ours["input_ids"].long(), ids)
            used = int((ids[0] != tokenizer.pad_token_id).sum()) + 1  # the first end token too
            check("input_ids", same, f"{ids.shape[1]} ids ({used} before padding), {'identical' if same else 'DIFFER'}"
                  + ("" if same else f"\n    transformers {ids[0].tolist()}\n    GlyphPoster  {ours['input_ids'][0].tolist()}"))
            if ours["last_hidden_state"].shape == states.shape:
                max_abs, rel = errors(ours["last_hidden_state"], states)
                check("last_hidden_state", rel <= args.tolerance, f"{list(states.shape)} max abs err {max_abs:.3e}, rel err {rel:.3e}")
            else:
                check("last_hidden_state", False, f"shape {list(ours['last_hidden_state'].shape)}, transformers {list(states.shape)}")
        except RuntimeError as error:
            check("poster debug text", False, str(error))

        # c. One ControlNet + UNet call on seeded inputs.
        print("c. denoise: ControlNetModel + UNet2DConditionModel vs poster debug denoise")
        generator = torch.Generator().manual_seed(args.seed)
        if (index.get("vae") or [None, None])[1]:  # latent space: latents at the VAE's scale
            with open(os.path.join(args.model, "vae", "config.json")) as f:
                scale = 2 ** (len(json.load(f)["block_out_channels"]) - 1)
            size = int(settings.get("sample_size") or unet.config.sample_size * scale)
            sample = torch.randn(1, unet.config.in_channels, size // scale, size // scale, generator=generator)
            kind = "latents"
        else:  # pixel space: the pixel-unshuffled image
            factor = int(settings.get("pixel_unshuffle", 1))
            size = int(settings.get("sample_size") or unet.config.sample_size * factor)
            image = torch.rand(1, 3, size, size, generator=generator) * 2 - 1
            sample = F.pixel_unshuffle(image, factor)
            kind = f"pixel_unshuffle(image [1,3,{size},{size}], {factor})"
            if sample.shape[1] != unet.config.in_channels:
                check("sample channels", False, f"{kind} has {sample.shape[1]} channels, unet in_channels is {unet.config.in_channels}")
        timestep = torch.tensor([args.timestep], dtype=torch.int64)
        cond = None
        if controlnet is not None:
            # The conditioning embedding downsamples by 2 per block after the first: the image size for SD-style models.
            side = sample.shape[-1] * 2 ** (len(controlnet.config.conditioning_embedding_out_channels) - 1)
            cond = torch.zeros(1, controlnet.config.conditioning_channels, side, side)
            cond[:, :, int(side * 0.35):int(side * 0.6), int(side * 0.2):int(side * 0.8)] = 1.0
        print(f"  sample {kind} -> {list(sample.shape)}, timestep {args.timestep}, encoder_hidden_states {list(states.shape)}"
              + (f", controlnet_cond {list(cond.shape)} (white rectangle)" if cond is not None else ", no controlnet"))
        effect = denoise(args, tmp, "noise_pred", unet, controlnet, sample, timestep, states, cond, args.conditioning_scale)
        if effect is not None and effect < 1e-2:
            # A ControlNet whose zero-initialised output convs are still small barely moves noise_pred, so a wrong
            # ControlNet would hide under the tolerance: again with the residuals scaled up to matter.
            scale = args.conditioning_scale * min(1e4, 0.3 / max(effect, 1e-12))
            print(f"  the ControlNet moves noise_pred by only {effect:.3e} (relative): again with conditioning_scale {scale:.4g}")
            effect = denoise(args, tmp, "noise_pred, ControlNet amplified", unet, controlnet, sample, timestep, states, cond, scale)
            print(f"  (there the ControlNet moves noise_pred by {effect:.3e})")

    # d. Scheduler.
    print("d. scheduler")
    with open(os.path.join(args.model, "scheduler", "scheduler_config.json")) as f:
        written = json.load(f)
    try:
        scheduler_class = getattr(diffusers, written.get("_class_name", "DDIMScheduler"))
        scheduler = scheduler_class.from_pretrained(args.model, subfolder="scheduler")
        scheduler.set_timesteps(int(settings.get("steps", 20)))
        same = scheduler.config.prediction_type == written.get("prediction_type", "epsilon")
        with open(os.path.join(args.model, "model_index.json")) as f:
            indexed = json.load(f).get("scheduler", [None, "DDIMScheduler"])[1]
        # The class model_index.json names, and one GlyphPoster implements (DDIM, DPM-Solver++ 2M, Euler, DDPM).
        supported = ("DDIMScheduler", "DPMSolverMultistepScheduler", "EulerDiscreteScheduler", "DDPMScheduler")
        same = same and type(scheduler).__name__ == indexed and indexed in supported
        check("scheduler", same,
              f"{type(scheduler).__name__}, prediction_type {scheduler.config.prediction_type} (file: {written.get('prediction_type')}), "
              f"{len(scheduler.timesteps)} steps {scheduler.timesteps[:3].tolist()}...{scheduler.timesteps[-1].item()}")
    except Exception as error:  # noqa: BLE001
        check("scheduler", False, first_line(error))
    if written.get("trained_betas") is not None:
        # A shifted cosine schedule (train glyphcontrol --noise-schedule-shift): diffusers must sample with the file's
        # betas, and they must be diffusers' own squaredcos_cap_v2 with every SNR divided by one constant (shift²).
        try:
            from diffusers.schedulers.scheduling_ddim import betas_for_alpha_bar
            file_betas = torch.tensor(written["trained_betas"], dtype=torch.float32)
            plain = torch.cumprod(1 - betas_for_alpha_bar(len(file_betas)).double(), 0)
            used = torch.cumprod(1 - scheduler.betas.double(), 0)
            ratios = [(plain[t] / (1 - plain[t]) / (used[t] / (1 - used[t]))).sqrt().item() for t in (100, 300, 500, 700, 900)]
            constant = max(ratios) / min(ratios) < 1.01
            check("scheduler trained_betas", torch.equal(scheduler.betas, file_betas) and constant,
                  f"{len(file_betas)} betas used as written; squaredcos_cap_v2 shifted by {', '.join(f'{r:.3f}' for r in ratios)} "
                  f"at t = 100..900 (SNR / shift²)")
        except Exception as error:  # noqa: BLE001
            check("scheduler trained_betas", False, first_line(error))

    failed = [name for name, ok, _ in results if not ok]
    print(f"\n{'PASS' if not failed else 'FAIL'}: {len(results) - len(failed)}/{len(results)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
