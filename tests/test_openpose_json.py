"""OpenPose JSON: structure as OpenPose writes it, values, atomic writing."""

from __future__ import annotations

import json

import numpy as np
import pytest

import openpose
from openpose.openpose_json import PERSON_KEYS, dumps, to_openpose_json, write_openpose_json
from openpose.synthetic import synthetic_net_output

# The keys of one person in OpenPose's own --write_json output (1.3 format).
OPENPOSE_PERSON_KEYS = [
    "person_id", "pose_keypoints_2d", "face_keypoints_2d", "hand_left_keypoints_2d",
    "hand_right_keypoints_2d", "pose_keypoints_3d", "face_keypoints_3d", "hand_left_keypoints_3d",
    "hand_right_keypoints_3d",
]


@pytest.fixture(scope="module")
def result():
    out = synthetic_net_output(3, map_size=(46, 40), seed=0)
    res = openpose.postprocess(out, image_size=(368, 320), mode="seed")
    assert len(res) > 0
    return res


def test_structure_is_openposes(result):
    doc = json.loads(dumps(result))
    assert list(doc) == ["version", "people"]
    assert doc["version"] == 1.3
    assert len(doc["people"]) == len(result)
    for person in doc["people"]:
        assert list(person) == OPENPOSE_PERSON_KEYS
        assert person["person_id"] == [-1]
        assert len(person["pose_keypoints_2d"]) == 3 * 18
        for key in OPENPOSE_PERSON_KEYS[2:]:
            assert person[key] == []
    assert list(PERSON_KEYS) == OPENPOSE_PERSON_KEYS


def test_values_are_the_poses_exactly(result):
    doc = json.loads(dumps(result))
    for person, pose in zip(doc["people"], result.poses):
        got = np.asarray(person["pose_keypoints_2d"], np.float32).reshape(-1, 3)
        np.testing.assert_array_equal(got, pose)


def test_missing_parts_are_zeros():
    poses = np.zeros((1, 18, 3), np.float32)
    poses[0, 1] = (10, 20, 0.5)
    res = openpose.PoseResult(poses=poses, scores=np.array([0.5], np.float32),
                              persons=np.full((1, 18), -1, np.int32), keypoints=[], valid_pairs=[],
                              invalid_pairs=[], layout="coco", image_size=(50, 50), mode="seed")
    flat = to_openpose_json(res)["people"][0]["pose_keypoints_2d"]
    assert flat[:6] == [0.0, 0.0, 0.0, 10.0, 20.0, 0.5]
    assert flat[6:] == [0.0] * 48


def test_no_people():
    out = np.zeros((57, 10, 10), np.float32)
    res = openpose.postprocess(out, image_size=(80, 80))
    assert to_openpose_json(res) == {"version": 1.3, "people": []}


def test_method_and_function_agree(result):
    assert result.to_openpose_json() == to_openpose_json(result)


def test_not_a_result():
    with pytest.raises(TypeError, match="`result`"):
        to_openpose_json({"people": []})


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path, result):
    path = tmp_path / "a_keypoints.json"
    path.write_text("old content")
    write_openpose_json(path, result)
    assert json.loads(path.read_text()) == to_openpose_json(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_keypoints.json"]


def test_failed_write_leaves_the_old_file(tmp_path, result, monkeypatch):
    path = tmp_path / "a_keypoints.json"
    path.write_text("old content")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("openpose._io.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_openpose_json(path, result)
    assert path.read_text() == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_keypoints.json"]


def test_write_into_missing_folder_fails(tmp_path, result):
    with pytest.raises(FileNotFoundError):
        write_openpose_json(tmp_path / "absent" / "x.json", result)
