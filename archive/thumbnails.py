"""Thumbnails of archive images: PNG, JPEG and TIFF (OME-TIFF included) made into a small PNG.

The image work only: reading bytes from a stream and returning PNG bytes. Which
files get one, and where they are stored, is archive.services' business.
"""

import io
import math
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import tifffile
from PIL import Image

THUMBNAIL_SIZE = 256
# Files beyond this are not opened at all; pixel counts beyond MAX_PIXELS are not decoded.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_PIXELS = 100_000_000
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
# Percentiles that map to black and white when deeper images are brought down to 8 bits.
STRETCH_PERCENTILES = (0.5, 99.5)
# Planes are first subsampled to about this long side, so that statistics and resizing stay cheap.
WORKING_SIZE = 1024
MAX_PLANES_READ = 16
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


class ThumbnailError(Exception):
    """The content is not an image this module can read, or is too large to try."""


@dataclass(frozen=True)
class RenderedThumbnail:
    png: bytes
    width: int
    height: int


def thumbnail_render(stream: BinaryIO, *, size: int) -> RenderedThumbnail:
    """Make a PNG at most THUMBNAIL_SIZE pixels on its long side from an image stream of `size` bytes.

    TIFF goes through tifffile (first series, first plane), then Pillow if tifffile
    cannot read it; PNG and JPEG go through Pillow. Raise ThumbnailError otherwise.
    """
    if size > MAX_FILE_BYTES:
        raise ThumbnailError(f"File of {size} bytes is larger than {MAX_FILE_BYTES}.")
    head = stream.read(4)
    stream.seek(0)
    if head in _TIFF_MAGIC:
        try:
            image = _from_array(_tiff_plane(stream))
        except ThumbnailError:
            raise
        except Exception:  # codecs raise anything; Pillow gets a second chance
            stream.seek(0)
            image = _pillow_image(stream)
    else:
        image = _pillow_image(stream)
    image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return RenderedThumbnail(png=out.getvalue(), width=image.width, height=image.height)


def _check_pixels(width: int, height: int) -> None:
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise ThumbnailError(f"Image of {width}×{height} pixels is empty or larger than {MAX_PIXELS} pixels.")


def _tiff_plane(stream: BinaryIO) -> np.ndarray:
    """Return the first plane of the first series as (Y, X) or (Y, X, channels) with at most 3 channels."""
    with tifffile.TiffFile(stream) as tif:
        series = tif.series[0]
        # Pyramidal files (OME-TIFF sub-resolutions): the smallest level still big enough is cheapest.
        level = series
        for candidate in series.levels[1:]:
            if min(_yx(candidate.shape, candidate.axes)) >= THUMBNAIL_SIZE:
                level = candidate
        height, width = _yx(level.shape, level.axes)
        _check_pixels(width, height)
        axes = level.axes
        # A few planes (channels of one image) are read whole, for a colour composite.
        if level.size <= MAX_PLANES_READ * width * height:
            data = level.asarray()
        else:
            # A stack: read only the pages of the first plane, not the whole series.
            page = level.pages[0] if level.pages else tif.pages[0]
            data, axes = page.asarray(), page.axes
    return _reduce(data, axes)


def _yx(shape: tuple, axes: str) -> tuple[int, int]:
    return shape[axes.index("Y")], shape[axes.index("X")]


def _reduce(data: np.ndarray, axes: str) -> np.ndarray:
    """Keep Y, X and the channels (C or S); take the first index of every other axis (time, Z, ...)."""
    index = tuple(slice(None) if axis in "YXCS" else 0 for axis in axes)
    data = data[index]
    kept = "".join(axis for axis in axes if axis in "YXCS")
    channel_axes = [axis for axis in kept if axis in "CS"]
    if len(channel_axes) == 2:  # both C and S: the samples of the first channel
        data = np.take(data, 0, axis=kept.index("C"))
        kept = kept.replace("C", "")
    order = [kept.index("Y"), kept.index("X")] + [kept.index(a) for a in kept if a in "CS"]
    data = np.transpose(data, order)
    if data.ndim == 3:
        channels = data.shape[2]
        if channels == 1:
            data = data[:, :, 0]
        elif channels == 2:  # two channels: a green–magenta composite
            data = np.stack([data[:, :, 1], data[:, :, 0], data[:, :, 1]], axis=2)
        else:
            data = data[:, :, :3]
    return data


def _from_array(data: np.ndarray) -> Image.Image:
    """Make an 8-bit grayscale or RGB image; deeper data is contrast-stretched per channel."""
    step = max(1, math.ceil(max(data.shape[0], data.shape[1]) / WORKING_SIZE))
    data = data[::step, ::step]
    if data.dtype == np.bool_:
        data = data.astype(np.uint8) * 255
    elif data.dtype != np.uint8:
        data = _stretch(data.astype(np.float64))
    return Image.fromarray(np.ascontiguousarray(data), mode="RGB" if data.ndim == 3 else "L")


def _stretch(data: np.ndarray) -> np.ndarray:
    channels = [data] if data.ndim == 2 else [data[:, :, c] for c in range(data.shape[2])]
    out = []
    for channel in channels:
        finite = channel[np.isfinite(channel)]
        low, high = np.percentile(finite, STRETCH_PERCENTILES) if finite.size else (0.0, 0.0)
        if high <= low:  # a flat plane: keep it black rather than dividing by zero
            scaled = np.zeros(channel.shape)
        else:
            scaled = (np.nan_to_num(channel, nan=low) - low) * (255.0 / (high - low))
        out.append(np.clip(scaled, 0, 255).astype(np.uint8))
    return out[0] if data.ndim == 2 else np.stack(out, axis=2)


def _pillow_image(stream: BinaryIO) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; any bomb is refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=["PNG", "JPEG", "TIFF"])
            _check_pixels(*image.size)
            if image.format == "JPEG":
                image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))  # decode at a reduced scale
            image.load()
    except ThumbnailError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ThumbnailError(f"Not a readable image: {error}") from error
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return _from_array(np.asarray(image))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    if image.mode not in ("L", "RGB"):
        return image.convert("RGB")
    return image
