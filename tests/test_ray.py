"""openpose.ray and ``openpose batch``: Ray Data jobs against the single-machine command.

The planning tests run everywhere. The rest (marker ``ray``) need the extra
``openpose[ray]`` and skip cleanly without it: a local Ray instance
(``num_cpus=2``), then a two-node cluster on 127.0.0.1 (a head and a worker
node started with ``ray start`` as separate processes) running the same job,
and the same job again with a worker killed in the middle.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import MEDIA, model_for_this_opencv, photos, shared_path
from openpose.estimator import EstimatorOptions
from openpose.frames import FrameOptions
from openpose.outputs import parquet_part_path
from openpose.ray import FAILURES_FILE, WorkItem, is_complete, plan_work
from openpose.sources import Failure
from openpose.tracking import TrackingOptions

# Ray's own deprecation notices (raised inside ray, about its internals) are not this project's errors.
pytestmark = [pytest.mark.filterwarnings(r"ignore::DeprecationWarning:ray(\..*)?"),
              pytest.mark.filterwarnings(r"ignore::FutureWarning:ray(\..*)?")]

VIDEO_FRAMES = 205  # ../shared/media/video.avi (shared/README.md)


def _have_ray() -> bool:
    try:
        import pyarrow  # noqa: F401
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True




# --------------------------------------------------------------------------- #
# Planning and the import error (no Ray needed)
# --------------------------------------------------------------------------- #


def test_importing_openpose_does_not_import_ray():
    code = "import sys, openpose, openpose.cli; sys.exit('ray' in sys.modules or 'openpose.ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_planning_and_the_workers_need_no_ray():
    # openpose.ray.planning / .worker are plain Python: importable and usable where Ray and pyarrow are not.
    code = ("import sys; sys.modules['ray'] = None; sys.modules['pyarrow'] = None\n"
            "import openpose.ray, openpose.ray.planning, openpose.ray.worker\n"
            "items, failures, notes = openpose.ray.plan_work(['/nonexistent/a.jpg'])\n"
            "sys.exit(0 if (items, [f.label for f in failures], notes) == ([], ['/nonexistent/a.jpg'], []) else 1)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_without_the_extra_the_error_says_how_to_install(monkeypatch):
    import openpose.ray as opray

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r'pip install "openpose\[ray\]"'):
        opray._ray()


def test_batch_command_without_the_extra_exits_2_with_the_install_line(monkeypatch, capsys, tmp_path):
    from openpose import cli

    monkeypatch.setitem(sys.modules, "ray", None)
    status = cli.main(["batch", str(tmp_path), "--model", str(tmp_path / "m.onnx"), "--output", str(tmp_path / "o")])
    assert status == 2
    assert 'pip install "openpose[ray]"' in capsys.readouterr().err


def test_batch_subcommand_is_registered():
    from openpose import cli

    module, _ = cli.SUBCOMMANDS["batch"]
    assert module == "openpose.batch_cli"
    with pytest.raises(SystemExit) as exc:
        cli.main(["batch", "--help"])
    assert exc.value.code == 0


def test_plan_splits_images_in_order_and_videos_into_ranges():
    video = shared_path("media/video.avi")
    images = photos()
    items, failures, notes = plan_work([MEDIA], images_per_item=8, frames_per_item=64)
    assert failures == []
    # The folder's video is read (as the command reads it); its other files are skipped with a note.
    assert notes == [f"skipping {p}: not an image file"
                     for p in sorted(MEDIA.iterdir()) if p.is_file() and p.suffix not in (".jpg", ".avi")]
    assert str(video) in {s for i in items if i.kind == "video" for s in i.sources}
    image_items = [i for i in items if i.kind == "images"]
    assert [s for i in image_items for s in i.sources] == [str(p) for p in images]
    assert [len(i.sources) for i in image_items] == [8, 8, 4]
    ranges = [(i.start, i.stop, i.expected) for i in items if i.kind == "video"]
    # The last range reads to the end of the video (-1), as the single-machine command does.
    assert ranges == [(0, 64, 64), (64, 128, 64), (128, 192, 64), (192, -1, 13)]
    stems = [s for i in items if i.kind == "video" for s in i.stems()]
    assert stems == [f"video_{k:012d}" for k in range(VIDEO_FRAMES)]


def test_plan_max_frames_bounds_the_last_range():
    video = shared_path("media/video.avi")
    items, _, _ = plan_work([video], frames_per_item=16, frame_options=FrameOptions(max_frames=40))
    assert [(i.start, i.stop, i.expected) for i in items] == [(0, 16, 16), (16, 32, 16), (32, 40, 8)]


def test_plan_records_missing_and_unknown_inputs(tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("x")
    items, failures, notes = plan_work([tmp_path / "missing.jpg", odd])
    assert items == [] and notes == []
    assert failures == [Failure(str(tmp_path / "missing.jpg"), "no such file or folder"),
                        Failure(str(odd), "not an image or a video (a text file)")]


@pytest.mark.parametrize("selection", [None, FrameOptions(frame_step=2)], ids=["whole", "selected"])
def test_plan_records_a_video_it_cannot_open(tmp_path, selection):
    cut = tmp_path / "cut.avi"
    cut.write_bytes(shared_path("media/video.avi").read_bytes()[:300])  # the RIFF header, no stream
    items, failures, notes = plan_work([cut], frame_options=selection)
    assert items == [] and notes == []
    assert failures == [Failure(str(cut), "cannot open it as a video (corrupt, truncated or unsupported)")]


@pytest.mark.parametrize(("name", "value"), [("images_per_item", 0), ("frames_per_item", -1)],
                         ids=["images_per_item", "frames_per_item"])
def test_plan_rejects_bad_sizes(name, value):
    with pytest.raises(ValueError, match=f"`{name}`"):
        plan_work([], **{name: value})
    with pytest.raises(ValueError, match="`max_frames`"):
        FrameOptions(max_frames=0)


def test_item_key_depends_only_on_what_it_covers():
    a = WorkItem("video", ("/x/v.avi",), 64, 128, 64)
    assert a.key == WorkItem("video", ("/x/v.avi",), 64, 128, 64).key
    assert a.key != WorkItem("video", ("/x/v.avi",), 0, 64, 64).key
    assert a.key != WorkItem("video", ("/y/v.avi",), 64, 128, 64).key


def test_json_item_is_complete_when_every_frame_file_exists(tmp_path):
    item = WorkItem("video", ("/x/clip.avi",), 10, 13, 3)
    for k in (10, 11):
        (tmp_path / f"clip_{k:012d}_keypoints.json").write_text("{}")
    assert not is_complete(item, tmp_path, "json")
    (tmp_path / "clip_000000000012_keypoints.json").write_text("{}")
    assert is_complete(item, tmp_path, "json")


def test_plan_gives_the_command_sources_notes_and_failures(tmp_path):
    # One classifier: what the command reads (iter_frames) is what a Ray job plans, in the same order.
    from openpose.pipeline import iter_frames
    from openpose.sources import Note

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(photos()[0], folder / "b.jpg")
    (folder / "a.txt").write_text("x")
    shutil.copy(photos()[1], tmp_path / "photo.data")  # an unknown extension: the content decides
    (tmp_path / "notes.txt").write_text("x")
    inputs = [folder, tmp_path / "photo.data", tmp_path / "notes.txt", tmp_path / "gone.jpg"]
    items, failures, notes = plan_work(inputs)
    assert [s for i in items for s in i.sources] == [str(folder / "b.jpg"), str(tmp_path / "photo.data")]
    stream = list(iter_frames(inputs))
    assert [f.label for f in stream if hasattr(f, "image")] == [str(folder / "b.jpg"), str(tmp_path / "photo.data")]
    assert [n.text for n in stream if isinstance(n, Note)] == notes
    assert notes == [f"skipping {folder / 'a.txt'}: not an image file"]
    assert [f for f in stream if isinstance(f, Failure)] == failures
    assert [f.label for f in failures] == [str(tmp_path / "notes.txt"), str(tmp_path / "gone.jpg")]


def test_predictor_batch_with_a_failing_image_goes_on():
    # Bug: a failing image raised AttributeError (Layout has no `parts`) and lost the whole batch.
    import cv2

    from openpose.ray import PoseBatchPredictor

    predictor = PoseBatchPredictor(model_for_this_opencv(), channels="bgr")
    images = np.empty(3, dtype=object)
    images[0] = np.zeros((4, 5000, 3), np.uint8)  # too wide for the network
    images[1] = cv2.imread(str(photos()[0]))
    images[2] = np.zeros((0, 0, 3), np.uint8)
    out = predictor({"image": images, "id": np.arange(3)})
    assert "too wide" in out["error"][0] and out["error"][1] == "" and "empty" in out["error"][2]
    assert [out["poses"][i].shape for i in (0, 2)] == [(0, 18, 3)] * 2 and out["people"][1] > 0
    assert list(out["people"][[0, 2]]) == [0, 0] and [len(out["scores"][i]) for i in (0, 2)] == [0, 0]
    assert list(out["id"]) == [0, 1, 2]


def test_parquet_item_whose_frames_all_fail_is_listed_not_a_crash(tmp_path):
    # Bug: the actor raised AttributeError (Layout has no `parts`) instead of listing the item's failures.
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from openpose.outputs.parquet_output import parquet_is_complete
    from openpose.ray import WorkItemProcessor

    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 not a jpeg")
    item = WorkItem("images", (str(bad), str(tmp_path / "gone.png")), 0, 2, 2)
    out = tmp_path / "out"
    out.mkdir()
    processor = WorkItemProcessor(output=str(out), fmt="parquet", estimator=EstimatorOptions(model=str(model_for_this_opencv())))
    status = processor({k: np.asarray([v], dtype=object) for k, v in item.to_row().items()})
    assert [f["source"] for f in json.loads(status["failures"][0])] == [str(bad), str(tmp_path / "gone.png")]
    assert list(status["frames"]) == [0] and list(status["key"]) == [item.key]
    table = pq.read_table(parquet_part_path(out, item.key))
    assert table.num_rows == 0 and table.schema.field("keypoints").type.list_size == 3 * 18
    assert not parquet_is_complete(parquet_part_path(out, item.key))


# --------------------------------------------------------------------------- #
# Shared helpers for the Ray tests
# --------------------------------------------------------------------------- #


def _inputs():
    return [*photos(), shared_path("media/video.avi")]


@pytest.fixture(scope="module")
def reference_json(tmp_path_factory):
    """The single-machine command's JSON for the photos and the whole video."""
    if not _have_ray():
        pytest.skip('needs the extra: pip install "openpose[ray]"')
    model = model_for_this_opencv()
    out = tmp_path_factory.mktemp("reference")
    cmd = [sys.executable, "-m", "openpose", *map(str, _inputs()), "--model", str(model),
           "--write-json", str(out), "--quiet"]
    subprocess.run(cmd, check=True, timeout=600)
    files = {p.name: p.read_bytes() for p in out.glob("*_keypoints.json")}
    assert len(files) == len(photos()) + VIDEO_FRAMES
    return files


def _json_outputs(folder: Path):
    return {p.name: p.read_bytes() for p in folder.glob("*_keypoints.json")}


def _assert_same_json(output: Path, reference: dict, names=None):
    got = _json_outputs(output)
    expected = reference if names is None else {n: reference[n] for n in names}
    assert sorted(got) == sorted(expected)
    different = [n for n in expected if got[n] != expected[n]]
    assert different == [], f"{len(different)} file(s) differ from the single-machine command's, e.g. {different[:3]}"
    assert not list(output.glob(".*.tmp")), "temporary files left behind"


def _assert_parquet_matches(output: Path, reference: dict, names):
    """Parquet rows: one per person, no duplicates, equal to the reference JSON's people."""
    import pyarrow.parquet as pq

    table = pq.read_table(sorted(output.glob("part-*.parquet"))).to_pydict()
    keys = list(zip(table["source"], table["frame"], table["person"]))
    assert len(keys) == len(set(keys)), "duplicated rows"
    rows = {}
    for source, frame, person, keypoints in zip(table["source"], table["frame"], table["person"], table["keypoints"]):
        stem = Path(source).stem
        name = f"{stem}_{frame:012d}_keypoints.json" if source.endswith(".avi") else f"{stem}_keypoints.json"
        rows.setdefault(name, {})[person] = keypoints
    total = 0
    for name in names:
        people = json.loads(reference[name])["people"]
        total += len(people)
        got = rows.get(name, {})
        assert sorted(got) == list(range(len(people))), name
        for p, person in enumerate(people):
            np.testing.assert_array_equal(np.float32(got[p]), np.float32(person["pose_keypoints_2d"]), err_msg=name)
    assert len(keys) == total


def _video_names(n):
    return [f"video_{k:012d}_keypoints.json" for k in range(n)]


def _photo_names():
    return [f"{p.stem}_keypoints.json" for p in photos()]


# --------------------------------------------------------------------------- #
# A local Ray instance, num_cpus=2
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def local_ray():
    if not _have_ray():
        pytest.skip('needs the extra: pip install "openpose[ray]"')
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("chunks", [(8, 64)], ids=["8-images-64-frames"])
@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
def test_local_ray_gives_the_single_machine_json(tmp_path, reference_json, chunks):
    from openpose.ray import run_batch

    seen = []
    summary = run_batch(_inputs(), estimator=EstimatorOptions(model=str(model_for_this_opencv())), output=tmp_path,
                        num_workers=2,
                        images_per_item=chunks[0], frames_per_item=chunks[1], progress=False, on_item=seen.append)
    _assert_same_json(tmp_path, reference_json)
    assert summary.frames == len(reference_json)
    assert summary.people == sum(len(json.loads(t)["people"]) for t in reference_json.values())
    assert summary.failures == [] and (tmp_path / FAILURES_FILE).read_text() == ""
    assert len(seen) == summary.items == 3 + 4 and summary.workers == 2

    # A rerun skips the complete items and redoes only those with a missing file.
    (tmp_path / "video_000000000100_keypoints.json").unlink()
    (tmp_path / f"{photos()[0].stem}_keypoints.json").unlink()
    kept = tmp_path / "video_000000000000_keypoints.json"
    before = kept.stat().st_mtime_ns
    again = run_batch(_inputs(), estimator=EstimatorOptions(model=str(model_for_this_opencv())), output=tmp_path,
                        num_workers=2,
                      images_per_item=chunks[0], frames_per_item=chunks[1], progress=False)
    assert (again.items, again.skipped_items, again.frames) == (7, 5, 8 + 64)
    assert kept.stat().st_mtime_ns == before
    _assert_same_json(tmp_path, reference_json)


@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
def test_local_ray_parquet_rows_are_the_json_people(tmp_path, reference_json):
    from openpose.ray import run_batch

    summary = run_batch(_inputs(), estimator=EstimatorOptions(model=str(model_for_this_opencv())), output=tmp_path,
                        format="parquet", num_workers=2, frames_per_item=20, frames=FrameOptions(max_frames=60),
                        progress=False)
    assert summary.failures == []
    assert len(list(tmp_path.glob("part-*.parquet"))) == summary.items == 2 + 3
    _assert_parquet_matches(tmp_path, reference_json, _photo_names() + _video_names(60))
    again = run_batch(_inputs(), estimator=EstimatorOptions(model=str(model_for_this_opencv())), output=tmp_path,
                      format="parquet", num_workers=2, frames_per_item=20, frames=FrameOptions(max_frames=60),
                      progress=False)
    assert again.skipped_items == again.items and again.frames == 0


@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
def test_failed_inputs_are_recorded_and_the_job_goes_on(tmp_path, reference_json):
    from openpose.ray import run_batch

    bad = tmp_path / "in" / "broken.jpg"
    bad.parent.mkdir()
    bad.write_bytes(b"\xff\xd8 not a jpeg")
    good = photos()[:2]
    out = tmp_path / "out"
    summary = run_batch([good[0], bad, tmp_path / "in" / "gone.png", good[1]], estimator=EstimatorOptions(model=str(model_for_this_opencv())),
                        output=out, num_workers=1, progress=False)
    recorded = [json.loads(line) for line in (out / FAILURES_FILE).read_text().splitlines()]
    assert recorded == [f.to_dict() for f in summary.failures]
    # The missing file is found when planning (as the command finds it), the broken one when decoding.
    assert [f["source"] for f in recorded] == [str(tmp_path / "in" / "gone.png"), str(bad)]
    assert recorded[0]["error"] == "no such file or folder" and "cannot decode" in recorded[1]["error"]
    _assert_same_json(out, reference_json, [f"{p.stem}_keypoints.json" for p in good])


@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
def test_batch_command_notes_skipped_files_and_records_an_item_whose_frames_all_fail(tmp_path, capsys):
    # Bug: a Parquet item whose frames all failed crashed the actor (Layout has no `parts`): exit 2, no record.
    from openpose import batch_cli
    from openpose.outputs.parquet_output import parquet_is_complete

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    (folder / "notes.txt").write_text("not an image")
    out = tmp_path / "out"
    status = batch_cli.main([str(folder), "--model", str(model_for_this_opencv()), "--output", str(out),
                             "--format", "parquet", "--num-workers", "1", "--net-height", "128"])
    err = capsys.readouterr().err
    assert status == 1, err[-3000:]
    assert f"skipping {folder / 'notes.txt'}: not an image file" in err  # a note, as the command gives
    assert f"failed: {folder / 'broken.jpg'}: cannot decode" in err
    recorded = [json.loads(line) for line in (out / FAILURES_FILE).read_text().splitlines()]
    assert [r["source"] for r in recorded] == [str(folder / "broken.jpg")]
    parts = list(out.glob("part-*.parquet"))
    assert len(parts) == 1 and not parquet_is_complete(parts[0])  # a rerun tries it again


@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
def test_predictor_in_map_batches_gives_the_estimator_results():
    # RGB images (what ray.data.read_images gives) of differently sized photos, in batches of 2.
    import cv2
    import ray

    import openpose
    from openpose.ray import PoseBatchPredictor

    model = model_for_this_opencv()
    paths = [str(p) for p in photos()[:5]]
    ds = ray.data.from_items([{"path": p, "image": cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2RGB)} for p in paths])
    ds = ds.map_batches(PoseBatchPredictor, fn_constructor_kwargs={"model": str(model)}, batch_size=2,
                        compute=ray.data.ActorPoolStrategy(size=1))
    rows = {r["path"]: r for r in ds.take_all()}
    assert sorted(rows) == sorted(paths) and "image" not in rows[paths[0]]
    estimator = openpose.PoseEstimator(model)
    for p in paths:
        expected = estimator.estimate(cv2.imread(p))
        row = rows[p]
        assert row["error"] == "" and row["people"] == len(expected) > 0
        np.testing.assert_array_equal(np.asarray(row["poses"], np.float32).reshape(expected.poses.shape),
                                      expected.poses)
        np.testing.assert_array_equal(np.asarray(row["scores"], np.float32), expected.scores)


@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
def test_batch_tracking_gives_the_single_machine_tracking_ids(tmp_path):
    """``openpose batch --tracking`` over 3 chunks of video.avi: the ids of ``openpose VIDEO --tracking``."""
    from openpose.ray import run_batch

    video, model = shared_path("media/video.avi"), model_for_this_opencv()
    reference = tmp_path / "command"
    subprocess.run([sys.executable, "-m", "openpose", str(video), "--model", str(model), "--max-frames", "18",
                    "--tracking", "--write-json", str(reference), "--quiet"], check=True, timeout=600)
    expected = _json_outputs(reference)
    assert len(expected) == 18 and any(b'"person_id":[3]' in text for text in expected.values())
    for fmt in ("json", "parquet"):
        out = tmp_path / fmt
        summary = run_batch([video], estimator=EstimatorOptions(model=str(model)), output=out, format=fmt,
                            num_workers=2, frames_per_item=6, frames=FrameOptions(max_frames=18), progress=False,
                            tracking=TrackingOptions(tracking=True))
        assert summary.failures == [] and summary.items == 3
        if fmt == "json":
            _assert_same_json(out, expected)
            continue
        import pyarrow.parquet as pq

        table = pq.read_table(sorted(out.glob("part-*.parquet"))).to_pydict()
        got = {(f, p): t for f, p, t in zip(table["frame"], table["person"], table["track"], strict=True)}
        want = {(int(name.split("_")[1]), p): person["person_id"][0]
                for name, text in expected.items() for p, person in enumerate(json.loads(text)["people"])}
        assert got == want


# --------------------------------------------------------------------------- #
# A two-node cluster on 127.0.0.1 (head + worker node, separate processes)
# --------------------------------------------------------------------------- #


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_under(marker: str):
    """pids of the processes whose command line holds `marker` (our cluster's temp dir)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _children(pids):
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
            if ppid in pids:
                kids.append((int(entry.name), (entry / "cmdline").read_bytes().decode("utf-8", "replace")))
    return kids


@pytest.fixture(scope="module")
def two_node_cluster():
    if not _have_ray():
        pytest.skip('needs the extra: pip install "openpose[ray]"')
    if not Path("/proc").is_dir():
        pytest.skip("the cluster tests find Ray's processes through /proc (Linux)")
    ray_cli = shutil.which("ray", path=str(Path(sys.executable).parent))
    if ray_cli is None:
        pytest.skip("the `ray` command is not next to this Python")
    temp = tempfile.mkdtemp(prefix="opray-", dir="/tmp")  # short: Ray's socket paths have a length limit
    port = _free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    common = ["--num-cpus=1", "--node-ip-address=127.0.0.1", f"--temp-dir={temp}", "--disable-usage-stats"]
    address = f"127.0.0.1:{port}"
    try:
        subprocess.run([ray_cli, "start", "--head", f"--port={port}", "--include-dashboard=false", *common],
                       env=env, check=True, timeout=120, capture_output=True)
        subprocess.run([ray_cli, "start", f"--address={address}", *common],
                       env=env, check=True, timeout=120, capture_output=True)
        check = (f"import ray; ray.init(address={address!r}, log_to_driver=False); "
                 "print(sum(1 for n in ray.nodes() if n['Alive']))")
        alive = subprocess.run([sys.executable, "-c", check], env=env, check=True, timeout=120,
                               capture_output=True, text=True).stdout.split()[-1]
        assert alive == "2"
        yield {"address": address, "env": env, "temp": temp}
    finally:
        # Stop only this cluster's processes (what `ray stop` does, limited to our temp dir).
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 1.0)):
            pids = _processes_under(temp)
            pids += [pid for pid, _ in _children(set(pids))]
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and _processes_under(temp):
                time.sleep(0.2)
        shutil.rmtree(temp, ignore_errors=True)


def _batch_command(cluster, output, *extra):
    return [sys.executable, "-m", "openpose", "batch", *map(str, _inputs()), "--model", str(model_for_this_opencv()),
            "--output", str(output), "--ray-address", cluster["address"], "--num-workers", "2", "--quiet", *extra]


@pytest.mark.ray
@pytest.mark.skipif(not _have_ray(), reason='needs the extra: pip install "openpose[ray]"')
def test_two_node_cluster_gives_the_single_machine_json(tmp_path, reference_json, two_node_cluster):
    done = subprocess.run(_batch_command(two_node_cluster, tmp_path, "--max-frames", "100"),
                          env=two_node_cluster["env"], timeout=600, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    _assert_same_json(tmp_path, reference_json, _photo_names() + _video_names(100))


@pytest.mark.ray
@pytest.mark.skipif(not _have_ray(), reason='needs the extra: pip install "openpose[ray]"')
def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(tmp_path, reference_json, two_node_cluster):
    out = tmp_path / "out"
    job = subprocess.Popen(_batch_command(two_node_cluster, out, "--format", "parquet", "--frames-per-item", "24",
                                          "--images-per-item", "10"),
                           env=two_node_cluster["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    try:
        deadline = time.monotonic() + 300
        while killed is None and job.poll() is None and time.monotonic() < deadline:
            raylets = {pid for pid in _processes_under(two_node_cluster["temp"])
                       if "raylet" in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")}
            workers = [pid for pid, cmd in _children(raylets) if "WorkItemProcessor" in cmd]
            if workers and list(out.glob("part-*.parquet")):
                os.kill(workers[0], signal.SIGKILL)  # mid-job: some items written, others in flight
                killed = workers[0]
            time.sleep(0.2)
        stdout, stderr = job.communicate(timeout=600)
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()
    assert killed is not None, "no worker to kill before the job ended"
    assert job.returncode == 0, stderr[-3000:]
    assert (out / FAILURES_FILE).read_text() == ""
    n_items = 2 + -(-VIDEO_FRAMES // 24)
    assert len(list(out.glob("part-*.parquet"))) == n_items
    assert not list(out.glob(".*.tmp")), "temporary files left behind"
    _assert_parquet_matches(out, reference_json, _photo_names() + _video_names(VIDEO_FRAMES))
