"""What the commands share: their help format, the model from the environment, and config values from a parse.

The commands (``openpose``, ``openpose batch``, ``openpose eval``) build
their parsers from the layers' declarations (`openpose.options`); this
module turns a parse into those layers' config values, with a bad
combination reported as a usage error naming the flags.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
from collections.abc import Sequence

__all__ = ["ENV_MODEL", "HelpFormatter", "config", "estimator_options", "joined_net_resolution"]

#: The environment variable that names the commands' model when ``--model`` is not given.
ENV_MODEL = "OPENPOSE_MODEL"


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows each default once (not when the help says it, nor when there is none); keeps line breaks."""

    def _get_help_string(self, action):
        help_text = action.help or ""
        if "default:" in help_text or action.default is None or action.default is False \
                or action.default is argparse.SUPPRESS:
            return help_text
        return super()._get_help_string(action)


def joined_net_resolution(argv: Sequence[str]) -> list[str]:
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


def config(parser: argparse.ArgumentParser, config_type, args: argparse.Namespace, **overrides):
    """The config value of `config_type` from `args`; a value it refuses is a usage error (exit 2).

    The message names the flags (``--frame-last``) where the config value
    names its fields (```frame_last```).
    """
    from .options import from_namespace

    try:
        return from_namespace(config_type, args, **overrides)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        for field in dataclasses.fields(config_type):
            spec = field.metadata.get("flag")
            if spec is not None:
                text = re.sub(rf"`{re.escape(field.name)}`", spec.name, text)
        parser.error(text)


def estimator_options(parser: argparse.ArgumentParser, args: argparse.Namespace):
    """`openpose.estimator.EstimatorOptions` of a parse: ``--model``, else ``$OPENPOSE_MODEL``, else the preset's."""
    from .estimator import EstimatorOptions

    return config(parser, EstimatorOptions, args, model=args.model or os.environ.get(ENV_MODEL) or None)
