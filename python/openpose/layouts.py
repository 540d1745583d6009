"""Keypoint layouts as data: part names, limbs, PAF channels and colours.

Each layout describes one family of OpenPose networks. The tables are plain
data; the post-processing reads them and has no layout-specific code.

A limb row is ``(part_a, part_b, paf_x, paf_y)``: the two parts it joins and
the network-output channels holding the x and y components of its part
affinity field. Heatmap of part ``i`` is channel ``i``; the background
heatmap follows the parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

import numpy as np

__all__ = ["Layout", "LAYOUTS", "get_layout", "layout_for_channels"]

LimbTable = Tuple[Tuple[int, int, int, int], ...]


@dataclass(frozen=True)
class Layout:
    """One keypoint layout (COCO-18, MPI-15, BODY_25, ...).

    Attributes
    ----------
    name : str
        Registry name.
    keypoint_names : tuple of str
        Part names, in heatmap channel order.
    limbs : tuple of (int, int, int, int)
        CMU OpenPose's limb table: ``(part_a, part_b, paf_x, paf_y)`` rows.
    n_channels : int
        Channel count of the network output (heatmaps, background, PAFs).
    colors : tuple of (int, int, int)
        BGR rendering colour per part.
    seed_limbs : tuple of (int, int, int, int), optional
        The limb table the original program uses, where it differs from
        ``limbs`` (COCO-18: the program swaps the two ear-shoulder limbs).
    seed_start_limbs : int, optional
        In seed mode, limbs ``k < seed_start_limbs`` may start a new person;
        later ones only extend people (the original's ``k < 17`` rule).
        Defaults to every limb.
    fill_only_limbs : tuple of int
        Accurate mode, CPU grouping: indices into ``limbs`` of the limbs
        that only fill empty slots of people holding one of their ends and
        never start or count toward a person (CMU OpenPose's redundant
        ear-shoulder limbs: COCO-18's last two).
    """

    name: str
    keypoint_names: Tuple[str, ...]
    limbs: LimbTable
    n_channels: int
    colors: Tuple[Tuple[int, int, int], ...] = ()
    seed_limbs: Optional[LimbTable] = None
    seed_start_limbs: Optional[int] = None
    aliases: Tuple[str, ...] = field(default=())
    fill_only_limbs: Tuple[int, ...] = ()

    def fill_only(self) -> np.ndarray:
        """``(L,)`` uint8 flags of accurate mode's CPU grouping: limbs that only fill empty slots."""
        flags = np.zeros(len(self.limbs), np.uint8)
        flags[list(self.fill_only_limbs)] = 1
        return flags

    @property
    def n_parts(self) -> int:
        """Number of keypoints (heatmap channels before the background)."""
        return len(self.keypoint_names)

    def limb_table(self, mode: str) -> np.ndarray:
        """The ``(L, 4)`` int32 limb table used by `mode` ("seed" or another)."""
        rows = self.seed_limbs if (mode == "seed" and self.seed_limbs is not None) else self.limbs
        return np.asarray(rows, dtype=np.int32).reshape(-1, 4)

    def seed_starts_person(self) -> np.ndarray:
        """``(L,)`` uint8 flags: which seed-mode limbs may start a new person."""
        n = len(self.seed_limbs if self.seed_limbs is not None else self.limbs)
        k = n if self.seed_start_limbs is None else self.seed_start_limbs
        return (np.arange(n) < k).astype(np.uint8)


# COCO-18, the layout of CMU's COCO model and of the original program.
_COCO_NAMES = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
)

# The original program's posePairs and mapIdx, row by row (limb k joins
# posePairs[k] through channels mapIdx[k]).
_COCO_SEED_PAIRS = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7),
    (1, 8), (8, 9), (9, 10), (1, 11), (11, 12), (12, 13),
    (1, 0), (0, 14), (14, 16), (0, 15), (15, 17), (2, 17),
    (5, 16),
)
_COCO_MAP_IDX = (
    (31, 32), (39, 40), (33, 34), (35, 36), (41, 42), (43, 44),
    (19, 20), (21, 22), (23, 24), (25, 26), (27, 28), (29, 30),
    (47, 48), (49, 50), (53, 54), (51, 52), (55, 56), (37, 38),
    (45, 46),
)
# CMU OpenPose's COCO pairs: the same, except the ear-shoulder limbs join
# RShoulder-REar (2, 16) and LShoulder-LEar (5, 17).
_COCO_PAIRS = _COCO_SEED_PAIRS[:17] + ((2, 16), (5, 17))

# OpenPose's COCO rendering colours (RGB in OpenPose's tables), stored BGR.
_COCO_COLORS_RGB = (
    (255, 0, 85), (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0),
    (85, 255, 0), (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255),
    (0, 85, 255), (0, 0, 255), (255, 0, 170), (170, 0, 255), (255, 0, 255), (85, 0, 255),
)

COCO = Layout(
    name="coco",
    keypoint_names=_COCO_NAMES,
    limbs=tuple(p + m for p, m in zip(_COCO_PAIRS, _COCO_MAP_IDX)),
    n_channels=57,
    colors=tuple((b, g, r) for r, g, b in _COCO_COLORS_RGB),
    seed_limbs=tuple(p + m for p, m in zip(_COCO_SEED_PAIRS, _COCO_MAP_IDX)),
    seed_start_limbs=17,
    aliases=("coco18", "coco-18", "coco_18"),
    fill_only_limbs=(17, 18),
)

#: The registry: layout name -> Layout.
LAYOUTS: Dict[str, Layout] = {COCO.name: COCO}


def get_layout(layout) -> Layout:
    """Look up a layout by name (case-insensitive) or pass a `Layout` through.

    Raises
    ------
    ValueError
        If no layout has that name; the message lists the known names.
    """
    if isinstance(layout, Layout):
        return layout
    if not isinstance(layout, str):
        msg = f"`layout` must be a layout name or a Layout, got {type(layout).__name__}"
        raise TypeError(msg)
    key = layout.lower()
    for candidate in LAYOUTS.values():
        if key == candidate.name or key in candidate.aliases:
            return candidate
    msg = f"unknown `layout` {layout!r}; known layouts: {', '.join(sorted(LAYOUTS))}"
    raise ValueError(msg)


def layout_for_channels(n_channels: int) -> Layout:
    """The registered layout whose networks output `n_channels` channels."""
    for candidate in LAYOUTS.values():
        if candidate.n_channels == n_channels:
            return candidate
    known = ", ".join(f"{lay.n_channels} ({lay.name})" for lay in LAYOUTS.values())
    msg = (
        f"cannot infer the layout from a network output with {n_channels} channels "
        f"(known: {known}); pass `layout=` explicitly"
    )
    raise ValueError(msg)
