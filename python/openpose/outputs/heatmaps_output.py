"""``--write-heatmaps DIR``: each frame's network output, exact (``.npy``) and as a sheet to look at (``.png``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._io import write_atomically
from ..options import Flag
from ..sources import Frame
from .base import GROUP, Option, Output, RunContext, folder

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = ["HEATMAPS_SUFFIX", "OUTPUT", "HeatmapFiles", "heatmap_sheet"]

#: ``<stem>_heatmaps.npy`` (exact) and ``<stem>_heatmaps.png`` (a sheet to look at), per frame.
HEATMAPS_SUFFIX = "_heatmaps"


def heatmap_sheet(net_output: np.ndarray, *, n_heatmaps: int, columns: int = 8) -> np.ndarray:
    """Every channel of one network output side by side, as an 8-bit grey image to look at.

    Heatmaps: 0..1 -> 0..255; PAFs: -1..1 -> 0..255 (128 = 0); values
    outside are clipped. ``columns`` channels per row, in channel order.

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.outputs.heatmaps_output import heatmap_sheet
    >>> heatmap_sheet(np.zeros((1, 57, 4, 5), np.float32), n_heatmaps=19).shape
    (32, 40)
    """
    maps = np.asarray(net_output, np.float32)
    maps = maps[0] if maps.ndim == 4 else maps
    n, h, w = maps.shape
    scaled = np.empty((n, h, w), np.float32)
    scaled[:n_heatmaps] = maps[:n_heatmaps] * 255.0
    scaled[n_heatmaps:] = (maps[n_heatmaps:] + 1.0) * 127.5
    tiles = np.clip(scaled + 0.5, 0, 255).astype(np.uint8)
    rows = -(-n // columns)
    sheet = np.zeros((rows * h, columns * w), np.uint8)
    for i in range(n):
        r, c = divmod(i, columns)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = tiles[i]
    return sheet


class HeatmapFiles(Output):
    """``--write-heatmaps DIR``: each frame's network output at its own resolution.

    ``<stem>_heatmaps.npy``: the output ``(C, h', w')`` float32, exact
    (heatmaps, then the PAFs); ``<stem>_heatmaps.png``: `heatmap_sheet`.
    The network output comes with the frame (``write(..., net_output=)``).
    """

    name = "heatmaps"
    options = (Option("write_heatmaps", None, Flag(
        "--write-heatmaps", "write <stem>_heatmaps.npy (the network output, float32, exact) and "
        "<stem>_heatmaps.png (a sheet to look at)", metavar="DIR", commands=("run",), group=GROUP)),)
    order = 30
    needs_net_output = True
    named_per_frame = True

    def __init__(self, path, *, n_heatmaps: int | None = None, flag: str = "--write-heatmaps"):
        self.folder = folder(path, flag)
        self.n_heatmaps = n_heatmaps

    @classmethod
    def open(cls, options: OutputOptions, context: RunContext) -> HeatmapFiles:
        return cls(options["write_heatmaps"])

    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
        import cv2

        if net_output is None:
            return True
        maps = np.ascontiguousarray(np.asarray(net_output, np.float32).reshape(np.shape(net_output)[-3:]))
        n_heatmaps = self.n_heatmaps if self.n_heatmaps is not None else result.layout.n_heatmaps
        base = self.folder / f"{stem}{HEATMAPS_SUFFIX}"
        npy, png = base.with_name(base.name + ".npy"), base.with_name(base.name + ".png")
        write_atomically(npy, lambda tmp: np.save(tmp, maps, allow_pickle=False), suffix=".npy")
        sheet = heatmap_sheet(maps, n_heatmaps=n_heatmaps)

        def write_png(tmp: str) -> None:
            if not cv2.imwrite(tmp, sheet):
                msg = f"cannot write image {str(png)!r}"
                raise OSError(msg)

        write_atomically(png, write_png, suffix=".png")
        return True


OUTPUT = HeatmapFiles
