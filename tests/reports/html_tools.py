"""Reading a rendered report back: its tags, attributes and scripts (stdlib parser)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    """What a report is made of, as a browser's tokenizer sees it."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str | None], str]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def attrs(self, name: str) -> list[str]:
        """Values of attribute ``name`` on every tag."""
        return [a[name] for _, a in self.tags if a.get(name) is not None]

    def json_scripts(self) -> dict[str, object]:
        """``id`` -> parsed content of every ``<script type="application/json">``."""
        return {a["id"]: json.loads(body) for a, body in self.scripts
                if a.get("type") == "application/json"}

    def body_text(self) -> str:
        return " ".join(" ".join(self.text).split())


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: tuple[str, dict] | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.page.tags.append((tag, attributes))
        if tag in ("script", "style"):
            self._open, self._buffer = (tag, attributes), []

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            body = "".join(self._buffer)
            if tag == "script":
                self.page.scripts.append((self._open[1], body))
            else:
                self.page.styles.append(body)
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._buffer.append(data)
        else:
            self.page.text.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page
