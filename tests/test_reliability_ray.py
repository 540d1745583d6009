"""Reliability, round two, on Ray's side: bounded attempts per work item, names that are not UTF-8 (issue 17).

These run the worker's code without Ray (it is Ray-free by design); a
worker that dies is a child process that segfaults.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import cv2
import numpy as np
import pytest

from conftest import model_for_this_opencv
from openpose.estimator import EstimatorOptions
from openpose.ray import WorkItem
from openpose.ray.worker import ATTEMPTS_FOLDER, MAX_ATTEMPTS, WorkItemProcessor


def jpeg(seed=0) -> bytes:
    image = np.random.default_rng(seed).integers(0, 255, (64, 96, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", image)[1].tobytes()


def batch_of(item: WorkItem) -> dict:
    return {k: np.asarray([v], dtype=object) for k, v in item.to_row().items()}


_CRASHING_WORKER = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from openpose.ray import WorkItem
    from openpose.estimator import EstimatorOptions
    from openpose.ray.worker import WorkItemProcessor

    model, out, photo = sys.argv[1:]
    processor = WorkItemProcessor(output=out, fmt="json", estimator=EstimatorOptions(model=model, net_height=128))
    processor.process = lambda item: os.kill(os.getpid(), signal.SIGSEGV)  # a native crash on this item
    item = WorkItem("images", (photo,), 0, 1, 1)
    processor({k: np.asarray([v], dtype=object) for k, v in item.to_row().items()})
""")


def test_an_item_that_kills_its_worker_is_tried_a_bounded_number_of_times(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(jpeg())
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    for _ in range(MAX_ATTEMPTS):  # Ray restarts the worker and retries the item, forever by default
        res = subprocess.run([sys.executable, "-c", _CRASHING_WORKER, str(model_for_this_opencv()), str(out),
                              str(photo)], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == -11, res.stderr[-2000:]
    processor = WorkItemProcessor(output=str(out), fmt="json",
                                  estimator=EstimatorOptions(model=str(model_for_this_opencv()), net_height=128))
    item = WorkItem("images", (str(photo),), 0, 1, 1)
    status = processor(batch_of(item))
    [failure] = json.loads(status["failures"][0])  # was: retried forever, failures.jsonl never written
    assert failure["source"] == str(photo) and f"died {MAX_ATTEMPTS} times" in failure["error"]
    assert list(status["frames"]) == [0]
    assert not (out / ATTEMPTS_FOLDER / item.key).exists()


def test_an_item_that_succeeds_leaves_no_attempt_count(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(jpeg())
    out = tmp_path / "out"
    processor = WorkItemProcessor(output=str(out), fmt="json",
                                  estimator=EstimatorOptions(model=str(model_for_this_opencv()), net_height=128))
    item = WorkItem("images", (str(photo),), 0, 1, 1)
    (out / ATTEMPTS_FOLDER).mkdir(parents=True)
    (out / ATTEMPTS_FOLDER / item.key).write_text(str(MAX_ATTEMPTS - 1))  # died before: one attempt left
    status = processor(batch_of(item))
    assert json.loads(status["failures"][0]) == [] and list(status["frames"]) == [1]
    assert list((out / ATTEMPTS_FOLDER).iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes as a name")
def test_a_work_item_with_a_name_that_is_not_utf8(tmp_path):
    name = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"bad\xff\xfe.jpg"))
    with open(name, "wb") as fh:
        fh.write(jpeg())
    item = WorkItem("images", (name,), 0, 1, 1)
    row = item.to_row()
    json.dumps(row)  # Arrow-safe text: no surrogates
    row["sources"][0].encode("utf-8")
    assert WorkItem.from_row(row) == item and item.key  # was: UnicodeEncodeError in the key
    out = tmp_path / "out"
    processor = WorkItemProcessor(output=str(out), fmt="json",
                                  estimator=EstimatorOptions(model=str(model_for_this_opencv()), net_height=128))
    status = processor(batch_of(item))  # was: the worker died (SIGSEGV in cv2.imread), again and again
    assert json.loads(status["failures"][0]) == [] and list(status["frames"]) == [1]
    assert sorted(os.listdir(os.fsencode(out))) == [ATTEMPTS_FOLDER.encode(), b"bad\xff\xfe_keypoints.json"]
