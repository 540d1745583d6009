"""Run the shared COCO model on one photo and print the people found.

    python examples/photo.py ../shared/media/COCO_val2014_000000000192.jpg
"""

import json
import sys
from pathlib import Path

import cv2

import openpose

MODEL = Path(__file__).resolve().parents[2] / "shared" / "models" / "openpose_mobilenet_v2_small_coco.onnx"


def main(path: str) -> None:
    image = cv2.imread(path)
    if image is None:
        raise SystemExit(f"cannot read image {path!r}")
    h, w = image.shape[:2]
    net_w = max(16, round(368 * w / h / 16) * 16)
    net = cv2.dnn.readNetFromONNX(str(MODEL))
    net.setInput(cv2.dnn.blobFromImage(image, 1.0, (net_w, 368), (0, 0, 0), swapRB=False, crop=False))
    result = openpose.postprocess(net.forward(), image_size=(w, h), mode="seed")
    people = [{"score": float(s), "keypoints": p.round(1).tolist()} for p, s in zip(result.poses, result.scores)]
    print(json.dumps({"image": path, "people": people}))
    print(f"{len(result)} people in {path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(MODEL.parents[1] / "media" / "COCO_val2014_000000000192.jpg"))
