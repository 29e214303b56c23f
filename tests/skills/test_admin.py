"""The taxonomy's admin pages: access, search, rename, category, aliases, merge with a
confirmation step, categories; messages next to the field with the input kept; CSRF."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.offers.models import CLOSED, OPEN, Offer
from app.skills.models import Skill, SkillCategory
from app.skills.services import find_skill
from tests.accounts.test_routes import field_error, input_value
from tests.conftest import HTMX
from tests.factories import make_admin, make_user
from tests.skills.factories import make_category, make_offer, make_skill


@pytest.fixture
def admin(auth):
    user = make_admin(display_name="Ada Admin")
    auth.login(user)
    return user


@pytest.fixture
def js(app):
    return make_skill("JavaScript", aliases=("JS",))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_non_admins_get_403_everywhere(client, auth, js):
    auth.login(make_user())
    category = make_category("Data")
    for path in ("/admin/skills", f"/admin/skills/{js.id}", f"/admin/skills/{js.id}/merge?into=x",
                 "/admin/skills/categories", f"/admin/skills/categories/{category.id}"):
        assert client.get(path).status_code == 403, path
    for path, data in ((f"/admin/skills/{js.id}/rename", {"name": "Hacked"}),
                       (f"/admin/skills/{js.id}/aliases", {"alias": "hax"}),
                       (f"/admin/skills/{js.id}/category", {"category": str(category.id)}),
                       (f"/admin/skills/{js.id}/merge", {"into_id": "1"}),
                       ("/admin/skills/categories", {"name": "Hacked"}),
                       (f"/admin/skills/categories/{category.id}", {"name": "Hacked"})):
        assert client.post(path, data=data).status_code == 403, path
    db.session.expire_all()
    assert db.session.get(Skill, js.id).name == "JavaScript" and find_skill("hax") is None
    assert db.session.scalars(select(SkillCategory.name)).all() == ["Data"]


def test_list_finds_skills_by_alias_and_shows_categories_and_alias_counts(client, admin, js):
    data = make_category("Data")
    make_skill("SQL", aliases=("Structured Query Language", "sequel"), category=data)
    page = _text(client.get("/admin/skills?q=sequel"))
    assert "SQL" in page and "JavaScript" not in page
    assert re.search(r'<td class="num">2</td>', page) and "<td>Data</td>" in page
    fragment = _text(client.get("/admin/skills?q=js", headers=HTMX))
    assert "<html" not in fragment and "JavaScript" in fragment
    assert "1 skill" in _text(client.get("/admin/skills?category=none"))


def test_rename_keeps_the_old_name_as_an_alias(client, admin, js):
    response = client.post(f"/admin/skills/{js.id}/rename", data={"name": "JavaScript (ES2024)"})
    assert response.status_code == 303
    page = _text(client.get(response.headers["Location"]))
    assert "“JavaScript” is now called “JavaScript (ES2024)”" in page
    assert find_skill("javascript").id == js.id


@pytest.mark.parametrize(("name", "message"), [
    ("   ", "Give the skill a name."),
    ("Typescript", "already names the skill “TypeScript”"),
    ("C" * 61, "60 characters"),
    ("bad; name", "Use letters, digits"),
])
def test_bad_names_come_back_next_to_the_field(client, admin, js, name, message):
    make_skill("TypeScript", aliases=("TS",))
    response = client.post(f"/admin/skills/{js.id}/rename", data={"name": name})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in field_error(body, "name")
    assert input_value(body, "name") == name.strip()
    assert db.session.get(Skill, js.id).name == "JavaScript"


def test_add_an_alias_and_the_message_naming_its_owner(client, admin, js):
    make_skill("Java")
    assert client.post(f"/admin/skills/{js.id}/aliases", data={"alias": "ECMAScript"}
                       ).status_code == 303
    assert find_skill("ecmascript").id == js.id
    response = client.post(f"/admin/skills/{js.id}/aliases", data={"alias": "JAVA"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "already names the skill “Java”" in field_error(body, "alias")
    assert input_value(body, "alias") == "JAVA"


def test_remove_an_alias(client, admin, js):
    alias = next(n for n in js.names if n.name == "JS")
    response = client.post(f"/admin/skills/{js.id}/aliases/{alias.id}/remove")
    assert response.status_code == 303
    assert "“JS” no longer finds “JavaScript”" in _text(client.get(response.headers["Location"]))
    assert find_skill("JS") is None


def test_set_and_clear_the_category(client, admin, js):
    web = make_category("Web")
    assert client.post(f"/admin/skills/{js.id}/category",
                       data={"category": str(web.id)}).status_code == 303
    assert db.session.get(Skill, js.id).category_id == web.id
    assert client.post(f"/admin/skills/{js.id}/category",
                       data={"category": "9999"}).status_code == 400
    assert client.post(f"/admin/skills/{js.id}/category", data={"category": ""}
                       ).status_code == 303
    assert db.session.get(Skill, js.id).category_id is None


def test_merge_shows_what_moves_then_merges(client, admin, js):
    dup = make_skill("Javascrpt", aliases=("JScript",))
    dup_id = dup.id
    both = make_user(display_name="Both Offers")
    make_offer(js, both)
    closing = make_offer(dup, both)
    moving = make_offer(dup)

    unknown = client.get(f"/admin/skills/{dup.id}/merge?into=Cobol")
    assert unknown.status_code == 400
    assert "No skill is called “Cobol”" in field_error(unknown.get_data(as_text=True), "into")
    assert input_value(unknown.get_data(as_text=True), "into") == "Cobol"

    preview = client.get(f"/admin/skills/{dup.id}/merge?into=js")
    assert preview.status_code == 200
    page = _text(preview)
    assert "Merge “Javascrpt” into “JavaScript”?" in page
    assert "2 offers move" in page and "JScript, Javascrpt" in page and "Both Offers" in page
    assert db.session.get(Skill, dup.id) is not None  # nothing changed yet

    response = client.post(f"/admin/skills/{dup.id}/merge", data={"into_id": str(js.id)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/skills/{js.id}")
    assert "1 duplicate closed" in _text(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Skill, dup_id) is None
    assert db.session.get(Offer, closing.id).status == CLOSED
    assert db.session.get(Offer, moving.id).status == OPEN
    assert {o.skill_id for o in db.session.scalars(select(Offer))} == {js.id}
    assert find_skill("jscript").id == js.id


def test_categories_create_and_rename_with_messages(client, admin):
    assert client.post("/admin/skills/categories", data={"name": "Data"}).status_code == 303
    response = client.post("/admin/skills/categories", data={"name": " data "})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "already a category called “data”" in field_error(body, "name")
    assert input_value(body, "name") == "data"
    data = db.session.scalar(select(SkillCategory))
    make_category("Design")
    clash = client.post(f"/admin/skills/categories/{data.id}", data={"name": "Design"})
    assert clash.status_code == 400
    assert "already a category" in field_error(clash.get_data(as_text=True), "name")
    assert client.post(f"/admin/skills/categories/{data.id}",
                       data={"name": "Data & AI"}).status_code == 303
    page = _text(client.get("/admin/skills/categories"))
    assert "Data & AI" in page and "“Data” is now called “Data & AI”" in page


def test_every_form_carries_a_csrf_token_and_it_is_checked(app, client, admin, js):
    app.config["WTF_CSRF_ENABLED"] = True  # after logging in: production's setting
    page = client.get(f"/admin/skills/{js.id}").get_data(as_text=True)
    forms = re.findall(r'<form method="post".*?</form>', page, re.S)
    assert len(forms) == 5  # log out; rename, category, add alias, remove "JS"
    assert all('name="csrf_token"' in form for form in forms)
    assert all(re.search(r"maxlength=\"\d+\"", f) for f in forms if 'type="text"' in f)
    # Without the token the rename is refused and the name typed is kept.
    response = client.post(f"/admin/skills/{js.id}/rename", data={"name": "Renamed"})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert input_value(response.get_data(as_text=True), "name") == "Renamed"
    assert client.post(f"/admin/skills/{js.id}/merge", data={"into_id": "1"}).status_code == 400
    assert db.session.get(Skill, js.id).name == "JavaScript"
