"""Drawing people on an image, in CMU OpenPose's colours and style."""

from __future__ import annotations

import numpy as np

from . import _validation as v
from .layouts import get_layout
from .result import PoseResult

__all__ = ["draw"]

# CMU OpenPose's body rendering constants (renderPoseKeypointsCpu):
# circle thickness sqrt(image area) / 75, scaled down for small people;
# line thickness 0.75 of it; render threshold 0.05.
_CIRCLE_RATIO = 1.0 / 75.0
_LINE_RATIO = 0.75
_RENDER_THRESHOLD = 0.05


def draw(image, result: PoseResult, *, threshold: float = _RENDER_THRESHOLD) -> np.ndarray:
    """A copy of `image` with the people of `result` drawn on it.

    Limbs are lines in the colour of their second part, keypoints filled
    circles in their part's colour (the layout's OpenPose colours), with
    thicknesses that follow the image size and each person's size, as CMU
    OpenPose renders them.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
        BGR image (grayscale and BGRA are converted); not modified.
    result : PoseResult
        People found in this image (coordinates in its pixels).
    threshold : float
        Keypoints with a score at or below this are not drawn (0.05).

    Returns
    -------
    ndarray of shape (h, w, 3), uint8
        The new image.
    """
    import cv2

    from .estimator import as_bgr

    if not isinstance(result, PoseResult):
        msg = f"`result` must be a PoseResult, got {type(result).__name__}"
        raise TypeError(msg)
    threshold = v.number(threshold, "threshold")
    canvas = as_bgr(image)
    canvas = np.clip(canvas, 0, 255).astype(np.uint8) if canvas.dtype != np.uint8 else canvas.copy()
    height, width = canvas.shape[:2]
    layout = get_layout(result.layout)
    colors = layout.colors
    pairs = layout.drawn_pairs()
    area = float(width * height)
    for pose in np.asarray(result.poses, np.float32):
        visible = pose[:, 2] > threshold
        if not visible.any():
            continue
        pts = pose[visible, :2]
        extent = pts.max(axis=0) - pts.min(axis=0)
        ratio_areas = min(1.0, max(extent[0] / width, extent[1] / height))
        thickness = max(int(round(np.sqrt(area) * _CIRCLE_RATIO * ratio_areas)), 2)
        circle_thickness = thickness if ratio_areas > 0.05 else -1
        line_thickness = max(int(round(thickness * _LINE_RATIO)), 1)
        radius = max(thickness // 2, 1)
        centers = [(int(round(x)), int(round(y))) for x, y in pose[:, :2]]
        for a, b in pairs:
            if visible[a] and visible[b]:
                color = colors[b % len(colors)]
                cv2.line(canvas, centers[a], centers[b], color, line_thickness, cv2.LINE_8)
        for part in np.flatnonzero(visible):
            color = colors[part % len(colors)]
            cv2.circle(canvas, centers[part], radius, color, circle_thickness, cv2.LINE_8)
    return canvas
