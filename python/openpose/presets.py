"""Presets: net height, scales, flip, upsampling and thresholds chosen together.

``PoseEstimator(model, preset="fast" | "balanced" | "best")`` and
``openpose --preset NAME``; ``balanced`` is the default of both. A preset
chooses what is not given: every explicit argument (``net_height=``,
``scale_number=``, ``factor=``, ...) wins over it. ``preset=None`` chooses
nothing (the model's usual net height, one scale, no flip, the model's
decoder defaults).

Presets apply to accurate mode only: seed mode is the original program and
keeps its single pass at the given (or the model's) net height.

The values were measured on ``../shared/data/dev`` with the shared model
and the cv2 engine (``benchmarks/accuracy.py``; figures in the README),
against the goals of the old default (net height 368, ``factor=1``, CMU's
constants):

- ``balanced``: AP 0.256 (>= 0.25), for about 1.55-1.6x the old default's
  time per frame (1.53-1.61x on quiet machines, just over the goal's 1.5x;
  less under load). Network time grows with the input area, and 448 is
  1.48x the area of 368 on a 16:9 frame: the largest height that fits the
  time, nearly. ``factor=8`` (0.256, x4 0.248): since accurate mode's peak
  finding computes only the pixels that can pass the threshold, and tests
  them in a vectorised loop, x8 decodes in about 2 ms more than x4 of a
  90-140 ms frame. Fewer stages do not pay here: 464 with 5 stages costs
  about what 448 with 6 does, for the same AP (0.255), and 448 with 5
  loses it (0.243).
- ``fast``: AP >= 0.183 (the old default's; 0.189), at about 1.45x its
  frames/s (1.44-1.50x measured): net height 320 (0.76x the area), the
  network's first 4 of its 6 stages (`openpose.stages`: the last two cost
  about 18% of the network and are worth 0.009 AP at 320) and
  ``factor=8`` (0.010 AP over x2 at this size, for 1-2 ms). With all
  6 stages 320 reaches only 1.25-1.3x; lower heights lose more than the
  stages do (304, all stages: 0.176 at best), and 3 stages fall to 0.169.
- ``best``: three scales from 656 and the flip test, x8 (0.338); no time limit.

The thresholds and person filters are the model's (`ModelSpec.decoder_defaults`),
the same in every preset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "get_preset"]


@dataclass(frozen=True)
class Preset:
    """One preset.

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
        Accurate-mode decoder options (``factor``, thresholds, ...).
    """

    name: str
    net_height: int
    scale_number: int = 1
    scale_gap: float = 0.25
    flip: bool = False
    stages: int | None = None
    decoder: tuple[tuple[str, object], ...] = field(default=())


#: The presets by name.
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("fast", net_height=320, stages=4, decoder=(("factor", 8),)),
        Preset("balanced", net_height=448, decoder=(("factor", 8),)),
        Preset("best", net_height=656, scale_number=3, scale_gap=0.25, flip=True, decoder=(("factor", 8),)),
    )
}

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
