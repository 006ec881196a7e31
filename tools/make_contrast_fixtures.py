#!/usr/bin/env python3
"""Reference outputs for OCRData's ContrastNormalizer (Tests/OCRDataTests/Fixtures).

For each poster-line-*.png crop (box crops of posters the shipped model drew,
4 px margin, as `poster eval ocr` cuts them) writes poster-line-*-contrast.png:
the RGB pixels projected on the first principal component (numpy eigh of the
covariance), stretched to 0..255, inverted unless the Otsu class covering most
of the border is the bright one, so text comes out dark on light.

    python3 tools/make_contrast_fixtures.py Tests/OCRDataTests/Fixtures
"""
import glob, os, sys
import numpy as np
from PIL import Image


def otsu(levels):
    h = np.bincount(levels.ravel(), minlength=256).astype(np.float64)
    p = h / h.sum()
    w = np.cumsum(p)
    m = np.cumsum(p * np.arange(256))
    with np.errstate(all="ignore"):
        between = (m[-1] * w - m) ** 2 / (w * (1 - w))
    return int(np.nanargmax(between))


def normalize(rgb):
    a = np.asarray(rgb, dtype=np.float64)
    h, w, _ = a.shape
    x = a.reshape(-1, 3) - a.reshape(-1, 3).mean(0)
    _, vectors = np.linalg.eigh(x.T @ x)
    g = x @ vectors[:, -1]
    g = (g - g.min()) * (255 / max(g.max() - g.min(), 1e-6))
    g = g.reshape(h, w)
    bright = g.round() > otsu(g.round().astype(np.uint8))
    border = np.concatenate([bright[0], bright[-1], bright[:, 0], bright[:, -1]])
    if border.mean() <= 0.5:
        g = 255 - g
    return g.round().astype(np.uint8)


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/OCRDataTests/Fixtures"
    for path in sorted(glob.glob(os.path.join(folder, "poster-line-*.png"))):
        if path.endswith("-contrast.png"):
            continue
        out = path[:-4] + "-contrast.png"
        Image.fromarray(normalize(Image.open(path).convert("RGB"))).save(out)
        print(out)
