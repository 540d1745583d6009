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
        description=("The built-in models (--model NAME; the first is the default of `openpose` and "
                     "`openpose.PoseEstimator()`), what each preset runs on them, and the other model files and "
                     "layouts openpose knows, with where to get them and how to convert them. Nothing is "
                     "downloaded."),
    )
    parser.add_argument("--path", nargs="?", const=None, default=False, metavar="NAME",
                        help="print only the path of a built-in model's file (default: the default model's)")
    return parser


def _preset_line(spec) -> str:
    """What each preset runs on a model: net height, scales, flip, stages, upsampling."""
    from .presets import PRESETS

    parts = []
    for name, preset in PRESETS.items():
        row = spec.preset(preset)
        text = f"{name} {row.net_height}"
        if row.scale_number > 1:
            text += f" x{row.scale_number} scales"
        if row.flip:
            text += " + flip"
        total = len(spec.stage_outputs)
        if row.stages is not None and total and row.stages < total:
            text += f", {row.stages} of {total} stages"
        factor = dict(row.decoder).get("factor")
        if factor:
            text += f", x{factor}"
        parts.append(text)
    return "; ".join(parts)


def main(argv: list[str] | None = None, prog: str = "openpose models") -> int:
    """Entry point; returns the exit status (0; 2 when a built-in model is missing from the installation)."""
    from ._commandline import ENV_MODEL
    from .models import BUILTIN_MODELS, KNOWN_MODELS, builtin_model, file_spec, opencv_major

    args = build_parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.path is not False:
        try:
            path = builtin_model(args.path or BUILTIN_MODELS[0].name).path
        except ValueError as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return 2
        print(path)
        return 0 if path.is_file() else 2
    wrap = textwrap.TextWrapper(width=100, initial_indent="    ", subsequent_indent="    ")
    missing = False
    print("built-in models (--model NAME, PoseEstimator(NAME)):")
    for i, model in enumerate(BUILTIN_MODELS):
        path = model.path
        size = f"{path.stat().st_size / 1e6:.1f} MB" if path.is_file() else "MISSING from this installation"
        missing |= not path.is_file()
        print(f"  {model.name}{' (the default)' if i == 0 else ''}: {model.title}; {model.licence}; {size}")
        print(wrap.fill(model.summary))
        print(f"    file: {path}")
        print(f"    licence and provenance: {model.notice}")
        if path.is_file():
            spec = file_spec(path)
            stages = len(spec.stage_outputs)
            print(f"    {stages} stages (--stages N runs the first N: faster, less accurate)")
            print(wrap.fill(f"presets: {_preset_line(spec)}"))
            if opencv_major() < 5 and spec.size_multiple == 16:
                print("    note: this OpenCV (4.x) cannot import it: use --engine onnxruntime "
                      '(pip install "openpose[onnxruntime]") or OpenCV >= 5')
    print(f"another model: --model PATH (or ${ENV_MODEL}); PoseEstimator(PATH)")
    print()
    print("known model files (name, files, layout):")
    for known in KNOWN_MODELS:
        print(f"  {known.name}: {known.files} [{known.layout}]")
        print(wrap.fill(known.where))
    print()
    print("any other ONNX OpenPose network works too: output heatmaps then part affinity fields, 57 channels "
          "(COCO-18), 44 (MPI-15) or 78 (BODY_25); --layout names the layout if the channel count does not.")
    return 2 if missing else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
