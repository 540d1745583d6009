"""openpose/_ext.pyi describes the compiled module exactly: same functions, same parameters.

Runs against whatever ``openpose`` is imported (the checkout or an installed
wheel), so it also checks that the stub and ``py.typed`` ship with the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import openpose
from openpose import _ext

PACKAGE_DIR = Path(openpose.__file__).resolve().parent
STUB = PACKAGE_DIR / "_ext.pyi"


def _split_top_level(text: str) -> list[str]:
    """Split at commas that are not inside brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current))
    return [p.strip() for p in parts]


def binding_signatures(name: str) -> list[tuple[str, ...]]:
    """Parameter names of every overload of ``_ext.<name>``, read from pybind11's docstring signatures."""
    signatures = []
    for line in (getattr(_ext, name).__doc__ or "").splitlines():
        head = line.split(". ", 1)[1] if line[:1].isdigit() and ". " in line else line
        if not head.startswith(f"{name}("):
            continue
        depth, end = 0, None
        for i, ch in enumerate(head[len(name):], start=len(name)):
            depth += ch in "([{"
            depth -= ch in ")]}"
            if depth == 0:
                end = i
                break
        assert end is not None, f"unreadable pybind11 signature: {line!r}"
        params = _split_top_level(head[len(name) + 1:end])
        signatures.append(tuple(p.split(":", 1)[0].strip() for p in params))
    return signatures


def bindings() -> list[str]:
    """The public functions of the compiled module."""
    return sorted(n for n in dir(_ext) if not n.startswith("_") and callable(getattr(_ext, n)))


def stub_signatures() -> dict[str, list[tuple[str, ...]]]:
    """Parameter names of every function (each overload) in the stub."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))
    out: dict[str, list[tuple[str, ...]]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            names = [p.arg for p in (*a.posonlyargs, *a.args)]
            names += [f"*{a.vararg.arg}"] if a.vararg else []
            names += [p.arg for p in a.kwonlyargs]
            names += [f"**{a.kwarg.arg}"] if a.kwarg else []
            out.setdefault(node.name, []).append(tuple(names))
    return out


def test_stub_and_py_typed_ship_with_the_package():
    assert STUB.is_file(), f"{STUB} is missing from the installed package"
    assert (PACKAGE_DIR / "py.typed").is_file(), f"{PACKAGE_DIR / 'py.typed'} is missing"


def test_every_binding_has_a_stub():
    missing = sorted(set(bindings()) - set(stub_signatures()))
    assert not missing, f"functions of openpose._ext without an entry in {STUB.name}: {missing}"


def test_every_stub_is_a_binding():
    extra = sorted(set(stub_signatures()) - set(bindings()))
    assert not extra, f"{STUB.name} describes functions openpose._ext does not have: {extra}"


def test_the_module_has_bindings():
    # Guards the two set comparisons above against an empty module or stub.
    assert len(bindings()) >= 8
    assert len(stub_signatures()) >= 8


@pytest.mark.parametrize("name", bindings(), ids=str)
def test_stub_parameters_match_the_binding(name):
    stub = stub_signatures().get(name)
    if stub is None:
        pytest.fail(f"openpose._ext.{name} has no entry in {STUB.name}")
    binding = binding_signatures(name)
    assert binding, f"no signature found in the docstring of openpose._ext.{name}"
    assert sorted(stub) == sorted(binding), f"{name}: stub parameters {stub} != binding parameters {binding}"
