"""The numpydoc ``Examples`` of the public functions run as doctests (they need no ../shared)."""

from __future__ import annotations

import doctest
import importlib

import pytest

# Their examples run the default built-in model, which OpenCV 4 and 5 both import.
MODULES = ["openpose.models.catalogue", "openpose.estimator", "openpose.draw", "openpose.sources", "openpose.frames",
           "openpose.outputs.video_output", "openpose.outputs.heatmaps_output", "openpose.keypoint_scale",
           "openpose.people", "openpose.net_resolution", "openpose.postprocess"]


@pytest.mark.parametrize("name", MODULES)
def test_examples(name):
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0, f"{name} has no examples"
    assert failed == 0, f"{failed} of {attempted} examples of {name} failed (run python -m doctest -v)"
