"""User Markdown to safe HTML, and to plain text for snippets and search.

markdown-it-py renders CommonMark + tables + strikethrough with raw HTML off (a typed ``<tag>``
shows as text), then a bleach ``Cleaner`` enforces the tag/attribute/scheme allowlist. This is
the ONLY module importing bleach: swapping to nh3 means rewriting ``_CLEANER`` here, nothing else.

Policy: images never load; ``![alt](url)`` becomes ``<a href="url">alt</a>`` (the URL is the
text if alt is empty; just alt inside another link). Table alignment is ``align=`` on th/td,
never ``style=``. Bare ``http(s)://``/``www.`` URLs are linkified outside pre/code (``app.py``
is not). Every link gets ``rel="nofollow noopener"``; a non-http(s)/mailto/relative one is text.
If Markdown syntax would swallow all visible text (a lone ``-`` or ``#``), the source is shown
as an escaped paragraph instead, so what a person typed stays readable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import partial
from typing import Any

from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

__all__ = ["render_inline", "render_markdown", "to_plain_text"]

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
})  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_ALIGNS = frozenset({"left", "center", "right"})
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})  # Unicode categories nobody can see
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0/C1 except \t, \n
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")  # browsers ignore these inside a URL
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Only explicit http(s):// or www.; bleach's default links any name ending in a TLD (README.md).
_BARE_URL = re.compile(
    r"""(?<![\w@.:/+-])\(*(?:https?://|www\.)[^\s<>"`{}|\\^]*[^\s<>"`{}|\\^.,;:!?'"]""",
    re.IGNORECASE,
)


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Attribute allowlist: a href/title, and th/td align with a known value only."""
    if tag == "a":
        return name in {"href", "title"}
    return tag in {"th", "td"} and name == "align" and value in _ALIGNS


def _link_callback(attrs: dict[Any, str], new: bool = False) -> dict[Any, str] | None:
    """Add rel to every link; a link without an allowed href is replaced by its text."""
    href = attrs.get((None, "href"))
    scheme = _SCHEME.match(_URL_JUNK.sub("", href or "").lower())
    if not href or (scheme and scheme.group(1) not in ALLOWED_PROTOCOLS):
        return None
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_LINKIFY = partial(
    LinkifyFilter, callbacks=[_link_callback], skip_tags=["pre", "code"], url_re=_BARE_URL
)
_CLEANER = Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LINKIFY],
)


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Render an image as a link to it (or as its alt text when already inside a link)."""
    token = tokens[idx]
    alt = escapeHtml(self.renderInlineAsText(token.children or [], options, env))
    src = str(token.attrGet("src") or "")
    if token.meta.get("in_link") or not src:
        return alt
    return f'<a href="{escapeHtml(src)}">{alt or escapeHtml(src)}</a>'


def _adjust_tokens(state: StateCore) -> None:
    """Turn cells' ``style="text-align:x"`` into ``align="x"``; mark images inside links."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"} and token.attrs:
            align = str(token.attrs.pop("style", "")).removeprefix("text-align:")
            if align in _ALIGNS:
                token.attrSet("align", align)
        depth = 0
        for child in token.children or []:
            depth += (child.type == "link_open") - (child.type == "link_close")
            if child.type == "image" and depth > 0:
                child.meta["in_link"] = True


_MD = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)
_MD.add_render_rule("image", _render_image)
_MD.core.ruler.push("skillswap_adjust", _adjust_tokens)


def _prepare(source: str | None) -> str:
    """Normalise line endings and drop control characters other than tab and newline."""
    return _CONTROL.sub("", (source or "").replace("\r\n", "\n").replace("\r", "\n"))


def _visible(text: str) -> bool:
    """True if some character is one a reader can see (not space, control or format)."""
    return any(unicodedata.category(c) not in _INVISIBLE and not c.isspace() for c in text)


def _text_of(tokens: Sequence[Token]) -> str:
    """The readable text of parsed tokens, whitespace collapsed to single spaces."""
    parts: list[str] = []
    for token in tokens:
        if token.type in {"text", "code_inline", "fence", "code_block"}:
            parts.append(token.content)
        elif token.type == "image":
            parts.append(_text_of(token.children or []) or str(token.attrGet("src") or ""))
        elif token.children:
            parts.append(_text_of(token.children))
        parts.append(" " if token.block or token.type.endswith("break") else "")
    return " ".join("".join(parts).split())


def render_markdown(source: str | None) -> str:
    """Render user Markdown to sanitised HTML (a plain ``str``; wrap in Markup to output)."""
    text = _prepare(source)
    if not text.strip():
        return ""
    env: dict[str, Any] = {}
    tokens = _MD.parse(text, env)
    if _visible(_text_of(tokens)) or not _visible(text):
        rendered = _MD.renderer.render(tokens, _MD.options, env)
    else:
        rendered = f"<p>{escapeHtml(text.strip())}</p>"
    return _CLEANER.clean(rendered).strip()


def render_inline(source: str | None) -> str:
    """Render one line of Markdown (emphasis, code, links), newlines become spaces."""
    text = " ".join(_prepare(source).split("\n")).strip()
    return _CLEANER.clean(_MD.renderInline(text)).strip() if text else ""


def to_plain_text(source: str | None, limit: int | None = None) -> str:
    """Markdown as one line of readable text, cut at a word boundary with "…" past ``limit``.

    NOT HTML: it keeps any ``<`` or ``&`` the user typed, so escape it on output.
    """
    text = _prepare(source)
    plain = _text_of(_MD.parse(text))
    if not _visible(plain):
        plain = " ".join(text.split()) if _visible(text) else ""
    if limit is None or len(plain) <= limit:
        return plain
    if limit < 1:
        return ""
    cut = plain[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
