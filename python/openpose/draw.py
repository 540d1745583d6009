"""Drawing people on an image, in CMU OpenPose's colours and style."""

from __future__ import annotations

import numpy as np

from . import _validation as v
from .layouts import get_layout
from .result import PoseResult

__all__ = ["draw", "draw_heatmap", "heatmap_channels", "id_color"]

# CMU OpenPose's body rendering constants (renderPoseKeypointsCpu):
# circle thickness sqrt(image area) / 75, scaled down for small people;
# line thickness 0.75 of it; render threshold 0.05.
_CIRCLE_RATIO = 1.0 / 75.0
_LINE_RATIO = 0.75
_RENDER_THRESHOLD = 0.05


def id_color(track_id: int) -> tuple[int, int, int]:
    """The BGR colour of a tracked person: hues spread by the golden ratio, so neighbouring ids differ."""
    import colorsys

    hue = (int(track_id) * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.85, 1.0)
    return (int(round(255 * b)), int(round(255 * g)), int(round(255 * r)))


def draw(image, result: PoseResult, *, threshold: float = _RENDER_THRESHOLD, alpha: float = 1.0,
         blend: bool = True, ids=None) -> np.ndarray:
    """A copy of `image` with the people of `result` drawn on it.

    Limbs are lines in the colour of their second part, keypoints filled
    circles in their part's colour (the layout's OpenPose colours), with
    thicknesses that follow the image size and each person's size, as CMU
    OpenPose renders them. With ids (tracking), each person is drawn in
    the colour of their id (`id_color`), with the id written above the
    head.

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
        BGR image (grayscale and BGRA are converted); not modified.
    result : PoseResult
        People found in this image (coordinates in its pixels).
    threshold : float
        Keypoints with a score at or below this are not drawn (0.05).
    alpha : float
        Opacity of the skeletons, in [0, 1] (OpenPose's ``--alpha_pose``);
        1: drawn opaque (the default).
    blend : bool
        Draw over the image (the default); False: over black (OpenPose's
        ``--disable_blending``).
    ids : array of shape (P,) of int, optional
        One id per person (default: ``result.track_ids``, if set).

    Returns
    -------
    ndarray of shape (h, w, 3), uint8
        The new image.

    Examples
    --------
    >>> import numpy as np
    >>> import openpose
    >>> image = np.zeros((240, 320, 3), np.uint8)
    >>> picture = openpose.draw(image, openpose.PoseEstimator().estimate(image))
    >>> picture.shape, picture is image
    ((240, 320, 3), False)
    """
    import cv2

    from .estimator import as_bgr

    if not isinstance(result, PoseResult):
        msg = f"`result` must be a PoseResult, got {type(result).__name__}"
        raise TypeError(msg)
    threshold = v.number(threshold, "threshold")
    alpha = v.number(alpha, "alpha")
    if not 0.0 <= alpha <= 1.0:
        msg = f"`alpha` must be between 0 and 1, got {alpha}"
        raise ValueError(msg)
    canvas = as_bgr(image)
    canvas = np.clip(canvas, 0, 255).astype(np.uint8) if canvas.dtype != np.uint8 else canvas.copy()
    if not blend:
        canvas[:] = 0
    background = canvas.copy() if alpha < 1.0 else None
    height, width = canvas.shape[:2]
    layout = get_layout(result.layout)
    colors = layout.colors
    pairs = layout.drawn_pairs()
    area = float(width * height)
    poses = np.asarray(result.poses, np.float32)
    if ids is None:
        ids = result.track_ids
    if ids is not None:
        ids = np.asarray(ids).reshape(-1)
        if ids.shape[0] != poses.shape[0]:
            msg = f"`ids` must have one entry per person ({poses.shape[0]}), got {ids.shape[0]}"
            raise ValueError(msg)
    labels: list[tuple[str, np.ndarray, tuple[int, int, int]]] = []
    for p, pose in enumerate(poses):
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
        # An id of -1 (no id yet: a tentative track) is drawn as without tracking.
        own = None if ids is None or int(ids[p]) < 0 else id_color(int(ids[p]))
        for a, b in pairs:
            if visible[a] and visible[b]:
                color = colors[b % len(colors)] if own is None else own
                cv2.line(canvas, centers[a], centers[b], color, line_thickness, cv2.LINE_8)
        for part in np.flatnonzero(visible):
            color = colors[part % len(colors)] if own is None else own
            cv2.circle(canvas, centers[part], radius, color, circle_thickness, cv2.LINE_8)
        if own is not None:
            labels.append((str(int(ids[p])), pts, own))
    _draw_labels(canvas, labels)  # after every skeleton, so that none is drawn over a label
    if background is not None:
        canvas = cv2.addWeighted(canvas, alpha, background, 1.0 - alpha, 0.0)
    return canvas


def heatmap_channels(n_heatmaps: int, n_pafs: int, part: int) -> tuple[list[int], bool]:
    """The output channels that OpenPose's ``--part_to_show`` `part` shows, and whether they are PAFs.

    For a network with `n_heatmaps` heatmaps (parts, then the background)
    and `n_pafs` PAF channels: 1..n_heatmaps one heatmap each (COCO: 1-18 the
    parts, 19 the background), n_heatmaps + 1 all part heatmaps together,
    n_heatmaps + 2 all PAFs, then one limb's PAF pair each (COCO: 22-40).

    Examples
    --------
    >>> from openpose.draw import heatmap_channels
    >>> heatmap_channels(19, 38, 1), heatmap_channels(19, 38, 22)
    (([0], False), ([19, 20], True))
    """
    if isinstance(part, bool) or not isinstance(part, int) or not 1 <= part <= n_heatmaps + 2 + n_pafs // 2:
        msg = f"`part` must be between 1 and {n_heatmaps + 2 + n_pafs // 2} for this network, got {part!r}"
        raise ValueError(msg)
    if part <= n_heatmaps:
        return [part - 1], False
    if part == n_heatmaps + 1:
        return list(range(n_heatmaps - 1)), False
    if part == n_heatmaps + 2:
        return list(range(n_heatmaps, n_heatmaps + n_pafs)), True
    first = n_heatmaps + 2 * (part - n_heatmaps - 3)
    return [first, first + 1], True


def draw_heatmap(image, net_output, *, part: int, n_heatmaps: int, alpha: float = 0.7) -> np.ndarray:
    """A copy of `image` with heatmap or PAF channels of `net_output` blended over it (``--part-to-show``).

    Parameters
    ----------
    image : ndarray of shape (h, w, 3), uint8
    net_output : ndarray of shape (1, C, h', w') or (C, h', w'), float32
    part : int
        As `heatmap_channels`.
    n_heatmaps : int
        Heatmap channels of the output (the layout's parts + 1).
    alpha : float
        Weight of the map (OpenPose's ``--alpha_heatmap``, 0.7).

    Returns
    -------
    ndarray of shape (h, w, 3), uint8
        Heatmaps: the maximum over the channels, 0..1; PAFs: the largest
        vector length; resized to the image and coloured with ``COLORMAP_JET``.
    """
    import cv2

    from .estimator import as_bgr

    canvas = as_bgr(image)
    canvas = np.clip(canvas, 0, 255).astype(np.uint8) if canvas.dtype != np.uint8 else canvas.copy()
    maps = np.asarray(net_output, np.float32)
    maps = maps[0] if maps.ndim == 4 else maps
    channels, is_paf = heatmap_channels(n_heatmaps, maps.shape[0] - n_heatmaps, part)
    chosen = maps[channels]
    value = np.sqrt((chosen[0::2] ** 2 + chosen[1::2] ** 2).max(axis=0)) if is_paf else chosen.max(axis=0)
    value = np.clip(value, 0.0, 1.0)
    height, width = canvas.shape[:2]
    value = cv2.resize(value, (width, height), interpolation=cv2.INTER_CUBIC)
    colored = cv2.applyColorMap(np.clip(value * 255.0 + 0.5, 0, 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(colored, float(alpha), canvas, 1.0 - float(alpha), 0.0)


def _label_boxes(sizes, anchors, width: int, height: int, *, gap: int = 2) -> list[tuple[int, int]]:
    """Top-left corners of label boxes of `sizes` ``(w, h)``, each centred above its anchor ``(x, y)``.

    A box that would overlap one placed before it moves up, a box at a time,
    then down, to the first place where it overlaps none inside the image
    (ids of people side by side, whose heads are close, stay readable); with
    no such place it stays where it was wanted.
    """
    placed: list[tuple[int, int, int, int]] = []
    corners = []
    for (w, h), (ax, ay) in zip(sizes, anchors):
        x = min(max(int(round(ax - w / 2)), 0), max(width - w, 0))
        wanted = min(max(int(round(ay)) - h - gap, 0), max(height - h, 0))
        step = h + gap
        ups = range(wanted, -1, -step)
        downs = range(wanted + step, height - h + 1, step)
        y = next((y for y in (*ups, *downs)
                  if not any(x < px + pw and px < x + w and y < py + ph and py < y + h for px, py, pw, ph in placed)),
                 wanted)
        placed.append((x, y, w, h))
        corners.append((x, y))
    return corners


def _draw_labels(canvas: np.ndarray, labels) -> None:
    """Each ``(text, keypoints, colour)`` above the top of its person's keypoints (the head), on a black box."""
    import cv2

    if not labels:
        return
    height, width = canvas.shape[:2]
    scale = max(height / 720.0, 0.4)
    thickness = max(int(round(2 * scale)), 1)
    pad = max(thickness, 2)
    metrics = [cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness) for text, _, _ in labels]
    sizes = [(tw + 2 * pad, th + baseline + 2 * pad) for (tw, th), baseline in metrics]
    anchors = []
    for _, pts, _ in labels:
        top = int(np.argmin(pts[:, 1]))
        anchors.append((float(pts[top, 0]), float(pts[top, 1])))
    corners = _label_boxes(sizes, anchors, width, height)
    for (text, _, color), ((_, th), _), (w, h), (x, y) in zip(labels, metrics, sizes, corners):
        cv2.rectangle(canvas, (x, y), (x + w - 1, y + h - 1), (0, 0, 0), cv2.FILLED)
        cv2.putText(canvas, text, (x + pad, y + pad + th), cv2.FONT_HERSHEY_SIMPLEX, scale, color, thickness,
                    cv2.LINE_AA)
