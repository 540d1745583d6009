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


def signatures_in_doc(doc: str | None, name: str) -> list[tuple[str, ...]]:
    """Parameter names of every overload of `name` in a pybind11 docstring (``*`` marks keyword-only ones)."""
    return [tuple(p.split(":", 1)[0].strip() for p in params) for params in parameters_in_doc(doc, name)]


def parameters_in_doc(doc: str | None, name: str) -> list[list[str]]:
    """The parameters ("name: type[ = default]") of every overload of `name` in a pybind11 docstring."""
    signatures = []
    for line in (doc or "").splitlines():
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
        signatures.append(_split_top_level(head[len(name) + 1:end]))
    return signatures


def binding_signatures(name: str) -> list[tuple[str, ...]]:
    """Parameter names of every overload of ``_ext.<name>``, read from pybind11's docstring signatures."""
    return signatures_in_doc(getattr(_ext, name).__doc__, name)


def bindings() -> list[str]:
    """The public functions of the compiled module."""
    return sorted(n for n in dir(_ext) if not n.startswith("_") and callable(getattr(_ext, n))
                  and not isinstance(getattr(_ext, n), type))


def binding_classes() -> list[str]:
    """The public classes of the compiled module."""
    return sorted(n for n in dir(_ext) if not n.startswith("_") and isinstance(getattr(_ext, n), type))


def binding_attributes() -> dict[str, object]:
    """The public module attributes that are neither functions nor classes (the limits)."""
    return {n: getattr(_ext, n) for n in dir(_ext) if not n.startswith("_") and not callable(getattr(_ext, n))}


def class_members(name: str) -> tuple[dict[str, list[tuple[str, ...]]], set[str]]:
    """({method: parameter names per overload}, {property}) of the bound class ``_ext.<name>``."""
    cls = getattr(_ext, name)
    methods, properties = {}, set()
    for member, value in vars(cls).items():
        if isinstance(value, property):
            if not member.startswith("_"):
                properties.add(member)
        elif callable(value) and (member == "__init__" or not member.startswith("_")):
            methods[member] = signatures_in_doc(value.__doc__, member)
    return methods, properties


def _parameter_names(node: ast.FunctionDef) -> tuple[str, ...]:
    a = node.args
    names = [p.arg for p in (*a.posonlyargs, *a.args)]
    names += [f"*{a.vararg.arg}"] if a.vararg else (["*"] if a.kwonlyargs else [])
    names += [p.arg for p in a.kwonlyargs]
    names += [f"**{a.kwarg.arg}"] if a.kwarg else []
    return tuple(names)


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))


def stub_signatures() -> dict[str, list[tuple[str, ...]]]:
    """Parameter names of every function (each overload) in the stub."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for node in _stub_tree().body:
        if isinstance(node, ast.FunctionDef):
            out.setdefault(node.name, []).append(_parameter_names(node))
    return out


def stub_classes() -> dict[str, tuple[dict[str, list[tuple[str, ...]]], set[str]]]:
    """({method: parameter names per overload}, {property}) of every class in the stub."""
    out = {}
    for node in _stub_tree().body:
        if isinstance(node, ast.ClassDef):
            methods: dict[str, list[tuple[str, ...]]] = {}
            properties = set()
            for item in node.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                if any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list):
                    properties.add(item.name)
                else:
                    methods.setdefault(item.name, []).append(_parameter_names(item))
            out[node.name] = (methods, properties)
    return out


def stub_attributes() -> dict[str, str]:
    """Annotated module-level names of the stub, with their annotation."""
    return {node.target.id: ast.unparse(node.annotation) for node in _stub_tree().body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}


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
    # Guards the set comparisons of this file against an empty module or stub.
    assert len(bindings()) >= 5
    assert len(stub_signatures()) >= 5
    assert {"SeedDecoder", "AccurateDecoder"} <= set(binding_classes())
    assert "MAX_PEAKS_PER_PART" in binding_attributes()


@pytest.mark.parametrize("name", bindings(), ids=str)
def test_stub_parameters_match_the_binding(name):
    stub = stub_signatures().get(name)
    if stub is None:
        pytest.fail(f"openpose._ext.{name} has no entry in {STUB.name}")
    binding = binding_signatures(name)
    assert binding, f"no signature found in the docstring of openpose._ext.{name}"
    assert sorted(stub) == sorted(binding), f"{name}: stub parameters {stub} != binding parameters {binding}"


def all_binding_parameters() -> dict[str, list[list[str]]]:
    """The parameters per overload of every function and every class method of the compiled module."""
    out = {name: parameters_in_doc(getattr(_ext, name).__doc__, name) for name in bindings()}
    for cls in binding_classes():
        for member, value in vars(getattr(_ext, cls)).items():
            if callable(value) and not isinstance(value, property) and (
                    member == "__init__" or not member.startswith("_")):
                out[f"{cls}.{member}"] = parameters_in_doc(value.__doc__, member)
    return out


def test_every_parameter_of_every_binding_has_a_name():
    # pybind11 names a parameter without py::arg "arg0", "arg1", ...
    names = {name: [p.split(":", 1)[0].strip() for p in params]
             for name, signatures in all_binding_parameters().items() for params in signatures}
    assert len(names) >= 15  # the functions and the methods of both classes
    unnamed = {name: sig for name, sig in names.items() if any(p.startswith("arg") and p[3:].isdigit() for p in sig)}
    assert not unnamed, f"bindings with unnamed parameters (add py::arg): {unnamed}"


def test_no_option_is_positional():
    # Was: free stage functions with 9 to 15 positional parameters, where two
    # floats could be swapped without any error. By position now: arrays,
    # sequences of arrays, and the sizes (width, height, n_parts); the
    # rest by keyword.
    for name, signatures in all_binding_parameters().items():
        for params in signatures:
            positional = params[:params.index("*")] if "*" in params else params
            for p in positional:
                param, annotation = (x.strip() for x in p.split(":", 1))
                ok = param == "self" or "numpy" in annotation or param in {"width", "height", "n_parts"}
                assert ok, f"{name}: `{p}` is positional; make it keyword-only (py::kw_only())"


def test_the_classes_match():
    assert sorted(stub_classes()) == binding_classes()


@pytest.mark.parametrize("name", binding_classes(), ids=str)
def test_stub_class_members_match_the_binding(name):
    stub = stub_classes().get(name)
    if stub is None:
        pytest.fail(f"openpose._ext.{name} has no class in {STUB.name}")
    stub_methods, stub_properties = stub
    methods, properties = class_members(name)
    assert stub_properties == properties, f"{name}: stub properties {stub_properties} != {properties}"
    assert sorted(stub_methods) == sorted(methods), f"{name}: stub methods {sorted(stub_methods)} != {sorted(methods)}"
    for method, binding in methods.items():
        assert binding, f"no signature found in the docstring of openpose._ext.{name}.{method}"
        assert sorted(stub_methods[method]) == sorted(binding), (
            f"{name}.{method}: stub parameters {stub_methods[method]} != binding parameters {binding}")


def test_the_limits_match():
    attributes = binding_attributes()
    stub = stub_attributes()
    assert sorted(stub) == sorted(attributes)
    for name, value in attributes.items():
        assert stub[name] == "int" and isinstance(value, int), f"{name}: {value!r} against stub type {stub[name]}"


@pytest.mark.parametrize("mode", ["seed", "accurate"])
def test_the_mode_constants_are_spelled_once(mode):
    """`openpose.params` is the Python side's source; the compiled module's defaults (its C++ headers') and the
    stub's equal it."""
    import dataclasses

    from openpose.params import PARAMS

    params = PARAMS[mode]
    expected = {f.name: f.default for f in dataclasses.fields(params)}
    cls = "SeedDecoder" if mode == "seed" else "AccurateDecoder"
    (binding,) = parameters_in_doc(getattr(_ext, cls).__init__.__doc__, "__init__")
    got = {}
    for parameter in binding:
        head, _, default = parameter.partition(" = ")
        name = head.split(":", 1)[0].strip()
        if default:
            got[name] = ast.literal_eval(default)
    assert got == expected
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    init = next(item for node in tree.body if isinstance(node, ast.ClassDef) and node.name == cls
                for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__")
    stub = {a.arg: ast.literal_eval(d) for a, d in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True)
            if d is not None}
    assert stub == expected
    # The decoders' own defaults are these parameters, and nothing else spells them.
    decoder = getattr(openpose, cls)("coco")
    assert decoder.params == params()
