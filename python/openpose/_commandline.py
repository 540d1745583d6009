"""What every ``openpose`` command shares about its command line.

- `CommandParser`: an ``argparse.ArgumentParser`` whose usage errors are one
  line (``PROG: error: MESSAGE; see PROG --help``, exit status 2), naming
  the closest valid option or choice when there is one, and whose usage line
  is short (``PROG [options] INPUT...``). Given ``brief=``, its ``--help``
  shows those options only and ``--help-all`` shows every option.
- `HelpFormatter`: each default shown once, the description's line breaks
  kept, lines at most 100 columns.
- `silence_opencv_log`: OpenCV's (and its FFmpeg's) own log off, unless the
  command is given ``--verbose``.
- `missing_model_message`, `estimator_error`: a missing ``--model`` or
  ``--weights`` file in a few short lines.
- `config`, `estimator_options`: the layers' config values from a parse
  (their options are declared by the layers, `openpose.options`), a value a
  layer refuses being a usage error naming its flag; ``--model`` falls back
  on `ENV_MODEL`.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import NoReturn

__all__ = [
    "ENV_MODEL",
    "CommandParser",
    "HelpFormatter",
    "closest_option",
    "config",
    "estimator_error",
    "estimator_options",
    "joined_net_resolution",
    "missing_model_message",
    "silence_opencv_log",
]

#: The environment variable that names the commands' model when ``--model`` is not given.
ENV_MODEL = "OPENPOSE_MODEL"

#: The widest help text, in columns (a wide terminal would make long lines hard to read).
MAX_WIDTH = 100


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Defaults shown once, the description's and epilog's line breaks kept, at most `MAX_WIDTH` columns.

    Help texts wrap between words only (not after a hyphen).

    A default is added as ``(default: X)`` unless the help already says
    ``default:``, or the default is None or False (nothing to show).
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 26,
                 width: int | None = None) -> None:
        if width is None:
            width = shutil.get_terminal_size().columns - 2
        super().__init__(prog, indent_increment, max_help_position, min(width, MAX_WIDTH))

    def _split_lines(self, text: str, width: int) -> list[str]:
        # Never inside a word with a hyphen: --frame-flip and built-in stay whole.
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("default:" in text or "%(default)" in text or default is None or default is False
                or default is argparse.SUPPRESS or not action.option_strings):
            return text
        return text + " (default: %(default)s)"


class _HelpAllAction(argparse.Action):
    """``--help-all``: every option, then exit."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):  # noqa: A002
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser.print_help(full=True)
        parser.exit()


class CommandParser(argparse.ArgumentParser):
    """An argument parser with one-line usage errors and a short usage line.

    Parameters
    ----------
    brief : sequence of str, optional
        Option strings (``"--model"``) that ``--help`` shows; the others are
        shown by ``--help-all``, which is added. Default: ``--help`` shows
        every option.
    *args, **kwargs
        As ``argparse.ArgumentParser``; ``formatter_class`` defaults to
        `HelpFormatter`.
    """

    def __init__(self, *args, brief: Sequence[str] | None = None, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        if sys.version_info >= (3, 14):
            kwargs.setdefault("suggest_on_error", True)  # "maybe you meant ...?" for a mistyped choice
        super().__init__(*args, **kwargs)
        self._brief = frozenset(brief) if brief is not None else None
        if self._brief is not None:
            self.add_argument("--help-all", action=_HelpAllAction, help="show every option and exit")

    # -- usage errors ---------------------------------------------------------------------------

    def error(self, message: str) -> NoReturn:
        """One line on stderr, ``PROG: error: MESSAGE; see PROG --help``, and exit status 2."""
        text = " ".join(str(message).split())
        self.exit(2, f"{self.prog}: error: {text}; see {self.prog} --help\n")

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.error(self._unrecognized(extras))
        return parsed

    def _unrecognized(self, extras: list[str]) -> str:
        """The first argument the parser did not take, with the closest valid option when it is an option."""
        options = [s for s in extras if s.startswith("-") and s not in ("-", "--")]
        if not options:
            return f"unrecognized argument{'s' if len(extras) > 1 else ''}: {' '.join(extras)}"
        name = options[0].split("=", 1)[0]
        closest = closest_option(name, self._option_strings())
        hint = f" (did you mean {closest}?)" if closest else ""
        return f"unrecognized option {name}{hint}"

    def _option_strings(self) -> list[str]:
        return [s for action in self._actions for s in action.option_strings if action.help is not argparse.SUPPRESS]

    if sys.version_info < (3, 14):
        def _check_value(self, action, value):
            # Python 3.14's suggest_on_error, before 3.14: the closest choice of a mistyped one.
            if action.choices is None or value in action.choices:
                return
            choices = ", ".join(map(str, action.choices))
            closest = None
            if isinstance(value, str) and all(isinstance(c, str) for c in action.choices):
                closest = next(iter(difflib.get_close_matches(value, list(action.choices), n=1)), None)
            if closest is not None:
                msg = f"invalid choice: {value!r}, maybe you meant {closest!r}? (choose from {choices})"
            else:
                msg = f"invalid choice: {value!r} (choose from {choices})"
            raise argparse.ArgumentError(action, msg)

    # -- help --------------------------------------------------------------------------------------

    def format_usage(self) -> str:
        formatter = self._get_formatter()
        formatter.add_usage(self._usage_template(), self._actions, self._mutually_exclusive_groups)
        return formatter.format_help()

    def _usage_template(self) -> str:
        """``%(prog)s [options] REQUIRED-OPTIONS POSITIONALS``: argparse's own lists every option."""
        if self.usage is not None:
            return self.usage
        formatter = self._get_formatter()
        words = ["%(prog)s", "[options]"]
        words += [f"{action.option_strings[-1]} {action.metavar or action.dest.upper()}" for action in self._actions
                  if action.option_strings and action.required]
        words += [formatter._format_args(action, action.dest) for action in self._get_positional_actions()
                  if action.help is not argparse.SUPPRESS]
        return " ".join(words)

    def format_help(self, *, full: bool = False) -> str:
        """The help; with ``brief=`` given and not `full`, the brief options only, and how to see the rest."""
        hidden = set() if full or self._brief is None else {
            action for action in self._actions
            if action.option_strings and action.help is not argparse.SUPPRESS
            and not self._brief.intersection(action.option_strings)
            and not isinstance(action, (argparse._HelpAction, _HelpAllAction))
        }
        formatter = self._get_formatter()
        formatter.add_usage(self._usage_template(), self._actions, self._mutually_exclusive_groups)
        formatter.add_text(self.description)
        for group in self._action_groups:
            formatter.start_section(group.title)
            formatter.add_text(group.description)
            formatter.add_arguments([action for action in group._group_actions if action not in hidden])
            formatter.end_section()
        formatter.add_text(self.epilog)
        if hidden:
            formatter.add_text(f"{len(hidden)} more options: {self.prog} --help-all")
        return formatter.format_help()

    def print_help(self, file=None, *, full: bool = False) -> None:
        self._print_message(self.format_help(full=full), file if file is not None else sys.stdout)


def closest_option(name: str, options: Iterable[str]) -> str | None:
    """The valid option closest to a mistyped `name` (CMU OpenPose's underscores read as hyphens), or None."""
    options = list(options)
    hyphens = name.replace("_", "-")
    if hyphens != name and hyphens in options:
        return hyphens
    found = difflib.get_close_matches(hyphens, options, n=1, cutoff=0.6)
    return found[0] if found else None


def silence_opencv_log() -> None:
    """Silence OpenCV's own log (``[ WARN:0@...]`` lines) and that of the FFmpeg inside it, for this process.

    The command's messages say what went wrong with an input in its own
    words; ``--verbose`` leaves OpenCV's log as it is. FFmpeg reads its level
    (``OPENCV_FFMPEG_LOGLEVEL``) once, when OpenCV first opens a video, so
    this is called before that; a level set in the environment is kept.
    """
    import cv2

    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    logging_api = getattr(getattr(cv2, "utils", None), "logging", None)
    set_level = getattr(logging_api, "setLogLevel", None) or getattr(cv2, "setLogLevel", None)
    if set_level is not None:
        set_level(0)  # LOG_LEVEL_SILENT


def missing_model_message(prog: str, files: Sequence[tuple[str, str | None]], *,
                          env_model: str | None = None) -> str | None:
    """A few short lines for the first of `files` that does not exist, or None when each one exists.

    `files` are ``(flag, path)`` pairs, ``("--model", args.model)`` first;
    a model path equal to `env_model` is named as ``$OPENPOSE_MODEL``'s.
    """
    from .models import BUILTIN_MODELS

    command = prog.split()[0]
    builtin = {model.name for model in BUILTIN_MODELS}
    for flag, path in files:
        if path is None or os.path.lexists(path) or (flag == "--model" and path in builtin):
            continue
        if flag == "--model":
            from_env = env_model is not None and path == env_model
            where = "$OPENPOSE_MODEL" if from_env else flag
            instead = "unset OPENPOSE_MODEL" if from_env else "leave out --model"
            lines = [f"model file {str(path)!r} ({where}) does not exist",
                     f"{instead} to run the built-in model; nothing is downloaded"]
        else:
            lines = [f"file {str(path)!r} ({flag}) does not exist"]
        lines.append(f"`{command} models` lists the models openpose knows and where to get them")
        return "\n  ".join([f"{prog}: error: {lines[0]}", *lines[1:]])
    return None


def estimator_error(prog: str, exc: BaseException, options) -> str:
    """The message for `exc`, raised while a command built its estimator (or read its data) from `options`.

    A missing ``--model`` or ``--weights`` file of `options` (an
    `openpose.estimator.EstimatorOptions`) is `missing_model_message`'s few
    short lines; anything else is ``PROG: error: EXC``.
    """
    missing = isinstance(exc, FileNotFoundError) and missing_model_message(
        prog, [("--model", options.model), ("--weights", options.weights)], env_model=os.environ.get(ENV_MODEL))
    return missing or f"{prog}: error: {exc}"


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
