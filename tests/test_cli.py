"""The openpose command, run through subprocess on real files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import types

import cv2
import numpy as np
import pytest

import openpose
from conftest import model_for_this_opencv, photos, shared_path
from openpose import cli


def run(*args, env_model=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    if env_model is not None:
        env["OPENPOSE_MODEL"] = str(env_model)
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=900)


def check_openpose_json(path, n_parts=18):
    doc = json.loads(path.read_text())
    assert doc["version"] == 1.3 and isinstance(doc["people"], list)
    for person in doc["people"]:
        assert person["person_id"] == [-1]
        assert len(person["pose_keypoints_2d"]) == 3 * n_parts
        assert person["face_keypoints_2d"] == [] and person["hand_right_keypoints_3d"] == []
    return doc


def test_version_and_help():
    res = run("--version")
    assert res.returncode == 0 and openpose.__version__ in res.stdout
    res = run("--help")
    assert res.returncode == 0
    assert "--write-json" in res.stdout and "(default: balanced)" in res.stdout
    # Each default once (issue 18): no "(default: None)", no default repeated after the help's own.
    assert "(default: None)" not in res.stdout and "(default: False)" not in res.stdout
    assert "$OPENPOSE_MODEL if set, else the preset's model (lightweight)" in " ".join(res.stdout.split())
    options = re.split(r"\n  -", res.stdout)  # one chunk per option
    assert not [o for o in options if re.search(r"default:[^()]*\(default:", " ".join(o.split()))]


def test_without_a_model_the_builtin_one_is_used(tmp_path):
    # No --model, no $OPENPOSE_MODEL: the built-in model (tests/test_builtin_model.py compares the output).
    res = run(tmp_path / "absent.jpg")
    assert res.returncode == 1 and "no such file" in res.stderr and "--model is required" not in res.stderr


def test_no_input_is_a_usage_error():
    res = run("--model", "m.onnx")
    assert res.returncode == 2 and "INPUT" in res.stderr


def test_missing_model_file(tmp_path):
    res = run(tmp_path, "--model", tmp_path / "absent.onnx")
    assert res.returncode == 2 and "does not exist" in res.stderr


def test_one_photo_json_matches_the_library(tmp_path):
    paths = photos()
    if not paths:
        pytest.skip("no shared photos")
    model = model_for_this_opencv()
    res = run(paths[0], "--write-json", tmp_path / "json", "--write-images", tmp_path / "img", env_model=model)
    assert res.returncode == 0, res.stderr
    doc = check_openpose_json(tmp_path / "json" / f"{paths[0].stem}_keypoints.json")
    expected = openpose.PoseEstimator(model).estimate(cv2.imread(str(paths[0])))
    got = np.asarray([p["pose_keypoints_2d"] for p in doc["people"]], np.float32).reshape(-1, 18, 3)
    np.testing.assert_array_equal(got, expected.poses)
    rendered = cv2.imread(str(tmp_path / "img" / f"{paths[0].stem}_rendered.png"))
    assert rendered.shape == cv2.imread(str(paths[0])).shape
    assert "1 image(s)/frame(s)" in res.stderr


def test_folder_with_a_bad_file_and_a_non_image(tmp_path):
    paths = photos()[:3]
    if len(paths) < 3:
        pytest.skip("needs three shared photos")
    folder = tmp_path / "in"
    folder.mkdir()
    for p in paths:
        shutil.copy(p, folder / p.name)
    (folder / "notes.txt").write_text("not an image")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    truncated = folder / "zz_truncated.png"
    ok, png = cv2.imencode(".png", cv2.imread(str(paths[0])))
    truncated.write_bytes(png.tobytes()[:200])
    out = tmp_path / "out"
    res = run(folder, "--model", model_for_this_opencv(), "--write-json", out, "--net-height", "256")
    assert res.returncode == 1
    assert "broken.jpg" in res.stderr and "zz_truncated.png" in res.stderr
    assert "notes.txt" in res.stderr  # skipped with a note
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{p.stem}_keypoints.json" for p in paths)
    for p in out.iterdir():
        check_openpose_json(p)
    assert "frame/s" in res.stderr  # the progress bar


def test_whole_video_every_frame_gets_its_json(tmp_path):
    video = shared_path("media/video.avi")
    cap = cv2.VideoCapture(str(video))
    n_frames = 0
    while cap.read()[0]:
        n_frames += 1
    cap.release()
    assert n_frames == 205
    out = tmp_path / "json"
    res = run(video, "--model", model_for_this_opencv(), "--write-json", out)
    assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"video_{i:012d}_keypoints.json" for i in range(n_frames)]
    people = sum(len(check_openpose_json(out / n)["people"]) for n in names)
    assert people > n_frames  # several people per frame on average
    assert "205 image(s)/frame(s)" in res.stderr


def test_video_outputs_and_frame_limit(tmp_path):
    video = shared_path("media/video.avi")
    res = run(video, "--model", model_for_this_opencv(), "--net-height", "160", "--max-frames", "3",
              "--write-json", tmp_path / "j", "--write-images", tmp_path / "i", "--write-video", tmp_path / "v.avi",
              "--quiet")
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""  # --quiet
    assert len(list((tmp_path / "j").iterdir())) == 3
    assert sorted(p.name for p in (tmp_path / "i").iterdir()) == [f"video_{i:012d}_rendered.png" for i in range(3)]
    cap = cv2.VideoCapture(str(tmp_path / "v.avi"))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    assert len(frames) == 3 and frames[0].shape == (720, 1280, 3)


def test_truncated_video_is_named_and_its_frames_kept(tmp_path):
    video = shared_path("media/video.avi")
    data = video.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 10])
    paths = photos()[:1]
    res = run(cut, *paths, "--model", model_for_this_opencv(), "--net-height", "160", "--write-json", tmp_path / "j")
    assert res.returncode == 1
    assert "cut.avi" in res.stderr
    names = sorted(p.name for p in (tmp_path / "j").iterdir())
    assert all(p.stem + "_keypoints.json" in names for p in paths)  # the other input was processed
    assert 0 < len([n for n in names if n.startswith("cut_")]) < 205


def test_missing_input_is_named(tmp_path):
    res = run(tmp_path / "nope.jpg", "--model", model_for_this_opencv())
    assert res.returncode == 1 and "nope.jpg" in res.stderr


def test_camera_that_does_not_exist(tmp_path):
    res = run("--camera", "57", "--model", model_for_this_opencv(), "--write-json", tmp_path)
    assert res.returncode == 1 and "camera 57" in res.stderr


def _not_the_commands(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("openpose: ")]


@pytest.mark.parametrize("case", ["empty folder", "camera", "unreachable stream"])
def test_an_input_that_gives_no_frame_gets_only_the_commands_messages(tmp_path, case):
    args = {"empty folder": [tmp_path / "empty"], "camera": ["--camera", "57"],
            "unreachable stream": ["http://127.0.0.1:9/nothing.avi"]}[case]
    (tmp_path / "empty").mkdir()
    res = run(*args, "--write-json", tmp_path / "out", env_model=model_for_this_opencv())
    assert res.returncode == 1
    assert "bad input" in res.stderr
    # Was: progress-bar text ("0frame [00:00, ?frame/s]") and OpenCV's "[ WARN:...]" lines among the errors.
    assert "frame/s" not in res.stderr
    assert _not_the_commands(res.stderr) == [], res.stderr


def test_verbose_brings_opencvs_log_back(tmp_path):
    url = "http://127.0.0.1:9/nothing.avi"
    quiet = run(url, "--write-json", tmp_path, env_model=model_for_this_opencv())
    verbose = run(url, "--write-json", tmp_path, "--verbose", env_model=model_for_this_opencv())
    assert quiet.returncode == verbose.returncode == 1
    assert _not_the_commands(quiet.stderr) == []
    # OpenCV's FFmpeg says why the connection failed ("[tcp @ 0x...] Connection ... refused").
    assert any(line.startswith("[") for line in _not_the_commands(verbose.stderr)), verbose.stderr


def test_subcommand_dispatch(monkeypatch):
    calls = []
    module = types.ModuleType("openpose_fake_subcommand")
    module.main = lambda argv, prog: calls.append((argv, prog)) or 3
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(cli.SUBCOMMANDS, "fake", (module.__name__, "a test subcommand"))
    assert cli.main(["fake", "--x", "1"]) == 3
    assert calls == [(["--x", "1"], "openpose fake")]
    assert "openpose fake" in cli.build_parser().format_help()


def test_bad_net_height_is_a_usage_error(tmp_path):
    res = run(tmp_path, "--model", model_for_this_opencv(), "--net-height", "100")
    assert res.returncode == 2 and "multiple of 16" in res.stderr


def test_a_named_file_with_an_unknown_extension_goes_by_its_content(tmp_path):
    # The rule of openpose.sources.classify, the same in `openpose batch` (tests/test_ray.py).
    paths = photos()[:1]
    if not paths:
        pytest.skip("no shared photos")
    renamed = tmp_path / "photo.data"
    shutil.copy(paths[0], renamed)
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    out = tmp_path / "json"
    res = run(renamed, notes, "--model", model_for_this_opencv(), "--net-height", "128", "--write-json", out)
    assert res.returncode == 1
    assert f"{notes}: not an image or a video" in res.stderr and "1 bad input(s)" in res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["photo_keypoints.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGPIPE and poll are POSIX")
@pytest.mark.parametrize("buffering", ["block-buffered", "unbuffered"])
def test_a_reader_that_goes_away_ends_the_command_quietly(buffering):
    """``openpose models | head -1``: no traceback, and the status of a program SIGPIPE stopped (141).

    Whether the command's stdout is buffered is the environment's choice
    (PYTHONUNBUFFERED), so both are set here: block-buffered, the output
    reaches the closed pipe only when it is flushed (was: at the
    interpreter's exit, status 120 and a BrokenPipeError on stderr).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if buffering == "unbuffered":
        env["PYTHONUNBUFFERED"] = "1"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes anything
    try:
        proc = subprocess.run([sys.executable, "-m", "openpose", "models"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    finally:
        os.close(write_end)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""


def test_a_broken_pipe_elsewhere_is_not_hidden(monkeypatch):
    """Only a closed standard output ends the command quietly; another broken pipe stays an error."""
    def broken(argv):
        raise BrokenPipeError("some other pipe")

    monkeypatch.setattr(cli, "_main", broken)
    with pytest.raises(BrokenPipeError, match="some other pipe"):
        cli.main(["models"])


_INTERRUPTED_WHILE_LOADING = """
import functools, os, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)  # as Python sets it up where SIGINT is not ignored
import openpose.estimator

@functools.wraps(openpose.estimator.PoseEstimator.__init__)  # its signature stays the estimator's
def loading(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the model loads
    for _ in range(3000):
        time.sleep(0.01)

openpose.estimator.PoseEstimator.__init__ = loading
from openpose.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="os.kill(SIGINT) is POSIX")
def test_ctrl_c_while_the_model_loads_is_one_line(tmp_path):
    photo = tmp_path / "a.jpg"
    cv2.imwrite(str(photo), np.zeros((32, 32, 3), np.uint8))
    res = subprocess.run([sys.executable, "-c", _INTERRUPTED_WHILE_LOADING, str(photo), "--write-json", tmp_path],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 130, res.stderr  # was: a KeyboardInterrupt traceback
    assert res.stderr == "openpose: interrupted\n"


def test_ctrl_c_in_a_subcommand_is_handled_by_main(monkeypatch, capsys):
    def interrupted(argv, prog):
        raise KeyboardInterrupt

    module = types.ModuleType("openpose_interrupted_subcommand")
    module.main = interrupted
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(cli.SUBCOMMANDS, "slow", (module.__name__, "a test subcommand"))
    try:
        status = cli.main(["slow"])
    except KeyboardInterrupt:  # would end the test session
        pytest.fail("KeyboardInterrupt escaped openpose.cli.main")
    assert status == 130
    assert capsys.readouterr().err == "openpose: interrupted\n"
