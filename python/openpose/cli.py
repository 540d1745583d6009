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
from ._commandline import CommandParser, missing_model_message, silence_opencv_log

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

#: Subcommand name -> (module with a ``main(argv, prog=...) -> int``, one-line help).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("openpose.convert.__main__", "convert a CMU Caffe model (.prototxt + .caffemodel) to ONNX"),
    "batch": ("openpose.batch_cli",
              'the same job over large collections on a Ray cluster (pip install "openpose[ray]")'),
    "models": ("openpose.models_cli", "the built-in model, and the model files and layouts openpose knows"),
    "eval": ("openpose.eval_cli", 'COCO OKS accuracy on a COCO-format keypoint set (pip install "openpose[eval]")'),
}

ENV_MODEL = "OPENPOSE_MODEL"


#: The options ``openpose --help`` shows (``--help-all``: every option).
BRIEF_OPTIONS = ("--version", "--model", "--engine", "--preset", "--write-json", "--write-images", "--write-video",
                 "--camera", "--tracking", "--quiet", "--verbose")

_DESCRIPTION = """\
Multi-person 2D pose estimation (OpenPose style) on images, folders of
images, videos and a camera. Writes OpenPose-format JSON, rendered images
and a rendered video."""

_EXAMPLES = """\
examples:
  openpose photo.jpg --write-images out/           skeletons drawn on the photo
  openpose video.mp4 --write-json out/ --tracking  JSON per frame, with ids
  openpose --camera 0 --display                    live, in a window"""


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


def _video_fps(text: str) -> float:
    from .outputs import check_video_fps

    try:
        return check_video_fps(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--video-fps ")) from None


def _standard_streams() -> None:
    """Descriptors 0-2 closed (``2>&-``): open them on /dev/null, so that no output file gets one of them.

    Else the first file opened (a video) would be descriptor 2 and every
    library warning would land in it; ``sys.stderr`` is None then, and the
    progress bar would fail.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115 - for the process
    if sys.stdout is None:
        sys.stdout = open(1, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115 - for the process


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread: the run ends as on Ctrl-C (outputs closed, temporaries removed)."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated


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
    """--preset, --scale-number, --scale-gap, --flip, --stages (also used by ``openpose eval``)."""
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
    group.add_argument("--stages", type=_positive_int, default=None, metavar="N",
                       help="run only the network's first N stages: faster, less accurate (models whose stages "
                            "are known; the built-in model has 6; default: the preset's, else all)%(default).0s")


def accuracy_kwargs(args) -> dict:
    """PoseEstimator keyword arguments of the options `_add_accuracy_options` added."""
    return {"preset": None if args.preset == "none" else args.preset, "scale_number": args.scale_number,
            "scale_gap": args.scale_gap, "flip": args.flip, "stages": args.stages}


def build_parser() -> argparse.ArgumentParser:
    """The parser of the default action (``openpose INPUT... --model ...``)."""
    from .engines import DEVICES, PRECISIONS, engine_names

    epilog = _EXAMPLES
    if SUBCOMMANDS:
        lines = [f"  openpose {name} ...  {text}" for name, (_, text) in sorted(SUBCOMMANDS.items())]
        epilog += "\n\nsubcommands (openpose NAME --help):\n" + "\n".join(lines)
    parser = CommandParser(prog="openpose", description=_DESCRIPTION, epilog=epilog, brief=BRIEF_OPTIONS)
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="image files, folders of images (sorted; other files skipped with a note) and video "
                             "files; a file with another extension is read as an image, else as a video, if OpenCV can")
    parser.add_argument("--version", action="version", version=f"openpose {__version__}")
    model = parser.add_argument_group("model")
    model.add_argument("--model", default=os.environ.get(ENV_MODEL),
                       help=(".onnx file, or CMU .prototxt with its .caffemodel (converted once on OpenCV 5); "
                             f"default: ${ENV_MODEL} if set, else the built-in model (`openpose models`)"))
    model.add_argument("--weights", default=None, help="the .caffemodel of a .prototxt model")
    model.add_argument("--engine", default=_estimator_default("engine"), choices=engine_names(),
                       help='inference engine; all but cv2 need their extra: pip install "openpose[ENGINE]"')
    model.add_argument("--precision", default=_estimator_default("precision"), choices=PRECISIONS,
                       help="the network's arithmetic; what each engine supports on this machine is in the docs "
                            "(Models and engines), anything else is an error that lists it")
    model.add_argument("--device", default=_estimator_default("device"), choices=DEVICES,
                       help="where the network runs; cuda needs a GPU (onnxruntime-gpu, or OpenCV built with CUDA)")
    model.add_argument("--net-height", type=_positive_int, default=None,
                       help="network input height (a multiple of 16); the width follows the aspect ratio "
                            "(default: the preset's, else the model's, 368)%(default).0s")
    model.add_argument("--mode", default=_estimator_default("mode"), choices=v.MODES,
                       help="post-processing algorithm")
    model.add_argument("--implementation", default=_estimator_default("implementation"), choices=v.IMPLEMENTATIONS,
                       help="post-processing implementation")
    model.add_argument("--layout", default=None,
                       help="keypoint layout (coco, mpi, body_25); default: from the model")
    _add_openpose_options(parser)
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
    out.add_argument("--video-fps", type=_video_fps, default=None,
                     help="frame rate of --write-video, 0.1 to 1000 (default: the source's, else 10)")
    src = parser.add_argument_group("sources")
    src.add_argument("--camera", type=_non_negative_int, default=None, metavar="N",
                     help="read camera N (through the video path)")
    src.add_argument("--max-frames", type=_positive_int, default=None, metavar="N",
                     help="at most N frames from each video or camera")
    track = parser.add_argument_group("tracking")
    track.add_argument("--tracking", action="store_true",
                       help="give each person an id that stays across the frames of a video, a camera or a folder "
                            "of images (JSON person_id, rendered colour and label)")
    track.add_argument("--smoothing", action="store_true",
                       help="smooth the tracked keypoints over time (One Euro filter); implies --tracking")
    track.add_argument("--tracking-max-age", type=_non_negative_int, default=10, metavar="N",
                       help="frames a person may be missed or hidden and still keep their id")
    ui = parser.add_argument_group("interface")
    ui.add_argument("--display", action="store_true",
                    help="show the rendered frames in a window (q or Esc stops); needs opencv-python, not -headless")
    ui.add_argument("--quiet", action="store_true", help="no progress bar and no summary (errors are still shown)")
    ui.add_argument("--verbose", action="store_true",
                    help="show OpenCV's and FFmpeg's own log lines too")
    return parser


def _net_resolution(text: str) -> tuple[int, int]:
    """``WxH`` (OpenPose's ``--net_resolution``; -1: the side that follows the aspect ratio) -> (W, H)."""
    width, sep, height = text.lower().partition("x")
    try:
        w, h = int(width), int(height)
    except ValueError:
        msg = f"expected WIDTHxHEIGHT such as -1x368 or 656x368, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not sep or (w, h) == (-1, -1) or not all(n == -1 or n > 0 for n in (w, h)):
        msg = (f"expected WIDTHxHEIGHT with positive sides, one of them possibly -1 (it follows the aspect "
               f"ratio), such as -1x368, 432x-1 or 656x368; got {text!r}")
        raise argparse.ArgumentTypeError(msg)
    return w, h


def _net_resolution_joined(argv: list[str]) -> list[str]:
    """``--net-resolution -1x368`` as ``--net-resolution=-1x368`` (argparse would take -1x368 for an option)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] == "--net-resolution" and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"--net-resolution={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


def _choice_int(choices: tuple[int, ...]):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value not in choices:
            msg = f"expected one of {', '.join(map(str, choices))}, got {text!r}"
            raise argparse.ArgumentTypeError(msg)
        return value

    return parse


def _unit_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        msg = f"expected a number between 0 and 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _add_openpose_options(parser: argparse.ArgumentParser, *, batch: bool = False) -> None:
    """CMU OpenPose's options with OpenPose's meaning (its names, hyphens for underscores).

    `batch`: only those that make sense for ``openpose batch`` (no rendering).
    """
    from .keypoint_scale import KEYPOINT_SCALES
    from .outputs import IMAGE_FORMATS
    from .sources import FRAME_ROTATIONS

    group = parser.add_argument_group("OpenPose's options (same names and meaning as CMU OpenPose's)")
    group.add_argument("--net-resolution", type=_net_resolution, default=None, metavar="WxH",
                       help="network input size, sides multiples of 16; -1 follows the aspect ratio: -1x368 is "
                            "--net-height 368, 432x-1 fixes the width; WxH (656x368): the image is scaled to fit "
                            "inside, aspect ratio kept, black padding right and bottom; coordinates stay in "
                            "original-image pixels")
    group.add_argument("--number-people-max", type=_positive_int, default=None, metavar="N",
                       help="keep the N highest-scoring people of each image or frame; default: all")
    group.add_argument("--keypoint-scale", type=_choice_int(KEYPOINT_SCALES), default=0, metavar="S",
                       help="coordinates written (JSON, COCO JSON, Parquet): 0 original-image pixels, 1 "
                            "network-input pixels, 3 [0, 1] ((0, 0) top-left, (1, 1) bottom-right), 4 [-1, 1]; "
                            "default: 0")
    group.add_argument("--frame-first", type=_non_negative_int, default=0, metavar="N",
                       help="first frame of each video (of the images, counted over the inputs in order); "
                            "frame numbers stay the source's; default: 0")
    group.add_argument("--frame-last", type=_non_negative_int, default=None, metavar="N",
                       help="last frame (inclusive); default: to the end")
    group.add_argument("--frame-step", type=_positive_int, default=1, metavar="N",
                       help="every N-th frame from --frame-first on; default: 1")
    group.add_argument("--frame-flip", action="store_true", help="mirror every frame before processing")
    group.add_argument("--frame-rotate", type=_choice_int(FRAME_ROTATIONS), default=0, metavar="DEG",
                       help="rotate every frame clockwise by 0, 90, 180 or 270 degrees (after --frame-flip); "
                            "coordinates are in the rotated frame; default: 0")
    if batch:
        return
    group.add_argument("--write-images-format", choices=IMAGE_FORMATS, default="png",
                       help="format of --write-images; default: png")
    group.add_argument("--write-heatmaps", metavar="DIR", default=None,
                       help="write <stem>_heatmaps.npy (the network output: heatmaps then PAFs, float32, at "
                            "network-output resolution) and <stem>_heatmaps.png (a sheet to look at)")
    group.add_argument("--render-threshold", type=_unit_float, default=0.05, metavar="T",
                       help="parts with a score at or below T are not drawn; default: 0.05")
    group.add_argument("--alpha-pose", type=_unit_float, default=1.0, metavar="A",
                       help="opacity of the drawn skeletons (0..1); default: 1 (opaque)")
    group.add_argument("--disable-blending", action="store_true", help="draw the skeletons on black")
    group.add_argument("--part-to-show", type=_non_negative_int, default=0, metavar="K",
                       help="render, instead of the skeletons, heatmap K blended over the image (COCO: 1-18 the "
                            "parts, 19 background, 20 all parts, 21 all PAFs, 22-40 one limb's PAF); "
                            "default: 0 (skeletons)")
    src = parser.add_argument_group("more sources")
    src.add_argument("--recursive", action="store_true", help="read the sub-folders of folders too")
    src.add_argument("--skip-folder-videos", action="store_true",
                     help="skip the videos found in folders (named inputs are read); default: read them")


def _frame_options(args) -> dict:
    """`openpose.sources.select_frames`'s options from the command line (empty: none asked for)."""
    options = dict(first=args.frame_first, last=args.frame_last, step=args.frame_step, flip=args.frame_flip,
                   rotate=args.frame_rotate)
    if options == dict(first=0, last=None, step=1, flip=False, rotate=0):
        return {}
    return options


def _net_height(args, parser: argparse.ArgumentParser) -> int | None:
    """--net-height, or the height of --net-resolution -1xH (a conflict is a usage error).

    A --net-resolution WxH or Wx-1 stays in ``args.net_resolution`` (then
    --net-height must be its height, or absent); -1xH becomes --net-height H.
    """
    if args.net_resolution is None:
        return args.net_height
    width, height = args.net_resolution
    if args.net_height is not None and args.net_height != height:
        parser.error(f"--net-resolution {width}x{height} and --net-height {args.net_height} disagree")
    if width == -1:
        args.net_resolution = None
        return height
    return None


class _CommandEstimator:
    """The estimator as the command runs it: OpenPose's ``--number-people-max``, and the network output kept
    for the outputs that need it (``--write-heatmaps``, ``--part-to-show``)."""

    def __init__(self, estimator, *, people_max: int | None, keep_net_output: bool):
        self.estimator = estimator
        self.people_max = people_max
        self.keep_net_output = keep_net_output
        self._net_outputs: dict[int, object] = {}

    def __getattr__(self, name: str):
        return getattr(self.estimator, name)

    def forward(self, image):
        return self.estimator.forward(image)

    def postprocess(self, net_output, *, image_size):
        from .people import keep_top_people

        result = keep_top_people(self.estimator.postprocess(net_output, image_size=image_size), self.people_max)
        if self.keep_net_output:
            self._net_outputs[id(result)] = net_output
        return result

    def pop_net_output(self, result):
        return self._net_outputs.pop(id(result), None)


def _image_region(estimator, net_output, image_size):
    """The part of a padded network input's output (``--net-resolution WxH``) that covers the image."""
    if net_output is None:
        return None
    net_w, net_h = estimator.net_input_size(image_size)
    fit_w, fit_h = estimator.net_content_size(image_size)
    out_h, out_w = net_output.shape[-2:]
    rows = max(1, min(out_h, int(round(out_h * fit_h / net_h))))
    cols = max(1, min(out_w, int(round(out_w * fit_w / net_w))))
    return net_output[..., :rows, :cols]


def _run_subcommand(name: str, argv: Sequence[str]) -> int:
    module_name, _ = SUBCOMMANDS[name]
    module = importlib.import_module(module_name)
    return int(module.main(list(argv), prog=f"openpose {name}") or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``openpose``; returns the exit status.

    0: every input processed; 1: some inputs were bad (named on stderr),
    the others were processed; 2: a usage or model error; 141 (128 +
    SIGPIPE, as a shell reports a program the signal stopped): the reader
    of the standard output went away (``openpose models | head -1``); 130:
    interrupted (Ctrl-C), at any point of the run.
    """
    try:
        status = _main(argv)
        # A block-buffered stdout (a pipe) writes here, not at the
        # interpreter's exit, so that a reader that went away is handled below.
        sys.stdout.flush()
        return status
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, _Terminated)
        print(f"openpose: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return 128 + 15 if terminated else 130
    except BrokenPipeError:
        if not _stdout_reader_gone():
            raise
        # Nothing more can reach the reader; the interpreter's last flush
        # at exit would fail again and print a traceback: stdout goes to
        # /dev/null instead.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
        return 128 + 13


def _stdout_reader_gone() -> bool:
    """Whether descriptor 1 is a pipe whose reading end is closed (poll reports an error on it)."""
    import select

    if not hasattr(select, "poll"):  # Windows: no way to tell; the error stays as it was
        return False
    poller = select.poll()
    poller.register(1, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _standard_streams()
    if argv and argv[0] in SUBCOMMANDS:
        return _run_subcommand(argv[0], argv[1:])
    parser = build_parser()
    args = parser.parse_args(_net_resolution_joined(argv))
    if not args.inputs and args.camera is None:
        parser.error("give at least one INPUT (image, folder or video) or --camera N")
    if args.frame_last is not None and args.frame_last < args.frame_first:
        parser.error(f"--frame-last {args.frame_last} is before --frame-first {args.frame_first}")
    args.net_height = _net_height(args, parser)
    args.model = args.model or None  # no --model and no $OPENPOSE_MODEL: the built-in model
    logging.basicConfig(level=logging.WARNING, format="openpose: %(message)s")
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(args, parser)
    except _Terminated:  # before the pipeline ran
        print("openpose: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args, parser: argparse.ArgumentParser) -> int:
    import cv2

    from .estimator import PoseEstimator
    from .outputs import Outputs
    from .pipeline import Processed, iter_frames, run_pipeline
    from .sources import IMAGE, Failure, Note, Source, classify, count_frames, select_frames

    try:
        estimator = PoseEstimator(args.model, engine=args.engine, weights=args.weights, net_height=args.net_height,
                                  mode=args.mode, implementation=args.implementation, layout=args.layout,
                                  precision=args.precision, device=args.device, **accuracy_kwargs(args),
                                  **({"net_resolution": args.net_resolution} if args.net_resolution else {}))
    except (OSError, ValueError, TypeError) as exc:
        missing = isinstance(exc, FileNotFoundError) and missing_model_message(
            "openpose", [("--model", args.model), ("--weights", args.weights)], env_model=os.environ.get(ENV_MODEL))
        print(missing or f"openpose: error: {exc}", file=sys.stderr)
        return 2
    try:
        from .outputs import CocoJson

        extra = [CocoJson(args.write_coco_json, keypoint_scale=args.keypoint_scale,
                          net_size=estimator.net_content_size)] if args.write_coco_json else []
        outputs = Outputs(json_dir=args.write_json, images_dir=args.write_images, video_path=args.write_video,
                          video_fps=args.video_fps, display=args.display,
                          keypoint_scale=args.keypoint_scale, net_size=estimator.net_content_size,
                          images_format=args.write_images_format, heatmaps_dir=args.write_heatmaps,
                          render=dict(threshold=args.render_threshold, alpha=args.alpha_pose,
                                      blend=not args.disable_blending),
                          part_to_show=args.part_to_show or None, extra=extra)
    except (OSError, ValueError) as exc:
        print(f"openpose: error: {exc}", file=sys.stderr)
        return 2

    if not (args.write_json or args.write_images or args.write_video or args.display or args.write_heatmaps):
        print("openpose: note: no output option (--write-json, --write-images, --write-video, --display, "
              "--write-heatmaps): "
              "the results are counted, not saved", file=sys.stderr)
    if args.part_to_show and not outputs.needs_drawing:
        print("openpose: error: --part-to-show renders: give --write-images, --write-video or --display",
              file=sys.stderr)
        return 2
    runner = _CommandEstimator(estimator, people_max=args.number_people_max,
                               keep_net_output=outputs.needs_net_output)
    frame_options = _frame_options(args)
    if not args.verbose:
        silence_opencv_log()  # before the inputs are probed: the command names a bad input itself
    sources = classify(args.inputs, camera=args.camera, recursive=args.recursive,
                       folder_videos=not args.skip_folder_videos)
    # A progress bar unless the one input is one image file; made at the first
    # frame, so that a run with no frame (an empty folder, no camera) shows none.
    many = args.camera is not None or len(args.inputs) > 1 or any(Path(p).is_dir() for p in args.inputs) or any(
        isinstance(s, Source) and s.kind != IMAGE for s in sources)
    show_bar = many and not args.quiet
    total = None if frame_options or not show_bar else count_frames(sources, max_frames=args.max_frames) or None
    bar = None

    def say(text: str) -> None:
        if bar is not None:
            bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    write_failures = []
    tracker = None
    if args.tracking or args.smoothing:
        from .tracking import SequenceTracker

        tracker = SequenceTracker(max_age=args.tracking_max_age, smoothing=args.smoothing)

    def consume(item) -> bool:
        nonlocal bar
        if isinstance(item, Processed):
            # The net output is kept by the result's identity: take it before
            # the tracker gives the frame a new result.
            net = {"net_output": runner.pop_net_output(item.result)} if outputs.needs_net_output else {}
            if net and args.part_to_show and estimator.net_resolution is not None:
                net["shown_output"] = _image_region(estimator, net["net_output"], item.result.image_size)
            if tracker is not None:
                item.result = tracker(item.frame, item.result)
            try:
                keep_going = outputs.write(item.frame, item.result, **net)
            except (OSError, ValueError) as exc:
                # One output that cannot be written does not stop the run.
                failure = Failure(item.frame.label, f"cannot write its output: {exc}")
                write_failures.append(failure)
                say(f"openpose: bad input {failure.label}: {failure.reason}")
                keep_going = True
            if show_bar:
                if bar is None:
                    from tqdm import tqdm

                    bar = tqdm(total=total, unit="frame", file=sys.stderr, dynamic_ncols=True, leave=True)
                bar.update(1)
            return keep_going
        if isinstance(item, Failure):
            say(f"openpose: bad input {item.label}: {item.reason}")
        elif isinstance(item, Note) and not args.quiet:
            say(f"openpose: {item.text}")
        return True

    complete = False
    try:
        frames = (select_frames(sources, max_frames=args.max_frames, **frame_options) if frame_options else
                  iter_frames(args.inputs, max_frames=args.max_frames, sources=sources))
        summary = run_pipeline(runner, frames, consume)
        complete = True
    except _Terminated:
        say("openpose: terminated")
        return 128 + 15
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
        return 1
    summary.failures.extend(write_failures)
    if not args.quiet:
        print(f"openpose: {summary.text()}", file=sys.stderr)
    if summary.failures:
        names = list(dict.fromkeys(f.label for f in summary.failures))  # one count: inputs, each once
        print(f"openpose: {len(names)} bad input(s): {', '.join(names)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
