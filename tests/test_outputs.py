"""openpose.outputs: output names, the command's outputs and Ray's Parquet parts, in one place."""

from __future__ import annotations

import json

import numpy as np
import pytest

import openpose
from openpose.openpose_json import dumps
from openpose.outputs import (
    FAILURES_FILE,
    OutputOptions,
    Outputs,
    RunContext,
    batch_format,
    batch_formats,
    json_path,
    output_stem,
    output_types,
    write_failures,
)
from openpose.outputs.json_output import JsonFiles
from openpose.outputs.parquet_output import ParquetPart, parquet_is_complete
from openpose.sources import Failure, Frame, Source
from openpose.synthetic import synthetic_net_output


def _result(people=2, seed=0, size=(64, 48)):
    return openpose.postprocess(synthetic_net_output(people, map_size=(16, 12), seed=seed)[0], image_size=size)


def _frame(source, index=0):
    return Frame(source, index, np.zeros((48, 64, 3), np.uint8), 10.0)


def test_output_stem_from_the_source_and_the_index():
    assert output_stem(Source("image", "/x/photo.jpg"), 0) == "photo"
    assert output_stem(Source("video", "/x/clip.avi"), 7) == "clip_000000000007"
    assert output_stem(Source.camera(2), 12) == "camera2_000000000012"
    assert json_path("/out", "clip_000000000007").as_posix() == "/out/clip_000000000007_keypoints.json"


def test_json_files_are_the_openpose_json_of_each_frame(tmp_path):
    result = _result()
    outputs = Outputs(OutputOptions(write_json=tmp_path / "j"))
    assert not outputs.needs_drawing
    assert outputs.write(_frame(Source("video", "/x/clip.avi"), 3), result) is True
    assert outputs.close() is None
    path = tmp_path / "j" / "clip_000000000003_keypoints.json"
    assert path.read_text(encoding="utf-8") == dumps(result)
    assert len(json.loads(path.read_text())["people"]) == len(result) > 0


def test_two_frames_with_the_same_stem_are_refused(tmp_path):
    outputs = Outputs(OutputOptions(write_json=tmp_path))
    outputs.write(_frame(Source("image", "/a/same.jpg")), _result())
    with pytest.raises(ValueError, match="same name"):
        outputs.write(_frame(Source("image", "/b/same.png")), _result(seed=1))


def test_rendered_images_and_a_folder_in_the_way(tmp_path):
    import cv2

    outputs = Outputs(OutputOptions(write_images=tmp_path / "i"))
    assert outputs.needs_drawing
    outputs.write(_frame(Source("image", "/x/p.jpg")), _result())
    assert cv2.imread(str(tmp_path / "i" / "p_rendered.png")).shape == (48, 64, 3)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match=r"--write-json .* is not a folder"):
        Outputs(OutputOptions(write_json=tmp_path / "file"))
    with pytest.raises(ValueError, match="--write-video"):
        Outputs(OutputOptions(write_video=tmp_path / "v.gif"))
    with pytest.raises(ValueError, match="--video-fps"):
        Outputs(OutputOptions(write_video=tmp_path / "v.avi", video_fps=0))


def test_parquet_part_rows_are_the_people_with_their_frame_index(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    a, b = _result(2, seed=0), _result(3, seed=1)
    part = ParquetPart(tmp_path / "part-x.parquet", n_parts=18)
    outputs = Outputs(extra=[part])
    outputs.write(_frame(Source("video", "/x/clip.avi"), 40), a)
    outputs.write(_frame(Source("video", "/x/clip.avi"), 41), b)
    assert not (tmp_path / "part-x.parquet").exists()  # written by close
    outputs.close(complete=True)
    table = pq.read_table(tmp_path / "part-x.parquet").to_pydict()
    assert table["frame"] == [40] * len(a) + [41] * len(b)
    assert table["person"] == [*range(len(a)), *range(len(b))]
    assert set(table["source"]) == {"/x/clip.avi"}
    expected = np.concatenate([a.poses, b.poses]).reshape(len(a) + len(b), -1)
    np.testing.assert_array_equal(np.float32(table["keypoints"]), expected)
    np.testing.assert_array_equal(np.float32(table["score"]), np.concatenate([a.scores, b.scores]))
    assert parquet_is_complete(tmp_path / "part-x.parquet")


def test_an_empty_incomplete_parquet_part_keeps_its_schema(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "part-y.parquet"
    ParquetPart(path, n_parts=25).close(complete=False)
    table = pq.read_table(path)
    assert table.num_rows == 0 and table.schema.field("keypoints").type.list_size == 75
    assert not parquet_is_complete(path) and not parquet_is_complete(tmp_path / "absent.parquet")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    assert not parquet_is_complete(tmp_path / "junk.parquet")


def test_failures_file(tmp_path):
    write_failures(tmp_path, [Failure("/x/b.jpg", "cannot decode it"), Failure("/x/a.jpg", "gone")])
    lines = (tmp_path / FAILURES_FILE).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [{"source": "/x/b.jpg", "error": "cannot decode it"},
                                                    {"source": "/x/a.jpg", "error": "gone"}]
    write_failures(tmp_path, [])
    assert (tmp_path / FAILURES_FILE).read_text() == ""
    assert not list(tmp_path.glob(".*"))


def test_json_files_output_alone(tmp_path):
    writer = JsonFiles(tmp_path / "new")
    result = _result()
    writer.write(_frame(Source("image", "p.png")), result, stem="p")
    assert (tmp_path / "new" / "p_keypoints.json").read_text(encoding="utf-8") == dumps(result)


def test_batch_formats_name_their_writer_and_completeness(tmp_path):
    assert tuple(batch_formats()) == ("json", "parquet")
    json_format = batch_format("json")
    writer = json_format.open_batch(tmp_path, OutputOptions(), RunContext(key="k"))
    assert isinstance(writer, JsonFiles)
    assert not json_format.is_complete(tmp_path, key="k", stems=["a", "b"])
    assert not json_format.is_complete(tmp_path, key="k", stems=[])  # unknown length: never complete
    for stem in ("a", "b"):
        writer.write(_frame(Source("image", f"{stem}.png")), _result(), stem=stem)
    assert json_format.is_complete(tmp_path, key="k", stems=["a", "b"])
    part = batch_format("parquet").open_batch(tmp_path, OutputOptions(), RunContext(key="k", n_parts=18))
    assert isinstance(part, ParquetPart) and part.path == tmp_path / "part-k.parquet"
    with pytest.raises(ValueError, match="`format`"):
        batch_format("csv")


def test_outputs_declare_themselves():
    """Each output declares its flag and what it needs; the command's parser and checks read the declarations."""
    from openpose import cli

    declared = {cls.name: cls for cls in output_types()}
    assert set(declared) == {"json", "images", "heatmaps", "video", "coco_json", "parquet", "display"}
    assert {n for n, c in declared.items() if c.needs_drawing} == {"images", "video", "display"}
    assert {n for n, c in declared.items() if c.needs_net_output} == {"heatmaps"}
    assert {n for n, c in declared.items() if c.named_per_frame} == {"json", "images", "heatmaps"}
    assert {n for n, c in declared.items() if c.keypoint_scaled} == {"json", "coco_json", "parquet"}
    flags = {option.flag.name for cls in output_types() for option in cls.options}
    help_text = cli.build_parser().format_help(full=True)
    assert all(flag in help_text for flag in flags)
    assert Outputs.flags() == ["--write-json", "--write-images", "--write-heatmaps", "--write-video",
                               "--write-coco-json", "--write-parquet", "--display"]


def test_output_options_are_immutable_checked_and_pickle():
    import pickle

    options = OutputOptions(write_json="out", keypoint_scale=3)
    assert options["write_json"] == "out" and options["write_images"] is None
    assert options.asked() == {"write_json": "out", "keypoint_scale": 3}
    assert pickle.loads(pickle.dumps(options)) == options
    with pytest.raises(TypeError, match=r"unknown output option.*'write_jsn'"):
        OutputOptions(write_jsn="out")
    with pytest.raises(AttributeError):
        options.x = 1


def test_the_command_writes_one_parquet_file_of_the_json_people(tmp_path):
    """--write-parquet (declared by the Parquet output alone): one row per person, the JSON's keypoints."""
    pq = pytest.importorskip("pyarrow.parquet", reason='Parquet needs pyarrow (pip install "openpose[ray]")')
    from conftest import photos
    from openpose import cli

    images = photos()[:3] if len(photos()) >= 3 else pytest.skip("needs three shared photos")
    path = tmp_path / "people.parquet"
    assert cli.main([*map(str, images), "--preset", "fast", "--write-parquet", str(path),
                     "--write-json", str(tmp_path / "json"), "--quiet"]) == 0
    table = pq.read_table(path).to_pydict()
    people = [(str(image), p) for image in images for p in
              json.loads((tmp_path / "json" / f"{image.stem}_keypoints.json").read_text())["people"]]
    assert len(table["person"]) == len(people) > 0
    assert table["source"] == [source for source, _ in people]
    for keypoints, (_, person) in zip(table["keypoints"], people):
        assert keypoints == pytest.approx(person["pose_keypoints_2d"], rel=1e-6)
    assert set(table["track"]) == {-1} and parquet_is_complete(path)
    with pytest.raises(ValueError, match="--write-parquet"):
        Outputs(OutputOptions(write_parquet=tmp_path))
