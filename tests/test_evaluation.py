"""OKS AP with pycocotools: a constructed case, and the shared model on ../shared/data/ochuman."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, shared_path
from openpose.evaluation import coco_detections, evaluate_oks
from openpose.layouts import get_layout

pytest.importorskip("pycocotools")


def result_from_coco17(people, image_size):
    """A COCO-18 PoseResult from COCO-17 keypoint rows [x, y, v] * 17 (neck left missing)."""
    index = get_layout("coco").coco17_index
    poses = np.zeros((len(people), 18, 3), np.float32)
    for p, kps in enumerate(people):
        kps = np.asarray(kps, np.float32).reshape(17, 3)
        for j, part in enumerate(index):
            if kps[j, 2] > 0:
                poses[p, part] = (kps[j, 0], kps[j, 1], 1.0)
    return openpose.PoseResult(poses=poses, scores=np.ones(len(people), np.float32),
                               persons=np.full((len(people), 18), -1, np.int32), keypoints=[], valid_pairs=[],
                               invalid_pairs=[], layout="coco", image_size=image_size, mode="seed")


@pytest.fixture
def annotations(tmp_path):
    rng = np.random.default_rng(0)
    anns = []
    for i in range(4):
        x0, y0 = 40 + 120 * i, 50
        kps = np.column_stack([rng.uniform(x0, x0 + 100, 17), rng.uniform(y0, y0 + 300, 17), np.full(17, 2)])
        anns.append({"id": i + 1, "image_id": 1, "category_id": 1, "iscrowd": 0, "num_keypoints": 17,
                     "bbox": [x0, y0, 100, 300], "area": 30000.0, "keypoints": kps.round(1).ravel().tolist()})
    doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}], "annotations": anns,
           "categories": [{"id": 1, "name": "person", "keypoints": [str(k) for k in range(17)], "skeleton": []}]}
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(doc))
    return path, [a["keypoints"] for a in anns]


def test_perfect_predictions_give_ap_one(annotations):
    path, people = annotations
    stats = evaluate_oks({"a.jpg": result_from_coco17(people, (640, 480))}, path)
    assert stats["AP"] == pytest.approx(1.0) and stats["AR"] == pytest.approx(1.0)


def test_shifted_predictions_score_lower(annotations):
    path, people = annotations
    shifted = [(np.asarray(k).reshape(17, 3) + np.array([25, 25, 0])).ravel() for k in people]
    stats = evaluate_oks({1: result_from_coco17(shifted, (640, 480))}, path)
    assert 0.0 <= stats["AP"] < 0.9


def test_no_detections_give_zero(annotations):
    path, _ = annotations
    assert evaluate_oks({1: result_from_coco17([], (640, 480))}, path)["AP"] == 0.0


def test_unknown_image_name(annotations):
    path, people = annotations
    with pytest.raises(ValueError, match="not in"):
        evaluate_oks({"b.jpg": result_from_coco17(people, (640, 480))}, path)


def test_detections_drop_the_neck():
    res = result_from_coco17([np.arange(51, dtype=float)], (640, 480))
    res.poses[0, 1] = (999, 999, 1)  # the neck is not a COCO keypoint
    det = coco_detections(res, 7)[0]
    assert det["image_id"] == 7 and len(det["keypoints"]) == 51 and 999.0 not in det["keypoints"]


def test_oks_ap_on_ochuman():
    """The development accuracy figure (README): seed mode, shared COCO model, net height 368."""
    ann = shared_path("data/ochuman/test_ochuman.json")
    images = json.loads(ann.read_text())["images"]
    est = openpose.PoseEstimator(model_for_this_opencv(), mode="seed")
    results = {img["file_name"]: est.estimate(cv2.imread(str(ann.parent / img["file_name"]))) for img in images}
    stats = evaluate_oks(results, ann)
    print(f"OKS on ochuman: {stats}")
    # OCHuman is heavy occlusion and this is a small MobileNet: a sane AP is
    # well above chance and below what a perfect detector gets.
    assert 0.05 < stats["AP"] < 0.9
    assert 0.0 < stats["AR"] <= 1.0
