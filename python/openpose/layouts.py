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

import numpy as np

__all__ = ["LAYOUTS", "Layout", "get_layout", "layout_for_channels"]

LimbTable = tuple[tuple[int, int, int, int], ...]


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
    aliases : tuple of str
        Other names the registry accepts.
    render_pairs : tuple of (int, int), optional
        The limbs CMU OpenPose draws (it leaves out the redundant ear-shoulder
        limbs); defaults to every limb of `limbs`.
    coco17_index : tuple of 17 int, optional
        For each of the 17 COCO keypoints (COCO's order), the part of this
        layout that is the same body point; None when the layout cannot be
        mapped (MPI has no eyes or ears).
    fill_only_limbs : tuple of int
        Accurate mode, CPU grouping: indices into ``limbs`` of the limbs
        that only fill empty slots of people holding one of their ends and
        never start or count toward a person (CMU OpenPose's redundant
        ear-shoulder limbs: COCO-18's last two).
    """

    name: str
    keypoint_names: tuple[str, ...]
    limbs: LimbTable
    n_channels: int
    colors: tuple[tuple[int, int, int], ...] = ()
    seed_limbs: LimbTable | None = None
    seed_start_limbs: int | None = None
    aliases: tuple[str, ...] = field(default=())
    render_pairs: tuple[tuple[int, int], ...] | None = None
    coco17_index: tuple[int, ...] | None = None
    fill_only_limbs: tuple[int, ...] = ()

    def fill_only(self) -> np.ndarray:
        """``(L,)`` uint8 flags of accurate mode's CPU grouping: limbs that only fill empty slots."""
        flags = np.zeros(len(self.limbs), np.uint8)
        flags[list(self.fill_only_limbs)] = 1
        return flags

    @property
    def n_parts(self) -> int:
        """Number of keypoints (heatmap channels before the background)."""
        return len(self.keypoint_names)

    @property
    def n_heatmaps(self) -> int:
        """Number of heatmap channels (parts + background), the PAF channels follow."""
        return self.n_parts + 1

    def drawn_pairs(self) -> tuple[tuple[int, int], ...]:
        """The ``(part_a, part_b)`` limbs to draw, in drawing order."""
        if self.render_pairs is not None:
            return self.render_pairs
        return tuple((a, b) for a, b, _, _ in self.limbs)

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
_COCO_PAIRS = (*_COCO_SEED_PAIRS[:17], (2, 16), (5, 17))

# OpenPose's COCO rendering colours (RGB in OpenPose's tables,
# POSE_COCO_COLORS_RENDER_GPU), stored BGR.
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
    render_pairs=_COCO_PAIRS[:17],
    # COCO-17 <- COCO-18: the neck has no COCO counterpart.
    coco17_index=(0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10),
    fill_only_limbs=(17, 18),
)


def _paf_limbs(pairs, map_idx, offset):
    """Limb rows from CMU's pair list and its PAF index list (relative to the
    first PAF channel, which follows the `offset` heatmap channels)."""
    return tuple((a, b, offset + mx, offset + my) for (a, b), (mx, my) in zip(pairs, map_idx))


# MPI-15 (CMU's MPI models, e.g. pose_deploy_linevec_faster_4_stages):
# 15 parts + background = 16 heatmaps, then 14 limbs = 28 PAF channels (44).
_MPI_NAMES = (
    "Head", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "Chest",
)
# CMU's POSE_MPI_PAIRS_RENDER_GPU (also its body-part pairs) and POSE_MAP_INDEX.
_MPI_PAIRS = (
    (0, 1), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7),
    (1, 14), (14, 8), (8, 9), (9, 10), (14, 11), (11, 12), (12, 13),
)
_MPI_MAP_IDX = tuple((2 * k, 2 * k + 1) for k in range(14))
# POSE_MPI_COLORS_RENDER_GPU (RGB), "chosen close to the COCO colours".
_MPI_COLORS_RGB = (
    (255, 0, 85), (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0),
    (85, 255, 0), (43, 255, 0), (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255),
    (0, 170, 255), (0, 85, 255), (0, 0, 255),
)

# The MPI limbs form a tree without redundant limbs, so in seed mode every
# limb may start a person (the original's k < 17 rule only keeps COCO's two
# redundant ear-shoulder limbs from starting one).
MPI = Layout(
    name="mpi",
    keypoint_names=_MPI_NAMES,
    limbs=_paf_limbs(_MPI_PAIRS, _MPI_MAP_IDX, 16),
    n_channels=44,
    colors=tuple((b, g, r) for r, g, b in _MPI_COLORS_RGB),
    seed_start_limbs=None,
    aliases=("mpi15", "mpi-15", "mpi_15"),
)

# BODY_25: 25 parts + background = 26 heatmaps, then 26 limbs = 52 PAF
# channels (78).
_BODY25_NAMES = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "MidHip", "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye",
    "REar", "LEar", "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel",
)
# CMU's POSE_BODY_PART_PAIRS and POSE_MAP_INDEX for BODY_25.
_BODY25_PAIRS = (
    (1, 8), (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10),
    (10, 11), (8, 12), (12, 13), (13, 14), (1, 0), (0, 15), (15, 17), (0, 16),
    (16, 18), (2, 17), (5, 18), (14, 19), (19, 20), (14, 21), (11, 22), (22, 23),
    (11, 24),
)
_BODY25_MAP_IDX = (
    (0, 1), (14, 15), (22, 23), (16, 17), (18, 19), (24, 25), (26, 27), (6, 7), (2, 3),
    (4, 5), (8, 9), (10, 11), (12, 13), (30, 31), (32, 33), (36, 37), (34, 35),
    (38, 39), (20, 21), (28, 29), (40, 41), (42, 43), (44, 45), (46, 47), (48, 49),
    (50, 51),
)
_BODY25_LIMBS = _paf_limbs(_BODY25_PAIRS, _BODY25_MAP_IDX, 26)
# POSE_BODY_25_COLORS_RENDER_GPU (RGB).
_BODY25_COLORS_RGB = (
    (255, 0, 85), (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0),
    (85, 255, 0), (0, 255, 0), (255, 0, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255),
    (0, 170, 255), (0, 85, 255), (0, 0, 255), (255, 0, 170), (170, 0, 255), (255, 0, 255),
    (85, 0, 255), (0, 0, 255), (0, 0, 255), (0, 0, 255), (0, 255, 255), (0, 255, 255),
    (0, 255, 255),
)
# Seed mode on BODY_25: the same rule as the original's on COCO, where the
# two redundant ear-shoulder limbs (the last two rows there) only extend
# people. BODY_25 has the same two limbs (rows 18 and 19, before the feet),
# so its seed table moves them to the end and the first 24 limbs may start a
# person. The order of the other limbs (parents before children) is CMU's.
_BODY25_REDUNDANT = (18, 19)
_BODY25_SEED_LIMBS = tuple(
    row for k, row in enumerate(_BODY25_LIMBS) if k not in _BODY25_REDUNDANT
) + tuple(_BODY25_LIMBS[k] for k in _BODY25_REDUNDANT)

BODY_25 = Layout(
    name="body_25",
    keypoint_names=_BODY25_NAMES,
    limbs=_BODY25_LIMBS,
    n_channels=78,
    colors=tuple((b, g, r) for r, g, b in _BODY25_COLORS_RGB),
    seed_limbs=_BODY25_SEED_LIMBS,
    seed_start_limbs=24,
    aliases=("body25", "body-25", "body_25"),
    # POSE_BODY_25_PAIRS_RENDER_GPU: every limb but the two ear-shoulder ones.
    render_pairs=tuple(_BODY25_PAIRS[k] for k in range(26) if k not in _BODY25_REDUNDANT),
    coco17_index=(0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11),
    fill_only_limbs=_BODY25_REDUNDANT,
)

#: The registry: layout name -> Layout.
LAYOUTS: dict[str, Layout] = {lay.name: lay for lay in (COCO, MPI, BODY_25)}


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
