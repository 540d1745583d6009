"""Parsers of option values from the command line (argparse ``type=`` functions).

Each raises ``argparse.ArgumentTypeError`` saying what was expected; argparse
turns it into a usage error naming the option.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["choice_int", "fraction", "net_resolution", "non_negative_int", "positive_int", "preset", "unit_float"]


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        msg = f"expected a positive integer, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value <= 0:
        msg = f"expected a positive integer, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        msg = f"expected an integer >= 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value < 0:
        msg = f"expected an integer >= 0, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        msg = f"expected a number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not 0 <= value < 1:
        msg = f"expected a number in [0, 1), got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def unit_float(text: str) -> float:
    """A number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        msg = f"expected a number between 0 and 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def choice_int(choices: tuple[int, ...]) -> Callable[[str], int]:
    """A parser of one of the integers `choices`."""

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


def net_resolution(text: str) -> tuple[int, int]:
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


def preset(text: str) -> str | None:
    """A preset's name, or ``none`` (no preset: None)."""
    from .presets import PRESETS

    if text.lower() == "none":
        return None
    if text.lower() not in PRESETS:
        msg = f"expected one of {', '.join([*PRESETS, 'none'])}, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return text.lower()
