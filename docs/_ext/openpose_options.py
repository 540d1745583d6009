"""``openpose-options``: every option of a command, read from its argparse parser.

    ```{openpose-options} openpose.cli:build_parser
    ```

renders each group of the parser as a list of ``option`` entries (Sphinx's
standard domain, so ``:option:`openpose --net-height``` links to one), with
the help text and the default as ``--help-all`` shows them. The options are
declared once, in the parsers; this page cannot fall behind them.
"""

from __future__ import annotations

import argparse
import importlib
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

_SPECIAL = re.compile(r"([\\`*_|\[\]<>])")


def _escaped(text: str) -> str:
    """`text` as reStructuredText shows it, character for character."""
    return _SPECIAL.sub(r"\\\1", text)


class OpenposeOptions(SphinxDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        module_name, _, function = self.arguments[0].partition(":")
        parser: argparse.ArgumentParser = getattr(importlib.import_module(module_name), function)()
        formatter = parser._get_formatter()
        lines = [f".. program:: {parser.prog}", ""]
        for group in parser._action_groups:
            actions = [a for a in group._group_actions if a.help is not argparse.SUPPRESS]
            if not actions:
                continue
            lines += [f".. rubric:: {_escaped(group.title or '')}", ""]
            for action in actions:
                if action.option_strings:
                    args = formatter._format_args(action, action.dest.upper()) if action.nargs != 0 else ""
                    names = ", ".join(f"{s} {args}".strip() for s in action.option_strings)
                else:
                    names = formatter._format_args(action, action.dest)
                help_text = formatter._expand_help(action) if action.help else ""
                if action.option_strings:
                    lines += [f".. option:: {names}", "", f"   {_escaped(' '.join(help_text.split()))}", ""]
                else:
                    lines += [f"``{names}``", f"   {_escaped(' '.join(help_text.split()))}", ""]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.arguments[0]), self.content_offset, container)
        return container.children


def setup(app):
    app.add_directive("openpose-options", OpenposeOptions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
