"""OpenPose's ``--keypoint_scale``: the coordinates of the written keypoints.

=====  ======================================================================
scale  coordinates
=====  ======================================================================
0      original-image pixels (the default; what `PoseEstimator` returns)
1      network-input pixels: ``x * net_width / width``, ``y * net_height / height``
3      [0, 1]: ``x / (width - 1)``, ``y / (height - 1)``; (0, 0) the top-left
       pixel, (1, 1) the bottom-right one (OpenPose's convention)
4      [-1, 1]: ``2 x / (width - 1) - 1``, ``2 y / (height - 1) - 1``
=====  ======================================================================

Scores are unchanged, and a missing part stays ``0, 0, 0`` (OpenPose's JSON
convention for it) whatever the scale. OpenPose's scale 2 (its
``--resolution`` output size) has no counterpart here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .result import PoseResult

__all__ = ["KEYPOINT_SCALES", "scale_poses", "scaled_result"]

#: The ``--keypoint-scale`` values.
KEYPOINT_SCALES = (0, 1, 3, 4)


def scale_poses(poses, *, scale: int, image_size: tuple[int, int],
                net_size: tuple[int, int] | None = None) -> np.ndarray:
    """`poses` with their coordinates in the keypoint scale `scale` (`KEYPOINT_SCALES`).

    Parameters
    ----------
    poses : ndarray of shape (P, K, 3), float32
        ``x, y, score`` in original-image pixels.
    scale : {0, 1, 3, 4}
    image_size : (int, int)
        ``(width, height)`` of the original image.
    net_size : (int, int), optional
        ``(width, height)`` of the network input; needed for scale 1.

    Returns
    -------
    ndarray of shape (P, K, 3), float32
        A new array (scale 0: a copy).

    Examples
    --------
    >>> import numpy as np
    >>> from openpose.keypoint_scale import scale_poses
    >>> poses = np.array([[[100.0, 50.0, 0.75], [0.0, 0.0, 0.0]]], np.float32)
    >>> scale_poses(poses, scale=3, image_size=(201, 101)).tolist()  # a missing part stays 0, 0, 0
    [[[0.5, 0.5, 0.75], [0.0, 0.0, 0.0]]]
    >>> scale_poses(poses, scale=4, image_size=(201, 101)).tolist()
    [[[0.0, 0.0, 0.75], [0.0, 0.0, 0.0]]]
    """
    if isinstance(scale, bool) or scale not in KEYPOINT_SCALES:
        msg = f"`scale` must be one of {KEYPOINT_SCALES}, got {scale!r}"
        raise ValueError(msg)
    out = np.array(poses, dtype=np.float32, copy=True).reshape(np.shape(poses))
    if scale == 0 or out.size == 0:
        return out
    width, height = (float(n) for n in image_size)
    if scale == 1:
        if net_size is None:
            msg = "`net_size` is needed for keypoint scale 1 (network-input pixels)"
            raise ValueError(msg)
        sx, sy, offset = net_size[0] / width, net_size[1] / height, 0.0
    elif scale == 3:
        sx, sy, offset = 1.0 / max(width - 1.0, 1.0), 1.0 / max(height - 1.0, 1.0), 0.0
    else:
        sx, sy, offset = 2.0 / max(width - 1.0, 1.0), 2.0 / max(height - 1.0, 1.0), -1.0
    present = out[..., 2] > 0
    xs = out[..., 0].astype(np.float64) * sx + offset
    ys = out[..., 1].astype(np.float64) * sy + offset
    out[..., 0] = np.where(present, xs, 0.0)
    out[..., 1] = np.where(present, ys, 0.0)
    return out


def scaled_result(result: PoseResult, *, scale: int, net_size: tuple[int, int] | None = None) -> PoseResult:
    """`result` with ``poses`` in keypoint scale `scale` (`scale_poses`); the same object for scale 0."""
    if scale == 0:
        return result
    return replace(result, poses=scale_poses(result.poses, scale=scale, image_size=result.image_size,
                                             net_size=net_size))
