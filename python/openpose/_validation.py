"""Checks of user input shared by the public functions. Errors name the parameter."""

from __future__ import annotations

import numbers
from typing import Any, cast

import numpy as np

from ._cpp import ext

#: The limits of the C++ core, defined once in cpp/include/openpose/common/limits.hpp
#: and read from the compiled module (``openpose._ext.MAX_...``) when first used,
#: as attributes of this module (``_validation.MAX_IMAGE_SIDE``, ...):
#:
#: - ``MAX_IMAGE_SIDE``, ``MAX_IMAGE_PIXELS``: largest accepted image side and area, in pixels;
#: - ``MAX_PEAKS_PER_PART``: most keypoint candidates one part may have (limb scoring is
#:   quadratic in it; real network outputs have a few dozen; more is a ValueError, see
#:   docs/robustness.md);
#: - ``MAX_SAMPLES``: most samples along a limb (seed ``n_samples``); ``MAX_PARTS``: most parts
#:   in a layout; ``MAX_FACTOR``, ``MAX_RADIUS``, ``MAX_MIN_PARTS``: largest accurate-mode
#:   ``factor``, ``radius`` and ``min_parts``.
LIMITS = (
    "MAX_IMAGE_SIDE", "MAX_IMAGE_PIXELS", "MAX_PEAKS_PER_PART", "MAX_SAMPLES", "MAX_PARTS", "MAX_FACTOR",
    "MAX_RADIUS", "MAX_MIN_PARTS",
)


def __getattr__(name: str) -> int:
    """The limits (LIMITS), from the compiled core; nothing is read at import."""
    if name in LIMITS:
        return int(getattr(ext(), name))
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


MODES = ("accurate", "seed")
GROUPINGS = ("cpu", "gpu")
IMPLEMENTATIONS = ("cpp", "python")


def float32_array(value, name: str, *, ndim) -> np.ndarray:
    """`value` as a C-contiguous float32 array with one of the allowed ndims.

    Floating and integer inputs are converted (a copy only where needed);
    anything else is a TypeError. NaN or infinite values are a ValueError.
    """
    arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if arr.dtype.kind not in "fiu":
        msg = f"`{name}` must be a real-valued numeric array, got dtype {arr.dtype}"
        raise TypeError(msg)
    ndims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in ndims:
        want = " or ".join(f"{n}-D" for n in ndims)
        msg = f"`{name}` must be {want}, got shape {arr.shape}"
        raise ValueError(msg)
    if arr.size == 0:
        msg = f"`{name}` must not be empty, got shape {arr.shape}"
        raise ValueError(msg)
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, by name
        converted = np.ascontiguousarray(arr, dtype=np.float32)
    # min and max propagate NaN and reach any infinity: finite iff both are
    # (two SIMD reductions, no temporary array the size of the input).
    if not (np.isfinite(converted.min()) and np.isfinite(converted.max())):
        if arr.dtype.kind == "f" and np.isfinite(arr).all():
            msg = f"`{name}` has values outside the float32 range (largest magnitude {np.abs(arr).max():g})"
        else:
            msg = f"`{name}` contains NaN or infinite values"
        raise ValueError(msg)
    return converted


def net_output_array(net_output, name: str = "net_output") -> np.ndarray:
    """A (1, C, h, w) or (C, h, w) network output as a (C, h, w) float32 array."""
    arr = float32_array(net_output, name, ndim=(3, 4))
    if arr.ndim == 4:
        if arr.shape[0] != 1:
            msg = f"`{name}` must hold one image (shape (1, C, h, w) or (C, h, w)), got shape {arr.shape}"
            raise ValueError(msg)
        arr = arr[0]
    return arr


def image_size(value, name: str = "image_size"):
    """A (width, height) pair of positive ints within the documented limits."""
    try:
        width, height = value
    except (TypeError, ValueError):
        msg = f"`{name}` must be a (width, height) pair, got {value!r}"
        raise TypeError(msg) from None
    for v in (width, height):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            msg = f"`{name}` must hold two integers (width, height), got {value!r}"
            raise TypeError(msg)
    width, height = int(width), int(height)
    if width <= 0 or height <= 0:
        msg = f"`{name}` must be positive, got {(width, height)}"
        raise ValueError(msg)
    max_side, max_pixels = ext().MAX_IMAGE_SIDE, ext().MAX_IMAGE_PIXELS
    if width > max_side or height > max_side or width * height > max_pixels:
        msg = (
            f"`{name}` {(width, height)} is too large: at most {max_side} pixels a side "
            f"and {max_pixels} pixels in all"
        )
        raise ValueError(msg)
    return width, height


def candidate_count(n: int, what: str) -> None:
    """A ValueError when `what` has more than MAX_PEAKS_PER_PART candidates."""
    limit = ext().MAX_PEAKS_PER_PART
    if n > limit:
        msg = (
            f"{what} has {n} keypoint candidates, more than the limit of {limit} per part "
            "(a heatmap of noise? see docs/robustness.md)"
        )
        raise ValueError(msg)


def choice(value, name: str, options) -> str:
    """`value` if it is one of `options`, else a ValueError listing them."""
    if not isinstance(value, str) or value not in options:
        msg = f"unknown `{name}` {value!r}; expected one of {', '.join(map(repr, options))}"
        raise ValueError(msg)
    return value


def number(value, name: str, *, minimum=None, maximum=None, integer=False):
    """A finite real number (or int) within bounds."""
    kinds = (numbers.Integral,) if integer else (numbers.Real,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "an integer" if integer else "a real number"
        msg = f"`{name}` must be {kind}, got {value!r}"
        raise TypeError(msg)
    value = cast(Any, value)  # numbers.Real has no float() or isfinite() in its stubs
    if not np.isfinite(value):
        msg = f"`{name}` must be finite, got {value!r}"
        raise ValueError(msg)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        msg = f"`{name}` must be between {minimum} and {maximum}, got {value!r}"
        raise ValueError(msg)
    return int(value) if integer else float(value)
