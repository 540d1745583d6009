"""--write-coco-json (`openpose.outputs.CocoJson`) and ``openpose eval``."""

from __future__ import annotations

import json

import numpy as np
import pytest

import openpose
import openpose.cli
import openpose.layouts
from conftest import model_for_this_opencv, shared_path
from openpose.outputs import Outputs
from openpose.outputs.coco_output import CocoJson, coco_image_id
from openpose.sources import Frame, Source
from openpose.synthetic import synthetic_net_output


def _frame(source, index=0):
    return Frame(source, index, np.zeros((48, 64, 3), np.uint8), 10.0)


def test_coco_image_id_is_the_last_number_of_the_file_name():
    assert coco_image_id(_frame(Source("image", "/x/000000000785.jpg"))) == 785
    assert coco_image_id(_frame(Source("image", "/x/run2_img_0042.png"))) == 42
    assert coco_image_id(_frame(Source("video", "/x/clip7.avi"), 12)) == 12
    with pytest.raises(ValueError, match="holds no number"):
        coco_image_id(_frame(Source("image", "/x/photo.jpg")))


def test_coco_json_lists_every_person_with_17_keypoints(tmp_path):
    result = openpose.postprocess(synthetic_net_output(3, map_size=(16, 12), seed=1)[0], image_size=(64, 48),
                                  mode="accurate")
    assert len(result) > 0
    path = tmp_path / "dets.json"
    outputs = Outputs(extra=[CocoJson(path)])
    outputs.write(_frame(Source("image", "/x/000000000785.jpg")), result)
    outputs.write(_frame(Source("image", "/x/000000000786.jpg")), result)
    outputs.close()
    dets = json.loads(path.read_text())
    assert len(dets) == 2 * len(result)
    assert {d["image_id"] for d in dets} == {785, 786}
    coco17 = openpose.layouts.get_layout("coco").coco17_index
    for det, (pose, score) in zip(dets, [*zip(result.poses, result.scores)] * 2):
        assert det["category_id"] == 1 and det["score"] == pytest.approx(float(score))
        kps = np.asarray(det["keypoints"]).reshape(17, 3)
        for j, part in enumerate(coco17):
            if pose[part, 2] > 0:
                assert kps[j].tolist() == pytest.approx([pose[part, 0], pose[part, 1], 1.0])
            else:
                assert kps[j].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="folder"):
        CocoJson(tmp_path)


def test_openpose_eval_prints_the_coco_figures(capsys, tmp_path):
    pytest.importorskip("pycocotools")
    gt = shared_path("data/dev/gt.json")
    model = model_for_this_opencv()
    dets = tmp_path / "d.json"
    rc = openpose.cli.main(["eval", str(gt), str(gt.parent), "--model", str(model), "--preset", "fast",
                            "--max-images", "2", "--write-coco-json", str(dets)])
    out = capsys.readouterr().out
    assert rc == 0
    for label in ("AP", "AP50", "AP75", "APm", "APl", "AR"):
        assert f"{label} " in out
    assert isinstance(json.loads(dets.read_text()), list)


def test_coco_json_alone_is_an_output_and_gets_no_no_output_note(tmp_path):
    """Bug: with --write-coco-json as its only output the command said "no output option ... not saved"."""
    import subprocess
    import sys

    from conftest import photos

    photo = photos()[0] if photos() else pytest.skip("needs a shared photo")
    dets = tmp_path / "dets.json"
    env = {k: v for k, v in __import__("os").environ.items() if k != "OPENPOSE_MODEL"}
    res = subprocess.run([sys.executable, "-m", "openpose", str(photo), "--preset", "fast", "--write-coco-json",
                          str(dets)], capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    assert "no output option" not in res.stderr
    assert isinstance(json.loads(dets.read_text()), list)
    quiet = subprocess.run([sys.executable, "-m", "openpose", str(photo), "--preset", "fast"],
                           capture_output=True, text=True, timeout=300, env=env)
    assert quiet.returncode == 0 and "no output option (--write-json" in quiet.stderr
    assert "--write-coco-json" in quiet.stderr


def test_openpose_eval_runs_the_default_model_without_model(capsys, monkeypatch, tmp_path):
    """Bug: ``openpose eval`` alone required --model ("--model is required"), though its help said the default."""
    pytest.importorskip("pycocotools")
    gt = shared_path("data/dev/gt.json")
    monkeypatch.delenv("OPENPOSE_MODEL", raising=False)
    rc = openpose.cli.main(["eval", str(gt), str(gt.parent), "--preset", "fast", "--max-images", "2"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "human-pose-estimation-0001-int8.onnx" in out and "AP " in out
