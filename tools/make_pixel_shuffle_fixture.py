#!/usr/bin/env python3
"""Developer script: record torch's pixel_unshuffle / pixel_shuffle layout for
Tests/GlyphControlTests/PixelShuffleTests.swift. Needs CPU torch; the tests
never run Python, they read the file this writes:

    Tests/GlyphControlTests/Fixtures/pixel_unshuffle.json

Cases (inputs are arange(numel) in float32, so values name their index):
  unshuffle: [2,3,4,4] r=2 -> [2,12,2,2]
  unshuffle_wide: [1,2,4,6] r=2 -> [1,8,2,3]
  shuffle: [2,8,2,3] r=2 -> [2,2,4,6]
"""
import json
from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parent.parent / "Tests/GlyphControlTests/Fixtures/pixel_unshuffle.json"


def case(op, shape, r):
    x = torch.arange(int(torch.tensor(shape).prod()), dtype=torch.float32).reshape(shape)
    y = op(x, r)
    return {"input_shape": list(shape), "factor": r, "output_shape": list(y.shape),
            "output": [int(v) for v in y.flatten().tolist()]}


def main():
    fixture = {
        "torch_version": torch.__version__,
        "unshuffle": case(F.pixel_unshuffle, [2, 3, 4, 4], 2),
        "unshuffle_wide": case(F.pixel_unshuffle, [1, 2, 4, 6], 2),
        "shuffle": case(F.pixel_shuffle, [2, 8, 2, 3], 2),
    }
    # One line per case: small, and diffs stay readable.
    lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in fixture.items()]
    OUT.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
