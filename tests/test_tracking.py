"""PoseTracker (ids across frames), the One Euro filter, and tracking in the outputs and the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import openpose
import tracking_scenes
from conftest import model_for_this_opencv, shared_path
from openpose.tracking import OneEuroFilter, PoseTracker, SequenceTracker, pose_similarity
from tracking_scenes import DEV, count_errors, scene

needs_dev = pytest.mark.skipif(not (DEV / "gt.json").is_file(), reason="needs ../shared/data/dev")


def person(x: float, y: float, k: int = 18, size: float = 100.0) -> np.ndarray:
    """A stick person (K, 3) centred at x, y: parts spread over a `size`-tall box."""
    rng = np.random.default_rng(k)
    offsets = rng.uniform(-0.5, 0.5, (k, 2)) * np.array([0.5 * size, size])
    pose = np.zeros((k, 3), np.float32)
    pose[:, :2] = offsets + np.array([x, y])
    pose[:, 2] = 0.8
    return pose


def result_of(poses: np.ndarray) -> openpose.PoseResult:
    poses = np.asarray(poses, np.float32).reshape(-1, 18, 3)
    n = len(poses)
    return openpose.PoseResult(poses=poses, scores=np.full(n, 0.5, np.float32),
                               persons=np.zeros((n, 18), np.int32), keypoints=[], valid_pairs=[],
                               invalid_pairs=[], layout=openpose.get_layout("coco"), image_size=(640, 480),
                               mode="seed")


def test_empty_frames_give_empty_ids_of_fixed_shape():
    tracker = PoseTracker()
    ids, poses = tracker.update(np.zeros((0, 18, 3), np.float32))
    assert ids.shape == (0,) and ids.dtype == np.int64
    assert poses.shape == (0, 18, 3)
    tracked = tracker.track(result_of(np.zeros((0, 18, 3))))
    assert tracked.track_ids is not None and tracked.track_ids.shape == (0,)


def test_ids_follow_people_whatever_their_order_in_each_frame():
    tracker = PoseTracker()
    rng = np.random.default_rng(0)
    first = None
    for f in range(20):
        people = [person(100 + 5 * f, 100), person(400 - 5 * f, 300), person(300, 100 + 3 * f)]
        order = rng.permutation(3)
        ids, _ = tracker.update(np.stack([people[i] for i in order]))
        mapping = dict(zip(order.tolist(), ids.tolist()))
        first = mapping if first is None else first
        assert mapping == first and sorted(mapping.values()) == [0, 1, 2]


def test_two_people_crossing_keep_their_ids():
    tracker = PoseTracker()
    for f in range(40):
        a, b = person(100 + 10 * f, 200), person(500 - 10 * f, 205)  # they meet at f = 20
        ids, _ = tracker.update(np.stack([b, a]) if f % 2 else np.stack([a, b]))
        assert (ids.tolist() if f % 2 == 0 else ids[::-1].tolist()) == [0, 1]


@pytest.mark.parametrize(("hidden", "same"), [(10, True), (11, False)])
def test_a_hidden_person_gets_their_id_back_up_to_max_age_frames(hidden, same):
    tracker = PoseTracker(max_age=10)
    other = person(600, 400)
    f = 0
    for _ in range(10):
        tracker.update(np.stack([person(100 + 8 * f, 200), other]))
        f += 1
    for _ in range(hidden):
        tracker.update(other[None])
        f += 1
    # Back where the constant speed took them, far from where they were last seen.
    ids, _ = tracker.update(np.stack([person(100 + 8 * f, 200), other]))
    assert ids[1] == 1
    assert bool(ids[0] == 0) is same
    if not same:
        assert ids[0] == -1  # a new, tentative track: no id for its first frames
        for _ in range(2):
            f += 1
            ids, _ = tracker.update(np.stack([person(100 + 8 * f, 200), other]))
        assert ids.tolist() == [2, 1]  # then a new id, never a reused one


def test_skipped_frame_numbers_count_as_frames_without_the_person():
    tracker = PoseTracker(max_age=3, min_hits=1)
    tracker.update(person(100, 100)[None], frame=0)
    ids, _ = tracker.update(person(100, 100)[None], frame=5)
    assert ids.tolist() == [1]
    with pytest.raises(ValueError, match="`frame`"):
        tracker.update(person(100, 100)[None], frame=5)


def test_ids_are_never_reused_and_reset_starts_again():
    tracker = PoseTracker(max_age=0, min_hits=1)
    seen = []
    for f in range(6):
        ids, _ = tracker.update(person(100 + 300 * (f % 2), 100)[None])  # far jumps: a new person each time
        seen.extend(ids.tolist())
    assert seen == list(range(6))
    tracker.reset()
    assert tracker.update(person(100, 100)[None])[0].tolist() == [0]


def test_a_new_person_gets_an_id_after_min_hits_frames_and_a_one_frame_blip_never_does():
    tracker = PoseTracker(min_hits=3)
    a = person(100, 100)
    assert tracker.update(a[None])[0].tolist() == [0]  # the first frame's people: at once
    got = [tracker.update(np.stack([a, person(500, 300)]))[0].tolist()]  # a blip, one frame
    got += [tracker.update(np.stack([a, person(300, 400)]))[0].tolist() for _ in range(3)]  # someone new
    assert got == [[0, -1], [0, -1], [0, -1], [0, 1]]  # ids in the order of confirmation
    assert tracker.next_id == 2


def test_weak_and_duplicate_detections_start_no_track_but_weak_ones_continue_one():
    tracker = PoseTracker(min_hits=1, min_parts=4)
    a = person(100, 100)
    weak = person(400, 300)
    weak[3:] = 0.0  # 3 parts
    half = a.copy()
    half[:9] = 0.0  # a split: the lower half of person a again
    ids, _ = tracker.update(np.stack([a, weak, half]))
    assert ids.tolist() == [0, -1, -1]
    few = a.copy()
    few[3:] = 0.0
    assert tracker.update(few[None])[0].tolist() == [0]  # a weak detection continues its track


def test_a_lost_track_is_found_again_where_it_was_last_seen_when_its_prediction_went_wrong():
    tracker = PoseTracker(min_hits=1)
    for f in range(5):
        tracker.update(person(100 + 10 * f, 200)[None])
    tracker.update(person(400, 200)[None])  # a false jump: a new track, and a wrong velocity for none
    for _ in range(5):
        tracker.update(np.zeros((0, 18, 3), np.float32))
    # Back where it was last seen (it had stopped), far from where its velocity would take it.
    ids, _ = tracker.update(np.stack([person(140, 200), person(400, 200)]))
    assert ids.tolist() == [0, 1]


def test_similarity_is_one_for_the_same_pose_and_falls_with_distance():
    a = person(100, 100)[None]
    sim = pose_similarity(a, np.stack([a[0], person(110, 100), person(400, 100)]))
    assert sim[0, 0] == pytest.approx(1.0)
    assert 1.0 > sim[0, 1] > sim[0, 2]
    assert sim[0, 2] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("name", "value"), [("max_age", -1), ("max_age", 1.5), ("min_similarity", 2.0),
                                             ("min_hits", 0), ("min_parts", True),
                                             ("min_cutoff", 0.0), ("beta", -1.0), ("d_cutoff", 0.0)])
def test_bad_options_name_the_parameter(name, value):
    with pytest.raises((ValueError, TypeError), match=f"`{name}`"):
        PoseTracker(**{name: value})


def test_one_euro_filter_cuts_jitter_of_a_still_part_and_follows_a_move():
    jitter = lambda xs: np.abs(np.diff(np.asarray(xs), 2, axis=0)).mean()  # noqa: E731
    base = person(200, 200)
    for options, most in (({}, 0.7), ({"min_cutoff": 1.0, "beta": 0.0}, 0.2)):
        rng = np.random.default_rng(1)
        f = OneEuroFilter(**options)
        raw, out = [], []
        for i in range(60):
            pose = base.copy()
            pose[:, :2] += rng.normal(0, 2.0, (18, 2))
            raw.append(pose[:, :2].copy())
            out.append(f(pose, i)[:, :2])
        assert jitter(out) < most * jitter(raw)
    # A big move is followed (the default filter): after a few frames it is near the new place.
    f = OneEuroFilter()
    for i in range(10):
        f(base, i)
    for i in range(10, 20):
        moved = f(person(400, 200), i)
    assert np.abs(moved[:, 0] - person(400, 200)[:, 0]).max() < 10


def test_a_part_that_disappears_and_returns_restarts_its_filter():
    f = OneEuroFilter()
    pose = person(200, 200)
    for i in range(10):
        f(pose, i)
    gone = pose.copy()
    gone[3] = 0.0
    out = f(gone, 10)
    assert out[3].tolist() == [0.0, 0.0, 0.0]
    back = pose.copy()
    back[3, :2] += 80.0
    out = f(back, 11)
    np.testing.assert_array_equal(out[3], back[3])  # starts where it is, no drag from the old place


def test_smoothing_moves_only_tracked_peoples_coordinates():
    tracker = PoseTracker(smoothing=True)
    rng = np.random.default_rng(2)
    for _ in range(5):
        pose = person(200, 200)
        pose[:, :2] += rng.normal(0, 2.0, (18, 2))
        ids, out = tracker.update(pose[None])
    assert ids.tolist() == [0]
    np.testing.assert_array_equal(out[0, :, 2], pose[:, 2])
    assert not np.array_equal(out[0, :, :2], pose[:, :2])


@needs_dev
def test_no_id_switch_on_the_constructed_sequence_through_a_crossing_and_a_10_frame_occlusion():
    sequence = scene(frames=60, hidden=10)
    tracker = PoseTracker()
    found = [tracker.update(poses)[0] for poses, _ in sequence]
    errors = count_errors([ids for _, ids in sequence], found)
    assert errors["identities"] == 4
    assert errors == {**errors, "switches": 0, "fragmented": 0, "lost_frames": 0, "merged": 0, "ids": 4}


@needs_dev
def test_error_counts_see_a_switch():
    sequence = scene(frames=20, hidden=0)
    truth = [ids for _, ids in sequence]
    found = [ids.copy() for ids in truth]
    for t, ids in zip(truth[10:], found[10:], strict=True):
        ids[t == 0] = 7
    errors = count_errors(truth, found)
    assert errors["switches"] == 1 and errors["fragmented"] == 1 and errors["lost_frames"] == 10


def test_error_counts_take_no_id_as_lost_not_as_a_switch():
    truth = [np.array([0]), np.array([0]), np.array([0])]
    errors = count_errors(truth, [np.array([-1]), np.array([4]), np.array([4])])
    assert (errors["switches"], errors["fragmented"], errors["lost_frames"], errors["untracked"]) == (0, 0, 1, 1)


def check_real_pixels(ann_ids, drawn, poses) -> dict:
    """The real-pixel sequence's construction holds, and the default tracker makes no id switch on it."""
    assert tracking_scenes.construction_problems(drawn) == []
    truth = tracking_scenes.true_poses(ann_ids)
    tracker = PoseTracker()
    errors = tracking_scenes.real_pixel_errors(poses, drawn, lambda p: tracker.update(p)[0], truth=truth)
    assert errors["identities"] == 4
    assert errors == {**errors, "switches": 0, "fragmented": 0, "merged": 0}, errors
    return errors


def _fixture():
    if not tracking_scenes.FIXTURE.is_file():
        pytest.fail(f"{tracking_scenes.FIXTURE} is missing: python benchmarks/tracking.py --write-fixture")
    return tracking_scenes.load_run(tracking_scenes.FIXTURE)


@needs_dev
def test_no_id_switch_on_real_pixels_the_networks_poses_of_the_crop_sequence():
    """The network's poses of the real-pixel sequence (tests/data, written by benchmarks/tracking.py --write-fixture)."""
    ann_ids, drawn, poses, description = _fixture()
    # Made by the default estimator of today (regenerate it when the defaults change).
    today = tracking_scenes.estimator_description(openpose.PoseEstimator())
    assert description.split(", ", 1)[1] == today.split(", ", 1)[1], (
        "tests/data/tracking_real_pixels.npz was made with other estimator settings: "
        "python benchmarks/tracking.py --write-fixture")
    assert len(ann_ids) == 4 and len(poses) == 60
    check_real_pixels(ann_ids, drawn, poses)


@needs_dev
def test_real_pixel_labels_find_each_person_and_see_a_switch():
    ann_ids, drawn, poses, _ = _fixture()
    truth = tracking_scenes.true_poses(ann_ids)
    # The true poses themselves (as 18-part OpenPose poses) are labelled as who they are.
    layout = openpose.get_layout("coco")
    index = np.asarray(layout.coco17_index)
    frame = truth[0]
    fake = np.zeros((4, 18, 3), np.float32)
    for identity, (kp, _) in frame.items():
        fake[identity, index, :2] = kp[:, :2]
        fake[identity, index, 2] = (kp[:, 2] > 0) * 0.9
    assert tracking_scenes.oks_owners(fake[::-1], frame).tolist() == [3, 2, 1, 0]
    # A tracker that swaps two people's ids halfway is caught.
    tracker = PoseTracker()
    state = {"f": 0}

    def swapping(p):
        ids, _ = tracker.update(p)
        state["f"] += 1
        return np.where(ids == 0, 1, np.where(ids == 1, 0, ids)) if state["f"] > 30 else ids

    errors = tracking_scenes.real_pixel_errors(poses, drawn, swapping, truth=truth)
    assert errors["switches"] == 2 and errors["merged"] == 2


def test_sequence_tracker_resets_at_each_new_source():
    from openpose.sources import IMAGE, VIDEO, Frame, Source

    tracker = SequenceTracker()
    a, b = Source(VIDEO, "a.avi"), Source(VIDEO, "b.avi")
    r = result_of(np.stack([person(100, 100), person(300, 100)]))
    assert tracker(Frame(a, 0, None, 25.0), r).track_ids.tolist() == [0, 1]  # type: ignore[arg-type]
    assert tracker(Frame(a, 1, None, 25.0), r).track_ids.tolist() == [0, 1]  # type: ignore[arg-type]
    assert tracker(Frame(b, 0, None, 25.0), result_of(person(300, 100))).track_ids.tolist() == [0]  # type: ignore[arg-type]
    # Images: one sequence per folder.
    i1, i2, j = Source(IMAGE, "d/1.jpg"), Source(IMAGE, "d/2.jpg"), Source(IMAGE, "e/1.jpg")
    assert tracker(Frame(i1, 0, None, None), r).track_ids.tolist() == [0, 1]  # type: ignore[arg-type]
    assert tracker(Frame(i2, 0, None, None), r).track_ids.tolist() == [0, 1]  # type: ignore[arg-type]
    assert tracker(Frame(j, 0, None, None), result_of(person(300, 100))).track_ids.tolist() == [0]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# Outputs
# --------------------------------------------------------------------------- #


def test_json_person_id_is_the_track_id():
    r = result_of(np.stack([person(100, 100), person(300, 100)]))
    assert [p["person_id"] for p in openpose.to_openpose_json(r)["people"]] == [[-1], [-1]]
    tracked = PoseTracker().track(r)
    tracked.track_ids = np.array([4, 7])
    assert [p["person_id"] for p in openpose.to_openpose_json(tracked)["people"]] == [[4], [7]]


def test_draw_colours_each_person_by_id_and_labels_them():
    from openpose.draw import id_color

    image = np.zeros((480, 640, 3), np.uint8)
    r = result_of(np.stack([person(150, 250), person(450, 250)]))
    plain = openpose.draw(image, r)
    drawn = openpose.draw(image, r, ids=np.array([3, 8]))
    assert not np.array_equal(plain, drawn)
    for p, track_id in ((0, 3), (1, 8)):
        x, y = np.round(r.poses[p, 5, :2]).astype(int)
        assert tuple(int(c) for c in drawn[y, x]) == id_color(track_id)
    assert id_color(3) != id_color(8)
    # A tracked result is drawn by its ids without being asked.
    r.track_ids = np.array([3, 8])
    np.testing.assert_array_equal(openpose.draw(image, r), drawn)
    with pytest.raises(ValueError, match="`ids`"):
        openpose.draw(image, r, ids=np.array([1]))
    # No id yet (-1, a tentative track): drawn as without tracking, no label.
    r.track_ids = None
    half = openpose.draw(image, r, ids=np.array([-1, 8]))
    np.testing.assert_array_equal(half[:, :300], plain[:, :300])
    np.testing.assert_array_equal(half[:, 300:], drawn[:, 300:])


def test_parquet_part_has_the_track_column(tmp_path):
    pytest.importorskip("pyarrow", reason="the Parquet output needs pyarrow (openpose[ray])")
    import pyarrow.parquet as pq

    from openpose.outputs.parquet_output import PARQUET_COLUMNS, ParquetPart
    from openpose.sources import VIDEO, Frame, Source

    part = ParquetPart(tmp_path / "p.parquet", n_parts=18)
    r = result_of(np.stack([person(100, 100), person(300, 100)]))
    part.write(Frame(Source(VIDEO, "v.avi"), 0, None, None), r, stem="v")  # type: ignore[arg-type]
    r.track_ids = np.array([5, 2])
    part.write(Frame(Source(VIDEO, "v.avi"), 1, None, None), r, stem="v")  # type: ignore[arg-type]
    part.close()
    table = pq.read_table(tmp_path / "p.parquet").to_pydict()
    assert tuple(table) == PARQUET_COLUMNS
    assert table["track"] == [-1, -1, 5, 2]


# --------------------------------------------------------------------------- #
# The command
# --------------------------------------------------------------------------- #



def _people(folder: Path) -> dict[str, list]:
    return {p.name: json.loads(p.read_text())["people"] for p in sorted(folder.glob("*_keypoints.json"))}


def test_command_tracking_writes_ids_and_smoothing_moves_keypoints(tmp_path):
    from openpose.cli import main

    video, model = shared_path("media/video.avi"), model_for_this_opencv()
    common = [str(video), "--model", str(model), "--net-height", "288", "--max-frames", "6", "--quiet"]
    assert main([*common, "--write-json", str(tmp_path / "plain")]) == 0
    assert main([*common, "--tracking", "--write-json", str(tmp_path / "tracked"),
                 "--write-images", str(tmp_path / "images")]) == 0
    assert main([*common, "--smoothing", "--write-json", str(tmp_path / "smooth")]) == 0
    plain, tracked, smooth = (_people(tmp_path / n) for n in ("plain", "tracked", "smooth"))
    assert len(plain) == len(tracked) == len(smooth) == 6
    ids = [p["person_id"][0] for people in tracked.values() for p in people]
    assert ids and min(i for i in ids if i >= 0) == 0 and all(p["person_id"] == [-1] for people in plain.values() for p in people)
    for name in plain:  # tracking alone moves nothing
        assert [p["pose_keypoints_2d"] for p in plain[name]] == [p["pose_keypoints_2d"] for p in tracked[name]]
        assert [p["person_id"] for p in tracked[name]] == [p["person_id"] for p in smooth[name]]
    moved = [a["pose_keypoints_2d"] != b["pose_keypoints_2d"]
             for name in plain for a, b in zip(plain[name], smooth[name], strict=True)]
    assert any(moved)
    assert len(list((tmp_path / "images").glob("*.png"))) == 6


def test_batch_tracking_pass_gives_the_commands_ids_whatever_the_chunks_and_order(tmp_path):
    """The pass of ``openpose batch --tracking``, without Ray: items processed out of order, then tracked."""
    from openpose.cli import main
    from openpose.estimator import EstimatorOptions
    from openpose.frames import FrameOptions
    from openpose.ray.planning import plan_work
    from openpose.ray.tracking_pass import track_outputs
    from openpose.ray.worker import WorkItemProcessor

    video, model = shared_path("media/video.avi"), model_for_this_opencv()
    assert main([str(video), "--model", str(model), "--net-height", "288", "--max-frames", "20", "--quiet",
                 "--tracking", "--write-json", str(tmp_path / "command")]) == 0
    expected = {p.name: p.read_bytes() for p in (tmp_path / "command").glob("*.json")}
    assert any(b'"person_id":[1]' in text for text in expected.values())
    for fmt in ("json", "parquet"):
        if fmt == "parquet":
            pytest.importorskip("pyarrow", reason="the Parquet output needs pyarrow (openpose[ray])")
        out = tmp_path / fmt
        plan = plan_work([str(video.absolute())], frames_per_item=6, frame_options=FrameOptions(max_frames=20))
        out.mkdir()
        worker = WorkItemProcessor(output=str(out), fmt=fmt,
                                   estimator=EstimatorOptions(model=str(model.absolute()), net_height=288))
        for item in reversed(plan.items):  # any order, as the workers finish
            assert worker.process(item).failures == []
        # A retried item (a worker killed mid-job) rewrites its outputs before the pass.
        worker.process(plan.items[1])
        assert track_outputs(plan.items, out, fmt) == (20 if fmt == "json" else len({
            n for n, t in expected.items() if b'"pose_keypoints_2d"' in t}))
        if fmt == "json":
            got = {p.name: p.read_bytes() for p in out.glob("*.json")}
            assert got == expected
            assert track_outputs(plan.items, out, fmt) == 20  # a rerun of the pass changes nothing
            assert {p.name: p.read_bytes() for p in out.glob("*.json")} == expected
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(sorted(out.glob("part-*.parquet"))).to_pydict()
            got_ids = {}
            for frame, p, track in zip(table["frame"], table["person"], table["track"], strict=True):
                got_ids[(frame, p)] = track
            want_ids = {}
            for name, text in expected.items():
                frame = int(name.split("_")[1])
                for p, person in enumerate(json.loads(text)["people"]):
                    want_ids[(frame, p)] = person["person_id"][0]
            assert got_ids == want_ids
