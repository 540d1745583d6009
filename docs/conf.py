"""Sphinx configuration of the openpose docs (``nox -s docs``, ``.ci/docs``).

Prose pages are Markdown (MyST, the project's README and docs/ were written
in it); the API reference is generated from the numpydoc docstrings
(autodoc + napoleon); every option of every command comes from the parsers
themselves (``_ext/openpose_options.py``). The build needs no network.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpose

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "openpose"
author = "openpose developers"
copyright = "openpose developers, Apache-2.0"  # noqa: A001 - Sphinx's name
release = version = openpose.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "openpose_options",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
html_static_path = ["_static"]
html_theme = "alabaster"
html_title = f"openpose {release}"

# `name` in a docstring is a reference to a Python object (rendered as code);
# names Sphinx cannot resolve stay plain code, without a warning.
default_role = "py:obj"
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "member-order": "bysource", "show-inheritance": True}
autodoc_typehints = "none"  # the numpydoc sections give types and shapes
# Optional extras the reference imports but the docs build does not install.
autodoc_mock_imports = ["ray", "pyarrow", "pandas", "onnxruntime", "openvino", "onnx", "google", "pycocotools"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True  # dataclass Attributes sections as fields (autodoc documents the fields themselves)
napoleon_use_rtype = False
