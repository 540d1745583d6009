"""A network's first stages: a cheaper network from the same file.

OpenPose networks (CMU's, and the MobileNet models trained the same way) are
a feature extractor followed by a chain of stages. Each stage predicts the
heatmaps and the part affinity fields from the features and the previous
stage's prediction, and every stage is trained against the same targets
(intermediate supervision), so the prediction after stage k is a complete
output of the same layout: less refined, and cheaper. CMU's own
``pose_deploy_linevec_faster_4_stages`` (MPI) is such a network, and
``PoseEstimator(stages=k)`` / ``--stages k`` runs one.

Which tensors end each stage is model data (`ModelSpec.stage_outputs`).
`first_stages` cuts an ONNX file after stage k: the output (same name, same
Concat) becomes that stage's heatmaps and PAFs, and only the nodes,
initializers and value infos that output needs are kept, so the runtime
computes nothing of the later stages. The cut model is held in memory
(`CutNetwork`) and every engine reads it from there; the file on disk is
not touched, and nothing is written.
"""

from __future__ import annotations

import numbers
from pathlib import Path

from ._protobuf import encode_field, fields, strings
from .models.files import CutNetwork, model_path
from .models.spec import ModelSpec

__all__ = ["CutNetwork", "check_stages", "cut_network", "first_stages"]

# Field numbers of onnx.proto.
_MODEL_GRAPH = 7
_GRAPH_NODE, _GRAPH_INITIALIZER, _GRAPH_INPUT, _GRAPH_OUTPUT, _GRAPH_VALUE_INFO = 1, 5, 11, 12, 13
_NODE_INPUT, _NODE_OUTPUT, _NODE_OP_TYPE = 1, 2, 4
_TENSOR_NAME = 8
_VALUE_INFO_NAME = 1


def check_stages(stages, total: int, model) -> int | None:
    """The number of stages to run: `stages` checked against the model's `total` of them.

    None means all: `total`, or None when the model's stages are not known (`total` 0).

    Raises
    ------
    TypeError
        `stages` is not an integer.
    ValueError
        Out of 1..`total`, or the model's stages are not known (`total` 0).
    """
    if stages is None:
        return total or None
    if isinstance(stages, bool) or not isinstance(stages, numbers.Integral):
        msg = f"`stages` must be an integer or None, got {stages!r}"
        raise TypeError(msg)
    if not total:
        msg = (f"`stages`: the stages of the model {str(model)!r} are not known (its ModelSpec lists no "
               "`stage_outputs`), so it runs whole; give stages=None")
        raise ValueError(msg)
    count = int(stages)
    if not 1 <= count <= total:
        msg = f"`stages` must be between 1 and {total} (the stages of {Path(str(model)).name!r}), got {count}"
        raise ValueError(msg)
    return count


def first_stages(model, spec: ModelSpec, stages: int) -> Path | CutNetwork:
    """The network of `model` that runs its first `stages` stages.

    Parameters
    ----------
    model : path
        An ONNX file.
    spec : ModelSpec
        Its spec; `ModelSpec.stage_outputs` names the tensors ending each stage.
    stages : int
        1 .. ``len(spec.stage_outputs)``.

    Returns
    -------
    Path or CutNetwork
        `model` itself for all the stages, else the cut network.

    Raises
    ------
    ValueError
        Not an ONNX file, a `stages` out of range, or a file that is not the
        network `spec` describes (a stage tensor it does not compute).
    FileNotFoundError
        No such file.
    """
    total = len(spec.stage_outputs)
    count = check_stages(stages, total, model)
    if count is None or count == total:
        return Path(model)
    path = model_path(model)  # a missing file: the message says where models come from
    if path.suffix.lower() != ".onnx":
        msg = (f"`stages`: only an ONNX network can be cut after a stage, and {path.name!r} is not one "
               "(`openpose convert` turns a Caffe model into ONNX)")
        raise ValueError(msg)
    heatmaps, pafs = spec.stage_outputs[count - 1]
    try:
        data = cut_network(path.read_bytes(), heatmaps, pafs)
    except (EOFError, ValueError) as exc:
        msg = f"`stages`: {path.name!r} cannot be cut after stage {count}: {exc}"
        raise ValueError(msg) from None
    return CutNetwork(path, count, total, data)


def _value_info_name(value_info: bytes) -> str:
    names = strings(value_info, _VALUE_INFO_NAME)
    return names[0] if names else ""


def cut_network(model: bytes, heatmaps: str, pafs: str) -> bytes:
    """An ONNX model whose output is ``Concat(heatmaps, pafs)``, with only what that needs.

    The model's one output must come from a Concat of two inputs (an
    OpenPose network's ``net_output``: heatmaps, then PAFs); that node keeps
    its name, output and attributes, and reads `heatmaps` and `pafs`
    instead. Nodes (in their order: ONNX keeps them sorted), initializers,
    graph inputs and value infos that the new output does not depend on
    are dropped; everything else is kept byte for byte.

    Raises
    ------
    ValueError, EOFError
        Not such a model, or `heatmaps` / `pafs` not computed by it.
    """
    top = fields(model)
    graphs = [f for f in top if f.number == _MODEL_GRAPH]
    if len(graphs) != 1 or graphs[0].value is None:
        msg = "not an ONNX model with one graph"
        raise ValueError(msg)
    graph = fields(graphs[0].value)
    nodes = [(i, f) for i, f in enumerate(graph) if f.number == _GRAPH_NODE and f.value is not None]
    outputs = [_value_info_name(f.value) for f in graph if f.number == _GRAPH_OUTPUT and f.value is not None]
    if len(outputs) != 1:
        msg = f"the network has {len(outputs)} outputs, not one"
        raise ValueError(msg)
    ins = {i: strings(f.value, _NODE_INPUT) for i, f in nodes if f.value is not None}
    outs = {i: strings(f.value, _NODE_OUTPUT) for i, f in nodes if f.value is not None}
    last = next((i for i, _ in nodes if outputs[0] in outs[i]), None)
    if last is None:
        msg = f"no node computes its output {outputs[0]!r}"
        raise ValueError(msg)
    last_node = graph[last].value
    if last_node is None or strings(last_node, _NODE_OP_TYPE) != ["Concat"] or len(ins[last]) != 2:
        msg = f"its output {outputs[0]!r} is not a Concat of two tensors (heatmaps, PAFs)"
        raise ValueError(msg)
    produced = {t for i, _ in nodes if i != last for t in outs[i]}
    for tensor in (heatmaps, pafs):
        if tensor not in produced:
            msg = f"it computes no tensor {tensor!r}"
            raise ValueError(msg)

    # The new output node: the inputs replaced, every other field as it was.
    rebuilt = [encode_field(_NODE_INPUT, t.encode("utf-8")) for t in (heatmaps, pafs)]
    rebuilt += [f.raw for f in fields(last_node) if f.number != _NODE_INPUT]
    new_last = encode_field(_GRAPH_NODE, b"".join(rebuilt))

    # What the output needs: walk the nodes backwards (a node's inputs are computed before it).
    needed = {heatmaps, pafs, outputs[0]}
    keep = {last}
    for i, _ in reversed(nodes):
        if i != last and any(t in needed for t in outs[i]):
            keep.add(i)
            needed.update(t for t in ins[i] if t)

    kept = []
    for i, f in enumerate(graph):
        if f.number == _GRAPH_NODE:
            if i in keep:
                kept.append(new_last if i == last else f.raw)
        elif f.number == _GRAPH_INITIALIZER:
            if f.value is not None and set(strings(f.value, _TENSOR_NAME)) & needed:
                kept.append(f.raw)
        elif f.number in (_GRAPH_INPUT, _GRAPH_VALUE_INFO):
            if f.value is not None and _value_info_name(f.value) in needed:
                kept.append(f.raw)
        else:
            kept.append(f.raw)
    new_graph = encode_field(_MODEL_GRAPH, b"".join(kept))
    return b"".join(new_graph if f.number == _MODEL_GRAPH else f.raw for f in top)
