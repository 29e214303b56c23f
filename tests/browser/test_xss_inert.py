"""Script in user content never runs: bios and names full of XSS payloads stay inert text.

Payloads come from ../shared/security/xss/: a deterministic sample spread evenly over every
file. They go into bios (many per bio, separated by blank lines) and display names — one bio
and name through the settings form in the browser, the rest straight into the database with
`make_user` (whose factory renders the bio like the service does).

Run twice: once with our Content-Security-Policy enforced (as in production; a blocked inline
handler would show up as a CSP console error and fail the test) and once with CSP bypassed,
which proves the sanitiser alone keeps the payloads inert.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

from app.accounts.models import BIO_MAX, NAME_MAX
from app.core.markdown import ALLOWED_TAGS
from tests.conftest import shared_path

pytestmark = pytest.mark.browser

SAMPLE_SIZE = 60
MIN_PER_FILE = 4
FORM_BIO_LIMIT = 1500  # the browser submits textarea newlines as CRLF; stay well under BIO_MAX
MAX_PEOPLE = 20  # everyone fits on the first page of the directory (24 a page)
ALLOWED_ATTRIBUTES = {"href", "title", "rel", "align"}
SAFE_LINK_PROTOCOLS = {"http:", "https:", "mailto:"}

DIALOG_TRAP = """
(() => {
  window.__dialogCalls = [];
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    const original = window[name];
    window[name] = function (...args) {
      const message = String(args[0] === undefined ? "" : args[0]);
      window.__dialogCalls.push(name + ": " + message);
      try { window.__reportDialog(name, message); } catch (e) { /* not bound yet */ }
      return name === "print" ? undefined : original.apply(window, args);
    };
  }
})();
"""

AUDIT = """
(root) => Array.from(root.querySelectorAll("*")).map(el => ({
  tag: el.tagName.toLowerCase(),
  attrs: Array.from(el.attributes).map(a => [a.name.toLowerCase(), a.value]),
  protocol: el.tagName === "A" && el.hasAttribute("href") ? el.protocol : null,
}))
"""

FOREIGN_CONTENT = """
() => ({
  scripts: Array.from(document.scripts).map(s => s.src || "(inline) " + s.text.slice(0, 80)),
  embeds: document.querySelectorAll("iframe, frame, object, embed, svg, math, img, video,"
                                    + " audio, form[action^='javascript'], base").length,
})
"""


def sample_payloads() -> list[str]:
    """About SAMPLE_SIZE non-empty lines, evenly spaced through every file, in file order."""
    files = sorted(shared_path("security", "xss").glob("*.txt"))
    lines_by_file = {
        f: [line for line in f.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip()]
        for f in files
    }
    total = sum(len(lines) for lines in lines_by_file.values())
    assert total, "no XSS payloads found"
    sample = []
    for lines in lines_by_file.values():
        if not lines:
            continue
        quota = min(len(lines), max(MIN_PER_FILE, round(SAMPLE_SIZE * len(lines) / total)))
        step = len(lines) / quota
        sample += [lines[int(i * step + step / 2)] for i in range(quota)]
    return sample


def pack_into_bios(payloads: list[str], limit: int) -> list[list[str]]:
    """Payloads grouped into as few bios as fit, each at most `limit` characters once they
    are joined by blank lines (a payload longer than a whole bio is cut to `limit`)."""
    groups: list[list[str]] = []
    size = 0
    for payload in (p[:limit] for p in payloads):
        if groups and size + 2 + len(payload) <= limit:
            groups[-1].append(payload)
            size += 2 + len(payload)
        else:
            groups.append([payload])
            size = len(payload)
    return groups


def as_bio(payloads: list[str]) -> str:
    return "\n\n".join(payloads)


def has_control_characters(text: str) -> bool:
    """What the form's NoControlCharacters(allow_newlines=True) refuses."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text)


def name_payloads(payloads: list[str]) -> list[str]:
    """Payloads short enough for a display name, as one line of printable text."""
    names = []
    for payload in payloads:
        name = " ".join(payload.split())
        if name and len(name) <= NAME_MAX and name.isprintable() and name not in names:
            names.append(name)
    return names


def problems_in_user_content(elements: list[dict]) -> list[str]:
    problems = []
    for el in elements:
        if el["tag"] not in ALLOWED_TAGS:
            problems.append(f"<{el['tag']}> is not an allowed tag")
        for name, value in el["attrs"]:
            if name.startswith("on"):
                problems.append(f"<{el['tag']} {name}={value!r}>: an event handler")
            elif name.startswith(("hx-", "data-hx-")):
                problems.append(f"<{el['tag']} {name}={value!r}>: an htmx attribute")
            elif name == "src":
                problems.append(f"<{el['tag']} src={value!r}>: loads something")
            elif name == "href" and re.match(r"\s*javascript:", value, re.IGNORECASE):
                problems.append(f"<{el['tag']} href={value!r}>: a javascript: link")
            elif name not in ALLOWED_ATTRIBUTES:
                problems.append(f"<{el['tag']} {name}={value!r}>: not an allowed attribute")
        if el["protocol"] is not None and el["protocol"] not in SAFE_LINK_PROTOCOLS:
            problems.append(f"<a> with a {el['protocol']} link: {el['attrs']}")
    return problems


class DialogTrap:
    """Records every alert/confirm/prompt/print a page calls, across navigations."""

    def __init__(self, page: Page):
        self.page = page
        self.calls: list[str] = []
        page.expose_function("__reportDialog", lambda name, message: self.calls.append(
            f"{name}: {message}"))
        page.add_init_script(DIALOG_TRAP)

    def calls_on_this_page(self) -> list[str]:
        return self.page.evaluate("window.__dialogCalls || ['the dialog trap is missing']")


def assert_page_is_inert(page: Page, trap: DialogTrap, browser_log) -> None:
    page.wait_for_load_state("load")
    assert trap.calls_on_this_page() == [], page.url
    foreign = page.evaluate(FOREIGN_CONTENT)
    origin = page.evaluate("location.origin")
    assert all(src.startswith(f"{origin}/static/js/") for src in foreign["scripts"]), foreign
    assert foreign["embeds"] == 0, f"{page.url} embeds something"
    assert browser_log.dialogs == [], browser_log.dialogs
    assert trap.calls == [], trap.calls


@pytest.mark.parametrize(
    "context_options", [{}, {"bypass_csp": True}], ids=["csp-enforced", "csp-bypassed"]
)
def test_payloads_in_bios_and_names_never_run(page: Page, live_server, log_in, browser_log):
    payloads = sample_payloads()
    names = name_payloads(payloads)
    # The form refuses control characters (as it should), so those payloads skip it.
    typeable = [p for p in payloads if not has_control_characters(p)]
    form_group, *rest = pack_into_bios(typeable, FORM_BIO_LIMIT)
    leftovers = [p for group in rest for p in group]
    leftovers += [p for p in payloads if has_control_characters(p)]
    form_bio = as_bio(form_group)
    other_bios = [as_bio(group) for group in pack_into_bios(leftovers, BIO_MAX)]
    assert len(names) > len(other_bios) + 1, "not enough short payloads for display names"

    trap = DialogTrap(page)
    writer = live_server.create_user(display_name="Wendy Writer")
    bio_people = [
        live_server.create_user(display_name=names[i + 1], bio_md=bio)
        for i, bio in enumerate(other_bios)
    ]
    name_only = [live_server.create_user(display_name=name)
                 for name in names[len(other_bios) + 1:MAX_PEOPLE]]

    # One bio and one name through the settings form, as a person would paste them
    log_in(writer)
    page.goto("/settings")
    page.get_by_label("Display name").fill(names[0])
    page.get_by_label("About you").fill(form_bio)
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    assert_page_is_inert(page, trap, browser_log)

    for person, name in [(writer, names[0])] + [(p, p.display_name) for p in bio_people]:
        page.goto(f"/people/{person.handle}")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_count(1)
        assert heading.text_content() == name, "the name must show as typed, as text"
        assert page.title() == f"{' '.join(name.split())} · Skillswap"
        bio = page.locator(".profile .prose")
        expect(bio).to_have_count(1)
        assert bio.inner_text().strip(), f"the bio of @{person.handle} shows no text"
        problems = problems_in_user_content(bio.evaluate(AUDIT))
        assert problems == [], f"@{person.handle}:\n" + "\n".join(problems)
        assert_page_is_inert(page, trap, browser_log)

    page.goto("/people/")
    cards = page.locator("#people-results .person-name")
    expect(cards).to_have_count(1 + len(bio_people) + len(name_only))
    shown = sorted(cards.all_text_contents())
    expected = sorted([names[0]] + [p.display_name for p in bio_people + name_only])
    assert shown == expected
    problems = problems_in_user_content(page.locator("#people-results ul").evaluate(AUDIT))
    # Cards are our own markup: links to profiles and nothing of the user's but text.
    assert [p for p in problems if "not an allowed" not in p] == []
    assert_page_is_inert(page, trap, browser_log)
