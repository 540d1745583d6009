"""The numpydoc ``Examples`` of the public functions run as doctests (they need no ../shared)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from openpose.models import opencv_major

# Modules whose examples run the built-in model through cv2.dnn (OpenCV >= 5 imports it).
_NEEDS_BUILTIN_ON_CV2 = {"openpose.estimator", "openpose.draw", "openpose.cli"}
MODULES = ["openpose.models", "openpose.estimator", "openpose.draw", "openpose.sources", "openpose.outputs",
           "openpose.keypoint_scale", "openpose.people", "openpose.net_resolution",
           "openpose.postprocess"]


@pytest.mark.parametrize("name", MODULES)
def test_examples(name):
    if name in _NEEDS_BUILTIN_ON_CV2 and opencv_major() < 5:
        pytest.skip("these examples run the built-in model, which OpenCV 4's cv2.dnn cannot import")
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0, f"{name} has no examples"
    assert failed == 0, f"{failed} of {attempted} examples of {name} failed (run python -m doctest -v)"
