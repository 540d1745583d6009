"""The real-pixel tracking sequence from the network now: crops chosen again, every frame through the default estimator.

Not part of the normal test run (``testpaths`` is ``tests``; marked
``slow_network``; about 2 minutes on 2 cores). The normal run checks the
tracker on the network's poses saved in ``tests/data`` (written by
``python benchmarks/tracking.py --write-fixture``); this checks that the
crops chosen and the tracker's result still hold on fresh network output:

    python -m pytest benchmarks/test_tracking_real_pixels.py -m slow_network -p no:cacheprovider
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import openpose
from openpose.tracking import PoseTracker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import tracking_scenes  # noqa: E402

pytestmark = pytest.mark.slow_network


@pytest.mark.skipif(not (tracking_scenes.DEV / "gt.json").is_file(), reason="needs ../shared/data/dev")
def test_the_real_pixel_sequence_from_the_network_now():
    est = openpose.PoseEstimator()
    ann_ids, drawn, poses = tracking_scenes.real_pixel_run(lambda image: est.estimate(image).poses)
    if tracking_scenes.FIXTURE.is_file():
        assert ann_ids == tracking_scenes.load_run(tracking_scenes.FIXTURE)[0]
    assert tracking_scenes.construction_problems(drawn) == []
    tracker = PoseTracker()
    errors = tracking_scenes.real_pixel_errors(poses, drawn, lambda p: tracker.update(p)[0],
                                               truth=tracking_scenes.true_poses(ann_ids))
    assert errors["identities"] == 4
    assert errors == {**errors, "switches": 0, "fragmented": 0, "merged": 0}, errors
