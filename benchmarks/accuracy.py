"""OKS accuracy of each post-processing mode on a COCO-format keypoint set.

Runs the shared model (cv2.dnn) once per image, post-processes the same
network output with every mode, converts COCO-18 to COCO-17 (the neck is
dropped) and scores the people with pycocotools (OKS AP, AP50, AR).

    python benchmarks/accuracy.py                       # ../shared/data/ochuman
    python benchmarks/accuracy.py --markdown table.md   # also write a Markdown table

Self-contained on purpose (small inline inference); needs opencv and
pycocotools (the `test` extra).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from pathlib import Path

import numpy as np

import openpose

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

#: COCO-17 keypoint k is COCO-18 part COCO17_FROM_18[k] (the neck, 1, has no COCO-17 counterpart).
COCO17_FROM_18 = [0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10]

#: (label, mode, options) of every configuration measured.
CONFIGS = [
    ("seed", "seed", {}),
    ("accurate (default: cpu grouping, output resolution)", "accurate", {"grouping": "cpu", "factor": 1}),
    ("accurate (gpu grouping, output resolution)", "accurate", {"grouping": "gpu", "factor": 1}),
    ("accurate (cpu grouping, x8 bicubic)", "accurate", {"grouping": "cpu", "factor": 8}),
    ("accurate (gpu grouping, x8 bicubic)", "accurate", {"grouping": "gpu", "factor": 8}),
]


def load_net():
    import cv2

    models = SHARED / "models"
    name = "openpose_mobilenet_v2_small_coco.onnx"
    if int(cv2.__version__.split(".")[0]) < 5:
        name = "openpose_mobilenet_v2_small_coco_368x432.onnx"
    return cv2.dnn.readNetFromONNX(str(models / name))


def net_input_size(width: int, height: int, net_height: int = 368):
    """(W, H): height 368, aspect-preserving width rounded to a multiple of 16."""
    return max(16, int(round(net_height * width / height / 16.0)) * 16), net_height


def infer(net, image):
    import cv2

    h, w = image.shape[:2]
    blob = cv2.dnn.blobFromImage(image, 1.0, net_input_size(w, h), (0, 0, 0), swapRB=False, crop=False)
    net.setInput(blob)
    return np.array(net.forward(), dtype=np.float32, copy=True)


def coco_detections(result, image_id: int):
    dets = []
    for pose, score in zip(result.poses, result.scores):
        kps = []
        for part in COCO17_FROM_18:
            x, y, s = (float(v) for v in pose[part])
            kps += [x, y, 2 if s > 0 else 0]
        dets.append({"image_id": image_id, "category_id": 1, "keypoints": kps, "score": float(score)})
    return dets


def evaluate(gt, dets):
    """(AP, AP50, AR, best OKS) of keypoint detections against the ground truth.

    best OKS: the mean over annotated people of the highest OKS any
    detection in their image reaches (0 when none); it does not depend on
    the detection scores, so it measures localisation and grouping alone.
    """
    from pycocotools.cocoeval import COCOeval

    if not dets:
        return 0.0, 0.0, 0.0, 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(dets)
        ev = COCOeval(gt, dt, "keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    stats = [max(0.0, float(s)) for s in ev.stats]
    best = []
    for image_id in gt.getImgIds():
        n_gt = len(gt.getAnnIds(imgIds=image_id, iscrowd=False))
        ious = np.asarray(ev.ious.get((image_id, 1), []))
        best += list(ious.max(axis=0)) if ious.size else [0.0] * n_gt
    return stats[0], stats[1], stats[5], float(np.mean(best)) if best else 0.0


def main(argv=None) -> int:
    import cv2
    from pycocotools.coco import COCO

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=Path, default=SHARED / "data/ochuman/test_ochuman.json")
    parser.add_argument("--images", type=Path, default=None, help="image folder (default: next to the annotations)")
    parser.add_argument("--markdown", type=Path, default=None, help="write the table there as Markdown")
    args = parser.parse_args(argv)
    images_dir = args.images or args.annotations.parent

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(args.annotations))
    net = load_net()
    dets = {label: [] for label, _, _ in CONFIGS}
    for image_id in sorted(gt.getImgIds()):
        info = gt.loadImgs(image_id)[0]
        image = cv2.imread(str(images_dir / info["file_name"]))
        if image is None:
            print(f"cannot read {info['file_name']}", file=sys.stderr)
            return 1
        out = infer(net, image)
        size = (image.shape[1], image.shape[0])
        for label, mode, options in CONFIGS:
            res = openpose.postprocess(out, image_size=size, mode=mode, **options)
            dets[label] += coco_detections(res, image_id)

    n_people = len(gt.getAnnIds())
    title = (f"OKS keypoint accuracy on `{args.annotations.name}` ({len(gt.getImgIds())} images, "
             f"{n_people} people), shared model, same network output for every mode")
    lines = [title, "", "| mode | AP | AP50 | AR | best OKS per person |", "|---|---|---|---|---|"]
    for label, _, _ in CONFIGS:
        ap, ap50, ar, best = evaluate(gt, dets[label])
        lines.append(f"| {label} | {ap:.3f} | {ap50:.3f} | {ar:.3f} | {best:.3f} |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
