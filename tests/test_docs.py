"""The README and the docs: a short README that starts with the set-up commands; tables where the scripts write."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
# (page, block): the tables the benchmark scripts write (benchmarks/doc_tables.py).
TABLES = [("accuracy.md", "accuracy-table"), ("models.md", "engines-table"), ("performance.md", "perf-tables"),
          ("performance.md", "video-table"), ("tracking.md", "tracking-table")]


def readme() -> str:
    if not README.is_file():
        pytest.skip("no README.md beside the tests (an installed wheel's tests)")
    return README.read_text(encoding="utf-8")


def test_the_readme_is_short_and_starts_with_the_two_set_up_commands():
    text = readme()
    assert len(text.splitlines()) < 250  # was: 927 lines
    first_block = re.search(r"```bash\n(.*?)```", text, re.DOTALL).group(1).splitlines()
    assert len(first_block) == 2
    assert first_block[0].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install . && openpose ")
    assert first_block[1] == ('python3 -m venv .venv && . .venv/bin/activate && pip install ".[test,convert]" '
                              "&& python -m pytest")
    assert text.index("```bash") < text.index("\n## ")  # before any section


def test_the_readme_links_to_files_that_exist():
    text = readme()
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert "docs/_static/result.jpg" in links and "docs/robustness.md" in links
    for link in links:
        assert (ROOT / link).is_file(), link
    assert (ROOT / "docs" / "_static" / "result.jpg").stat().st_size < 100_000  # a small picture


def test_what_the_first_command_writes_is_ignored_by_git():
    text = readme()
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    first = re.search(r"```bash\n(.*?)\n", text).group(1)
    folders = set(re.findall(r"--write-(?:json|images) (\S+)", first))
    assert folders == {"out/"}
    for folder in folders:
        probe = f"{folder}COCO_val2014_000000000192_keypoints.json"
        res = subprocess.run([git, "check-ignore", "-q", probe], cwd=ROOT)
        assert res.returncode == 0, f"{probe} would show as untracked"  # was: not ignored


@pytest.mark.parametrize(("page", "name"), TABLES, ids=[name for _, name in TABLES])
def test_each_measured_table_is_in_its_docs_page(page, name):
    path = DOCS / page
    if not path.is_file():
        pytest.skip("no docs/ beside the tests (an installed wheel's tests)")
    text = path.read_text(encoding="utf-8")
    assert text.count(f"<!-- {name}:start -->") == 1 and text.count(f"<!-- {name}:end -->") == 1
    assert f"<!-- {name}:start -->" not in readme()


def test_write_table_replaces_only_its_block(tmp_path, monkeypatch):
    if not (ROOT / "benchmarks" / "doc_tables.py").is_file():
        pytest.skip("no benchmarks/ beside the tests")
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import doc_tables

    page = tmp_path / "page.md"
    page.write_text("# Page\n\nbefore\n<!-- t:start -->\nold\n<!-- t:end -->\nafter\n", encoding="utf-8")
    monkeypatch.setattr(doc_tables, "DOCS", tmp_path)
    doc_tables.write_table("page.md", "t", "| a |\n|---|\n")
    assert page.read_text(encoding="utf-8") == "# Page\n\nbefore\n<!-- t:start -->\n| a |\n|---|\n<!-- t:end -->\nafter\n"
    with pytest.raises(SystemExit, match="no <!-- u:start -->"):
        doc_tables.write_table("page.md", "u", "x")
    sys.modules.pop("doc_tables", None)
