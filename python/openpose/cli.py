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
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from ._commandline import (
    CommandParser,
    estimator_error,
    joined_net_resolution,
    silence_opencv_log,
)

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

#: Subcommand name -> (module with a ``main(argv, prog=...) -> int``, one-line help).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("openpose.convert.__main__", "convert a CMU Caffe model (.prototxt + .caffemodel) to ONNX"),
    "batch": ("openpose.batch_cli",
              'the same job over large collections on a Ray cluster (pip install "openpose[ray]")'),
    "models": ("openpose.models_cli", "the built-in model, and the model files and layouts openpose knows"),
    "eval": ("openpose.eval_cli", 'COCO OKS accuracy on a COCO-format keypoint set (pip install "openpose[eval]")'),
}

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


def build_parser() -> argparse.ArgumentParser:
    """The parser of the default action (``openpose INPUT... [options]``), from the layers' declarations."""
    from .estimator import EstimatorOptions
    from .frames import FrameOptions
    from .options import add_options
    from .outputs import add_output_options
    from .sources import InputOptions
    from .tracking import TrackingOptions

    epilog = _EXAMPLES
    if SUBCOMMANDS:
        lines = [f"  openpose {name} ...  {text}" for name, (_, text) in sorted(SUBCOMMANDS.items())]
        epilog += "\n\nsubcommands (openpose NAME --help):\n" + "\n".join(lines)
    parser = CommandParser(prog="openpose", description=_DESCRIPTION, epilog=epilog, brief=BRIEF_OPTIONS)
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="image files, folders of images (sorted; other files skipped with a note), video "
                             "files and stream URLs; a file with another extension is read as an image, else as a "
                             "video, if OpenCV can")
    parser.add_argument("--version", action="version", version=f"openpose {__version__}")
    add_options(parser, EstimatorOptions, command="run")
    add_options(parser, InputOptions, command="run")
    add_options(parser, FrameOptions, command="run")
    add_output_options(parser, command="run")
    add_options(parser, TrackingOptions, command="run")
    interface = parser.add_argument_group("interface")
    interface.add_argument("--quiet", action="store_true",
                           help="no progress bar and no summary (errors are still shown)")
    interface.add_argument("--verbose", action="store_true", help="show OpenCV's and FFmpeg's own log lines too")
    return parser


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
    args = parser.parse_args(joined_net_resolution(argv))
    if not args.inputs and args.camera is None:
        parser.error("give at least one INPUT (image, folder or video) or --camera N")
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

    from ._commandline import config, estimator_options
    from .estimator import PoseEstimator
    from .frames import FrameOptions
    from .outputs import Outputs, RunContext, output_options
    from .pipeline import Processed, run_pipeline
    from .sources import IMAGE, Failure, InputOptions, Note, Source, count_frames
    from .tracking import TrackingOptions

    # The layers' config values, each checked once (a bad one is a usage error naming its flag).
    estimator_config = estimator_options(parser, args)
    input_config = config(parser, InputOptions, args)
    frame_config = config(parser, FrameOptions, args)
    tracking_config = config(parser, TrackingOptions, args)
    output_config = output_options(args)
    try:
        estimator = PoseEstimator.from_options(estimator_config)
    except (OSError, ValueError, TypeError) as exc:
        print(estimator_error("openpose", exc, estimator_config), file=sys.stderr)
        return 2
    try:
        outputs = Outputs(output_config, RunContext.of(estimator))
    except (OSError, ValueError) as exc:
        print(f"openpose: error: {exc}", file=sys.stderr)
        return 2
    if not outputs.writers:
        print(f"openpose: note: no output option ({', '.join(Outputs.flags())}): "
              "the results are counted, not saved", file=sys.stderr)
    if not args.verbose:
        silence_opencv_log()  # before the inputs are probed: the command names a bad input itself
    sources = input_config.classify(args.inputs)
    # A progress bar unless the one input is one image file; made at the first
    # frame, so that a run with no frame (an empty folder, no camera) shows none.
    many = args.camera is not None or len(args.inputs) > 1 or any(Path(p).is_dir() for p in args.inputs) or any(
        isinstance(s, Source) and s.kind != IMAGE for s in sources)
    show_bar = many and not args.quiet
    total = None
    if show_bar and frame_config.selects_all:
        total = count_frames(sources, max_frames=frame_config.max_frames) or None
    bar = None

    def say(text: str) -> None:
        if bar is not None:
            bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    write_failures = []
    tracker = tracking_config.tracker()

    def consume(item) -> bool:
        nonlocal bar
        if isinstance(item, Processed):
            result = item.result if tracker is None else tracker(item.frame, item.result)
            try:
                keep_going = outputs.write(item.frame, result, item.net_output)
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
        summary = run_pipeline(estimator, frame_config.select(sources), consume, frame_options=frame_config,
                               keep_net_output=outputs.needs_net_output)
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
