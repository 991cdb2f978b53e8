"""`flask trim-css`: Bootstrap's stylesheet cut down to the classes our code can produce.

Every word that appears in templates/, static/js/ and shop/ (class attributes, form widgets,
flash categories...) counts as used, plus the state classes Bootstrap's own JavaScript adds;
a rule is kept when every class in one of its selectors is used. Element, attribute and
:root rules, @font-face and @keyframes are kept whole. Generous by design: a spare rule costs a
few bytes, a missing one breaks a page. The output, static/css/bootstrap.trimmed.css, is
committed; run the command again after adding Bootstrap classes to templates.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
CLASS_RE = re.compile(r"\.((?:[A-Za-z0-9_-]|\\.)+)")
# Classes Bootstrap's JavaScript sets at run time (collapse, dropdown, modal, fade...).
JS_STATES = {"show", "showing", "hide", "collapse", "collapsing", "fade", "active", "disabled"}
SOURCES = (("templates", "*.html"), ("static/js", "*.js"), ("shop", "*.py"))


def used_words(root: Path) -> set[str]:
    words = set(JS_STATES)
    for folder, pattern in SOURCES:
        for path in (root / folder).rglob(pattern):
            words.update(WORD_RE.findall(path.read_text(errors="ignore")))
    return words


def _blocks(css: str):
    """Top-level (prelude, body) pairs of a stylesheet; comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    position, depth, start, prelude = 0, 0, 0, ""
    while position < len(css):
        char = css[position]
        if char == "{":
            if depth == 0:
                prelude, start = css[start:position].strip(), position + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                yield prelude, css[start:position]
                start = position + 1
        elif char == ";" and depth == 0:  # @charset / @import
            yield css[start : position + 1].strip(), None
            start = position + 1
        position += 1


def _selector_used(selector: str, words: set[str]) -> bool:
    classes = [name.replace("\\", "") for name in CLASS_RE.findall(selector)]
    return all(name in words for name in classes)


def trim(css: str, words: set[str]) -> str:
    """The rules of `css` whose selectors only name used classes."""
    out = []
    for prelude, body in _blocks(css):
        if body is None:
            out.append(prelude)
        elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
            inner = trim(body, words)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{body}}}")
        else:
            kept = [s for s in prelude.split(",") if _selector_used(s, words)]
            if kept:
                out.append(f"{','.join(kept)}{{{body}}}")
    return "".join(out)


def bootstrap_css() -> Path:
    blueprint = current_app.blueprints["bootstrap"]
    return Path(blueprint.static_folder) / "css" / "bootstrap.min.css"


@click.command("trim-css")
@with_appcontext
def trim_css() -> None:
    """Write static/css/bootstrap.trimmed.css: Bootstrap without the unused rules."""
    root = Path(current_app.root_path).parent
    source = bootstrap_css()
    css = source.read_text()
    trimmed = trim(css, used_words(root))
    target = root / "static" / "css" / "bootstrap.trimmed.css"
    header = f"/* Bootstrap {source.parent.parent.name}, trimmed by `flask trim-css`. */\n"
    target.write_text(header + trimmed + "\n")
    click.echo(f"{len(css) // 1024} KiB -> {len(trimmed) // 1024} KiB: {target}")
