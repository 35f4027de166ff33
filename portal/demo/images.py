"""Small, real, deterministic microscopy-like images for the demo archive.

The same seed always gives the same bytes, so seeding twice stores nothing new
(archive storage is content-addressed).
"""

import io

import numpy as np
import tifffile
from PIL import Image

SIZES = (64, 96, 128, 192, 256)


def _blobs(rng: np.random.Generator, size: int, count: int, radius: float) -> np.ndarray:
    """Gaussian spots on a dim, noisy background: cells, nuclei or foci, depending on `radius`."""
    image = np.zeros((size, size), dtype=np.float32)
    for cy, cx, r, brightness in zip(
        rng.uniform(0, size, count),
        rng.uniform(0, size, count),
        rng.uniform(0.6, 1.4, count) * radius,
        rng.uniform(0.4, 1.0, count),
        strict=True,
    ):
        # Each spot is drawn only within 4 sigma of its centre: the rest of it is invisibly small.
        reach = int(4 * r) + 1
        top, bottom = max(int(cy) - reach, 0), min(int(cy) + reach, size)
        left, right = max(int(cx) - reach, 0), min(int(cx) + reach, size)
        yy, xx = np.ogrid[top:bottom, left:right]
        image[top:bottom, left:right] += brightness * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    image += rng.normal(0.05, 0.02, image.shape).astype(np.float32)
    return np.clip(image, 0, None)


def _em_texture(rng: np.random.Generator, size: int) -> np.ndarray:
    """Electron-micrograph-like grey texture: smoothed noise with dark membrane-bound vesicles."""
    coarse = rng.normal(0.6, 0.12, (size // 8, size // 8)).astype(np.float32)
    image = np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC), dtype=np.float64)
    image += rng.normal(0, 0.06, (size, size))
    yy, xx = np.mgrid[0:size, 0:size]
    centres_y, centres_x, radii = rng.uniform(0, size, 12), rng.uniform(0, size, 12), rng.uniform(3, size / 10, 12)
    for cy, cx, r in zip(centres_y, centres_x, radii, strict=True):
        ring = np.abs(np.hypot(yy - cy, xx - cx) - r) < 1.2
        image[ring] -= 0.35
    return np.clip(image, 0, None)


def _normalised(image: np.ndarray, dtype) -> np.ndarray:
    top = np.iinfo(dtype).max
    return (image / max(float(image.max()), 1e-6) * top).astype(dtype)


def synthetic_image(*, seed: int, kind: str, size: int | None = None) -> np.ndarray:
    """Return a 2-D image of `kind` ("cells", "nuclei", "foci", "tissue" or "em")."""
    rng = np.random.default_rng(seed)
    size = size or int(rng.choice(SIZES))
    if kind == "em":
        return _normalised(_em_texture(rng, size), np.uint8)
    count, radius = {
        "cells": (size // 10, size / 16),
        "nuclei": (size // 10, size / 18),
        "foci": (size // 3, size / 60 + 1),
        "tissue": (size // 2, size / 14),
    }[kind]
    image = _blobs(rng, size, count, radius)
    if kind == "tissue":  # light-sheet stacks fade with depth into the sample
        image *= np.linspace(1.0, 0.4, size, dtype=np.float32)[:, None]
    return _normalised(image, np.uint16)


def tiff_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, image, photometric="minisblack")
    return buffer.getvalue()


def as_8bit(image: np.ndarray) -> np.ndarray:
    """Scale 16-bit data down to 8 bits, as a viewer shows it."""
    return image if image.dtype == np.uint8 else (image >> 8).astype(np.uint8)


def png_bytes(image: np.ndarray) -> bytes:
    """An 8-bit PNG preview."""
    buffer = io.BytesIO()
    Image.fromarray(as_8bit(image)).save(buffer, format="PNG")
    return buffer.getvalue()
