"""The ``openpose`` command (also ``python -m openpose``).

``openpose INPUT... --model PATH [--write-json DIR] [--write-images DIR] ...``
runs pose estimation on photos, folders of photos, videos and a camera.

Subcommands: a first argument that names one (``openpose NAME ...``) runs
it instead; every other first argument is an input of the default action.
A subcommand is one entry of `SUBCOMMANDS` (the module is imported only
when it runs). An input file that happens to have a subcommand's name is
given as ``./NAME``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from . import _validation as v

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

#: Subcommand name -> (module with a ``main(argv, prog=...) -> int``, one-line help).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("openpose.convert.__main__", "convert a CMU Caffe model (.prototxt + .caffemodel) to ONNX"),
    "batch": ("openpose.batch_cli",
              'the same job over large collections on a Ray cluster (pip install "openpose[ray]")'),
    "eval": ("openpose.eval_cli", 'COCO OKS accuracy on a COCO-format keypoint set (pip install "openpose[eval]")'),
}

ENV_MODEL = "OPENPOSE_MODEL"


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows defaults and keeps the description's and epilog's line breaks."""

_DESCRIPTION = """\
Multi-person 2D pose estimation (OpenPose style) on images, folders of
images, videos and a camera. Writes OpenPose-format JSON, rendered images
and a rendered video."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        msg = f"expected a positive integer, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value <= 0:
        msg = f"expected a positive integer, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        msg = f"expected an integer >= 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value < 0:
        msg = f"expected an integer >= 0, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _estimator_default(name: str):
    from .estimator import PoseEstimator

    return inspect.signature(PoseEstimator).parameters[name].default


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"expected a number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not 0 <= value < 1:
        msg = f"expected a number in [0, 1), got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _add_accuracy_options(group) -> None:
    """--preset, --scale-number, --scale-gap, --flip (also used by ``openpose eval``)."""
    from .presets import DEFAULT_PRESET, PRESETS

    group.add_argument("--preset", default=DEFAULT_PRESET, choices=[*PRESETS, "none"],
                       help="accurate mode: net height, scales, flip, upsampling and thresholds chosen together "
                            "(explicit options win; none: the model's defaults)")
    group.add_argument("--scale-number", type=_positive_int, default=None, metavar="N",
                       help="run the network at N scales and average the outputs "
                            "(default: the preset's, 1)%(default).0s")
    group.add_argument("--scale-gap", type=_positive_float, default=None, metavar="G",
                       help="scales 1, 1-G, 1-2G, ... of the net height (default: the preset's, 0.25)%(default).0s")
    group.add_argument("--flip", action="store_true", default=None,
                       help="also run the mirrored image and average it in (default: the preset's)%(default).0s")


def accuracy_kwargs(args) -> dict:
    """PoseEstimator keyword arguments of the options `_add_accuracy_options` added."""
    return {"preset": None if args.preset == "none" else args.preset, "scale_number": args.scale_number,
            "scale_gap": args.scale_gap, "flip": args.flip}


def build_parser() -> argparse.ArgumentParser:
    """The parser of the default action (``openpose INPUT... --model ...``)."""
    from .engines import engine_names

    epilog = None
    if SUBCOMMANDS:
        lines = [f"  openpose {name} ...  {text}" for name, (_, text) in sorted(SUBCOMMANDS.items())]
        epilog = "subcommands (openpose NAME --help):\n" + "\n".join(lines)
    parser = argparse.ArgumentParser(
        prog="openpose",
        description=_DESCRIPTION,
        epilog=epilog,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="image files, folders of images (sorted; other files skipped with a note) and video "
                             "files; a file with another extension is read as an image, else as a video, if OpenCV can")
    parser.add_argument("--version", action="version", version=f"openpose {__version__}")
    model = parser.add_argument_group("model")
    model.add_argument("--model", default=os.environ.get(ENV_MODEL),
                       help=(".onnx file, or CMU .prototxt with its .caffemodel (converted once on OpenCV 5); "
                             f"default: ${ENV_MODEL}"))
    model.add_argument("--weights", default=None, help="the .caffemodel of a .prototxt model")
    model.add_argument("--engine", default=_estimator_default("engine"), choices=engine_names(),
                       help='inference engine; all but cv2 need their extra: pip install "openpose[ENGINE]"')
    model.add_argument("--net-height", type=_positive_int, default=None,
                       help="network input height (a multiple of 16); the width follows the aspect ratio "
                            "(default: the preset's, else the model's, 368)%(default).0s")
    model.add_argument("--mode", default=_estimator_default("mode"), choices=v.MODES,
                       help="post-processing algorithm")
    model.add_argument("--implementation", default=_estimator_default("implementation"), choices=v.IMPLEMENTATIONS,
                       help="post-processing implementation")
    model.add_argument("--layout", default=None,
                       help="keypoint layout (coco, mpi, body_25); default: from the model")
    _add_accuracy_options(model)
    out = parser.add_argument_group("output")
    out.add_argument("--write-json", metavar="DIR", default=None,
                     help="write <stem>_keypoints.json (OpenPose format) per image or video frame")
    out.add_argument("--write-images", metavar="DIR", default=None,
                     help="write <stem>_rendered.png with the skeletons drawn")
    out.add_argument("--write-video", metavar="FILE", default=None,
                     help="write every rendered frame into one video (.avi: MJPG, .mp4: mp4v)")
    out.add_argument("--write-coco-json", metavar="FILE", default=None,
                     help="all detections as one COCO keypoint results list (image_id: the file name's last number)")
    out.add_argument("--video-fps", type=float, default=None,
                     help="frame rate of --write-video (default: the source's, else 10)")
    src = parser.add_argument_group("sources")
    src.add_argument("--camera", type=_non_negative_int, default=None, metavar="N",
                     help="read camera N (through the video path)")
    src.add_argument("--max-frames", type=_positive_int, default=None, metavar="N",
                     help="at most N frames from each video or camera")
    ui = parser.add_argument_group("interface")
    ui.add_argument("--display", action="store_true",
                    help="show the rendered frames in a window (q or Esc stops); needs opencv-python, not -headless")
    ui.add_argument("--quiet", action="store_true", help="no progress bar and no summary (errors are still shown)")
    return parser


def _run_subcommand(name: str, argv: Sequence[str]) -> int:
    module_name, _ = SUBCOMMANDS[name]
    module = importlib.import_module(module_name)
    return int(module.main(list(argv), prog=f"openpose {name}") or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``openpose``; returns the exit status.

    0: every input processed; 1: some inputs were bad (named on stderr),
    the others were processed; 2: a usage or model error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _run_subcommand(argv[0], argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.inputs and args.camera is None:
        parser.error("give at least one INPUT (image, folder or video) or --camera N")
    if not args.model:
        from .models import _WHERE_MODELS_COME_FROM

        parser.error(f"--model is required (or set {ENV_MODEL}). {_WHERE_MODELS_COME_FROM}")
    logging.basicConfig(level=logging.WARNING, format="openpose: %(message)s")
    return _run(args, parser)


def _run(args, parser: argparse.ArgumentParser) -> int:
    import cv2

    from .estimator import PoseEstimator
    from .outputs import Outputs
    from .pipeline import Processed, iter_frames, run_pipeline
    from .sources import IMAGE, Failure, Note, Source, classify, count_frames

    try:
        estimator = PoseEstimator(args.model, engine=args.engine, weights=args.weights, net_height=args.net_height,
                                  mode=args.mode, implementation=args.implementation, layout=args.layout,
                                  **accuracy_kwargs(args))
    except (OSError, ValueError, TypeError) as exc:
        print(f"openpose: error: {exc}", file=sys.stderr)
        return 2
    try:
        from .outputs import CocoJson

        extra = [CocoJson(args.write_coco_json)] if args.write_coco_json else []
        outputs = Outputs(json_dir=args.write_json, images_dir=args.write_images, video_path=args.write_video,
                          video_fps=args.video_fps, display=args.display, extra=extra)
    except (OSError, ValueError) as exc:
        print(f"openpose: error: {exc}", file=sys.stderr)
        return 2

    sources = classify(args.inputs, camera=args.camera)
    # A progress bar unless the one input is one image file.
    many = args.camera is not None or len(args.inputs) > 1 or any(Path(p).is_dir() for p in args.inputs) or any(
        isinstance(s, Source) and s.kind != IMAGE for s in sources)
    bar = None
    if many and not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=count_frames(sources, max_frames=args.max_frames) or None, unit="frame",
                   file=sys.stderr, dynamic_ncols=True, leave=True)

    def say(text: str) -> None:
        if bar is not None:
            bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    write_failures = []

    def consume(item) -> bool:
        if isinstance(item, Processed):
            try:
                keep_going = outputs.write(item.frame, item.result)
            except (OSError, ValueError) as exc:
                # One output that cannot be written does not stop the run.
                failure = Failure(item.frame.label, f"cannot write its output: {exc}")
                write_failures.append(failure)
                say(f"openpose: bad input {failure.label}: {failure.reason}")
                keep_going = True
            if bar is not None:
                bar.update(1)
            return keep_going
        if isinstance(item, Failure):
            say(f"openpose: bad input {item.label}: {item.reason}")
        elif isinstance(item, Note) and not args.quiet:
            say(f"openpose: {item.text}")
        return True

    complete = False
    try:
        summary = run_pipeline(estimator, iter_frames(args.inputs, max_frames=args.max_frames, sources=sources),
                               consume)
        complete = True
    except KeyboardInterrupt:
        say("openpose: interrupted")
        return 130
    except (OSError, cv2.error) as exc:
        say(f"openpose: error: {exc}")
        return 2
    finally:
        if bar is not None:
            bar.close()
        close_error = None
        try:
            partial = outputs.close(complete=complete)
        except OSError as exc:
            partial, close_error = None, exc
            print(f"openpose: error: cannot finish --write-video: {exc}", file=sys.stderr)
        if partial is not None:
            print(f"openpose: the run did not finish; the video so far is {str(partial)!r}", file=sys.stderr)
    if close_error is not None:
        return 2
    if not args.quiet:
        print(f"openpose: {summary.text()}", file=sys.stderr)
    failures = summary.failures + write_failures
    if failures:
        names = ", ".join(f.label for f in failures)
        print(f"openpose: {len(failures)} bad input(s): {names}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
