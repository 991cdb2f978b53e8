"""Submit a page's form the way a browser does: every field, in page order, duplicates kept."""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormReader(HTMLParser):
    def __init__(self, action: str, nth: int) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.skip = nth
        self.inside = False
        self.done = False
        self.fields: list[dict] = []  # {"tag", "name", "type", "value", "options"}
        self.select: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.done:
            return
        if tag == "form" and (attributes.get("action") or "") == self.action:
            if self.skip == 0:
                self.inside = True
            self.skip -= 1
            return
        if not self.inside:
            return
        if tag == "input" and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append(
                {
                    "tag": "input",
                    "name": attributes["name"],
                    "type": kind,
                    "value": attributes.get("value", "on" if kind == "checkbox" else ""),
                }
            )
        elif tag == "select" and attributes.get("name"):
            self.select = {
                "tag": "select",
                "name": attributes["name"],
                "type": "select",
                "value": None,
                "options": [],
            }
            self.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            value = attributes.get("value", "")
            self.select["options"].append(value)
            if "selected" in attributes or self.select["value"] is None:
                self.select["value"] = value
        elif tag == "textarea" and attributes.get("name"):
            self.textarea = {
                "tag": "textarea",
                "name": attributes["name"],
                "type": "textarea",
                "value": "",
            }
            self.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "textarea":
            self.textarea = None
        if tag == "form" and self.inside:
            self.inside, self.done = False, True


def browser_submission(
    html: str, action: str, *, nth: int = 0, **typed: str
) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser posts for the nth form whose action is `action`.

    `typed` is what the user chose or typed: it goes into the visible control of that name
    (a select must offer the value); hidden inputs keep what the page put there.
    """
    reader = _FormReader(action, nth)
    reader.feed(html)
    assert reader.fields, f"no form with action {action!r}"
    pairs = []
    for found in reader.fields:
        name, value = found["name"], found["value"]
        if name in typed and found["type"] != "hidden":
            value = typed[name]
            if found["type"] == "select":
                assert value in found["options"], (name, value, found["options"])
        pairs.append((name, value or ""))
    missing = set(typed) - {f["name"] for f in reader.fields if f["type"] != "hidden"}
    assert not missing, f"no visible field named {missing}"
    return pairs


def through_confirmation(client, page: str, action: str, *, nth: int = 0, **typed: str):
    """Submit a GET form that leads to a confirmation page, then that page's POST form, as a
    browser does. A refused GET (the page sends the reader back) is returned as it came."""
    asked = client.get(
        action, query_string=MultiDict(browser_submission(page, action, nth=nth, **typed))
    )
    if asked.status_code != 200:
        return asked
    confirmation = asked.get_data(as_text=True)
    return client.post(action, data=MultiDict(browser_submission(confirmation, action)))
