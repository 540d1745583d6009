"""``python -m openpose.convert MODEL.prototxt MODEL.caffemodel -o MODEL.onnx``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._commandline import CommandParser
from . import DEFAULT_INPUT_SIZE, convert_caffe


def build_parser(
    parser: argparse.ArgumentParser | None = None, *, prog: str = "python -m openpose.convert"
) -> argparse.ArgumentParser:
    """The command's arguments (pass a parser, e.g. a sub-command's, to fill it)."""
    if parser is None:
        parser = CommandParser(
            prog=prog,
            description="Convert a CMU OpenPose Caffe model (.prototxt + .caffemodel) to ONNX, "
            "for OpenCV 5 (no Caffe importer) and onnxruntime.",
        )
    parser.add_argument("prototxt", type=Path, help="network description, e.g. pose_deploy_linevec.prototxt")
    parser.add_argument("caffemodel", type=Path, help="trained weights, e.g. pose_iter_440000.caffemodel")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="ONNX file to write (default: the caffemodel's name with .onnx)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--size", metavar="WxH", default=None,
                      help=f"declared input size (default {DEFAULT_INPUT_SIZE[0]}x{DEFAULT_INPUT_SIZE[1]})")
    size.add_argument("--dynamic", action="store_true",
                      help="declare a free input size (OpenCV 5.x, onnxruntime; not OpenCV 4.x)")
    return parser


def _parse_size(text: str):
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        msg = f"`--size` must look like 656x368, got {text!r}"
        raise ValueError(msg) from None
    return width, height


def run(args: argparse.Namespace) -> int:
    """Run the conversion for parsed arguments; returns the exit status."""
    output = args.output if args.output is not None else args.caffemodel.with_suffix(".onnx")
    input_size = None if args.dynamic else (_parse_size(args.size) if args.size else DEFAULT_INPUT_SIZE)
    convert_caffe(args.prototxt, args.caffemodel, output, input_size=input_size)
    print(f"wrote {output}")
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m openpose.convert") -> int:
    """Entry point: parse `argv` (default ``sys.argv[1:]``), convert, return the exit status.

    Also the ``openpose convert`` subcommand (`prog` names it in messages).
    """
    parser = build_parser(prog=prog)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (ValueError, TypeError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
