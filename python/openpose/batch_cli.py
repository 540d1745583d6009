"""``openpose batch``: the job of the ``openpose`` command on a Ray cluster.

``openpose batch INPUT... --output DIR [--model NAME|PATH] [--ray-address ADDR] [--num-workers N]``

Needs the optional extra ``openpose[ray]``; see `openpose.ray`.
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import _parse

__all__ = ["build_parser", "main"]


def build_parser(prog: str = "openpose batch") -> argparse.ArgumentParser:
    """The parser of ``openpose batch``: the job's own options, then the layers' (those that make sense without
    rendering), from their declarations."""
    from ._commandline import CommandParser
    from .estimator import EstimatorOptions
    from .frames import FrameOptions
    from .options import add_options
    from .outputs import add_output_options, batch_formats
    from .sources import InputOptions
    from .tracking import TrackingOptions

    parser = CommandParser(
        prog=prog,
        description=("Pose estimation over large image and video collections on Ray Data: the same results as "
                     "`openpose INPUT --write-json DIR`, spread over a Ray cluster (or a local one). Resumable: "
                     "a rerun skips the inputs whose outputs are complete; failed inputs are listed in "
                     "DIR/failures.jsonl. Needs: pip install \"openpose[ray]\"."),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="image files, folders of images and video files, read as the openpose command reads them")
    job = parser.add_argument_group("the job")
    job.add_argument("--output", required=True, metavar="DIR",
                     help="output folder (shared by every node): JSON files or Parquet parts")
    job.add_argument("--format", choices=list(batch_formats()), default="json",
                     help="json: <stem>_keypoints.json per image/frame (OpenPose format); "
                          "parquet: one row per person (source, frame, person, keypoints, score, track)")
    job.add_argument("--ray-address", default=None, metavar="ADDR",
                     help="a running Ray cluster (auto, HOST:PORT, ray://...); default: start a local one")
    job.add_argument("--num-workers", type=_parse.positive_int, default=None, metavar="N",
                     help="workers (actors, one model each); default: the cluster's CPUs / --cpus-per-worker")
    job.add_argument("--cpus-per-worker", type=float, default=1.0, help="CPUs per worker")
    job.add_argument("--images-per-item", type=_parse.positive_int, default=16, help="images per unit of work")
    job.add_argument("--frames-per-item", type=_parse.positive_int, default=64,
                     help="video frames per unit of work (a long video spreads over the workers)")
    job.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    add_options(parser, EstimatorOptions, command="batch")
    add_options(parser, InputOptions, command="batch")
    add_options(parser, FrameOptions, command="batch")
    add_output_options(parser, command="batch")
    add_options(parser, TrackingOptions, command="batch")
    return parser


def main(argv: list[str] | None = None, prog: str = "openpose batch") -> int:
    """Entry point; returns the exit status.

    0: every input processed; 1: some inputs failed (listed on stderr and
    in DIR/failures.jsonl), the others were processed; 2: a usage, model or
    cluster error.
    """
    from ._commandline import config, estimator_error, estimator_options, joined_net_resolution
    from .frames import FrameOptions
    from .outputs import output_options
    from .sources import InputOptions
    from .tracking import TrackingOptions

    parser = build_parser(prog)
    args = parser.parse_args(joined_net_resolution(list(sys.argv[1:] if argv is None else argv)))
    if not args.cpus_per_worker > 0:
        parser.error(f"--cpus-per-worker must be positive, got {args.cpus_per_worker}")
    estimator = estimator_options(parser, args)
    inputs = config(parser, InputOptions, args)
    frames = config(parser, FrameOptions, args)
    tracking = config(parser, TrackingOptions, args)
    outputs = output_options(args)
    try:
        from .ray.driver import check_job

        check_job(format=args.format, tracking=tracking, outputs=outputs)
    except ValueError as exc:
        parser.error(str(exc))
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
            args.inputs, output=args.output, format=args.format, estimator=estimator, frames=frames,
            input_options=inputs, outputs=outputs, tracking=tracking, address=args.ray_address,
            num_workers=args.num_workers, cpus_per_worker=args.cpus_per_worker,
            images_per_item=args.images_per_item, frames_per_item=args.frames_per_item, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted (a rerun resumes)", file=sys.stderr)
        return 130
    except (OSError, ValueError, TypeError, ConnectionError) as exc:
        print(estimator_error(prog, exc, estimator), file=sys.stderr)
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
