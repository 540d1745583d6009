"""The constants of the post-processing modes, spelled once.

`SeedParams` (the original program's) and `AccurateParams` (CMU
OpenPose's) hold each mode's constants with their defaults: the decoders
(`openpose.decoders`), the stage functions (`openpose.postprocess`) and the
pure-Python references read them here. The C++ core's defaults are its
headers' (``cpp/include/openpose/*/``); ``tests/test_stubs.py`` holds the
compiled module's defaults, and those of its stub, equal to these.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from . import _validation as v

__all__ = ["PARAMS", "AccurateParams", "SeedParams", "check_names"]


@dataclass(frozen=True)
class SeedParams:
    """Constants of seed mode, the original program's algorithm.

    Attributes
    ----------
    threshold : float
        A blurred heatmap pixel belongs to a keypoint region when above this (0.1).
    n_samples : int
        Points sampled along each candidate limb (10).
    paf_threshold : float
        A sample supports the limb when its PAF score is above this (0.1).
    min_fraction : float
        A limb is valid when more than this fraction of samples support it (0.7).
    """

    threshold: float = 0.1
    n_samples: int = 10
    paf_threshold: float = 0.1
    min_fraction: float = 0.7

    def checked(self) -> SeedParams:
        """These parameters converted (int, float), or a TypeError/ValueError naming the bad one."""
        return SeedParams(
            threshold=v.number(self.threshold, "threshold", minimum=0.0),
            n_samples=v.number(self.n_samples, "n_samples", minimum=2, maximum=10_000, integer=True),
            paf_threshold=v.number(self.paf_threshold, "paf_threshold"),
            min_fraction=v.number(self.min_fraction, "min_fraction"),
        )


@dataclass(frozen=True)
class AccurateParams:
    """Constants of accurate mode, CMU OpenPose's own algorithm.

    Attributes
    ----------
    factor : int
        Maps are read bicubically upsampled by this factor to the working
        resolution. 1 (default): OpenPose's rules applied on the network
        output itself (same OKS accuracy on the shared set, ~13x faster);
        8: OpenPose's own choice, the network input size (the stride). See
        docs/accuracy.md for the measurements.
    threshold : float
        A heatmap pixel is a peak when above this and strictly greater than
        its 8 neighbours (0.05); also the score given to very short limbs
        (+ 1e-6).
    max_peaks : int
        At most this many peaks per part, the first in raster order (127).
    radius : int
        Peaks are refined by the heatmap-weighted mean of x and y over a
        (2 radius + 1)^2 window of values > 0 (3: 7x7).
    paf_threshold : float
        A PAF sample supports a limb when its dot product with the limb's
        unit vector is above this (0.05).
    min_above : float
        A limb is scored when more than this fraction of its samples support
        it (0.95); the score is their mean.
    min_parts : int
        People with fewer parts are dropped (3).
    min_mean_score : float
        People whose total score per part is lower are dropped (0.4).
    grouping : {"cpu", "gpu"}
        OpenPose's CPU grouping (limb by limb, greedy one-to-one matching)
        or its GPU build's (all connections sorted together by
        ``paf + 0.1 score(A) + 0.1 score(B)``, partial people merged).
    """

    factor: int = 1
    threshold: float = 0.05
    max_peaks: int = 127
    radius: int = 3
    paf_threshold: float = 0.05
    min_above: float = 0.95
    min_parts: int = 3
    min_mean_score: float = 0.4
    grouping: str = "cpu"

    def checked(self) -> AccurateParams:
        """These parameters converted (int, float), or a TypeError/ValueError naming the bad one."""
        return AccurateParams(
            factor=v.number(self.factor, "factor", minimum=1, maximum=8, integer=True),
            threshold=v.number(self.threshold, "threshold", minimum=0.0),
            max_peaks=v.number(self.max_peaks, "max_peaks", minimum=0, maximum=v.MAX_PEAKS_PER_PART, integer=True),
            radius=v.number(self.radius, "radius", minimum=0, maximum=50, integer=True),
            paf_threshold=v.number(self.paf_threshold, "paf_threshold"),
            min_above=v.number(self.min_above, "min_above"),
            min_parts=v.number(self.min_parts, "min_parts", minimum=1, maximum=1_000_000, integer=True),
            min_mean_score=v.number(self.min_mean_score, "min_mean_score"),
            grouping=v.choice(self.grouping, "grouping", v.GROUPINGS),
        )


#: Each mode's parameters.
PARAMS: dict[str, type[SeedParams] | type[AccurateParams]] = {"seed": SeedParams, "accurate": AccurateParams}


def check_names(mode: str, options, allowed=None) -> None:
    """A TypeError naming the options `mode` does not know (or that are not in `allowed`)."""
    known = {f.name for f in fields(PARAMS[mode])} if allowed is None else set(allowed)
    unknown = sorted(set(options) - known)
    if unknown:
        msg = f"unknown option(s) for mode={mode!r}: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        raise TypeError(msg)
