"""``openpose batch`` with OpenPose's options: the frame selection planned without Ray, the job against the command.

The planning tests run everywhere; the job (marker ``ray``) needs the extra
``openpose[ray]`` and skips cleanly without it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import model_for_this_opencv, photos, shared_path
from openpose.estimator import EstimatorOptions
from openpose.frames import FrameOptions
from openpose.outputs import OutputOptions
from openpose.ray import WorkItem, plan_work

pytestmark = [pytest.mark.filterwarnings(r"ignore::DeprecationWarning:ray(\..*)?"),
              pytest.mark.filterwarnings(r"ignore::FutureWarning:ray(\..*)?")]

VIDEO_FRAMES = 205  # ../shared/media/video.avi


def _video_frames(items):
    return [int(stem.rsplit("_", 1)[1]) for i in items if i.kind == "video" for stem in i.stems()]


def test_plan_frame_selection_is_the_commands():
    video = shared_path("media/video.avi")
    items, failures, _ = plan_work([video], frames_per_item=4, frame_options=FrameOptions(frame_first=3, frame_last=40, frame_step=5))
    assert failures == []
    assert _video_frames(items) == list(range(3, 41, 5))  # 3, 8, ..., 38: the source's numbers
    assert [(i.start, i.stop, i.expected, i.step) for i in items] == [(3, 19, 4, 5), (23, 39, 4, 5)]
    # To the end of the video: the last range reads to the end, as the command does.
    items, _, _ = plan_work([video], frames_per_item=64, frame_options=FrameOptions(frame_first=200, frame_step=2))
    assert [(i.start, i.stop, i.expected) for i in items] == [(200, -1, 3)] and _video_frames(items) == [200, 202, 204]
    # --max-frames counts the selected frames.
    items, _, _ = plan_work([video], frames_per_item=64,
                            frame_options=FrameOptions(frame_first=10, frame_step=10, max_frames=3))
    assert _video_frames(items) == [10, 20, 30] and items[0].stop == 31
    # Beyond the end: nothing to do.
    assert plan_work([video], frame_options=FrameOptions(frame_first=VIDEO_FRAMES + 5)).items == []


def test_plan_frame_selection_counts_the_images_over_the_inputs():
    images = photos()[:6]
    if len(images) < 6:
        pytest.skip("needs six shared photos")
    items, _, _ = plan_work([*images[:2], *images[2:]], images_per_item=2,
                            frame_options=FrameOptions(frame_first=1, frame_step=2))
    assert [s for i in items for s in i.sources] == [str(images[k]) for k in (1, 3, 5)]
    assert [len(i.sources) for i in items] == [2, 1]


def test_plan_without_selection_keeps_its_items_and_keys():
    video = shared_path("media/video.avi")
    plain, _, _ = plan_work([video], frames_per_item=64)
    same, _, _ = plan_work([video], frames_per_item=64, frame_options=FrameOptions())
    assert plain == same and all(i.step == 1 for i in plain)
    # A step-1 item's key is the one it always had (what is done is still done); a step changes it.
    item = WorkItem("video", ("/v.avi",), 0, 64, 64)
    assert item.key == WorkItem.from_row({k: v for k, v in item.to_row().items() if k != "step"}).key
    assert WorkItem("video", ("/v.avi",), 0, 64, 64, 2).key != item.key


@pytest.mark.parametrize(("name", "value"), [("frame_first", -1), ("frame_step", 0), ("frame_last", 2)])
def test_a_bad_selection_is_refused_once_by_its_options(name, value):
    options = {"frame_first": 3} if name == "frame_last" else {}
    with pytest.raises(ValueError, match=f"`{name}`"):
        FrameOptions(**{**options, name: value})


def _have_ray() -> bool:
    try:
        import pyarrow  # noqa: F401
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.ray
def test_batch_with_openpose_options_gives_the_commands_json(tmp_path):
    """--preset, --number-people-max, --keypoint-scale, --frame-first/last/step, --frame-flip, --frame-rotate, WxH:
    ``openpose batch`` writes byte for byte the single-machine command's JSON."""
    if not _have_ray():
        pytest.skip('needs the extra: pip install "openpose[ray]"')
    import cv2

    # Inputs lying on their side (mirrored), which --frame-flip --frame-rotate 90 set upright: 16 frames of
    # the shared video at 640x360 and three photos.
    capture = cv2.VideoCapture(str(shared_path("media/video.avi")))
    video = tmp_path / "side.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (360, 640))
    for _ in range(16):
        ok, frame = capture.read()
        assert ok
        writer.write(cv2.flip(cv2.rotate(cv2.resize(frame, (640, 360)), cv2.ROTATE_90_COUNTERCLOCKWISE), 1))
    writer.release()
    capture.release()
    images = []
    for k, photo in enumerate(photos()[:3]):
        images.append(tmp_path / f"side{k}.png")
        cv2.imwrite(str(images[-1]), cv2.flip(cv2.rotate(cv2.imread(str(photo)), cv2.ROTATE_90_COUNTERCLOCKWISE), 1))
    # --preset fast: the network's first 4 stages and x8 (the net resolution given wins over its height).
    options = ["--preset", "fast", "--net-resolution", "656x368", "--number-people-max", "1", "--keypoint-scale", "3",
               "--frame-first", "1", "--frame-last", "14", "--frame-step", "3", "--frame-flip",
               "--frame-rotate", "90"]
    model = str(model_for_this_opencv())
    inputs = [*map(str, images), str(video)]
    command = subprocess.run([sys.executable, "-m", "openpose", *inputs, "--model", model, *options,
                              "--write-json", str(tmp_path / "command"), "--quiet"],
                             capture_output=True, text=True, timeout=600)
    assert command.returncode == 0, command.stderr
    batch = subprocess.run([sys.executable, "-m", "openpose", "batch", *inputs, "--model", model, *options,
                            "--output", str(tmp_path / "batch"), "--num-workers", "2", "--frames-per-item", "2",
                            "--images-per-item", "1", "--quiet"],
                           capture_output=True, text=True, timeout=600)
    assert batch.returncode == 0, batch.stderr
    expected = {p.name: p.read_bytes() for p in (tmp_path / "command").glob("*_keypoints.json")}
    got = {p.name: p.read_bytes() for p in (tmp_path / "batch").glob("*_keypoints.json")}
    frames = [f"side_{n:012d}_keypoints.json" for n in (1, 4, 7, 10, 13)]  # the source's frame numbers
    assert sorted(expected) == sorted([*frames, "side1_keypoints.json"])  # images 1, 4, ... of 0..2
    assert sorted(got) == sorted(expected)
    assert [n for n in expected if got[n] != expected[n]] == []
    for name in frames:  # one person each (--number-people-max 1), in [0, 1] (--keypoint-scale 3)
        people = json.loads(got[name])["people"]
        assert len(people) == 1
        xy = [v for i, v in enumerate(people[0]["pose_keypoints_2d"]) if i % 3 != 2]
        assert min(xy) >= 0 and max(xy) <= 1 and max(xy) > 0.3


@pytest.mark.ray  # needs no Ray, but pyarrow, which the ray extra brings: it runs in CI's Ray venv
def test_worker_applies_keypoint_scale_and_people_max_to_json_and_parquet(tmp_path):
    """The work-item processor (no Ray): --keypoint-scale and --number-people-max reach JSON and Parquet alike."""
    pq = pytest.importorskip("pyarrow.parquet", reason='Parquet needs pyarrow (pip install "openpose[ray]")')
    from openpose.ray import WorkItemProcessor

    photo = shared_path("media/COCO_val2014_000000000395.jpg")  # four people at this net height (two at 256)
    (item,) = plan_work([photo], images_per_item=1).items
    estimator = EstimatorOptions(model=str(model_for_this_opencv()), net_height=320)
    for folder in ("plain", "json", "parquet"):
        (tmp_path / folder).mkdir()  # the driver's job
    plain = WorkItemProcessor(output=str(tmp_path / "plain"), fmt="json", estimator=estimator)
    assert plain.process(item).failures == []
    for fmt in ("json", "parquet"):
        worker = WorkItemProcessor(output=str(tmp_path / fmt), fmt=fmt, estimator=estimator,
                                   frames=FrameOptions(number_people_max=2), outputs=OutputOptions(keypoint_scale=3))
        assert worker.process(item).failures == []
    name = f"{photo.stem}_keypoints.json"
    everyone = json.loads((tmp_path / "plain" / name).read_text())["people"]
    kept = json.loads((tmp_path / "json" / name).read_text())["people"]
    assert len(everyone) >= 3 and len(kept) == 2
    table = pq.read_table(sorted((tmp_path / "parquet").glob("part-*.parquet"))).to_pydict()
    assert table["person"] == [0, 1]
    for person, keypoints in zip(kept, table["keypoints"]):
        assert keypoints == pytest.approx(person["pose_keypoints_2d"], rel=1e-6)
        xy = [v for i, v in enumerate(keypoints) if i % 3 != 2]
        assert min(xy) >= 0 and max(xy) <= 1 and max(xy) > 0.3


def test_batch_usage_errors_of_the_openpose_options(tmp_path, capsys):
    from openpose import cli

    for args, message in ((["--tracking", "--keypoint-scale", "3"], "--tracking needs --keypoint-scale 0"),
                          (["--frame-first", "5", "--frame-last", "2"], "is before --frame-first"),
                          (["--net-resolution", "656x368", "--net-height", "256"], "disagree")):
        with pytest.raises(SystemExit) as exc:
            cli.main(["batch", str(tmp_path), "--output", str(tmp_path / "o"), *args])
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


def test_batch_passes_the_accuracy_options_to_the_estimator(tmp_path, monkeypatch):
    """--preset, --scale-number, --scale-gap, --flip and --stages reach the job's PoseEstimator as the command's do."""
    import openpose.ray as opray
    from openpose import cli
    from openpose.pipeline import Summary

    calls = []
    monkeypatch.setattr(opray, "_ray", lambda: None)
    monkeypatch.setattr(opray, "run_batch", lambda inputs, **kwargs: calls.append(kwargs) or Summary())
    base = ["batch", str(tmp_path), "--output", str(tmp_path / "o"), "--quiet"]
    assert cli.main([*base, "--preset", "fast", "--scale-number", "2", "--scale-gap", "0.3", "--flip",
                     "--stages", "3"]) == 0
    assert cli.main(base) == 0
    assert cli.main([*base, "--preset", "none"]) == 0
    picked = [{k: getattr(c["estimator"], k) for k in ("preset", "scale_number", "scale_gap", "flip", "stages")}
              for c in calls]
    assert picked == [
        {"preset": "fast", "scale_number": 2, "scale_gap": 0.3, "flip": True, "stages": 3},
        {"preset": "balanced", "scale_number": None, "scale_gap": None, "flip": None, "stages": None},
        {"preset": None, "scale_number": None, "scale_gap": None, "flip": None, "stages": None},
    ]
