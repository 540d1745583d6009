"""Accuracy against COCO-format keypoint ground truth: OKS AP with pycocotools.

A development check, not part of the estimation path: it needs the
``pycocotools`` package (in the ``test`` extra).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping

import numpy as np

from .layouts import get_layout
from .result import PoseResult

__all__ = ["coco_detections", "evaluate_oks"]

#: The names of pycocotools' keypoint summary, in its order.
OKS_METRICS = ("AP", "AP50", "AP75", "AP_medium", "AP_large", "AR", "AR50", "AR75", "AR_medium", "AR_large")


def coco_detections(result: PoseResult, image_id: int) -> list[dict]:
    """One image's people as COCO keypoint detections.

    The layout's parts are mapped to COCO's 17 keypoints (COCO-18 drops the
    neck); each detection's score is the person's score.

    Raises
    ------
    ValueError
        If the layout has no mapping to COCO's keypoints (MPI).
    """
    layout = get_layout(result.layout)
    if layout.coco17_index is None:
        msg = f"layout {layout.name!r} cannot be mapped to COCO's 17 keypoints"
        raise ValueError(msg)
    index = np.asarray(layout.coco17_index)
    detections = []
    for pose, score in zip(result.poses, result.scores):
        kps = np.asarray(pose, np.float64)[index]
        flat = np.column_stack([kps[:, 0], kps[:, 1], (kps[:, 2] > 0).astype(np.float64)]).ravel()
        detections.append({"image_id": int(image_id), "category_id": 1,
                           "keypoints": [float(x) for x in flat], "score": float(score)})
    return detections


def evaluate_oks(results: Mapping[int | str, PoseResult], annotation_file) -> dict[str, float]:
    """OKS average precision and recall of `results` on COCO keypoint ground truth.

    Parameters
    ----------
    results : mapping of image id or file name -> PoseResult
        One result per evaluated image; file names are looked up in the
        annotation file's ``images``. Only these images are evaluated.
    annotation_file : path
        COCO-format keypoint annotations (17 keypoints).

    Returns
    -------
    dict of str -> float
        ``AP``, ``AP50``, ``AP75``, ``AP_medium``, ``AP_large``, ``AR``,
        ``AR50``, ``AR75``, ``AR_medium``, ``AR_large`` (pycocotools' keypoint
        summary; -1 where a bucket is empty).
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(annotation_file))
    by_name = {img["file_name"]: img["id"] for img in gt.dataset["images"]}
    detections, image_ids = [], []
    for key, result in results.items():
        if isinstance(key, str):
            if key not in by_name:
                msg = f"`results`: image {key!r} is not in {str(annotation_file)!r}"
                raise ValueError(msg)
            image_id = by_name[key]
        else:
            image_id = int(key)
        image_ids.append(image_id)
        detections.extend(coco_detections(result, image_id))
    if not image_ids:
        msg = "`results` is empty"
        raise ValueError(msg)
    if not detections:
        return dict.fromkeys(OKS_METRICS, 0.0)
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(detections)
        ev = COCOeval(gt, dt, "keypoints")
        ev.params.imgIds = sorted(image_ids)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return {name: float(value) for name, value in zip(OKS_METRICS, ev.stats)}
