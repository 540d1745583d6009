"""Write the fuzzer's seed corpus (fuzz/corpus/) from real network outputs.

Runs the shared COCO model (../shared/models) on the first shared photos and
cuts small windows out of its heatmaps and PAFs around the strongest peaks,
in the input layout fuzz/fuzz_core.cpp reads (see its header). Without the
shared material it falls back to `openpose.synthetic_net_output`, so the
corpus can always be rebuilt:

    python fuzz/make_corpus.py            # rewrites fuzz/corpus/*.bin
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
MODEL = SHARED / "models" / "openpose_mobilenet_v2_small_coco.onnx"
MODEL_FIXED = SHARED / "models" / "openpose_mobilenet_v2_small_coco_368x432.onnx"

CONTOURS, POLYGON, PEAKS, POSTPROCESS = 0, 1, 2, 3


def net_outputs(n_photos: int = 2):
    """(name, (C, h, w) float32 output, (width, height)) of real photos, else synthetic ones."""
    import cv2

    model = MODEL if int(cv2.__version__.split(".")[0]) >= 5 else MODEL_FIXED
    photos = sorted((SHARED / "media").glob("*.jpg"))[:n_photos]
    if model.exists() and photos:
        net = cv2.dnn.readNetFromONNX(str(model))
        for path in photos:
            image = cv2.imread(str(path))
            h, w = image.shape[:2]
            net_w = max(16, int(round(368 * w / h / 16.0)) * 16)
            net.setInput(cv2.dnn.blobFromImage(image, 1.0, (net_w, 368), (0, 0, 0), swapRB=False, crop=False))
            yield path.stem[-6:], np.array(net.forward(), np.float32)[0], (w, h)
        return
    print("make_corpus: no shared model or photos; using synthetic outputs", file=sys.stderr)
    from openpose import synthetic_net_output

    for seed in range(n_photos):
        out = synthetic_net_output(3, map_size=(46, 46), seed=seed)
        yield f"synthetic{seed}", np.asarray(out, np.float32).reshape(-1, 46, 46), (368, 368)


def window(maps: np.ndarray, center, size: int) -> np.ndarray:
    """A size x size window of (C, h, w) maps around center (x, y), clipped to the maps."""
    h, w = maps.shape[-2:]
    x0 = int(np.clip(center[0] - size // 2, 0, max(w - size, 0)))
    y0 = int(np.clip(center[1] - size // 2, 0, max(h - size, 0)))
    return np.ascontiguousarray(maps[..., y0:y0 + size, x0:x0 + size])


def as_bytes(values: np.ndarray) -> bytes:
    return np.clip(np.round(values * 255), 0, 255).astype(np.uint8).tobytes()


def peaks_input(heat: np.ndarray, scale: int) -> bytes:
    mh, mw = heat.shape
    head = bytes([PEAKS, 0, mw - 1, mh - 1]) + struct.pack("<HH", mw * scale - 1, mh * scale - 1) + bytes([26])
    return head + as_bytes(heat)


def postprocess_input(maps: np.ndarray, scale: int) -> bytes:
    """Two parts (channels 0, 1) joined by one limb whose PAF is channels 2, 3; raw float32 values."""
    _, mh, mw = maps.shape
    head = bytes([POSTPROCESS, 1, 2 - 1, 1, 0, 1, 2, 3, 1, 4 - 1, mw - 1, mh - 1,
                  min(mw * scale, 200) - 1, min(mh * scale, 200) - 1, 26, 10, 26, 179])
    return head + maps.astype("<f4").tobytes()


def mask_and_polygons(heat: np.ndarray, scale: int):
    import cv2

    big = cv2.resize(heat, (heat.shape[1] * scale, heat.shape[0] * scale), interpolation=cv2.INTER_LINEAR)
    mask = (cv2.GaussianBlur(big, (3, 3), 0) > 0.1).astype(np.uint8)[:64, :64]
    h, w = mask.shape
    bits = np.packbits(mask.ravel(), bitorder="little").tobytes()
    yield "mask", bytes([CONTOURS, 0, w - 1, h - 1, 0]) + bits
    contours, _ = cv2.findContours(mask * 255, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    for i, c in enumerate(contours[:2]):
        pts = c.reshape(-1, 2)[:15]
        coords = bytes(int(np.clip(v + 64, 0, 255)) for xy in pts for v in xy)
        yield f"poly{i}", bytes([POLYGON, 0, min(w, 128) - 1, min(h, 128) - 1, len(pts)]) + coords


def main() -> int:
    out_dir = HERE / "corpus"
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.glob("*.bin"):
        old.unlink()
    written = 0
    # COCO: part 1 (neck), part 2 (right shoulder), limb 0's PAF channels 31, 32.
    for name, out, _ in net_outputs():
        for part in (0, 1, 4):
            heat = out[part]
            y, x = np.unravel_index(int(np.argmax(heat)), heat.shape)
            (out_dir / f"peaks_{name}_p{part}.bin").write_bytes(peaks_input(window(heat, (x, y), 32), 4))
            for kind, data in mask_and_polygons(window(heat, (x, y), 16), 4):
                (out_dir / f"{kind}_{name}_p{part}.bin").write_bytes(data)
                written += 1
            written += 1
        y, x = np.unravel_index(int(np.argmax(out[1])), out[1].shape)
        maps = window(out[[1, 2, 31, 32]], (x, y), 20)
        (out_dir / f"postprocess_{name}.bin").write_bytes(postprocess_input(maps, 8))
        written += 1
    print(f"make_corpus: wrote {written} files to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
