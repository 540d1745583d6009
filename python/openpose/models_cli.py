"""``openpose models``: the built-in model and the model files openpose knows.

``openpose models [--path]``
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from ._commandline import CommandParser

__all__ = ["build_parser", "main"]


def build_parser(prog: str = "openpose models") -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description=("The built-in model (the default of `openpose` and `openpose.PoseEstimator()`) and the other "
                     "model files and layouts openpose knows, with where to get them and how to convert them. "
                     "Nothing is downloaded."),
    )
    parser.add_argument("--path", action="store_true", help="print only the built-in model's path")
    return parser


def main(argv: list[str] | None = None, prog: str = "openpose models") -> int:
    """Entry point; returns the exit status (0; 2 when the built-in model is missing from the installation)."""
    from .cli import ENV_MODEL
    from .models import KNOWN_MODELS, builtin_model_path, file_spec, opencv_major
    from .presets import PRESETS

    args = build_parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv))
    path = builtin_model_path()
    if args.path:
        print(path)
        return 0 if path.is_file() else 2
    size = f"{path.stat().st_size / 1e6:.1f} MB" if path.is_file() else "MISSING from this installation"
    print(f"built-in model (the default): {path} ({size})")
    print(f"  licence and provenance: {path.parent / 'NOTICE'}")
    stages = len(file_spec(path).stage_outputs)
    fast = PRESETS["fast"].stages
    print(f"  {stages} stages (--stages N runs the first N: faster, less accurate; --preset fast runs {fast})")
    if opencv_major() < 5:
        print("  note: this OpenCV (4.x) cannot import it: use --engine onnxruntime "
              '(pip install "openpose[onnxruntime]") or OpenCV >= 5')
    print(f"another model: --model PATH (or ${ENV_MODEL}); PoseEstimator(PATH)")
    print()
    print("known model files (name, files, layout):")
    wrap = textwrap.TextWrapper(width=100, initial_indent="    ", subsequent_indent="    ")
    for known in KNOWN_MODELS:
        print(f"  {known.name}: {known.files} [{known.layout}]")
        print(wrap.fill(known.where))
    print()
    print("any other ONNX OpenPose network works too: output heatmaps then part affinity fields, 57 channels "
          "(COCO-18), 44 (MPI-15) or 78 (BODY_25); --layout names the layout if the channel count does not.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
