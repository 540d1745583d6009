"""Developer sessions that mirror the CI (``.ci/``): ``nox -l`` lists them.

``nox`` alone runs ``lint`` and ``tests``; ``nox -s ray`` (etc.) the others.
The CI runs ``.ci/run``; each session runs the same script or commands:

- ``lint``: ``.ci/lint`` (ruff and mypy, pinned in pyproject.toml's ``lint`` group);
- ``tests``: the README's test command in a fresh environment (``.ci/run``, first step);
- ``opencv4``: the inference, model and converter tests with OpenCV 4.x (``.ci/run``);
- ``ray``: the Ray Data tests with ``openpose[ray]`` (``.ci/run``);
- ``packaging``, ``docs``, ``warnings``, ``sanitize``, ``fuzz``: ``.ci/packaging``,
  ``.ci/docs`` (Sphinx, warnings as errors), ``.ci/warnings``, ``.ci/sanitize``, ``.ci/fuzz``.

The scripts build their own virtual environments, so their sessions run them
as they are (no nox environment). ``tests``, ``opencv4`` and ``ray`` repeat
the commands written in ``.ci/run``: change both together. Arguments after
``--`` go to pytest (``nox -s tests -- -k layouts``); ``nox -s lint -- python3.13``
picks the Python of .ci/lint's environment. Tests that need the shared
material (models, photos) find it at ../shared, or where OPENPOSE_SHARED points.
"""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2024.4.15"
nox.options.sessions = ["lint", "tests"]

# As in .ci/run: the tests that OpenCV's major version can change.
OPENCV4_TESTS = ["tests/test_models.py", "tests/test_estimator.py", "tests/test_evaluation.py", "tests/test_convert.py",
                 "tests/test_builtin_model.py", "tests/test_doctests.py", "tests/test_stages.py",
                 "tests/test_model_families.py"]


def _script(session: nox.Session, name: str) -> None:
    session.run(f".ci/{name}", *session.posargs, external=True)


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """ruff and mypy, the pinned versions (.ci/lint)."""
    _script(session, "lint")


@nox.session
def tests(session: nox.Session) -> None:
    """The README's test command: pip install ".[test,convert]" && python -m pytest."""
    session.install(".[test,convert]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def opencv4(session: nox.Session) -> None:
    """The inference and model tests with OpenCV 4.x (Caffe importer, fixed-shape ONNX file)."""
    session.install("opencv-python-headless>=4.8,<5", ".[test,convert]")
    check = (
        "import cv2, sys; "
        "sys.exit(0 if cv2.__version__.startswith('4.') else 'expected OpenCV 4.x, got ' + cv2.__version__)"
    )
    session.run("python", "-c", check)
    session.run("python", "-m", "pytest", *OPENCV4_TESTS, *session.posargs)


@nox.session
def ray(session: nox.Session) -> None:
    """The Ray Data tests (a local instance, then a two-node loopback cluster): a few minutes."""
    session.install(".[test,ray]")
    session.run("python", "-m", "pytest", "-m", "ray", "tests/test_ray.py", *session.posargs)


@nox.session(venv_backend="none")
def packaging(session: nox.Session) -> None:
    """sdist -> wheel -> auditwheel -> tests against the installed wheel; cibuildwheel configuration."""
    _script(session, "packaging")


@nox.session(venv_backend="none")
def docs(session: nox.Session) -> None:
    """The docs with warnings as errors (.ci/docs); DOCS_OUT=docs/_build/html keeps the HTML there."""
    session.env["DOCS_OUT"] = os.environ.get("DOCS_OUT", "docs/_build/html")
    _script(session, "docs")


@nox.session
def warnings(session: nox.Session) -> None:
    """The C++ core and extension build warning-free with g++ and clang++ (.ci/warnings)."""
    session.install("pybind11")
    session.run(".ci/warnings", f"{session.bin}/python", external=True)


@nox.session(venv_backend="none")
def sanitize(session: nox.Session) -> None:
    """The extension under AddressSanitizer + UndefinedBehaviorSanitizer, the C++-heavy tests."""
    _script(session, "sanitize")


@nox.session(venv_backend="none")
def fuzz(session: nox.Session) -> None:
    """libFuzzer on the C++ core for a bounded time (FUZZ_SECONDS, default 60; needs clang)."""
    _script(session, "fuzz")
