"""Reliability, round two: outputs and faults that lost work (issue 17; docs/robustness.md)."""

from __future__ import annotations

import fcntl
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

import openpose
from conftest import MEDIA, model_for_this_opencv
from openpose._io import TEMP_PATTERN, remove_stale_temporaries, write_atomically
from openpose.openpose_json import write_openpose_json
from openpose.outputs import OutputOptions, Outputs
from openpose.outputs.video_output import VideoFile
from openpose.sources import Frame, Source

_ENV = {k: v for k, v in os.environ.items() if k not in ("OPENPOSE_MODEL", "DISPLAY", "WAYLAND_DISPLAY")}


def command(*args) -> list[str]:
    return [sys.executable, "-m", "openpose", *map(str, args)]


def run(*args, timeout=120, **kwargs):
    return subprocess.run(command(*args), capture_output=True, text=True, env=_ENV, timeout=timeout, **kwargs)


def jpeg(width=96, height=64, seed=0) -> bytes:
    image = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", image)[1].tobytes()


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def shared_video() -> Path:
    video = MEDIA / "video.avi"
    if not video.is_file():
        pytest.skip("needs ../shared/media/video.avi")
    return video


def empty_result():
    return openpose.postprocess(np.zeros((57, 4, 4), np.float32), image_size=(32, 24))


# --- parse time and before the first frame --------------------------------------------

@pytest.mark.parametrize("fps", ["inf", "nan", "0.001", "0", "-5", "1e9", "ten"])
def test_video_fps_is_checked_when_parsing(tmp_path, fps):
    (tmp_path / "a.jpg").write_bytes(jpeg())
    res = run(tmp_path / "a.jpg", "--model", model_for_this_opencv(), "--write-video", tmp_path / "v.avi",
              "--video-fps", fps, timeout=60)  # inf: was a 100% CPU spin in the writer
    assert res.returncode == 2
    assert "--video-fps" in res.stderr and "Traceback" not in res.stderr


def _unwritable_folders(tmp_path: Path):
    folders = [Path("/proc/self/fdinfo")]  # a folder nobody, root included, can create a file in
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        folders.append(ro)
    return folders


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("flag", ["--write-json", "--write-images", "--write-video"])
def test_an_unwritable_output_is_one_error_before_any_work(tmp_path, flag):
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes(jpeg())
    for folder in _unwritable_folders(tmp_path):
        target = folder / "out.avi" if flag == "--write-video" else folder
        res = run(tmp_path / "a.jpg", tmp_path / "b.jpg", "--model", model_for_this_opencv(), "--net-height", "128",
                  flag, target)
        assert res.returncode == 2, res.stderr  # was: exit 1, one "no encoder" / "cannot write" per input
        assert len([line for line in res.stderr.splitlines() if flag in line]) == 1, res.stderr
        assert "cannot write in this folder" in res.stderr
        assert "bad input" not in res.stderr


def test_display_without_a_display_is_a_usage_error(tmp_path):
    (tmp_path / "a.jpg").write_bytes(jpeg())
    res = run(tmp_path / "a.jpg", "--model", model_for_this_opencv(), "--display")  # DISPLAY unset
    assert res.returncode == 2  # was: abort in Qt (134) with a GUI OpenCV
    assert "--display" in res.stderr and "DISPLAY" in res.stderr


# --- the video: unique temporary names, complete or nothing ----------------------------

def _frames_in(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()


def test_two_writers_of_one_video_path_do_not_share_a_temporary(tmp_path):
    path = tmp_path / "v.avi"
    image = np.zeros((24, 32, 3), np.uint8)
    a, b = VideoFile(path), VideoFile(path)
    for writer, n in ((a, 3), (b, 5)):
        for i in range(n):
            writer.write(Frame(Source("video", "x.avi"), i, image, 10.0), None, stem=f"x_{i}", rendered=image)
    assert a.close(complete=True) is None
    assert _frames_in(path) == 3  # was: the other run's frames under this run's name
    assert b.close(complete=True) is None
    assert _frames_in(path) == 5
    assert temporaries(tmp_path) == []


def _limit_file_size(limit: int):
    def preexec():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # writes past it fail (EFBIG), like a full disk
    return preexec


def test_a_video_cut_short_by_a_full_disk_is_not_renamed_into_place(tmp_path):
    video = shared_video()
    out = tmp_path / "out.avi"
    res = subprocess.run(command(video, "--model", model_for_this_opencv(), "--net-height", "128", "--max-frames", "40",
                                 "--write-video", out, "--quiet"),
                         capture_output=True, text=True, env=_ENV, timeout=300, preexec_fn=_limit_file_size(300_000))
    assert res.returncode == 1, res.stderr  # was: 0, with a few of the 40 frames in out.avi
    assert not out.exists()
    assert "incomplete" in res.stderr and "out.avi" in res.stderr
    assert temporaries(tmp_path) == []


# --- temporaries: names, modes, leftovers ----------------------------------------------

def test_outputs_respect_the_umask(tmp_path):
    result = empty_result()
    for umask, mode in ((0o022, 0o644), (0o002, 0o664), (0o077, 0o600)):
        old = os.umask(umask)
        try:
            json_path = write_openpose_json(tmp_path / f"a{umask}.json", result)  # was: 0600 whatever the umask
            outputs = Outputs(OutputOptions(write_images=tmp_path / f"img{umask}",
                                            write_video=tmp_path / f"v{umask}.avi"))
            image = np.zeros((24, 32, 3), np.uint8)
            outputs.write(Frame(Source("video", "x.avi"), 0, image, 10.0), result)
            outputs.close(complete=True)
        finally:
            os.umask(old)
        for path in (json_path, tmp_path / f"img{umask}" / "x_000000000000_rendered.png", tmp_path / f"v{umask}.avi"):
            assert path.stat().st_mode & 0o777 == mode, (path, oct(path.stat().st_mode), oct(mode))


def test_a_temporary_name_fits_when_the_final_name_fits(tmp_path):
    name = "a" * 235 + "_keypoints.json"  # 250 bytes: the longest names are 255
    path = write_atomically(tmp_path / name, lambda tmp: Path(tmp).write_text("{}"))  # was: ENAMETOOLONG
    assert path.read_text() == "{}" and temporaries(tmp_path) == []


def test_a_235_byte_stem_is_processed(tmp_path):
    photo = tmp_path / ("p" * 235 + ".jpg")
    photo.write_bytes(jpeg())
    res = run(photo, "--model", model_for_this_opencv(), "--net-height", "128", "--write-json", tmp_path / "json",
              "--write-images", tmp_path / "images", "--quiet")
    assert res.returncode == 0, res.stderr
    assert len(os.listdir(tmp_path / "json")) == 1 and len(os.listdir(tmp_path / "images")) == 1


def test_stale_temporaries_are_removed_and_live_ones_kept(tmp_path):
    stale = tmp_path / ".x_rendered.png.optmp0123abcd.png"
    live = tmp_path / ".y_keypoints.json.optmp89abcdef.tmp"
    other = tmp_path / ".hidden_by_the_user.png"
    for p in (stale, live, other):
        p.write_bytes(b"x")
    assert TEMP_PATTERN.match(stale.name) and TEMP_PATTERN.match(live.name) and not TEMP_PATTERN.match(other.name)
    with open(live, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # a running writer holds its temporary
        assert remove_stale_temporaries(tmp_path) == [stale]
    assert live.exists() and other.exists() and not stale.exists()


def test_a_rerun_removes_the_leftovers_of_a_killed_run(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    leftover = images / ".a_rendered.png.optmp0123abcd.png"  # what SIGKILL leaves
    leftover.write_bytes(b"partial")
    (tmp_path / "a.jpg").write_bytes(jpeg())
    res = run(tmp_path / "a.jpg", "--model", model_for_this_opencv(), "--net-height", "128", "--write-images", images,
              "--quiet")
    assert res.returncode == 0, res.stderr
    assert temporaries(images) == []
    assert (images / "a_rendered.png").is_file()


@pytest.mark.parametrize("after", ["os.open", "fcntl.flock"])
def test_an_interrupt_as_the_temporary_is_made_leaves_no_file(tmp_path, monkeypatch, after):
    """SIGTERM (or Ctrl-C) raises in the main thread as the call that made or locked the temporary returns.

    The command writes its outputs from that thread, so under load, with a
    file system call that takes a while, the signal lands there. Was: the
    temporary stayed (test_sigterm_ends_a_run_as_cleanly_as_ctrl_c failed
    now and then on a loaded machine).
    """
    module, name = (os, "open") if after == "os.open" else (fcntl, "flock")
    real = getattr(module, name)

    def interrupted(*args, **kwargs):
        result = real(*args, **kwargs)
        if after == "fcntl.flock" or ".optmp" in str(args[0]):
            raise KeyboardInterrupt  # as a signal handler raises when the call returns
        return result

    monkeypatch.setattr(module, name, interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "a.json", lambda tmp: Path(tmp).write_text("{}"))
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_sigterm_ends_a_run_as_cleanly_as_ctrl_c(tmp_path):
    video = shared_video()
    images = tmp_path / "images"
    job = subprocess.Popen(command(video, "--model", model_for_this_opencv(), "--net-height", "128", "--write-images",
                                   images, "--write-json", tmp_path / "json", "--write-video", tmp_path / "v.avi",
                                   "--quiet"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_ENV)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and job.poll() is None:
            if images.is_dir() and len(list(images.glob("*.png"))) >= 3:
                break
            time.sleep(0.05)
        assert job.poll() is None, "the run ended before it could be stopped"
        job.send_signal(signal.SIGTERM)
        _, stderr = job.communicate(timeout=60)
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()
    assert job.returncode == 128 + signal.SIGTERM, stderr  # was: -15, killed mid-write
    assert "terminated" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "v.avi").exists()
    left = temporaries(tmp_path / "images") + temporaries(tmp_path / "json")
    assert left == [], left


# --- standard error closed (2>&-) ------------------------------------------------------

def _close_stderr():
    os.close(2)


def test_closed_stderr_gets_dev_null_so_no_output_file_takes_descriptor_2():
    code = ("import os; from openpose.cli import _standard_streams; _standard_streams(); "
            "print(os.readlink('/proc/self/fd/2'))")
    res = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=_ENV, timeout=60,
                         preexec_fn=_close_stderr)
    assert res.returncode == 0 and res.stdout.strip() == os.devnull


def test_a_folder_run_with_stderr_closed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.jpg").write_bytes(jpeg(seed=i))
    video = tmp_path / "v.avi"
    for extra in ([], ["--quiet"]):
        res = subprocess.run(command(folder, "--model", model_for_this_opencv(), "--net-height", "128",
                                     "--write-json", tmp_path / "json", "--write-video", video, *extra),
                             stdout=subprocess.PIPE, text=True, env=_ENV, timeout=120, preexec_fn=_close_stderr)
        assert res.returncode == 0  # was: the progress bar failed on sys.stderr None
        assert len(os.listdir(tmp_path / "json")) == 3
        assert _frames_in(video) == 3
        data = video.read_bytes()
        assert b"openpose" not in data and b"warning" not in data.lower()
