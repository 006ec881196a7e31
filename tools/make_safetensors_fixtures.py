#!/usr/bin/env python3
"""Regenerates Tests/TensorCoreTests/Fixtures/: tiny safetensors files written
by the real `safetensors` Python package, plus expected.json with the exact
values each tensor must read back as, and checks that the file our Swift
writer produced (swift_written.safetensors) reads back with the Python package.
Developer-only: the Swift tests read the committed files and never run Python.

    pip install safetensors numpy    # torch too, for the BF16 fixtures
    python3 tools/make_safetensors_fixtures.py
    # After changing the swift_written spec below, rewrite the Swift-written file
    # and run this script again to check it:
    GLYPHPOSTER_REGENERATE_FIXTURES=1 swift test --scratch-path .build-st \
        --filter SafetensorsFixtureTests/testSwiftWrittenFileMatchesCommittedBytes
    python3 tools/make_safetensors_fixtures.py

What the Swift tests check against these files:
- SafetensorsFile reads every tensor of every Python-written file to exactly the
  Float32 bit patterns (and, for integer dtypes, the exact integers) stored here;
- SafetensorsWriter, given writer_reference's inputs, produces a file byte-identical
  to writer_reference.safetensors (F16 rounding via numpy, BF16 rounding via torch,
  header order, JSON escaping and padding as the Python package writes them);
- ShardedCheckpoint reads sharded/ to the stored values;
- SafetensorsWriter reproduces swift_written.safetensors byte for byte, and this
  script checks that file with the Python package (values, dtypes, shapes, metadata).
"""
import json
import os
import struct
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file as np_save_file

try:
    import torch
    from safetensors.torch import save_file as torch_save_file
except ImportError:  # BF16 fixtures need torch; everything else does not.
    torch = None

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TensorCoreTests", "Fixtures")
F32 = np.float32
np.seterr(over="ignore")  # float32/float16 overflow to inf is intended in these fixtures
NAN = float("nan")
INF = float("inf")


def f32_bits(values):
    """uint32 bit patterns of float32 values (exact, NaN included)."""
    return [int(b) for b in np.asarray(values, dtype=F32).reshape(-1).view(np.uint32)]


def bf16_as_f32(values):
    """torch's float32 -> bfloat16 rounding, back to float32 (exact)."""
    t = torch.tensor(np.asarray(values, dtype=F32)).to(torch.bfloat16)
    return t.float().numpy()


def spec(array_or_tensor, dtype, expected_f32, ints=None):
    entry = {"dtype": dtype, "shape": list(array_or_tensor.shape), "f32_bits": f32_bits(expected_f32)}
    if ints is not None:
        entry["ints"] = [int(v) for v in np.asarray(ints).reshape(-1)]
    return entry


def save(name, tensors, metadata):
    """Saves numpy arrays (and torch bfloat16 tensors) with the Python package."""
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if torch is not None:
        # np.array(copy=True) keeps 0-d shapes (np.ascontiguousarray would make them 1-d).
        converted = {k: (v if isinstance(v, torch.Tensor) else torch.from_numpy(np.array(v, order="C", copy=True)))
                     for k, v in tensors.items()}
        torch_save_file(converted, path, metadata=metadata)
    else:
        np_save_file(tensors, path, metadata=metadata)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def file_f32():
    weight = np.array([[0.5, -1.25, 3.0], [1e-3, -7.5, 123456.789]], dtype=F32)
    bias = np.array([0.1, -0.2, 0.3], dtype=F32)
    scalar = np.array(2.5, dtype=F32)
    empty = np.zeros((0, 4), dtype=F32)
    special = np.array([NAN, INF, -INF, -0.0, np.finfo(F32).tiny / 4, np.finfo(F32).max], dtype=F32)
    tensors = {"weight": weight, "bias": bias, "scalar": scalar, "empty": empty, "special": special}
    save("f32.safetensors", tensors, {"format": "pt"})
    return {"metadata": {"format": "pt"},
            "tensors": {k: spec(v, "F32", v) for k, v in tensors.items()}}


def file_f16():
    values = np.array([1.0, -2.5, 65504.0, 2.0 ** -24, 2.0 ** -14 - 2.0 ** -24, 2.0 ** -14,
                       0.1, -0.0, INF, -INF, NAN, 1.0 / 3.0], dtype=F32)
    half = values.astype(np.float16).reshape(3, 4)
    save("f16.safetensors", {"h": half}, {"format": "pt"})
    entry = spec(half, "F16", half.astype(F32))
    entry["raw_u16"] = [int(b) for b in half.reshape(-1).view(np.uint16)]
    return {"metadata": {"format": "pt"}, "tensors": {"h": entry}}


def file_bf16():
    values = np.array([1.0, -2.5, 3.0e38, 1e-40, 0.1, -0.0, INF, -INF, NAN, 65504.0, np.pi], dtype=F32)
    t = torch.tensor(values).to(torch.bfloat16)
    save("bf16.safetensors", {"b": t}, {"format": "pt"})
    entry = spec(t, "BF16", t.float().numpy())
    entry["raw_u16"] = [int(b) & 0xFFFF for b in t.view(torch.int16).numpy()]
    return {"metadata": {"format": "pt"}, "tensors": {"b": entry}}


def file_ints():
    ids = np.array([0, -1, 2 ** 53 + 1, -(2 ** 63), 2 ** 63 - 1, 42], dtype=np.int64)
    i32 = np.array([[7, -8], [2 ** 31 - 1, -(2 ** 31)]], dtype=np.int32)
    i16 = np.array([-32768, 32767, 5], dtype=np.int16)
    i8 = np.array([-128, 127], dtype=np.int8)
    u8 = np.array([0, 255, 17], dtype=np.uint8)
    flags = np.array([True, False, True])
    f64 = np.array([1.0 / 3.0, -1e300, 1e-50, 2.5], dtype=np.float64)
    tensors = {"ids": ids, "i32": i32, "i16": i16, "i8": i8, "u8": u8, "flags": flags, "f64": f64}
    save("ints.safetensors", tensors, {"format": "pt"})
    out = {}
    for k, v in tensors.items():
        dtype = {"int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8",
                 "bool": "BOOL", "float64": "F64"}[str(v.dtype)]
        out[k] = spec(v, dtype, v.astype(F32), ints=None if dtype == "F64" else v.astype(np.int64))
    return {"metadata": {"format": "pt"}, "tensors": out}


def sharded():
    shard1 = {"model.embed_tokens.weight": np.arange(8, dtype=F32).reshape(4, 2) / 4,
              "model.layers.0.self_attn.q_proj.weight": np.array([[1.5, -2.0], [0.25, 8.0]], dtype=np.float16)}
    shard2 = {"model.norm.weight": np.array([1.0, 0.75], dtype=F32),
              "lm_head.weight": -np.arange(8, dtype=F32).reshape(4, 2)}
    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    weight_map = {}
    total = 0
    expected = {}
    for file, tensors in zip(names, [shard1, shard2]):
        save(os.path.join("sharded", file), tensors, {"format": "pt"})
        for k, v in tensors.items():
            weight_map[k] = file
            total += v.nbytes
            expected[k] = spec(v, "F16" if v.dtype == np.float16 else "F32", v.astype(F32))
            expected[k]["shard"] = file
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    path = os.path.join(OUT, "sharded", "model.safetensors.index.json")
    with open(path, "w") as f:
        json.dump(index, f, indent=2, sort_keys=True)  # as transformers writes it
        f.write("\n")
    print(f"wrote {os.path.relpath(path)}")
    return {"index": "sharded/model.safetensors.index.json", "metadata": {"total_size": str(total)},
            "order": sorted(weight_map), "tensors": expected}


def writer_inputs():
    """Float32 inputs chosen to hit F16/BF16 rounding ties, overflow and underflow."""
    f16_in = [1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 65519.0, 65520.0, 2.0 ** -25, 2.0 ** -25 * (1 + 2.0 ** -20),
              3 * 2.0 ** -25, 1e-8, -0.1, 0.1, INF, -INF, NAN, -2.5, 65504.0, 2.0 ** -14 * 1.5]
    bf16_in = [1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, float(np.finfo(F32).max), 3.3895e38, 0.1, -1e-40, 1e-45,
               INF, -INF, -2.5, 65504.0, float(np.pi)]
    return f16_in, bf16_in


def writer_reference():
    """What the Python package writes for given inputs; our writer must match byte for byte."""
    f16_in, bf16_in = writer_inputs()
    f32_in = [0.5, -1.25, 3.0, 1e-3, -7.5, 123456.789]
    tensors = {
        "w.f32": np.array(f32_in, dtype=F32).reshape(2, 3),
        "w.f16": np.array(f16_in, dtype=F32).astype(np.float16),
        "w.f64": np.array(f32_in[:2], dtype=F32).astype(np.float64),
        "ids": np.array([0, -1, 2 ** 40, -(2 ** 63)], dtype=np.int64),
        "i32": np.array([[1, -2], [3, 2 ** 31 - 1]], dtype=np.int32),
        "i16": np.array([-300, 300], dtype=np.int16),
        "i8": np.array([-5], dtype=np.int8),
        "mask": np.array([0, 1, 255], dtype=np.uint8),
        "flag": np.array([True, False]),
        "scalar": np.array(1.0, dtype=F32),
        "empty": np.zeros((0, 2), dtype=F32),
        "esc\"\\\n\u0001/\u00e9": np.array([4.0], dtype=F32),
        "B.upper": np.array([1.0], dtype=F32),
    }
    inputs = {k: {"dtype": None, "shape": list(v.shape)} for k, v in tensors.items()}
    for k in ["w.f32", "scalar", "empty", "esc\"\\\n\u0001/\u00e9", "B.upper"]:
        inputs[k].update(dtype="F32", f32_bits=f32_bits(tensors[k]))
    inputs["w.f16"].update(dtype="F16", f32_bits=f32_bits(f16_in))
    inputs["w.f64"].update(dtype="F64", f32_bits=f32_bits(f32_in[:2]))
    for k, dtype in [("ids", "I64"), ("i32", "I32"), ("i16", "I16"), ("i8", "I8"), ("mask", "U8"), ("flag", "BOOL")]:
        inputs[k].update(dtype=dtype, ints=[int(v) for v in tensors[k].astype(np.int64).reshape(-1)])
    if torch is not None:
        tensors["w.bf16"] = torch.tensor(np.array(bf16_in, dtype=F32)).to(torch.bfloat16)
        inputs["w.bf16"] = {"dtype": "BF16", "shape": [len(bf16_in)], "f32_bits": f32_bits(bf16_in)}
    save("writer_reference.safetensors", tensors, {"format": "pt"})
    return {"file": "writer_reference.safetensors", "metadata": {"format": "pt"}, "tensors": inputs}


def swift_written_spec():
    """Content the Swift test writes with SafetensorsWriter into swift_written.safetensors."""
    f16_in, bf16_in = writer_inputs()
    f16_in = [v for v in f16_in if v == v]  # NaN bits are checked separately
    return {
        "file": "swift_written.safetensors",
        "metadata": {"format": "pt", "zeta": "last", "alpha": "first", "quote\"and\\": "json \u00e9 \n"},
        "tensors": {
            "unet.conv_in.weight": {"dtype": "F32", "shape": [2, 1, 2], "f32_bits": f32_bits([0.5, -1.0, 2.0, 1e-20])},
            "half": {"dtype": "F16", "shape": [len(f16_in)], "f32_bits": f32_bits(f16_in)},
            "brain": {"dtype": "BF16", "shape": [len(bf16_in)], "f32_bits": f32_bits(bf16_in)},
            "double": {"dtype": "F64", "shape": [1], "f32_bits": f32_bits([0.1])},
            "token_ids": {"dtype": "I64", "shape": [3], "ints": [1, -(2 ** 62), 99]},
            "positions": {"dtype": "I32", "shape": [2, 2], "ints": [0, 1, 2, -3]},
            "pixels": {"dtype": "U8", "shape": [4], "ints": [0, 128, 255, 7]},
            "n\u00e4me/\"x\"": {"dtype": "F32", "shape": [], "f32_bits": f32_bits([3.0])},
        },
    }


def check_swift_written(spec_):
    """Reads the Swift-written file with the Python package and compares to the spec."""
    path = os.path.join(OUT, spec_["file"])
    if not os.path.exists(path):
        print(f"NOTE: {os.path.relpath(path)} missing; write it with the Swift test (see the docstring)")
        return True
    ok = True
    framework = "pt" if torch is not None else "numpy"
    with safe_open(path, framework=framework) as f:
        if f.metadata() != spec_["metadata"]:
            print(f"FAIL {spec_['file']}: metadata {f.metadata()} != {spec_['metadata']}")
            ok = False
        if sorted(f.keys()) != sorted(spec_["tensors"]):
            print(f"FAIL {spec_['file']}: names {sorted(f.keys())} != {sorted(spec_['tensors'])}")
            ok = False
        for name, t in spec_["tensors"].items():
            if name not in f.keys():
                continue
            if t["dtype"] == "BF16" and torch is None:
                continue
            value = f.get_tensor(name)
            if torch is not None:
                got = value.float().numpy() if t["dtype"] not in ("I64", "I32", "U8") else value.numpy()
            else:
                got = value
            if list(got.shape) != t["shape"]:
                print(f"FAIL {name}: shape {list(got.shape)} != {t['shape']}")
                ok = False
                continue
            if "ints" in t:
                want = np.array(t["ints"], dtype=np.int64)
                if not np.array_equal(got.astype(np.int64).reshape(-1), want):
                    print(f"FAIL {name}: {got.reshape(-1)} != {want}")
                    ok = False
                continue
            inputs = np.array(t["f32_bits"], dtype=np.uint32).view(F32)
            want = {"F32": inputs, "F64": inputs.astype(np.float64).astype(F32),
                    "F16": inputs.astype(np.float16).astype(F32)}.get(t["dtype"])
            if t["dtype"] == "BF16":
                want = bf16_as_f32(inputs)
            if f32_bits(got) != f32_bits(want):
                print(f"FAIL {name} ({t['dtype']}): {f32_bits(got)} != {f32_bits(want)}")
                ok = False
    # The header must also be what the reference serializer would emit, apart
    # from __metadata__ key order (the reference uses a hash map; we sort).
    with open(path, "rb") as fh:
        raw = fh.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__")
    if list(meta) != sorted(meta, key=lambda s: s.encode()):
        print(f"FAIL {spec_['file']}: metadata keys not sorted: {list(meta)}")
        ok = False
    if n % 8 != 0 or raw[8:8 + n].rstrip(b" ") != raw[8:8 + n].rstrip():
        print(f"FAIL {spec_['file']}: header not space-padded to 8 bytes")
        ok = False
    # Same tensors re-saved by the Python package: tensor order, offsets and
    # data bytes must be identical to ours (only the metadata may be ordered differently).
    if torch is not None:
        from safetensors.torch import load as torch_load, save as torch_save
        ours = torch_load(raw)
        theirs = torch_save(ours)
        m = struct.unpack("<Q", theirs[:8])[0]
        their_entries = json.loads(theirs[8:8 + m], object_pairs_hook=list)
        our_entries = [e for e in json.loads(raw[8:8 + n], object_pairs_hook=list) if e[0] != "__metadata__"]
        if our_entries != their_entries or raw[8 + n:] != theirs[8 + m:]:
            print(f"FAIL {spec_['file']}: layout differs from the Python package's for the same tensors")
            ok = False
    print(("checked " if ok else "MISMATCH in ") + os.path.relpath(path) + " with the Python package")
    return ok


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {
        "generator": "tools/make_safetensors_fixtures.py",
        "torch": torch is not None,
        "files": {"f32.safetensors": file_f32(), "f16.safetensors": file_f16(), "ints.safetensors": file_ints()},
    }
    if torch is not None:
        expected["files"]["bf16.safetensors"] = file_bf16()
    else:
        print("NOTE: torch not installed, skipping the BF16 fixtures")
    expected["sharded"] = sharded()
    expected["writer_reference"] = writer_reference()
    expected["swift_written"] = swift_written_spec()
    path = os.path.join(OUT, "expected.json")
    with open(path, "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.relpath(path)}")
    if not check_swift_written(expected["swift_written"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
