"""openpose: multi-person 2D pose estimation in the OpenPose style.

Post-processing of OpenPose network outputs (heatmaps + part affinity fields)
into people, with a C++ core and a pure-Python reference. Importing the
package does no work: no model loading, no downloads.
"""

from .layouts import LAYOUTS, Layout, get_layout
from .postprocess import SeedParams, assemble_persons, find_peaks, postprocess, postprocess_batch, score_limb
from .result import PoseResult

__version__ = "0.1.0"

__all__ = [
    "LAYOUTS",
    "Layout",
    "PoseResult",
    "SeedParams",
    "__version__",
    "assemble_persons",
    "find_peaks",
    "get_layout",
    "postprocess",
    "postprocess_batch",
    "score_limb",
]
