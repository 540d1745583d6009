"""Bad files at the command: it processes what it can, names every failure, leaves no partial output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, photos
from openpose.image_headers import jpeg_is_truncated
from openpose.outputs import OutputOptions, Outputs
from openpose.sources import Frame, Source


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


def leftovers(folder: Path):
    """Temporary or partial files left in an output folder."""
    return sorted(p.name for p in folder.rglob(".*"))


def jpeg_bytes(width=64, height=48, seed=0) -> bytes:
    image = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


# --- truncated JPEGs -----------------------------------------------------------

def with_app1(data: bytes, payload: bytes) -> bytes:
    """`data` with an APP1 segment (like EXIF) holding `payload` right after SOI."""
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return data[:2] + segment + data[2:]


JPEG_CASES = [
    ("complete", lambda d: d, False),
    ("cut_in_half", lambda d: d[: len(d) // 2], True),
    ("cut_before_eoi", lambda d: d[:-2], True),
    ("cut_in_header", lambda d: d[:20], True),
    ("trailing_data_after_eoi", lambda d: d + b"\x00" * 100 + b"ftypmp42 a motion photo's video", False),
    ("thumbnail_eoi_inside_app1_then_cut", lambda d: with_app1(d, b"Exif\x00\x00\xff\xd8\xff\xd9")[:-300], True),
    ("thumbnail_eoi_inside_app1_complete", lambda d: with_app1(d, b"Exif\x00\x00\xff\xd8\xff\xd9"), False),
    ("not_a_jpeg", lambda d: b"hello, I am a text file", False),
    ("empty", lambda d: b"", False),
]


@pytest.mark.parametrize(("name", "make", "truncated"), JPEG_CASES, ids=[c[0] for c in JPEG_CASES])
def test_jpeg_is_truncated(name, make, truncated):
    assert jpeg_is_truncated(make(jpeg_bytes())) is truncated


def test_opencv_decodes_a_truncated_jpeg_without_error(tmp_path):
    # Why the check exists: cv2 returns an image (the missing rows gray),
    # only printing "Premature end of JPEG file".
    paths = photos()
    if not paths:
        pytest.skip("needs a shared photo")
    data = paths[0].read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    assert jpeg_is_truncated(cut.read_bytes()) and not jpeg_is_truncated(data)
    image = cv2.imread(str(cut))
    assert image is not None and image.shape == cv2.imread(str(paths[0])).shape


# --- models --------------------------------------------------------------------

def test_bad_model_files(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(jpeg_bytes())
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 255, 5000, dtype=np.uint8).tobytes())
    text = tmp_path / "text.onnx"
    text.write_text("not a model")
    folder = tmp_path / "folder.onnx"
    folder.mkdir()
    cases = [(empty, "is empty"), (garbage, "could not import"), (text, "could not import"),
             (folder, "is a folder"), (tmp_path / "absent.onnx", "does not exist")]
    for model, message in cases:
        res = run(photo, "--model", model)
        assert res.returncode == 2, res.stderr
        assert model.name in res.stderr and message in res.stderr
        assert "Traceback" not in res.stderr


def test_truncated_model_file(tmp_path):
    model = model_for_this_opencv()
    cut = tmp_path / model.name
    data = model.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="could not import"):
        openpose.PoseEstimator(cut)
    photo = tmp_path / "a.jpg"
    photo.write_bytes(jpeg_bytes())
    res = run(photo, "--model", cut)
    assert res.returncode == 2 and "could not import" in res.stderr and "Traceback" not in res.stderr


# --- the command on a folder of good and bad files -------------------------------

@pytest.fixture
def mixed_folder(tmp_path):
    paths = photos()[:2]
    if len(paths) < 2:
        pytest.skip("needs two shared photos")
    folder = tmp_path / "in"
    folder.mkdir()
    for p in paths:
        (folder / p.name).write_bytes(p.read_bytes())
    good = paths[0].read_bytes()
    (folder / "cut.jpg").write_bytes(good[: len(good) // 2])
    (folder / "text.jpg").write_text("I am a text file")
    (folder / "empty.png").write_bytes(b"")
    cv2.imwrite(str(folder / "wide.png"), np.zeros((4, 5000, 3), np.uint8))  # 1250:1
    return folder, [p.stem for p in paths]


def test_mixed_folder_processes_the_good_files_and_names_the_bad(tmp_path, mixed_folder):
    folder, good = mixed_folder
    out = tmp_path / "json"
    res = run(folder, "--model", model_for_this_opencv(), "--net-height", "128", "--write-json", out, "--quiet")
    assert res.returncode == 1
    for name, reason in [("cut.jpg", "truncated JPEG"), ("text.jpg", "cannot decode"),
                         ("empty.png", "cannot decode"), ("wide.png", "too wide")]:
        assert any(name in line and reason in line for line in res.stderr.splitlines()), (name, res.stderr)
    assert "4 bad input(s)" in res.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}_keypoints.json" for s in good)
    assert "Traceback" not in res.stderr


def test_output_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "somefile"
    blocker.write_text("a file where a folder should go")
    photo = tmp_path / "a.jpg"
    photo.write_bytes(jpeg_bytes())
    res = run(photo, "--model", model_for_this_opencv(), "--write-json", blocker / "out")
    assert res.returncode == 2
    assert "--write-json" in res.stderr and "cannot create the folder" in res.stderr
    assert "Traceback" not in res.stderr


def test_one_output_that_cannot_be_written_does_not_stop_the_run(tmp_path, mixed_folder):
    folder, good = mixed_folder
    out = tmp_path / "json"
    (out / f"{good[0]}_keypoints.json").mkdir(parents=True)  # a folder where the file should go
    res = run(folder, "--model", model_for_this_opencv(), "--net-height", "128", "--write-json", out, "--quiet")
    assert res.returncode == 1
    assert any(good[0] in line and "cannot write its output" in line for line in res.stderr.splitlines())
    assert (out / f"{good[1]}_keypoints.json").is_file()
    assert leftovers(out) == []


def test_two_inputs_with_the_same_name_do_not_overwrite_each_other(tmp_path):
    paths = photos()[:2]
    if len(paths) < 2:
        pytest.skip("needs two shared photos")
    for sub, p in zip(("a", "b"), paths):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same.jpg").write_bytes(p.read_bytes())
    out = tmp_path / "json"
    res = run(tmp_path / "a", tmp_path / "b", "--model", model_for_this_opencv(), "--net-height", "128",
              "--write-json", out, "--quiet")
    assert res.returncode == 1
    assert "same name" in res.stderr and str(tmp_path / "b" / "same.jpg") in res.stderr
    first = openpose.PoseEstimator(model_for_this_opencv(), net_height=128).estimate(cv2.imread(str(paths[0])))
    assert len(openpose.openpose_json.to_openpose_json(first)["people"]) == len(
        __import__("json").loads((out / "same_keypoints.json").read_text())["people"])


# --- the video is written under a temporary name ---------------------------------

def test_video_output_is_renamed_only_when_complete(tmp_path):
    result = openpose.postprocess(np.zeros((57, 4, 4), np.float32), image_size=(32, 24))
    image = np.zeros((24, 32, 3), np.uint8)
    for complete in (True, False):
        path = tmp_path / f"run_{complete}.avi"
        outputs = Outputs(OutputOptions(write_video=path))
        for i in range(3):
            outputs.write(Frame(Source("video", "x.avi"), i, image, 10.0), result)
        assert not path.exists()  # nothing under the final name while writing
        partial = outputs.close(complete=complete)
        if complete:
            assert partial is None and path.is_file()
            cap = cv2.VideoCapture(str(path))
            assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 3
            cap.release()
        else:
            assert not path.exists() and partial.is_file() and partial.name.startswith(".")


def test_too_wide_image_is_a_clear_error_not_a_huge_network_input():
    estimator = openpose.PoseEstimator(model_for_this_opencv(), net_height=368)
    with pytest.raises(ValueError, match=r"too wide for net_height 368.*more than 4096"):
        estimator.estimate(np.zeros((10, 5000, 3), np.uint8))
    assert estimator.net_input_size((4000, 368)) == (4000, 368)
