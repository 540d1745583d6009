"""Multi-scale and flip inference: several network outputs averaged into one.

As CMU OpenPose's ``--scale_number`` / ``--scale_gap``: the network runs at
net heights ``1, 1 - gap, 1 - 2 gap, ...`` times the net height; every
output (heatmaps and PAFs) is resized to the grid of the first (scale 1)
and the outputs are averaged before post-processing.

The flip test runs the network on the horizontally mirrored image too. Its
output is mirrored back (`unflip`): each heatmap becomes its mirror part's
(left and right swapped), each PAF its mirror limb's with the x component
negated. The tables (`flip_tables`) are derived from the layout's part
names and limb table, so they hold for every layout (COCO-18, MPI-15,
BODY_25).
"""

from __future__ import annotations

import numpy as np

from . import _validation as v
from .layouts import Layout, get_layout

__all__ = ["average_outputs", "flip_tables", "mirror_part", "scale_heights", "unflip"]


def mirror_part(layout, part: int) -> int:
    """The part that `part` becomes in the mirrored image (left <-> right; itself when central)."""
    lay = get_layout(layout)
    name = lay.keypoint_names[part]
    for a, b in (("L", "R"), ("R", "L")):
        if name.startswith(a) and name[1:2].isupper():
            other = b + name[1:]
            if other in lay.keypoint_names:
                return lay.keypoint_names.index(other)
    return part


def flip_tables(layout) -> tuple[np.ndarray, np.ndarray]:
    """``(source, sign)``, two ``(C,)`` arrays over the layout's output channels.

    Channel ``c`` of the un-mirrored output is ``sign[c] * mirrored[source[c]]``
    read right to left (`unflip`): heatmaps come from the mirror part, PAF
    channels from the mirror limb, the x component negated (and both
    components when the mirror limb is stored in the opposite direction).
    Channels of no part and no limb are kept.

    Raises
    ------
    ValueError
        A limb whose mirror is not in the limb table.
    """
    lay: Layout = get_layout(layout)
    n = lay.n_channels
    source = np.arange(n, dtype=np.int64)
    sign = np.ones(n, np.float32)
    for p in range(lay.n_parts):
        source[p] = mirror_part(lay, p)
    by_parts = {(a, b): (cx, cy) for a, b, cx, cy in lay.limbs}
    for a, b, cx, cy in lay.limbs:
        ma, mb = mirror_part(lay, a), mirror_part(lay, b)
        if (ma, mb) in by_parts:
            sx, sy = by_parts[(ma, mb)]
            source[cx], source[cy] = sx, sy
            sign[cx], sign[cy] = -1.0, 1.0
        elif (mb, ma) in by_parts:
            sx, sy = by_parts[(mb, ma)]
            source[cx], source[cy] = sx, sy
            sign[cx], sign[cy] = 1.0, -1.0
        else:
            msg = f"layout {lay.name!r}: limb ({a}, {b}) has no mirror limb ({ma}, {mb}) in its table"
            raise ValueError(msg)
    return source, sign


def unflip(net_output, layout) -> np.ndarray:
    """The output of a mirrored image, mirrored back: as the un-mirrored image's output.

    `net_output` is ``(1, C, h, w)`` or ``(C, h, w)``; the result has its shape.
    """
    net = np.asarray(net_output, np.float32)
    source, sign = flip_tables(layout)
    chans = net.shape[-3]
    if chans < len(source):
        msg = f"`net_output` has {chans} channels; layout {get_layout(layout).name!r} needs {len(source)}"
        raise ValueError(msg)
    full = np.arange(chans)
    full[: len(source)] = source
    signs = np.ones(chans, np.float32)
    signs[: len(sign)] = sign
    out = net[..., full, :, ::-1] * signs[:, None, None]
    return np.ascontiguousarray(out, np.float32)


def scale_heights(net_height: int, scale_number: int, scale_gap: float, multiple: int) -> list[int]:
    """Net heights of the scales ``1, 1 - gap, ...`` of `net_height`, rounded to `multiple` (at least one)."""
    n = v.number(scale_number, "scale_number", minimum=1, maximum=16, integer=True)
    gap = v.number(scale_gap, "scale_gap", minimum=0.0, maximum=1.0)
    if n > 1 and 1.0 - (n - 1) * gap <= 0.0:
        msg = f"`scale_gap` {gap} is too large for `scale_number` {n}: the last scale would be <= 0"
        raise ValueError(msg)
    heights = []
    for s in range(n):
        h = int(net_height * (1.0 - s * gap) / multiple + 0.5) * multiple  # half up
        heights.append(max(multiple, h))
    return heights


def average_outputs(outputs) -> np.ndarray:
    """The mean of ``(1, C, h_i, w_i)`` outputs, each resized (bicubic) to the first one's grid."""
    import cv2

    first = np.asarray(outputs[0], np.float32)
    if len(outputs) == 1:
        return first
    h, w = first.shape[-2:]
    total = first.astype(np.float32).copy()
    for out in outputs[1:]:
        arr = np.asarray(out, np.float32)
        if arr.shape[-2:] != (h, w):
            hwc = np.ascontiguousarray(arr.reshape(arr.shape[-3], *arr.shape[-2:]).transpose(1, 2, 0))
            chans = [cv2.resize(hwc[:, :, i:i + 256], (w, h), interpolation=cv2.INTER_CUBIC)
                     for i in range(0, hwc.shape[2], 256)]
            res = np.concatenate([c.reshape(h, w, -1) for c in chans], axis=2)
            arr = res.transpose(2, 0, 1).reshape(first.shape)
        total += arr
    return total / np.float32(len(outputs))
