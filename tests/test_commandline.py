"""Every command's command line: one-line usage errors with the closest option, a short --help, short errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from openpose import batch_cli, cli, eval_cli, models_cli
from openpose._commandline import CommandParser, closest_option
from openpose.convert import __main__ as convert_cli

# Each command, with a mistyped option (the last argument but one) close to one of its own.
COMMANDS = [
    ("openpose", cli.main, ["photo.jpg", "--write-jsn", "out"], "--write-json"),
    ("openpose batch", lambda argv: batch_cli.main(argv, prog="openpose batch"),
     ["photos", "--output", "out", "--num-wokers", "2"], "--num-workers"),
    ("openpose eval", lambda argv: eval_cli.main(argv, prog="openpose eval"),
     ["gt.json", "images", "--max-imagse", "3"], "--max-images"),
    ("openpose models", lambda argv: models_cli.main(argv, prog="openpose models"), ["--pth", "x"], "--path"),
    ("openpose convert", lambda argv: convert_cli.main(argv, prog="openpose convert"),
     ["a.prototxt", "a.caffemodel", "--szie", "1x2"], "--size"),
]


def usage_error(main, argv, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


@pytest.mark.parametrize(("prog", "main", "argv", "closest"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_mistyped_option_is_one_line_naming_it_and_the_closest(prog, main, argv, closest, capsys):
    err = usage_error(main, argv, capsys)
    typo = argv[-2]
    # Was: the usage block (17 lines for openpose), then "unrecognized arguments: ...".
    assert err == f"{prog}: error: unrecognized option {typo} (did you mean {closest}?); see {prog} --help\n"


def test_a_mistyped_choice_names_the_closest_choice(capsys):
    err = usage_error(cli.main, ["photo.jpg", "--engine", "onxruntime"], capsys)
    assert err.count("\n") == 1
    assert err.startswith("openpose: error: argument --engine: invalid choice: 'onxruntime'")
    assert "maybe you meant 'onnxruntime'?" in err and err.endswith("; see openpose --help\n")


def test_openposes_underscores_find_the_option(capsys):
    err = usage_error(cli.main, ["photo.jpg", "--net_resolution", "656x368"], capsys)
    assert "unrecognized option --net_resolution (did you mean --net-resolution?)" in err


@pytest.mark.parametrize("argv", [["photo.jpg", "--zzzzzz"], ["photo.jpg", "--frame-last", "1", "--frame-first", "3"],
                                  ["--net-height", "x", "photo.jpg"], []],
                         ids=["far-from-any-option", "semantic-check", "bad-value", "no-input"])
def test_every_usage_error_is_one_line(argv, capsys):
    err = usage_error(cli.main, argv, capsys)
    assert err.count("\n") == 1 and err.startswith("openpose: error: ") and err.endswith("; see openpose --help\n")
    assert "did you mean" not in err


def test_extra_positional_arguments(capsys):
    err = usage_error(lambda argv: models_cli.main(argv, prog="openpose models"), ["one", "two"], capsys)
    assert err == "openpose models: error: unrecognized arguments: one two; see openpose models --help\n"


def test_closest_option():
    options = ["--write-json", "--write-images", "--net-resolution", "--net-height"]
    assert closest_option("--write-jsn", options) == "--write-json"
    assert closest_option("--net_resolution", options) == "--net-resolution"
    assert closest_option("--qqqq", options) is None


# --- --help ---------------------------------------------------------------------------------------------------


def run_help(*args) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENPOSE_MODEL", "COLUMNS")}
    res = subprocess.run([sys.executable, "-m", "openpose", *args], capture_output=True, text=True, env=env,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_help_is_short_and_help_all_lists_every_option():
    brief = run_help("--help")
    full = run_help("--help-all")  # was: an unrecognized option
    lines = brief.splitlines()
    assert len(lines) < 70, len(lines)  # was: 152 lines at 80 columns
    assert lines[0] == "usage: openpose [options] [INPUT ...]"  # was: 17 lines of every option
    subcommands = tuple(f"  openpose {name} ..." for name in cli.SUBCOMMANDS)  # the epilog's list, as it was
    assert max(len(line) for line in full.splitlines() if not line.startswith(subcommands)) <= 80
    for option in cli.BRIEF_OPTIONS:
        assert option in brief
    options = [a.option_strings[-1] for a in cli.build_parser()._actions if a.option_strings]
    hidden = [o for o in options if o not in (*cli.BRIEF_OPTIONS, "--help", "--help-all")]
    assert "--net-resolution" in hidden and f"{len(hidden)} more options: openpose --help-all" in brief
    assert "--net-resolution" not in brief and "--frame-first" not in brief
    listed = set(re.findall(r"^  (?:-\w, )?(--[\w-]+)", full, re.MULTILINE))
    assert listed == set(options)
    for text in (brief, full):
        # Each default once (issue 18), and no option name split at its hyphen.
        assert "(default: None)" not in text and "(default: False)" not in text
        assert "--frame-\n" not in text and "built-\n" not in text


def test_subcommands_help_keeps_every_option():
    text = run_help("batch", "--help")
    assert text.startswith("usage: openpose batch [options] --output DIR INPUT [INPUT ...]\n")
    assert "--ray-address" in text and "--help-all" not in text


# --- a missing model -----------------------------------------------------------------------------------------


def run_command(*args, env_model=None):
    env = {k: v for k, v in os.environ.items() if k != "OPENPOSE_MODEL"}
    if env_model is not None:
        env["OPENPOSE_MODEL"] = str(env_model)
    return subprocess.run([sys.executable, "-m", "openpose", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize("given", ["option", "environment"])
def test_a_missing_model_is_a_few_short_lines(tmp_path, given):
    missing = tmp_path / "absent.onnx"
    (tmp_path / "a.jpg").write_bytes(b"")
    if given == "option":
        res = run_command(tmp_path / "a.jpg", "--model", missing)
    else:
        res = run_command(tmp_path / "a.jpg", env_model=missing)
    assert res.returncode == 2
    lines = res.stderr.splitlines()
    assert 2 <= len(lines) <= 4 and all(len(line.replace(str(missing), "P")) <= 80 for line in lines), lines  # was: one line of ~600
    where = "--model" if given == "option" else "$OPENPOSE_MODEL"
    assert lines[0] == f"openpose: error: model file {str(missing)!r} ({where}) does not exist"
    assert ("leave out --model" if given == "option" else "unset OPENPOSE_MODEL") in lines[1]
    assert "openpose models" in res.stderr


def test_openpose_eval_says_the_same_of_a_missing_model(tmp_path):
    pytest.importorskip("pycocotools")
    missing = tmp_path / "absent.onnx"
    annotations = tmp_path / "ann.json"
    annotations.write_text('{"images": [], "annotations": [], "categories": [{"id": 1, "name": "person"}]}')
    res = run_command("eval", annotations, tmp_path, "--model", missing)
    assert res.returncode == 2
    lines = res.stderr.splitlines()
    assert lines[0] == f"openpose eval: error: model file {str(missing)!r} (--model) does not exist", lines
    assert "leave out --model" in lines[1] and "openpose models" in lines[2]


def test_the_parser_is_the_one_of_every_command():
    parsers = [cli.build_parser(), batch_cli.build_parser(), eval_cli.build_parser(), models_cli.build_parser(),
               convert_cli.build_parser()]
    assert all(isinstance(p, CommandParser) for p in parsers)
