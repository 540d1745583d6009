"""Access to the compiled extension, with a plain error when it is missing."""

from __future__ import annotations


def ext():
    """The private C++ module ``openpose._ext``."""
    try:
        from . import _ext
    except ImportError as exc:  # pragma: no cover - depends on the installation
        msg = (
            "the C++ extension of openpose is not built (openpose._ext failed to import: "
            f"{exc}); reinstall with `pip install .`, or pass implementation='python'"
        )
        raise ImportError(msg) from exc
    return _ext
