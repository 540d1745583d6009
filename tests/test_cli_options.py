"""OpenPose's options and the new inputs of the command, through the command on real files (issue 18)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading

import cv2
import numpy as np

import openpose
from conftest import model_for_this_opencv, net_input_size, shared_path
from openpose import cli

PHOTO = "media/COCO_val2014_000000000395.jpg"  # four people at net height 368, scores not in order


def run_process(*args, timeout=300):
    """The command in its own process (``python -m openpose``)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args), "--model", model_for_this_opencv()],
                          capture_output=True, text=True, env=env, timeout=timeout)


def run(*args):
    """The command's entry point (`openpose.cli.main`) in this process, its stdout and stderr captured.

    The same code as ``python -m openpose`` without a new interpreter and imports per call (the
    subprocess form is tested in test_cli.py and below, with the streams).
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([*map(str, args), "--model", str(model_for_this_opencv())])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def poses_of(path) -> np.ndarray:
    doc = json.loads(path.read_text())
    return np.array([p["pose_keypoints_2d"] for p in doc["people"]], np.float32).reshape(len(doc["people"]), -1, 3)


def test_keypoint_scale_1_3_4_are_pixels_rescaled(tmp_path):
    photo = shared_path(PHOTO)
    h, w = cv2.imread(str(photo)).shape[:2]
    got = {}
    for scale in (0, 1, 3, 4):
        res = run(photo, "--net-height", "256", "--keypoint-scale", scale, "--write-json", tmp_path / str(scale))
        assert res.returncode == 0, res.stderr
        got[scale] = poses_of(tmp_path / str(scale) / f"{photo.stem}_keypoints.json")
    pixels = got[0]
    present = pixels[..., 2] > 0
    assert len(pixels) >= 2 and present.sum() > 10
    net_w, net_h = net_input_size(w, h, 256)
    expected = {
        1: (pixels[..., 0] * (net_w / w), pixels[..., 1] * (net_h / h)),
        3: (pixels[..., 0] / (w - 1), pixels[..., 1] / (h - 1)),
        4: (2 * pixels[..., 0] / (w - 1) - 1, 2 * pixels[..., 1] / (h - 1) - 1),
    }
    for scale, (xs, ys) in expected.items():
        scaled = got[scale]
        np.testing.assert_array_equal(scaled[..., 2], pixels[..., 2])  # scores unchanged
        np.testing.assert_allclose(scaled[..., 0][present], xs[present], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(scaled[..., 1][present], ys[present], rtol=1e-5, atol=1e-6)
        assert (scaled[~present] == 0).all()  # a missing part stays 0, 0, 0
    assert got[3][present][:, :2].min() >= 0 and got[3][present][:, :2].max() <= 1
    assert got[4][present][:, :2].min() >= -1 and got[4][present][:, :2].max() <= 1


def test_number_people_max_keeps_the_top_scores(tmp_path):
    photo = shared_path(PHOTO)
    result = openpose.PoseEstimator(model_for_this_opencv()).estimate(cv2.imread(str(photo)))
    assert len(result) >= 3
    top = np.sort(np.argsort(-result.scores, kind="stable")[:2])
    assert list(top) != [0, 1], "the photo should have its best two people not first"
    res = run(photo, "--number-people-max", "2", "--write-json", tmp_path)
    assert res.returncode == 0, res.stderr
    got = poses_of(tmp_path / f"{photo.stem}_keypoints.json")
    np.testing.assert_allclose(got, result.poses[top], rtol=1e-6)
    assert "2 people" in res.stderr or len(got) == 2


def test_frame_rotate_and_flip_match_frames_transformed_beforehand(tmp_path):
    photo = shared_path(PHOTO)
    upright = cv2.imread(str(photo))
    # The inputs lie on their side (or upside down and mirrored); the options set them upright, and the
    # results must be those of the same frames transformed beforehand (here: the upright photo).
    (tmp_path / "in").mkdir()
    sideways = tmp_path / "in" / "sideways.png"
    cv2.imwrite(str(sideways), cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE))
    mirrored = tmp_path / "in" / "mirrored.png"
    cv2.imwrite(str(mirrored), cv2.flip(cv2.rotate(upright, cv2.ROTATE_180), 1))
    beforehand = tmp_path / "pre"
    beforehand.mkdir()
    sideways_pre = cv2.rotate(cv2.imread(str(sideways)), cv2.ROTATE_90_CLOCKWISE)
    mirrored_pre = cv2.rotate(cv2.flip(cv2.imread(str(mirrored)), 1), cv2.ROTATE_180)
    np.testing.assert_array_equal(sideways_pre, upright)
    cv2.imwrite(str(beforehand / "sideways.png"), sideways_pre)
    cv2.imwrite(str(beforehand / "mirrored.png"), mirrored_pre)
    pre = run(beforehand, "--net-height", "256", "--write-json", tmp_path / "pre_json")
    assert pre.returncode == 0, pre.stderr
    by_option = run(sideways, "--net-height", "256", "--frame-rotate", "90", "--write-json", tmp_path / "opt")
    assert by_option.returncode == 0, by_option.stderr
    flipped = run(mirrored, "--net-height", "256", "--frame-flip", "--frame-rotate", "180",
                  "--write-json", tmp_path / "opt")
    assert flipped.returncode == 0, flipped.stderr
    for name in ("sideways_keypoints.json", "mirrored_keypoints.json"):
        assert (tmp_path / "opt" / name).read_text() == (tmp_path / "pre_json" / name).read_text()
        assert len(poses_of(tmp_path / "opt" / name)) >= 2
    plain = run(sideways, "--net-height", "256", "--write-json", tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr
    assert (tmp_path / "plain" / "sideways_keypoints.json").read_text() != \
        (tmp_path / "opt" / "sideways_keypoints.json").read_text()


def test_frame_first_last_step_keep_the_sources_frame_numbers(tmp_path):
    video = shared_path("media/video.avi")
    every = run(video, "--net-height", "128", "--max-frames", "10", "--write-json", tmp_path / "all", "--quiet")
    assert every.returncode == 0, every.stderr
    some = run(video, "--net-height", "128", "--frame-first", "3", "--frame-last", "9", "--frame-step", "3",
               "--write-json", tmp_path / "some", "--quiet")
    assert some.returncode == 0, some.stderr
    names = sorted(p.name for p in (tmp_path / "some").iterdir())
    assert names == [f"video_{n:012d}_keypoints.json" for n in (3, 6, 9)]
    for name in names:
        assert (tmp_path / "some" / name).read_text() == (tmp_path / "all" / name).read_text()


def test_frame_selection_counts_a_folders_images(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    image = cv2.imread(str(shared_path(PHOTO)))
    for i in range(5):
        cv2.imwrite(str(folder / f"p{i}.png"), cv2.resize(image, (96 + 16 * i, 96)))
    res = run(folder, "--net-height", "64", "--frame-first", "1", "--frame-step", "2", "--write-json", tmp_path / "j")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "j").iterdir()) == ["p1_keypoints.json", "p3_keypoints.json"]


def test_net_resolution_is_net_height(tmp_path):
    photo = shared_path(PHOTO)
    a = run(photo, "--net-resolution", "-1x160", "--write-json", tmp_path / "a")
    b = run(photo, "--net-height", "160", "--write-json", tmp_path / "b")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    name = f"{photo.stem}_keypoints.json"
    assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()
    fixed = run(photo, "--net-resolution", "656x368", "--write-json", tmp_path / "c")  # tests/test_net_resolution.py
    assert fixed.returncode == 0 and (tmp_path / "c" / name).read_text() != (tmp_path / "a" / name).read_text()
    conflict = run(photo, "--net-resolution", "-1x160", "--net-height", "256")
    assert conflict.returncode == 2 and "disagree" in conflict.stderr


def _photo_as_png(tmp_path):
    """The shared photo written losslessly as ``in/photo.png`` (so rendered pixels compare exactly), and its pixels."""
    original = tmp_path / "in" / "photo.png"
    original.parent.mkdir()
    image = cv2.imread(str(shared_path(PHOTO)))
    cv2.imwrite(str(original), image)
    return original, image


def test_rendering_options(tmp_path):
    original, image = _photo_as_png(tmp_path)
    common = (original, "--net-height", "256")
    outputs = {}
    for name, extra in {"default": (), "alpha0": ("--alpha-pose", "0"), "thr1": ("--render-threshold", "1"),
                        "black": ("--disable-blending",), "half": ("--alpha-pose", "0.5"),
                        "jpg": ("--write-images-format", "jpg")}.items():
        res = run(*common, *extra, "--write-images", tmp_path / name)
        assert res.returncode == 0, res.stderr
        suffix = "jpg" if name == "jpg" else "png"
        outputs[name] = cv2.imread(str(tmp_path / name / f"photo_rendered.{suffix}"))
        assert outputs[name] is not None and outputs[name].shape == image.shape
    drawn = (outputs["default"] != image).any(axis=2)
    assert drawn.sum() > 100
    np.testing.assert_array_equal(outputs["alpha0"], image)  # nothing opaque
    np.testing.assert_array_equal(outputs["thr1"], image)  # no part above the threshold
    assert (outputs["black"][~drawn] == 0).all()  # skeletons on black
    np.testing.assert_array_equal(outputs["black"][drawn], outputs["default"][drawn])
    half = outputs["half"][drawn].astype(np.int32)
    mix = (outputs["default"][drawn].astype(np.int32) + image[drawn].astype(np.int32)) / 2
    assert np.abs(half - mix).max() <= 1
    assert np.abs(outputs["jpg"].astype(np.int32) - outputs["default"]).mean() < 8  # lossy, the same picture


def test_write_heatmaps_and_part_to_show(tmp_path):
    original, image = _photo_as_png(tmp_path)
    res = run(original, "--net-height", "256", "--write-heatmaps", tmp_path / "maps", "--part-to-show", "1",
              "--write-images", tmp_path / "img")
    assert res.returncode == 0, res.stderr
    from openpose.draw import draw_heatmap
    from openpose.outputs.heatmaps_output import heatmap_sheet

    net, _ = openpose.PoseEstimator(model_for_this_opencv(), net_height=256).forward(image)
    maps = np.load(tmp_path / "maps" / "photo_heatmaps.npy")
    assert maps.dtype == np.float32 and maps.shape == net.shape[1:]
    np.testing.assert_array_equal(maps, net[0])  # exact
    sheet = cv2.imread(str(tmp_path / "maps" / "photo_heatmaps.png"), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(sheet, heatmap_sheet(net, n_heatmaps=19))
    rendered = cv2.imread(str(tmp_path / "img" / "photo_rendered.png"))
    np.testing.assert_array_equal(rendered, draw_heatmap(image, net, part=1, n_heatmaps=19))
    nothing = run(original, "--part-to-show", "1")
    assert nothing.returncode == 2 and "--write-images" in nothing.stderr


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _http_server(folder):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_stream_url_is_read_as_a_video(tmp_path):
    video = shared_path("media/video.avi")
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(video, served / "video.avi")
    with _http_server(served) as port:
        res = run_process(f"http://127.0.0.1:{port}/video.avi", "--net-height", "128", "--max-frames", "3",
                  "--write-json", tmp_path / "stream", "--quiet", timeout=120)
    assert res.returncode == 0, res.stderr
    local = run(video, "--net-height", "128", "--max-frames", "3", "--write-json", tmp_path / "file", "--quiet")
    assert local.returncode == 0, local.stderr
    names = sorted(p.name for p in (tmp_path / "stream").iterdir())
    assert names == [f"video_{n:012d}_keypoints.json" for n in range(3)]
    for name in names:
        assert (tmp_path / "stream" / name).read_text() == (tmp_path / "file" / name).read_text()


def test_an_unreachable_stream_fails_cleanly(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/nothing.avi"
    res = run_process(url, "--write-json", tmp_path, "--quiet", timeout=120)
    assert res.returncode == 1
    assert url in res.stderr and "cannot open it as a video" in res.stderr
    assert "Traceback" not in res.stderr


def _small_video(path, frames=3, size=(96, 64)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 5.0, size)
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), 40 * i, np.uint8))
    writer.release()
    return path


def test_recursive_folders_and_videos_in_folders(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    image = cv2.resize(cv2.imread(str(shared_path(PHOTO))), (96, 64))
    cv2.imwrite(str(folder / "top.png"), image)
    cv2.imwrite(str(folder / "sub" / "deep.png"), image)
    _small_video(folder / "clip.avi")
    flat = run(folder, "--net-height", "64", "--write-json", tmp_path / "flat")
    assert flat.returncode == 0, flat.stderr
    assert sorted(p.name for p in (tmp_path / "flat").iterdir()) == [
        *(f"clip_{n:012d}_keypoints.json" for n in range(3)), "top_keypoints.json"]
    deep = run(folder, "--net-height", "64", "--recursive", "--skip-folder-videos", "--write-json", tmp_path / "deep")
    assert deep.returncode == 0, deep.stderr
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["deep_keypoints.json", "top_keypoints.json"]
    assert "clip.avi: a video in a folder (--skip-folder-videos)" in deep.stderr


def test_write_video_letterboxes_frames_of_other_shapes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    cv2.imwrite(str(folder / "a_wide.png"), np.full((64, 128, 3), 200, np.uint8))
    cv2.imwrite(str(folder / "b_tall.png"), np.full((128, 64, 3), 200, np.uint8))
    res = run(folder, "--net-height", "64", "--write-video", tmp_path / "out.avi")
    assert res.returncode == 0, res.stderr
    capture = cv2.VideoCapture(str(tmp_path / "out.avi"))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    assert len(frames) == 2 and all(f.shape == (64, 128, 3) for f in frames)
    tall = frames[1].astype(np.int32)
    assert tall[:, :24].max() < 30 and tall[:, -24:].max() < 30  # black bars left and right
    assert abs(tall[:, 56:72].mean() - 200) < 10  # the image in the middle, not stretched


def test_keypoint_scale_reaches_the_coco_json(tmp_path):
    photo = shared_path(PHOTO)
    h, w = cv2.imread(str(photo)).shape[:2]
    for scale in (0, 3):
        res = run(photo, "--net-height", "256", "--keypoint-scale", scale, "--write-coco-json",
                  tmp_path / f"coco{scale}.json")
        assert res.returncode == 0, res.stderr
    pixels = json.loads((tmp_path / "coco0.json").read_text())
    unit = json.loads((tmp_path / "coco3.json").read_text())
    assert len(pixels) == len(unit) >= 2
    for a, b in zip(pixels, unit):
        assert (a["image_id"], a["score"]) == (b["image_id"], b["score"])
        ka, kb = np.reshape(a["keypoints"], (-1, 3)), np.reshape(b["keypoints"], (-1, 3))
        np.testing.assert_array_equal(ka[:, 2], kb[:, 2])  # visibility unchanged, missing parts 0, 0, 0
        present = ka[:, 2] > 0
        np.testing.assert_allclose(kb[present, 0], ka[present, 0] / (w - 1), rtol=1e-5)
        np.testing.assert_allclose(kb[present, 1], ka[present, 1] / (h - 1), rtol=1e-5)
        assert (kb[~present] == 0).all() and kb[present, :2].max() <= 1
