"""OpenPose's ``--net_resolution WxH``: the network input size, and where the image sits in it.

Three forms, as in CMU OpenPose (``-1`` marks the side that follows the
image's aspect ratio):

=========  =================================================================
``-1xH``   height H; the width follows each image's aspect ratio, rounded
           to a multiple of the model's stride (16), and the image is
           resized to exactly that size (``PoseEstimator(net_height=H)``).
``Wx-1``   width W; the height follows the aspect ratio the same way.
``WxH``    the network input is exactly W x H: the image is scaled to fit
           inside it, keeping its aspect ratio, placed at the top-left
           corner, and the rest is black (OpenPose's
           ``resizeFixedAspectRatio``: no offset, padding right and bottom).
=========  =================================================================

Both sides given must be multiples of the stride: like OpenPose, anything
else is an error (nothing is rounded). For ``WxH`` the image is resized by
``s = min(W / w, H / h)`` (bilinear, the pixel-centre convention of
``cv2.resize``, as for ``-1xH``; OpenPose's own factor is
``min((W - 1) / (w - 1), (H - 1) / (h - 1))``, its corner-aligned
``warpAffine``), the network runs on the padded W x H input (`fit_canvas`),
the people are found in its pixels and mapped back to original-image
pixels (`from_canvas`).
"""

from __future__ import annotations

import numbers
from dataclasses import replace

import numpy as np

from .result import PoseResult

__all__ = ["check_net_resolution", "check_one_height", "fit_canvas", "fitted_size", "free_side_size", "from_canvas"]


def check_net_resolution(value, *, multiple: int, max_side: int) -> tuple[int, int]:
    """`value` as ``(width, height)``, each -1 or a positive multiple of `multiple` up to `max_side`.

    Raises
    ------
    TypeError
        Not a pair of integers.
    ValueError
        Both sides -1, or a side that is not -1 nor such a multiple.

    Examples
    --------
    >>> from openpose.net_resolution import check_net_resolution
    >>> check_net_resolution((656, 368), multiple=16, max_side=4096)
    (656, 368)
    >>> check_net_resolution((650, 368), multiple=16, max_side=4096)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: `net_resolution` sides must be -1 or multiples of 16 ... got 650x368
    """
    try:
        pair = tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in pair):
        msg = f"`net_resolution` must be (width, height), two integers (-1: follows the aspect ratio), got {value!r}"
        raise TypeError(msg)
    width, height = (int(n) for n in pair)
    if width == -1 and height == -1:
        msg = "`net_resolution` can have only one side -1 (the one that follows the aspect ratio), got -1x-1"
        raise ValueError(msg)
    for side in (width, height):
        if side != -1 and (side < multiple or side % multiple or side > max_side):
            msg = (f"`net_resolution` sides must be -1 or multiples of {multiple} between {multiple} and {max_side} "
                   f"(the network's stride; OpenPose's rule too), got {width}x{height}")
            raise ValueError(msg)
    return width, height


def check_one_height(net_height, net_resolution) -> None:
    """A `net_height` and a `net_resolution` given together must say the same height (ValueError).

    ``-1xH`` and ``WxH`` say H; ``Wx-1`` says none, so no `net_height` may come with it.
    """
    if net_height is None or net_resolution is None:
        return
    try:
        width, height = net_resolution
    except (TypeError, ValueError):
        return  # not a pair: check_net_resolution says so
    if net_height != height:
        msg = f"`net_height` {net_height!r} and `net_resolution` {width}x{height} disagree; give one of them"
        raise ValueError(msg)


def free_side_size(image_size: tuple[int, int], net_resolution: tuple[int, int], multiple: int) -> tuple[int, int]:
    """``(width, height)`` of the network input for one image: the -1 side from the aspect ratio.

    Examples
    --------
    >>> from openpose.net_resolution import free_side_size
    >>> free_side_size((640, 480), (-1, 368), 16), free_side_size((640, 480), (432, -1), 16)
    ((496, 368), (432, 320))
    >>> free_side_size((640, 480), (656, 368), 16)
    (656, 368)
    """
    width, height = image_size
    net_w, net_h = net_resolution
    if net_w == -1:
        net_w = max(multiple, int(round(net_h * width / height / multiple)) * multiple)
    elif net_h == -1:
        net_h = max(multiple, int(round(net_w * height / width / multiple)) * multiple)
    return net_w, net_h


def fitted_size(image_size: tuple[int, int], net_size: tuple[int, int]) -> tuple[int, int]:
    """``(width, height)`` of the image scaled to fit inside `net_size`, keeping its aspect ratio.

    The scale is ``min(W / w, H / h)``; the side that limits it is exactly
    the network's.

    Examples
    --------
    >>> from openpose.net_resolution import fitted_size
    >>> fitted_size((640, 480), (656, 368)), fitted_size((480, 640), (656, 368))
    ((491, 368), (276, 368))
    """
    width, height = image_size
    net_w, net_h = net_size
    scale = min(net_w / width, net_h / height)
    return (min(net_w, max(1, int(round(width * scale)))), min(net_h, max(1, int(round(height * scale)))))


def fit_canvas(image: np.ndarray, net_size: tuple[int, int]) -> np.ndarray:
    """`image` scaled to fit inside `net_size` (`fitted_size`, bilinear) at the top-left of a black canvas.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3)
    net_size : (int, int)
        ``(width, height)`` of the canvas.

    Returns
    -------
    ndarray of shape (height, width, 3), the dtype of `image`

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.net_resolution import fit_canvas
    >>> canvas = fit_canvas(np.full((480, 640, 3), 200, np.uint8), (656, 368))
    >>> canvas.shape, int(canvas[:, :491].min()), int(canvas[:, 491:].max())
    ((368, 656, 3), 200, 0)
    """
    import cv2

    height, width = image.shape[:2]
    fit_w, fit_h = fitted_size((width, height), net_size)
    resized = image
    if (fit_w, fit_h) != (width, height):
        resized = cv2.resize(image, (fit_w, fit_h), interpolation=cv2.INTER_LINEAR)
    canvas = np.zeros((net_size[1], net_size[0], *image.shape[2:]), dtype=image.dtype)
    canvas[:fit_h, :fit_w] = resized
    return canvas


def from_canvas(result: PoseResult, *, image_size: tuple[int, int], content_size: tuple[int, int]) -> PoseResult:
    """`result`, found in the canvas's pixels (`fit_canvas`), in original-image pixels.

    ``x -> (x + 0.5) * w / fit_w - 0.5`` (and y alike): the inverse of the
    resize, in its pixel-centre convention. Missing parts stay ``0, 0, 0``;
    the candidates (``keypoints``) are mapped too; ``image_size`` becomes
    the original's.
    """
    sx = image_size[0] / content_size[0]
    sy = image_size[1] / content_size[1]

    def mapped(x, y):
        return ((np.asarray(x, np.float64) + 0.5) * sx - 0.5, (np.asarray(y, np.float64) + 0.5) * sy - 0.5)

    poses = np.array(result.poses, np.float32, copy=True)
    if poses.size:
        present = poses[..., 2] > 0
        xs, ys = mapped(poses[..., 0], poses[..., 1])
        poses[..., 0] = np.where(present, xs, 0.0)
        poses[..., 1] = np.where(present, ys, 0.0)
    keypoints = []
    for cand in result.keypoints:
        cand = np.array(cand, np.float32, copy=True)
        if cand.size:
            cand[:, 1], cand[:, 2] = mapped(cand[:, 1], cand[:, 2])
        keypoints.append(cand)
    return replace(result, poses=poses, keypoints=keypoints, image_size=(int(image_size[0]), int(image_size[1])))
