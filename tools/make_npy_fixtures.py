#!/usr/bin/env python3
"""Regenerates Tests/OCRDataTests/Fixtures/*.npy: small 4x3 arrays saved by
numpy's own np.save in the dtypes and orders MARIO's charseg.npy may come in.
NumpyArrayTests checks NumpyArray reads them (and that NumpyArray.encoded() is
byte-identical to numpy's uint8 file). Developer-only: the tests read the
committed files and never run Python.

    python3 tools/make_npy_fixtures.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "OCRDataTests", "Fixtures")

# Values 0...255 with both small and large entries, so byte order and sign
# extension matter: row-major [[0, 1, 2], [95, 96, 127], [128, 200, 254], [255, 7, 3]].
VALUES = [[0, 1, 2], [95, 96, 127], [128, 200, 254], [255, 7, 3]]


def save(name, array):
    path = os.path.join(OUT, name)
    np.save(path, array)
    print(f"wrote {os.path.relpath(path)}: dtype {array.dtype.str}, shape {array.shape}, "
          f"fortran {np.isfortran(array)}")


def main():
    os.makedirs(OUT, exist_ok=True)
    base = np.array(VALUES)
    save("u8_4x3.npy", base.astype(np.uint8))
    save("i8_4x3.npy", base.astype("<i8"))
    save("i4_4x3.npy", base.astype("<i4"))
    save("i2be_4x3.npy", base.astype(">i2"))
    # A Fortran-order array: np.save keeps the order and says so in the header.
    save("fortran_u1_4x3.npy", np.asfortranarray(base.astype(np.uint8)))
    # A float array: not a class map.
    save("f4_4x3.npy", base.astype("<f4"))
    # A 3-D array.
    save("u1_2x2x3.npy", np.zeros((2, 2, 3), dtype=np.uint8))
    # A signed array holding a negative value.
    negative = base.astype("<i2")
    negative[1, 2] = -1
    save("negative_i2_4x3.npy", negative)


if __name__ == "__main__":
    main()
