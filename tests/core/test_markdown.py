"""Tests for app.core.markdown: rendering, link policy, and every shared hostile payload."""

from __future__ import annotations

import html
import os
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.core.markdown import render_inline, render_markdown, to_plain_text

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SECURITY = SHARED / "security"

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
FORBIDDEN_ATTRS = {"style", "src", "srcdoc", "formaction"}
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
REL = "nofollow noopener"


class _Inspector(HTMLParser):
    """Collects tags, attributes, text and anything that is not a plain element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.other.append(f"decl {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"pi {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"unknown decl {data!r}")


def _inspect(output: str) -> _Inspector:
    parser = _Inspector()
    parser.feed(output)
    parser.close()
    return parser


def _visible(text: str) -> bool:
    """True if text has a character a person would see (not space, control or format)."""
    return any(
        not ch.isspace() and unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"} for ch in text
    )


def _href_scheme(href: str) -> str | None:
    cleaned = re.sub(r"[\x00-\x20\x7f-\x9f]", "", html.unescape(href)).lower()
    match = SCHEME.match(cleaned)
    return match.group(1) if match else None


def assert_inert(source: str, output: str) -> None:
    """The checks from shared/security/README.md ("inert"), on one rendered payload."""
    assert isinstance(output, str)
    parsed = _inspect(output)
    assert parsed.other == [], output
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, output
        for name, value in attrs:
            assert not name.startswith(("on", "hx-", "data-")), output
            assert name not in FORBIDDEN_ATTRS, output
            if name == "href":
                scheme = _href_scheme(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, output
        if tag == "a":
            assert dict(attrs).get("rel") == REL, output
    if _visible(source):
        assert _visible("".join(parsed.text)), f"typed text vanished: {source!r} -> {output!r}"


# --- ordinary Markdown -----------------------------------------------------------------------


@pytest.mark.parametrize("source", [None, "", "   \n\t\n", "\x00\x01"])
def test_empty_input_gives_empty_string(source: str | None) -> None:
    assert render_markdown(source) == ""
    assert render_inline(source) == ""
    assert to_plain_text(source) == ""


def test_headings_and_emphasis() -> None:
    out = render_markdown("# Title\n\n### Sub\n\n**bold** *it* ~~old~~")
    assert "<h1>Title</h1>" in out
    assert "<h3>Sub</h3>" in out
    assert "<strong>bold</strong>" in out
    assert "<em>it</em>" in out
    assert "<s>old</s>" in out


def test_lists_and_blockquote() -> None:
    out = render_markdown("- a\n- b\n\n1. one\n2. two\n\n> quoted")
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in out
    assert "<ol>\n<li>one</li>\n<li>two</li>\n</ol>" in out
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in out


def test_fenced_code_is_escaped_and_not_linkified() -> None:
    out = render_markdown("```html\n<script>alert(1)</script> http://example.com\n```")
    assert out.startswith("<pre><code>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; http://example.com" in out
    assert "<script" not in out
    assert "<a" not in out
    assert render_markdown("`http://x.example`") == "<p><code>http://x.example</code></p>"


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[site](http://example.com)", "http://example.com"),
        ("[site](https://example.com/a?b=1)", "https://example.com/a?b=1"),
        ("[mail](mailto:someone@example.com)", "mailto:someone@example.com"),
        ("<https://example.com>", "https://example.com"),
        ("see https://example.com/page here", "https://example.com/page"),
        ("see www.example.com here", "http://www.example.com"),
        ("[home](/relative/page)", "/relative/page"),
    ],
)
def test_links_kept_with_rel(source: str, href: str) -> None:
    out = render_markdown(source)
    assert f'href="{html.escape(href)}"' in out
    assert f'rel="{REL}"' in out
    assert out.count("<a ") == 1


def test_filenames_are_not_linkified() -> None:
    out = render_markdown("edit app.py and README.md")
    assert "<a" not in out
    assert "app.py" in out


def test_link_title_cannot_break_out() -> None:
    out = render_markdown('[x](http://a.example "t\\" onclick=\\"alert(1)")')
    tag, attrs = _inspect(out).tags[1]
    assert tag == "a"
    assert [name for name, _ in attrs] == ["href", "title", "rel"]


def test_table_alignment_uses_align_not_style() -> None:
    out = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert "<table>" in out
    assert '<th align="left">a</th>' in out
    assert '<th align="center">b</th>' in out
    assert '<td align="right">3</td>' in out
    assert "style" not in out


def test_images_become_links_or_text() -> None:
    assert render_markdown("![a cat](https://example.com/cat.png)") == (
        f'<p><a href="https://example.com/cat.png" rel="{REL}">a cat</a></p>'
    )
    assert ">https://example.com/c.png</a>" in render_markdown("![](https://example.com/c.png)")
    nested = render_markdown("[![logo](https://example.com/l.png)](https://example.com)")
    assert nested == f'<p><a href="https://example.com" rel="{REL}">logo</a></p>'
    assert render_markdown("![pixel](data:image/png;base64,AAAA)") == "<p>pixel</p>"
    assert "<img" not in render_markdown("![x](http://example.com/x.png)")


def test_control_characters_and_line_endings() -> None:
    out = render_markdown("a\r\nb\x00c\x07d\x1b[0m\r\n\r\ne\rf")
    assert out == "<p>a\nbcd[0m</p>\n<p>e\nf</p>"
    assert to_plain_text("a\tb\r\nc\x00d") == "a b cd"


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "[x](ftp://example.com/file)",
        "javascript://example.com/%0aalert(1)",
    ],
)
def test_dangerous_links_are_not_links(source: str) -> None:
    out = render_markdown(source)
    assert_inert(source, out)
    assert "<a" not in out


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="http://example.com" hx-get="/admin/delete">click</a>',
        '<div data-hx-post="/x" hx-trigger="load">boo</div>',
        '<p style="position:fixed;top:0">cover</p>',
        "<svg onload=alert(1)>",
        "<!-- comment --><iframe srcdoc='<script>alert(1)</script>'></iframe>",
    ],
)
def test_raw_html_is_escaped_text(source: str) -> None:
    for out in (render_markdown(source), render_inline(source)):
        assert_inert(source, out)
        assert "".join(_inspect(out).text).strip() == source  # shown as typed, not dropped


@pytest.mark.parametrize("source", ["-", "#", "1.", "***", "[ref]: /somewhere"])
def test_syntax_that_would_swallow_all_text_is_shown_as_typed(source: str) -> None:
    assert render_markdown(source) == f"<p>{source}</p>"
    assert to_plain_text(source) == source


def test_render_inline_is_single_line() -> None:
    out = render_inline("# not a heading **bold**\n- not a list [l](http://example.com)")
    assert "<h1>" not in out and "<li>" not in out and "\n" not in out
    assert "<strong>bold</strong>" in out
    assert f'<a href="http://example.com" rel="{REL}">l</a>' in out
    assert_inert("x", out)


def test_to_plain_text() -> None:
    source = "# Head\n\n**bold** `code` ![alt](u) [text](http://x.example)\n\n```\nfoo\n```"
    assert to_plain_text(source) == "Head bold code alt text foo"
    assert to_plain_text("5 &lt; 6 &amp; <b>") == "5 < 6 & <b>"  # plain text, not HTML


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (None, "one two three four"),
        (18, "one two three four"),
        (12, "one two…"),
        (5, "abcd…"),
        (1, "…"),
        (0, ""),
    ],
)
def test_to_plain_text_limit(limit: int | None, expected: str) -> None:
    source = "abcdefghij" if limit == 5 else "one  two\nthree four"
    result = to_plain_text(source, limit)
    assert result == expected
    if limit is not None:
        assert len(result) <= limit


# --- every shared payload --------------------------------------------------------------------


def _payload_cases() -> list[object]:
    if not SECURITY.is_dir():
        return [pytest.param(None, id="shared-missing")]
    cases: list[object] = []
    for path in sorted((SECURITY / "xss").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the final newline does not start another payload
        for number, line in enumerate(lines, 1):
            cases.append(pytest.param(line, id=f"xss/{path.name}:{number}"))
    blns = SECURITY / "blns.txt"
    for number, line in enumerate(blns.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip() and not line.startswith("#"):
            cases.append(pytest.param(line, id=f"blns.txt:{number}"))
    return cases


@pytest.mark.parametrize("payload", _payload_cases())
def test_shared_payload_is_inert(payload: str | None) -> None:
    if payload is None:
        reason = f"hostile-input corpus not found at {SECURITY}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert_inert(payload, render_markdown(payload))
    assert_inert(payload.replace("\n", " "), render_inline(payload))
    plain = to_plain_text(payload, 80)
    assert len(plain) <= 80 and "\n" not in plain


def test_payload_corpus_is_complete() -> None:
    """Guards against a glob or path change silently shrinking the parametrisation."""
    cases = _payload_cases()
    if len(cases) == 1 and not os.environ.get("CI"):
        pytest.skip(f"hostile-input corpus not found at {SECURITY}")
    assert len(cases) >= 746 + 500
