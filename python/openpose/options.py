"""Options declared once, by the layer they configure.

Each layer declares its options as one frozen dataclass, a config value:
`openpose.estimator.EstimatorOptions` (the model and the network),
`openpose.frames.FrameOptions` (which frames, transformed how, how many
people kept), `openpose.sources.InputOptions` (how inputs are read) and the
outputs (`openpose.outputs`). A field is one option: its name, default and
checks are the layer's, and its metadata (`flag`) says how the commands spell
it. The commands build their parsers from these declarations (`add_options`)
and the config values from what they parse (`from_namespace`); ``openpose
batch`` hands the same values to its Ray workers (they pickle).

Adding an option to a layer is one field of its config value (and what the
layer does with it): every command that offers the layer's options offers
it, and the Ray workers get it.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["COMMANDS", "Flag", "add_declared", "add_options", "flag", "flag_of", "from_namespace"]

#: The commands that take options: ``openpose`` ("run"), ``openpose batch``, ``openpose eval``.
COMMANDS = ("run", "batch", "eval")


@dataclass(frozen=True)
class Flag:
    """How one option of a config value appears on the command line.

    Attributes
    ----------
    name : str
        The flag, ``--net-height``.
    help : str
        One line for ``--help``.
    type : callable, optional
        Parses the text (argparse's ``type``); an ``argparse.ArgumentTypeError``
        names what was expected.
    metavar : str, optional
    choices : sequence or callable, optional
        The values allowed (a callable gives them when the parser is built).
    switch : bool
        A flag without a value that sets True.
    commands : tuple of str
        The commands that offer it (`COMMANDS`).
    group : str
        The ``--help`` section it is listed in.
    """

    name: str
    help: str
    type: Callable[[str], Any] | None = None
    metavar: str | None = None
    choices: Sequence | Callable[[], Sequence] | None = None
    switch: bool = False
    commands: tuple[str, ...] = COMMANDS
    group: str = "options"


def flag(name: str, help: str, **kwargs) -> dict:  # noqa: A002 - argparse's word
    """The metadata of a config field that the commands offer as `name` (see `Flag`)."""
    return {"flag": Flag(name, help, **kwargs)}


def flag_of(config_type, field_name: str) -> Flag:
    """The `Flag` of one field of a config type."""
    for field in dataclasses.fields(config_type):
        if field.name == field_name:
            return field.metadata["flag"]
    msg = f"{config_type.__name__} has no option {field_name!r}"
    raise KeyError(msg)


def _groups(parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The parser's argument groups by title (argparse keeps no such index itself)."""
    groups = getattr(parser, "_openpose_groups", None)
    if groups is None:
        groups = {}
        parser._openpose_groups = groups  # type: ignore[attr-defined]
    return groups


def add_declared(parser: argparse.ArgumentParser, declared, *, command: str) -> None:
    """Add options given as ``(name, default, Flag)`` that `command` offers to `parser`, each in its group.

    A value is parsed into the namespace under its name, which
    `from_namespace` reads back.
    """
    groups = _groups(parser)
    for name, default, spec in declared:
        if spec is None or command not in spec.commands:
            continue
        group = groups.get(spec.group)
        if group is None:
            group = groups[spec.group] = parser.add_argument_group(spec.group)
        kwargs: dict[str, Any] = {"dest": name, "help": spec.help, "default": default}
        if spec.switch:
            kwargs["action"] = "store_true"
        else:
            if spec.type is not None:
                kwargs["type"] = spec.type
            if spec.metavar is not None:
                kwargs["metavar"] = spec.metavar
            if spec.choices is not None:
                kwargs["choices"] = list(spec.choices() if callable(spec.choices) else spec.choices)
        group.add_argument(spec.name, **kwargs)


def add_options(parser: argparse.ArgumentParser, config_type, *, command: str) -> None:
    """Add the options of the config type `config_type` that `command` offers to `parser` (`add_declared`).

    The default of each is the field's.
    """
    declared = [(f.name, f.default if f.default is not dataclasses.MISSING else None, f.metadata.get("flag"))
                for f in dataclasses.fields(config_type)]
    add_declared(parser, declared, command=command)


def from_namespace(config_type, namespace: argparse.Namespace, **overrides):
    """The config value of `config_type` from a parsed namespace (fields it lacks keep their defaults)."""
    values = {f.name: getattr(namespace, f.name) for f in dataclasses.fields(config_type)
              if f.init and hasattr(namespace, f.name)}
    return config_type(**{**values, **overrides})
