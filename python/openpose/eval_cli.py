"""``openpose eval ANNOTATIONS.json IMAGES``: COCO OKS accuracy of the estimator on a keypoint set.

Runs the estimator (the same options as the command: model, engine, mode,
preset, scales, flip, ...) on every image of a COCO-format person keypoint
set and prints pycocotools' AP, AP50, AP75, APm, APl and AR. Needs
pycocotools: ``pip install "openpose[eval]"``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import _parse

__all__ = ["main"]

#: The figures printed, as (label, key of `openpose.evaluation.evaluate_oks`).
PRINTED = (("AP", "AP"), ("AP50", "AP50"), ("AP75", "AP75"), ("APm", "AP_medium"), ("APl", "AP_large"),
           ("AR", "AR"))


def build_parser(prog: str = "openpose eval") -> argparse.ArgumentParser:
    from ._commandline import CommandParser
    from .estimator import EstimatorOptions
    from .options import add_options

    parser = CommandParser(prog=prog, description=__doc__.splitlines()[0].split(": ", 1)[1])
    parser.add_argument("annotations", type=Path, metavar="ANNOTATIONS.json",
                        help="COCO-format person keypoint annotations")
    parser.add_argument("images", type=Path, metavar="IMAGES", help="the folder of the annotations' file names")
    parser.add_argument("--max-images", type=_parse.positive_int, default=None, metavar="N",
                        help="only the first N images (by id)")
    parser.add_argument("--write-coco-json", metavar="FILE", default=None, help="also write the detections")
    add_options(parser, EstimatorOptions, command="eval")
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "openpose eval") -> int:
    """Entry point; 0 on success, 2 on a usage, model or data error."""
    from ._commandline import estimator_error, estimator_options, joined_net_resolution

    parser = build_parser(prog)
    args = parser.parse_args(joined_net_resolution(list(sys.argv[1:] if argv is None else argv)))
    options = estimator_options(parser, args)
    try:
        import pycocotools  # noqa: F401
    except ImportError:
        print('openpose eval: error: needs pycocotools: pip install "openpose[eval]"', file=sys.stderr)
        return 2
    import contextlib
    import io

    import cv2
    from pycocotools.coco import COCO

    from .estimator import PoseEstimator
    from .evaluation import coco_detections, evaluate_oks

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            gt = COCO(str(args.annotations))
        estimator = PoseEstimator.from_options(options)
    except (OSError, ValueError, TypeError, json.JSONDecodeError) as exc:
        print(estimator_error(prog, exc, options), file=sys.stderr)
        return 2
    ids = sorted(gt.getImgIds())[: args.max_images]
    results = {}
    for image_id in ids:
        name = gt.loadImgs(image_id)[0]["file_name"]
        image = cv2.imread(str(args.images / name))
        if image is None:
            print(f"{prog}: error: cannot read {str(args.images / name)!r}", file=sys.stderr)
            return 2
        results[image_id] = estimator.estimate(image)
    scores = evaluate_oks(results, args.annotations)
    if args.write_coco_json:
        dets = [d for i, r in results.items() for d in coco_detections(r, i)]
        Path(args.write_coco_json).write_text(json.dumps(dets), encoding="utf-8")
    print(f"{len(ids)} images, {estimator!r}")
    print("  ".join(f"{label} {scores[key]:.3f}" for label, key in PRINTED))
    return 0
