"""OKS accuracy and speed of each preset and mode on the dev set (../shared/data/dev).

For each row: COCO OKS AP, AP50, AP75, AR (pycocotools) on the 143 dev
photos, and frames per second on ../shared/media/video.avi (cv2 engine,
`PoseEstimator.estimate` per frame, called from one thread; cv2.dnn uses
its own thread pool), all measured in one run. Timings on a shared machine
are noisy, so the rows are timed side by side: frame by frame, every row
in turn (the order rotating), `--reps` passes over the frames, and each
frame's time is its fastest pass; the last column is each row's time per
frame over the row "before this release's defaults" (the old default).
The network outputs of the dev set come from `dev_cache.py` (computed once
per image, net height, flip and network stages, in /tmp), combined as
`PoseEstimator.forward` combines them; post-processing is the estimator's
own. The comparison row is tf-pose-estimation's grouping
(`tfpose_grouping.py`, the constants of its mobilenet-v2 code, 8x as its
COCO evaluation) on the plain 368 output; being pure Python it is slow
(minutes), so its detections are kept in the cache folder too.

    python benchmarks/accuracy.py                  # prints the table
    python benchmarks/accuracy.py --frames 40      # video frames timed per row (default 40)
    python benchmarks/accuracy.py --reps 3         # passes over them (default 3; each frame's fastest counts)
    python benchmarks/accuracy.py --write-docs     # also writes it into docs/accuracy.md (accuracy-table)

Needs pycocotools (the `eval` or `test` extra).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev_cache as dc
import openpose
from doc_tables import write_table
from openpose.evaluation import coco_detections
from openpose.multiscale import average_outputs, unflip
from tfpose_grouping import EVAL_UPSAMPLE_RATIO, tfpose_postprocess

VIDEO = dc.SHARED / "media" / "video.avi"

#: (label, PoseEstimator keyword arguments) of every row.
ROWS = [
    ("seed (the original program)", {"mode": "seed"}),
    ("accurate, before this release's defaults (368, CMU's constants)",
     {"preset": None, "threshold": 0.05, "paf_threshold": 0.05, "min_mean_score": 0.4, "min_parts": 3,
      "grouping": "cpu"}),
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
        outs.append(dc.output(nets, dc.DEV, info["file_name"], h, False, est.stages))
        if est.flip:
            outs.append(unflip(dc.output(nets, dc.DEV, info["file_name"], h, True, est.stages), "coco"))
    return average_outputs(outs), (int(info["width"]), int(info["height"]))


def frames_per_second(estimators, frames, reps: int = 3) -> list[float]:
    """Frames/s of each estimator on `frames`, timed side by side.

    Frame by frame, each estimator in turn (the order rotating by one per
    frame and pass), `reps` passes; a frame's time is its fastest pass, so
    that another process's burst on a shared machine counts against no row.
    """
    for est in estimators:
        est.estimate(frames[0])  # warm-up
    n = len(estimators)
    best = np.full((n, len(frames)), np.inf)
    for r in range(reps):
        for j, frame in enumerate(frames):
            for k in range(n):
                i = (k + r + j) % n
                t0 = time.perf_counter()
                estimators[i].estimate(frame)
                best[i, j] = min(best[i, j], time.perf_counter() - t0)
    return [len(frames) / float(row.sum()) for row in best]


def measure(subset=None, n_frames: int = 40, reps: int = 3):
    """{label: (AP, AP50, AP75, AR, frames/s or None)}."""
    gt = dc.load_gt()
    ids = sorted(gt.getImgIds()) if subset is None else subset
    model = dc.shared_model()
    nets = dc._Nets()
    table = {}
    estimators = []
    for label, kwargs in ROWS:
        est = openpose.PoseEstimator(model, **kwargs)
        estimators.append(est)
        dets = []
        for image_id in ids:
            out, size = dev_output(est, gt, image_id, nets)
            dets += coco_detections(est.postprocess(out, image_size=size), image_id)
        table[label] = (*evaluate(gt, dets), None)
        print(label, table[label][:4], file=sys.stderr, flush=True)
    if n_frames:
        fps = frames_per_second(estimators, dc.video_frames(n_frames, VIDEO), reps)
        for (label, _), f in zip(ROWS, fps):
            table[label] = (*table[label][:4], f)
            print(label, f"{f:.2f} frames/s", file=sys.stderr, flush=True)
    table[TFPOSE_LABEL] = (*evaluate(gt, tfpose_detections(gt, ids, nets)), None)
    return table


def tfpose_detections(gt, ids, nets) -> list[dict]:
    """The comparison row's detections (pure Python, slow: kept in the cache folder once computed)."""
    path = dc.CACHE / f"tfpose_368_x{EVAL_UPSAMPLE_RATIO:g}_{len(ids)}_{sum(ids)}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    dets = []
    for image_id in ids:
        info = gt.loadImgs(image_id)[0]
        out = dc.output(nets, dc.DEV, info["file_name"], 368, False)
        res = tfpose_postprocess(out, image_size=(int(info["width"]), int(info["height"])),
                                 upsample_ratio=EVAL_UPSAMPLE_RATIO)
        dets += coco_detections(res, image_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dets), encoding="utf-8")
    return dets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="video frames timed per row (0: no timing)")
    parser.add_argument("--reps", type=int, default=3, help="passes over the frames (each frame's fastest counts)")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/accuracy.md")
    args = parser.parse_args(argv)
    table = measure(n_frames=args.frames, reps=max(1, args.reps))
    gt = dc.load_gt()
    n_people = sum(1 for a in gt.dataset["annotations"] if a["num_keypoints"] > 0)
    title = (f"COCO OKS keypoint accuracy on `../shared/data/dev` ({len(gt.getImgIds())} COCO 2017 photos, "
             f"{n_people} people with keypoints), shared model, cv2 engine; frames/s on `video.avi` "
             f"({args.frames} frames, `estimate` called from one thread, rows timed side by side, each frame's "
             f"fastest of {max(1, args.reps)} passes), same run; time/frame relative to the old default "
             f"(second row):")
    lines = [
        title,
        "",
        "| mode / preset | AP | AP50 | AP75 | AR | frames/s | time/frame vs old default |",
        "|---|---|---|---|---|---|---|",
    ]
    before = table[ROWS[1][0]][4]
    for label, (ap, ap50, ap75, ar, fps) in table.items():
        rel = "-" if fps is None or before is None else f"{before / fps:.2f}x"
        lines.append(f"| {label} | {ap:.3f} | {ap50:.3f} | {ap75:.3f} | {ar:.3f} | "
                     f"{'-' if fps is None else f'{fps:.2f}'} | {rel} |")
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_table("accuracy.md", "accuracy-table", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
