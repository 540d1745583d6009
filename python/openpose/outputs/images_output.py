"""``--write-images DIR``: each image or frame with the people drawn, ``<stem>_rendered.png``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._io import write_bytes_atomically
from ..options import Flag
from ..sources import Frame
from .base import GROUP, Option, Output, RunContext, folder

if TYPE_CHECKING:
    from . import OutputOptions

__all__ = ["IMAGE_FORMATS", "OUTPUT", "RENDERED_SUFFIX", "RenderedImages"]

#: ``<stem>_rendered.png``: one rendered image per image or video frame.
RENDERED_SUFFIX = "_rendered.png"
#: ``--write-images-format``: the rendered images' formats.
IMAGE_FORMATS = ("png", "jpg")


class RenderedImages(Output):
    """``<stem>_rendered.png`` (or ``.jpg``) per frame in a folder (created if missing)."""

    name = "images"
    options = (
        Option("write_images", None, Flag(
            "--write-images", "write <stem>_rendered.png with the people drawn", metavar="DIR", commands=("run",),
            group=GROUP)),
        Option("write_images_format", "png", Flag(
            "--write-images-format", "format of --write-images", choices=IMAGE_FORMATS, commands=("run",),
            group=GROUP)),
    )
    order = 20
    needs_drawing = True
    named_per_frame = True

    def __init__(self, path, *, flag: str = "--write-images", image_format: str = "png"):
        self.folder = folder(path, flag)
        if image_format not in IMAGE_FORMATS:
            msg = f"--write-images-format must be one of {IMAGE_FORMATS}, got {image_format!r}"
            raise ValueError(msg)
        self.suffix = RENDERED_SUFFIX if image_format == "png" else f"{Path(RENDERED_SUFFIX).stem}.{image_format}"

    @classmethod
    def open(cls, options: OutputOptions, context: RunContext) -> RenderedImages:
        return cls(options["write_images"], image_format=options["write_images_format"])

    def write(self, frame: Frame, result, *, stem: str, rendered=None, net_output=None) -> bool:
        import cv2

        path = self.folder / f"{stem}{self.suffix}"
        # Encoded in memory and written by Python: any file name, the umask, no libpng output on stderr's fd.
        ok, data = cv2.imencode(path.suffix, rendered)
        if not ok:
            msg = f"cannot encode image {str(path)!r}"
            raise OSError(msg)
        write_bytes_atomically(path, data.tobytes())
        return True


OUTPUT = RenderedImages
