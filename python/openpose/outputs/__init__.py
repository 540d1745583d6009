"""Where results go, for the command and Ray: each output declares itself.

An output is one module ``openpose/outputs/NAME_output.py`` whose `Output`
subclass (bound to ``OUTPUT``) declares its options (the first asks for it),
what it needs (the drawing, the network output, per-frame file names), how
it is checked before the first frame (`Output.open`) and how it writes a
frame; a ``openpose batch`` format also declares its "already complete" test
and its tracking rewrite. `output_types` finds them, so a new output is one
file: the commands offer its options, `Outputs` opens it when asked, the
"no output" note and the file-name collision check read its declaration.

Every output is named from the frame's source and index (`output_stem`),
and every file is written atomically (a temporary file beside it, then a
rename: `openpose._io.write_atomically`), so an interrupted or retried run
never leaves a half-written file under an output's name.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import pkgutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .base import (
    FAILURES_FILE,
    JSON_SUFFIX,
    SHARED_OPTIONS,
    Option,
    Output,
    RunContext,
    json_path,
    output_stem,
    parquet_part_path,
    prepare_folder,
    write_failures,
)

__all__ = [
    "FAILURES_FILE",
    "JSON_SUFFIX",
    "Option",
    "Output",
    "OutputOptions",
    "Outputs",
    "RunContext",
    "add_output_options",
    "batch_format",
    "batch_formats",
    "declared_options",
    "json_path",
    "output_options",
    "output_stem",
    "output_types",
    "parquet_part_path",
    "prepare_folder",
    "write_failures",
]

_SUFFIX = "_output"


@functools.cache
def output_types() -> tuple[type[Output], ...]:
    """Every output of this package (the ``*_output`` modules' ``OUTPUT``), in writing order (`Output.order`)."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        if module.name.endswith(_SUFFIX):
            cls = importlib.import_module(f"{__name__}.{module.name}").OUTPUT
            if not (isinstance(cls, type) and issubclass(cls, Output)):
                msg = f"{__name__}.{module.name}.OUTPUT must be an Output subclass"
                raise TypeError(msg)
            found.append(cls)
    return tuple(sorted(found, key=lambda cls: (cls.order, cls.name)))


def declared_options() -> tuple[Option, ...]:
    """The options every output shares (`SHARED_OPTIONS`), then each output's own."""
    return SHARED_OPTIONS + tuple(option for cls in output_types() for option in cls.options)


def add_output_options(parser: argparse.ArgumentParser, *, command: str) -> None:
    """Add the output options `command` offers to `parser` (see `openpose.options.add_options`)."""
    from ..options import add_declared

    add_declared(parser, [(o.name, o.default, o.flag) for o in declared_options()], command=command)


class OutputOptions:
    """The options of every output of a run, declared by the outputs themselves (`Output.options`).

    Built from keyword arguments (``OutputOptions(write_json="out/")``) or
    from the commands' parsed options (`openpose.outputs.output_options`);
    immutable, and read by name (``options["write_json"]``). A name no
    output declares is a `TypeError`.
    """

    __slots__ = ("_values",)
    _values: dict[str, Any]

    def __init__(self, **values) -> None:
        known = {option.name: option.default for option in declared_options()}
        unknown = sorted(set(values) - set(known))
        if unknown:
            msg = f"unknown output option(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}"
            raise TypeError(msg)
        object.__setattr__(self, "_values", {**known, **values})

    def __getitem__(self, name: str):
        return self._values[name]

    def __setattr__(self, name, value):
        msg = "OutputOptions is immutable"
        raise AttributeError(msg)

    def __eq__(self, other) -> bool:
        return isinstance(other, OutputOptions) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, repr(v)) for k, v in self._values.items())))

    def __reduce__(self):
        return (_rebuild, (dict(self._values),))

    def asked(self) -> dict[str, Any]:
        """The options that differ from their defaults."""
        return {o.name: self._values[o.name] for o in declared_options() if self._values[o.name] != o.default}

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.asked().items())
        return f"OutputOptions({given})"


def _rebuild(values: dict) -> OutputOptions:
    return OutputOptions(**values)


def output_options(namespace: argparse.Namespace) -> OutputOptions:
    """The `OutputOptions` of a parsed command line (options the command does not offer keep their defaults)."""
    return OutputOptions(**{o.name: getattr(namespace, o.name) for o in declared_options()
                            if hasattr(namespace, o.name)})


def batch_formats() -> dict[str, type[Output]]:
    """``openpose batch --format``'s formats: the outputs that declare a `Output.batch_format`."""
    return {cls.batch_format: cls for cls in output_types() if cls.batch_format}


def batch_format(name: str) -> type[Output]:
    """The output of one batch format (`batch_formats`); a ValueError naming the known ones."""
    formats = batch_formats()
    if name not in formats:
        msg = f"`format` must be one of {tuple(formats)}, got {name!r}"
        raise ValueError(msg)
    return formats[name]


class Outputs:
    """The outputs of one run: opened from their options, then written frame by frame.

    Parameters
    ----------
    options : OutputOptions
        What the run asked for; each output asked for is opened (and
        checked) here, before the first frame.
    context : RunContext, optional
        What the outputs need of the run (the network sizes, ...).
    extra : sequence of Output
        Outputs opened by the caller (a Ray work item's batch format),
        written after the others.
    """

    def __init__(self, options: OutputOptions | None = None, context: RunContext | None = None, *,
                 extra: Sequence[Output] = ()):
        self.options = OutputOptions() if options is None else options
        context = RunContext() if context is None else context
        self.context = context
        self.writers: list[Output] = []
        try:
            for cls in output_types():
                if cls.asked(self.options):
                    self.writers.append(cls.open(self.options, context))
        except BaseException:
            self.close(complete=False)
            raise
        self.writers.extend(extra)
        self.render = {"threshold": self.options["render_threshold"], "alpha": self.options["alpha_pose"],
                       "blend": not self.options["disable_blending"]}
        self.part_to_show = self.options["part_to_show"] or None
        if self.part_to_show is not None and not self.needs_drawing:
            self.close(complete=False)
            drawn = [cls.flag() for cls in output_types() if cls.needs_drawing]
            msg = f"--part-to-show renders: give {', '.join(drawn[:-1])} or {drawn[-1]}"
            raise ValueError(msg)
        # Outputs named per frame: two inputs with the same stem would overwrite each other's.
        self._named = any(type(w).named_per_frame for w in self.writers)
        self._stems: set = set()

    @staticmethod
    def flags(command: str = "run") -> list[str]:
        """The flags that ask for an output in `command` (for the "no output" note)."""
        return [cls.flag() for cls in output_types() if cls.options and command in cls.options[0].flag.commands]

    @property
    def needs_drawing(self) -> bool:
        return any(type(w).needs_drawing for w in self.writers)

    @property
    def needs_net_output(self) -> bool:
        """Whether `write` needs each frame's network output (``--write-heatmaps``, ``--part-to-show``)."""
        return (self.part_to_show is not None and self.needs_drawing) or any(
            type(w).needs_net_output for w in self.writers)

    def write(self, frame, result, net_output=None) -> bool:
        """Write one frame's outputs; False when the user asked to stop (display).

        `net_output`: the frame's network output, for `needs_net_output`.

        Raises
        ------
        OSError
            An output could not be written (what was written for earlier
            frames stays; no partial file is left under an output's name).
        ValueError
            The frame's outputs would overwrite an earlier input's (two
            inputs with the same file name); nothing is written for it.
        """
        stem = output_stem(frame.source, frame.index)
        if self._named:
            if stem in self._stems:
                msg = (f"its outputs would overwrite those of an earlier input with the same name "
                       f"({stem!r}); rename one of them")
                raise ValueError(msg)
            self._stems.add(stem)
        rendered = self._rendered(frame, result, net_output) if self.needs_drawing else None
        keep_going = True
        for writer in self.writers:
            keep_going = writer.write(frame, result, stem=stem, rendered=rendered,
                                      net_output=net_output) is not False and keep_going
        return keep_going

    def _rendered(self, frame, result, net_output):
        from ..draw import draw, draw_heatmap

        if self.part_to_show is None or net_output is None:
            return draw(frame.image, result, **self.render)
        return draw_heatmap(frame.image, self._image_region(net_output, result.image_size),
                            part=self.part_to_show, n_heatmaps=result.layout.n_heatmaps)

    def _image_region(self, net_output, image_size):
        """The part of a padded network input's output (``--net-resolution WxH``) that covers the image."""
        net_input_size, content_size = self.context.net_input_size, self.context.net_size
        if net_input_size is None or content_size is None:
            return net_output
        net_w, net_h = net_input_size(image_size)
        fit_w, fit_h = content_size(image_size)
        if (fit_w, fit_h) == (net_w, net_h):
            return net_output
        out_h, out_w = net_output.shape[-2:]
        rows = max(1, min(out_h, int(round(out_h * fit_h / net_h))))
        cols = max(1, min(out_w, int(round(out_w * fit_w / net_w))))
        return net_output[..., :rows, :cols]

    def close(self, *, complete: bool = True) -> Path | None:
        """Finish every output (the video gets its name only if `complete`).

        Returns
        -------
        Path or None
            The temporary name of an unfinished video (`complete` False).
        """
        partial = None
        for writer in self.writers:
            left = writer.close(complete)
            if left is not None:
                partial = left
        return partial
