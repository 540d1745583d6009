"""``openpose batch``: the job of the ``openpose`` command on a Ray cluster.

``openpose batch INPUT... --model PATH --output DIR [--ray-address ADDR] [--num-workers N]``

Needs the optional extra ``openpose[ray]``; see `openpose.ray`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ._commandline import CommandParser

__all__ = ["build_parser", "main"]


def build_parser(prog: str = "openpose batch") -> argparse.ArgumentParser:
    from . import _validation as v
    from .cli import (
        ENV_MODEL,
        _add_accuracy_options,
        _add_openpose_options,
        _estimator_default,
        _non_negative_int,
        _positive_int,
    )
    from .engines import DEVICES, PRECISIONS, engine_names
    from .outputs import BATCH_FORMATS

    parser = CommandParser(
        prog=prog,
        description=("Pose estimation over large image and video collections on Ray Data: the same results as "
                     "`openpose INPUT --write-json DIR`, spread over a Ray cluster (or a local one). Resumable: "
                     "a rerun skips the inputs whose outputs are complete; failed inputs are listed in "
                     "DIR/failures.jsonl. Needs: pip install \"openpose[ray]\"."),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="image files, folders of images and video files, read as the openpose command reads them")
    parser.add_argument("--model", default=os.environ.get(ENV_MODEL),
                        help=f".onnx file, or CMU .prototxt with its .caffemodel; default: ${ENV_MODEL} if set, "
                             "else the built-in model (`openpose models`). Same path on every node")
    parser.add_argument("--weights", default=None, help="the .caffemodel of a .prototxt model")
    parser.add_argument("--engine", default=_estimator_default("engine"), choices=engine_names(),
                        help="inference engine, on every node")
    parser.add_argument("--precision", default=_estimator_default("precision"), choices=PRECISIONS,
                        help="the network's arithmetic (what the engine supports on the workers' CPUs)")
    parser.add_argument("--device", default=_estimator_default("device"), choices=DEVICES,
                        help="where the network runs on every worker")
    parser.add_argument("--net-height", type=_positive_int, default=None,
                        help="network input height; default: the model's usual height (368)")
    parser.add_argument("--mode", default=_estimator_default("mode"), choices=v.MODES,
                        help="post-processing algorithm")
    parser.add_argument("--implementation", default=_estimator_default("implementation"), choices=v.IMPLEMENTATIONS,
                        help="post-processing implementation")
    parser.add_argument("--layout", default=None, help="keypoint layout; default: from the model")
    _add_accuracy_options(parser)
    parser.add_argument("--output", required=True, metavar="DIR",
                        help="output folder (shared by every node): JSON files or Parquet parts")
    parser.add_argument("--format", choices=BATCH_FORMATS, default="json",
                        help="json: <stem>_keypoints.json per image/frame (OpenPose format); "
                             "parquet: one row per person (source, frame, person, keypoints, score)")
    parser.add_argument("--ray-address", default=None, metavar="ADDR",
                        help="a running Ray cluster (auto, HOST:PORT, ray://...); default: start a local one")
    parser.add_argument("--num-workers", type=_positive_int, default=None, metavar="N",
                        help="workers (actors, one model each); default: the cluster's CPUs / --cpus-per-worker")
    parser.add_argument("--cpus-per-worker", type=float, default=1.0, help="CPUs per worker")
    parser.add_argument("--images-per-item", type=_positive_int, default=16,
                        help="images per unit of work")
    parser.add_argument("--frames-per-item", type=_positive_int, default=64,
                        help="video frames per unit of work (a long video spreads over the workers)")
    parser.add_argument("--max-frames", type=_positive_int, default=None, metavar="N",
                        help="at most N frames from each video")
    parser.add_argument("--tracking", action="store_true",
                        help="give each person an id that stays across a video's frames (JSON person_id, Parquet "
                             "track), the ids of `openpose VIDEO --tracking`: one pass on the driver after the job")
    parser.add_argument("--tracking-max-age", type=_non_negative_int, default=10, metavar="N",
                        help="frames a person may be missed or hidden and still keep their id")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    _add_openpose_options(parser, batch=True)
    return parser


def main(argv: list[str] | None = None, prog: str = "openpose batch") -> int:
    """Entry point; returns the exit status.

    0: every input processed; 1: some inputs failed (listed on stderr and
    in DIR/failures.jsonl), the others were processed; 2: a usage, model or
    cluster error.
    """
    parser = build_parser(prog)
    from .cli import _net_resolution_joined

    args = parser.parse_args(_net_resolution_joined(list(sys.argv[1:] if argv is None else argv)))
    if not args.model:
        from .models import builtin_model_path

        args.model = str(builtin_model_path())
    from .cli import _frame_options, _net_height, accuracy_kwargs

    if args.frame_last is not None and args.frame_last < args.frame_first:
        parser.error(f"--frame-last {args.frame_last} is before --frame-first {args.frame_first}")
    args.net_height = _net_height(args, parser)
    if args.tracking and args.keypoint_scale:
        # The tracking pass reads the written coordinates; its distances are in pixels.
        parser.error("--tracking needs --keypoint-scale 0 (pixels) in openpose batch")
    openpose_options = {f"frame_{k}": value for k, value in _frame_options(args).items()}
    if args.number_people_max is not None:
        openpose_options["number_people_max"] = args.number_people_max
    if args.keypoint_scale:
        openpose_options["keypoint_scale"] = args.keypoint_scale
    if args.net_resolution is not None:
        openpose_options["net_resolution"] = args.net_resolution
    if not args.cpus_per_worker > 0:
        parser.error(f"--cpus-per-worker must be positive, got {args.cpus_per_worker}")
    logging.basicConfig(level=logging.WARNING, format="openpose: %(message)s")
    try:
        from . import ray as opray

        opray._ray()
    except ImportError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    if args.quiet:
        logging.getLogger("ray").setLevel(logging.WARNING)
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        summary = opray.run_batch(
            args.inputs, model=args.model, output=args.output, format=args.format, address=args.ray_address,
            num_workers=args.num_workers, cpus_per_worker=args.cpus_per_worker,
            images_per_item=args.images_per_item, frames_per_item=args.frames_per_item,
            max_frames=args.max_frames, progress=not args.quiet,
            weights=args.weights, net_height=args.net_height, mode=args.mode, implementation=args.implementation,
            layout=args.layout, engine=args.engine, precision=args.precision, device=args.device,
            **accuracy_kwargs(args),
            **({"tracking": True, "tracking_max_age": args.tracking_max_age} if args.tracking else {}),
            **openpose_options,
        )
    except KeyboardInterrupt:
        print(f"{prog}: interrupted (a rerun resumes)", file=sys.stderr)
        return 130
    except (OSError, ValueError, TypeError, ConnectionError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        import ray.exceptions

        if not isinstance(exc, ray.exceptions.RayError):
            raise
        print(f"{prog}: error from Ray: {str(exc).strip()[-2000:]}", file=sys.stderr)
        return 2
    if not args.quiet:
        for note in summary.notes:
            print(f"{prog}: {note}", file=sys.stderr)
        print(f"{prog}: {summary.text()}", file=sys.stderr)
    if summary.failures:
        for failure in summary.failures:
            print(f"{prog}: failed: {failure.label}: {failure.reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
