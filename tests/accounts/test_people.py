"""Profile settings, the people directory and profile pages, through HTTP."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event

from app.accounts.models import BIO_MAX, DEPARTMENT_MAX, JOB_TITLE_MAX, LOCATION_MAX, User
from app.extensions import db
from tests.conftest import HTMX, shared_path
from tests.factories import make_admin, make_user


@pytest.fixture
def member(client, auth):
    user = make_user(email="me@example.com", handle="me", display_name="Me Myself",
                     job_title="Engineer", department="Engineering", location="Lisbon",
                     timezone="Europe/Lisbon", bio_md="Old bio")
    assert auth.login(user).status_code == 303
    return user


def field_error(body: str, field_id: str) -> str:
    match = re.search(rf'<div class="field-errors" id="{re.escape(field_id)}-error">(.*?)</div>',
                      body, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def typed_value(body: str, field_id: str) -> str | None:
    """What an input (value attribute) or a textarea (its content) shows."""
    textarea = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>\r?\n?(.*?)</textarea>', body,
                         re.S)
    if textarea:
        return html.unescape(textarea.group(1))
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', body)
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else None


def cards(body: str) -> list[str]:
    """Display names on the person cards of a people page, in order."""
    return [html.unescape(n) for n in re.findall(
        r'<h2 class="person-name"><a href="[^"]*">([^<]*)</a>', body)]


def snapshot(user: User) -> tuple:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    return tuple(getattr(fresh, name) for name in (
        "display_name", "handle", "job_title", "department", "location", "timezone", "bio_md",
        "bio_html", "open_to_mentoring", "open_to_being_mentored", "open_to_swaps"))


PROFILE = {
    "display_name": "Ana Bell", "handle": "Ana-Bell", "job_title": "Data lead",
    "department": "Data", "location": "Oslo", "timezone": "Europe/Oslo",
    "bio_md": "I teach **SQL**.\r\n\r\n<script>alert(1)</script>",
    "open_to_mentoring": "y", "open_to_swaps": "y",
}


# --- settings: the profile form -----------------------------------------------------------

def test_settings_show_the_profile(client, member):
    body = client.get("/settings").text
    assert typed_value(body, "handle") == "me"
    assert typed_value(body, "location") == "Lisbon"
    assert typed_value(body, "bio_md") == "Old bio"


def test_every_profile_field_is_saved(client, member):
    response = client.post("/settings", data=PROFILE)
    assert response.status_code == 303
    assert response.headers["Location"] == "/settings"
    saved = snapshot(member)
    assert saved[:7] == ("Ana Bell", "ana-bell", "Data lead", "Data", "Oslo", "Europe/Oslo",
                         "I teach **SQL**.\n\n<script>alert(1)</script>")
    assert "<strong>SQL</strong>" in saved[7] and "<script" not in saved[7]
    assert saved[8:] == (True, False, True)
    assert client.get("/people/ana-bell").status_code == 200

    client.post("/settings", data={**PROFILE, "open_to_mentoring": "", "open_to_swaps": ""})
    assert snapshot(member)[8:] == (False, False, False)


PROFILE_PROBLEMS = [  # field, what is typed into it, the message shown next to it
    ("handle", "TAKEN", "@taken is already taken"),
    ("handle", "has space", "Use letters, digits"),
    ("handle", "@a", "Use 2 to 30 characters"),
    ("handle", "x" * 31, "between 2 and 30 characters"),
    ("timezone", "Mars/Olympus", "Choose a time zone from the list"),
    ("display_name", "", "Your name can't be empty"),
    ("display_name", "Ana\x1b[31m", "control characters"),
    ("job_title", "j" * (JOB_TITLE_MAX + 1), f"longer than {JOB_TITLE_MAX}"),
    ("department", "d" * (DEPARTMENT_MAX + 1), f"longer than {DEPARTMENT_MAX}"),
    ("department", "Data\x00", "control characters"),
    ("location", "l" * (LOCATION_MAX + 1), f"longer than {LOCATION_MAX}"),
    ("bio_md", "b" * (BIO_MAX + 1), f"longer than {BIO_MAX}"),
    ("bio_md", "hi\x07 there", "control characters"),
]


def test_bad_profile_input_is_shown_next_to_the_field_and_nothing_is_saved(client, member,
                                                                          subtests):
    make_user(handle="taken")
    before = snapshot(member)
    for field, value, message in PROFILE_PROBLEMS:
        with subtests.test(field=field, message=message):
            response = client.post("/settings", data={**PROFILE, field: value})
            assert response.status_code == 200
            assert message in field_error(response.text, field)
            assert typed_value(response.text, field) == value
            for other in ("display_name", "job_title", "location"):  # the rest that was typed
                if other != field:
                    assert typed_value(response.text, other) == PROFILE[other]
            assert snapshot(member) == before


def test_nothing_a_user_types_into_the_profile_gives_a_500(client, member):
    lines = [line for line in shared_path("security", "blns.txt").read_text(
        encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    lines += ["\x00", "a\x00b", "\ufeff", "\u202e", "\U0001f600" * 40, "\\x00", "%00"]
    failures = []
    for line in lines:
        response = client.post("/settings", data={
            "display_name": line, "handle": "me", "timezone": "UTC", "department": line,
            "bio_md": line})
        if response.status_code == 500:
            failures.append(line)
        with client.session_transaction() as session:
            session.pop("_flashes", None)
    assert failures == []
    assert client.get("/people/me").status_code == 200


# --- the people directory -----------------------------------------------------------------

def test_people_needs_a_login(client):
    response = client.get("/people/?q=ana")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/people/?q%3Dana"
    assert client.get("/people/anyone").status_code == 302


@pytest.fixture
def directory(member):
    make_user(display_name="Ana López", handle="ana", job_title="Designer",
              department="Design")
    make_user(display_name="Bo Berg", handle="bo_b", job_title="Data Scientist",
              department="Data")
    make_user(display_name="Cy Clark", handle="cyc", job_title="Engineer",
              department="Engineering")
    make_user(display_name="Gone Girl", handle="gone", job_title="Designer",
              department="Ghosts", active=False)


EVERYONE = ["Ana López", "Bo Berg", "Cy Clark", "Me Myself"]
FILTERS = [  # query string, the names listed
    ("", EVERYONE),
    ("?q=ANA", ["Ana López"]),
    ("?q=lópez", ["Ana López"]),
    ("?q=@bo_", ["Bo Berg"]),
    ("?q=cyc", ["Cy Clark"]),
    ("?q=data+sci", ["Bo Berg"]),
    ("?q=designer", ["Ana López"]),
    ("?department=Engineering", ["Cy Clark", "Me Myself"]),
    ("?q=clark&department=Engineering", ["Cy Clark"]),
    ("?q=gone", []),
    ("?department=Ghosts", []),
    ("?q=%25", []),
    ("?q=_", ["Bo Berg"]),
    ("?q=b%25g", []),
    ("?q=%20%20", EVERYONE),
    ("?q=c%00y%1b", ["Cy Clark"]),
    ("?q=%00", EVERYONE),
    ("?department=%00", EVERYONE),
    ("?department=Data%00", ["Bo Berg"]),
]


def test_people_filters(client, directory, subtests):
    for query, expected in FILTERS:
        with subtests.test(query=query):
            response = client.get(f"/people/{query}")
            assert response.status_code == 200
            assert cards(response.text) == expected


def test_people_like_wildcards_are_literal(client, member):
    make_user(display_name="100% Sure", handle="sure")
    make_user(display_name="1000 Sure", handle="sure2")
    make_user(display_name="Under_Score", handle="under")
    make_user(display_name="Under Score", handle="under2")
    assert cards(client.get("/people/?q=100%25").text) == ["100% Sure"]
    assert cards(client.get("/people/?q=r_s").text) == ["Under_Score"]
    assert cards(client.get("/people/?q=%5C").text) == []


def test_people_lists_departments_of_active_people_only(client, directory):
    body = client.get("/people/").text
    assert '<option value="Design">' in body
    assert "Ghosts" not in body


def test_people_pagination(client, member):
    for n in range(30):
        make_user(display_name=f"Zed {n:02d}")
    first = cards(client.get("/people/").text)
    second = cards(client.get("/people/?page=2").text)
    assert len(first) == 24 and len(second) == 7
    assert set(first).isdisjoint(second)
    assert len(cards(client.get("/people/?per_page=10&page=4").text)) == 1
    assert cards(client.get("/people/?page=3").text) == []
    for query in ("page=abc", "page=-1", "page=0", "per_page=100000", "per_page=-5",
                  "per_page=abc", "page=99999999999999999999999", "page=1e3"):
        response = client.get(f"/people/?{query}")
        assert response.status_code == 200, query
        assert 1 <= len(cards(response.text)) <= 100 or query.startswith("page=9")


def test_people_page_size_is_configurable(app, client, member):
    for n in range(6):
        make_user(display_name=f"Zed {n}")
    app.config["PEOPLE_PER_PAGE"] = 5
    assert len(cards(client.get("/people/").text)) == 5
    assert len(cards(client.get("/people/?page=2").text)) == 2


def test_people_name_search_ignores_case_beyond_ascii(client, member):
    make_user(display_name="Élodie Durand", handle="elodie")
    assert cards(client.get("/people/?q=élodie").text) == ["Élodie Durand"]
    assert cards(client.get("/people/?q=ÉLODIE").text) == ["Élodie Durand"]


def test_people_htmx_gets_only_the_results_fragment(client, directory):
    fragment = client.get("/people/?q=ana", headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<nav class=\"nav\"" not in fragment.text
    assert cards(fragment.text) == ["Ana López"]
    page = client.get("/people/?q=ana")
    assert "<html" in page.text and cards(page.text) == ["Ana López"]
    assert "HX-Request" in page.headers.get("Vary", "")


def test_people_page_makes_the_same_number_of_queries_for_5_and_40_people(app, client,
                                                                          member):
    statements = []

    def count(*args):
        statements.append(args[2])

    def queries_for_people_page() -> int:
        statements.clear()
        assert client.get("/people/").status_code == 200
        return len(statements)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(4):
            make_user(bio_md="x")
        with_five = queries_for_people_page()
        for _ in range(35):
            make_user(bio_md="x")
        with_forty = queries_for_people_page()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert with_five == with_forty, statements
    assert with_forty <= 6


# --- profile pages ------------------------------------------------------------------------

def test_profile_shows_the_person_with_a_sanitised_bio(client, member):
    make_user(display_name="Ana López", handle="ana", job_title="Designer",
              bio_md="I **draw**.\n\n<script>alert(1)</script> [x](javascript:alert(2))")
    response = client.get("/people/ana")
    assert response.status_code == 200
    assert "Ana López" in response.text and "Designer" in response.text
    assert "<strong>draw</strong>" in response.text
    assert "<script>alert(1)" not in response.text
    assert 'href="javascript' not in response.text
    fragment = client.get("/people/ana", headers=HTMX)
    assert "<html" not in fragment.text and "<strong>draw</strong>" in fragment.text


def test_unknown_profile_is_404(client, member, subtests):
    for path in ["/people/nobody", "/people/%00", "/people/a%00b", "/people/%25",
                 "/people/%1b", "/people/" + "x" * 300]:
        with subtests.test(path=path):
            assert client.get(path).status_code == 404


def test_profile_redirects_to_the_canonical_lowercase_handle(client, member):
    make_user(handle="ana")
    response = client.get("/people/ANA")
    assert response.status_code in (301, 308)
    assert response.headers["Location"] == "/people/ana"


def test_deactivated_profile_is_hidden_from_members_but_not_admins(app, client, member):
    make_user(handle="gone", display_name="Gone Girl", active=False)
    assert client.get("/people/gone").status_code == 404
    admin_client = app.test_client()
    admin = make_admin()
    from tests.conftest import AuthActions

    AuthActions(admin_client).login(admin)
    response = admin_client.get("/people/gone")
    assert response.status_code == 200
    assert "Gone Girl" in response.text and "deactivated" in response.text
