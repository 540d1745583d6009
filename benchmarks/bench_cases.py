"""Inputs shared by the benchmarks and by make_tables.py.

Real network outputs come from the shared COCO model (``../shared/models``)
run with cv2.dnn on the shared photos (``../shared/media``), on two crowd
mosaics built from them (960x720: 4 photos; 1920x1440: 16 photos, run at 368 rows per tile) and on a
3840x2160 frame (the first frame of ``video.avi`` upscaled). Synthetic
outputs (`openpose.synthetic.synthetic_net_output`) give crowds of 1 to 200
people and image sizes up to 3840x2160.
"""

from __future__ import annotations

import functools
import json
import shlex
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MEDIA = SHARED / "media"
ORACLE_SRC = ROOT / "tests" / "oracle" / "seed_oracle.cpp"

# Synthetic crowds: people drawn on the maps of a 1280x720 frame (map 82x46).
CROWD_SIZES = (1, 10, 25, 50, 100, 200)
CROWD_MAP = (82, 46)
CROWD_IMAGE = (1280, 720)
# Image sizes, 4 synthetic people on the same maps.
IMAGE_SIZES = ((640, 360), (1280, 720), (1920, 1080), (2560, 1440), (3840, 2160))


def net_input_size(width: int, height: int, net_height: int = 368):
    """(W, H) of the network input: height 368, width rounded to a multiple of 16 (as the tests)."""
    net_width = max(16, int(round(net_height * width / height / 16.0)) * 16)
    return net_width, net_height


def shared_available() -> bool:
    return (SHARED / "models").is_dir() and MEDIA.is_dir()


@functools.lru_cache(maxsize=1)
def _net():
    import cv2

    models = SHARED / "models"
    name = ("openpose_mobilenet_v2_small_coco.onnx" if int(cv2.__version__.split(".")[0]) >= 5
            else "openpose_mobilenet_v2_small_coco_368x432.onnx")
    return cv2.dnn.readNetFromONNX(str(models / name))


def forward(image: np.ndarray, net_height: int = 368) -> np.ndarray:
    """The shared model's output (1, 57, h, w) float32 for a BGR image."""
    import cv2

    h, w = image.shape[:2]
    size = net_input_size(w, h, net_height)
    blob = cv2.dnn.blobFromImage(image, 1.0, size, (0, 0, 0), swapRB=False, crop=False)
    net = _net()
    net.setInput(blob)
    return np.array(net.forward(), dtype=np.float32, copy=True)


def _photos():
    return sorted(MEDIA.glob("*.jpg"))


def _mosaic(n_side: int, tile=(480, 360)):
    import cv2

    tiles = [cv2.resize(cv2.imread(str(p)), tile, interpolation=cv2.INTER_AREA) for p in _photos()]
    rows = [np.hstack(tiles[r * n_side:(r + 1) * n_side]) for r in range(n_side)]
    return np.vstack(rows)


@functools.lru_cache(maxsize=1)
def real_cases():
    """[(name, net_output, (width, height))]: every shared photo, two crowd mosaics, a 4K frame."""
    import cv2

    cases = []
    for p in _photos():
        image = cv2.imread(str(p))
        cases.append((p.stem.replace("COCO_val2014_", ""), forward(image), (image.shape[1], image.shape[0])))
    for n_side in (2, 4):
        image = _mosaic(n_side)
        # Each tile reaches the network at the usual 368 rows, as a crowd
        # photo of this size would be run to find its small people.
        cases.append((f"mosaic{n_side * n_side}", forward(image, 368 * n_side), (image.shape[1], image.shape[0])))
    cap = cv2.VideoCapture(str(MEDIA / "video.avi"))
    ok, frame = cap.read()
    cap.release()
    if ok:
        frame = cv2.resize(frame, (3840, 2160), interpolation=cv2.INTER_LINEAR)
        cases.append(("video-4k", forward(frame), (3840, 2160)))
    return cases


@functools.cache
def crowd(n_people: int) -> np.ndarray:
    from openpose.synthetic import synthetic_net_output

    return synthetic_net_output(n_people, map_size=CROWD_MAP, seed=1000 + n_people)


def same_result(a, b) -> bool:
    """Identical keypoints, pairs and people (scores within float32 rounding), as the tests compare."""
    if len(a.keypoints) != len(b.keypoints) or a.invalid_pairs != b.invalid_pairs:
        return False
    for ka, kb in zip(a.keypoints, b.keypoints):
        if ka.shape != kb.shape or not np.array_equal(ka[:, :3], kb[:, :3]):
            return False
        if not np.allclose(ka[:, 3], kb[:, 3], rtol=1e-5, atol=0):
            return False
    for pa, pb in zip(a.valid_pairs, b.valid_pairs):
        if pa.shape != pb.shape or not np.array_equal(pa[:, :2], pb[:, :2]):
            return False
        if not np.allclose(pa[:, 2], pb[:, 2], rtol=1e-5, atol=0):
            return False
    return np.array_equal(a.persons, b.persons)


# --- the original program (tests/oracle/seed_oracle.cpp) -------------------

@functools.lru_cache(maxsize=1)
def oracle_exe():
    """Path of the compiled seed oracle, or None (no pkg-config/opencv4/compiler)."""
    if not ORACLE_SRC.exists() or shutil.which("pkg-config") is None:
        return None
    if subprocess.run(["pkg-config", "--exists", "opencv4"], check=False).returncode != 0:
        return None
    cxx = shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")
    if cxx is None:
        return None
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "opencv4"], check=True,
                           capture_output=True, text=True).stdout
    exe = Path(tempfile.mkdtemp(prefix="seed_oracle_")) / "seed_oracle"
    cmd = [cxx, "-O2", "-std=c++17", str(ORACLE_SRC), "-o", str(exe), *shlex.split(flags)]
    if subprocess.run(cmd, check=False, capture_output=True).returncode != 0:
        return None
    return exe


def run_oracle(net_output: np.ndarray, image_size, repeat: int = 1) -> dict:
    """The original program's JSON result (with ``timing_ms``: medians over `repeat` runs)."""
    exe = oracle_exe()
    if exe is None:
        raise RuntimeError("the seed oracle is not available (needs pkg-config, opencv4 and a C++ compiler)")
    arr = np.ascontiguousarray(net_output, dtype="<f4")
    _, c, h, w = arr.shape
    with tempfile.NamedTemporaryFile(suffix=".blob", delete=False) as f:
        f.write(struct.pack("<5i", c, h, w, int(image_size[0]), int(image_size[1])))
        f.write(arr.tobytes())
        path = f.name
    try:
        proc = subprocess.run([str(exe), path, "--repeat", str(repeat)], check=True, capture_output=True,
                              text=True, timeout=3600)
    finally:
        Path(path).unlink()
    return json.loads(proc.stdout)


def oracle_persons(result: dict) -> np.ndarray:
    return np.asarray(result["persons"], np.int32).reshape(-1, 18)
