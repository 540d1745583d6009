"""Writing output files atomically: never a half-written file under the final name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path, write: Callable[[str], object], *, suffix: str = ".tmp") -> Path:
    """Let `write` fill a temporary file beside `path`, then rename it to `path`.

    The temporary file lives in the same folder (so the rename is atomic) and
    ends in `suffix` (writers such as ``cv2.imwrite`` choose the format by
    extension). If `write` raises, the temporary file is removed and the
    error propagates; `path` is left as it was.

    Returns
    -------
    Path
        `path`.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=str(path.parent))
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
