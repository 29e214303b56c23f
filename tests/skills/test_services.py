"""Taxonomy services: one key per skill, aliases, renames, categories; admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import Invalid, NotAllowed
from app.extensions import db
from app.skills import services
from app.skills.models import Skill, SkillName
from app.skills.services import find_skill, get_or_create_skill, skill_key
from tests.factories import make_admin, make_user
from tests.skills.factories import make_category, make_skill


@pytest.fixture
def admin(app):
    return make_admin()


def _skill_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Skill))


@pytest.mark.parametrize("spelling", ["Node.js", "node js", "NodeJS", "  NODE   js ", "node-js",
                                      "node_js", "Nodé.JS"])
def test_spellings_of_one_skill_share_a_key(spelling):
    assert skill_key(spelling) == "nodejs"


def test_node_spellings_make_one_skill(app):
    first = get_or_create_skill(None, "Node.js")
    for spelling in ("node js", "NodeJS", "node-js"):
        assert get_or_create_skill(None, spelling).id == first.id
    db.session.commit()
    assert _skill_count() == 1
    assert first.name == "Node.js"  # the first spelling stays the name


def test_c_sharp_and_c_plus_plus_stay_apart_from_c(app):
    names = ["C", "C#", "C++", "F#", "F"]
    skills = [get_or_create_skill(None, n) for n in names]
    db.session.commit()
    assert len({s.id for s in skills}) == 5
    assert [find_skill(n.lower()).name for n in names] == names
    # Readable, distinct addresses rather than c, c-2, c-3.
    assert [s.slug for s in skills] == ["c", "c-sharp", "c-plus-plus", "f-sharp", "f"]


def test_a_name_without_latin_letters_still_has_a_key(app):
    skill = get_or_create_skill(None, "日本語")
    db.session.commit()
    assert skill_key("日本語") == "日本語"
    assert find_skill(" 日本語 ").id == skill.id


@pytest.mark.parametrize("raw", ["", "   ", "!!!", "x" * 61, "SQL; DROP"])
def test_odd_names_are_refused(app, raw):
    with pytest.raises(Invalid):
        get_or_create_skill(None, raw)


def test_alias_finds_the_skill(app, admin):
    js = make_skill("JavaScript")
    alias = services.add_alias(admin, js, "  JS ")
    db.session.commit()
    assert alias.name == "JS" and not alias.is_canonical
    assert find_skill("js").id == js.id
    assert get_or_create_skill(None, "JS").id == js.id
    assert js.aliases == ["JS"]


def test_alias_already_naming_another_skill_names_that_skill(app, admin):
    make_skill("Kubernetes", aliases=("k8s",))
    docker = make_skill("Docker")
    with pytest.raises(Invalid) as err:
        services.add_alias(admin, docker, "K8S")
    assert err.value.field == "alias"
    assert "Kubernetes" in err.value.message


def test_alias_the_skill_already_has_is_refused(app, admin):
    js = make_skill("JavaScript", aliases=("JS",))
    with pytest.raises(Invalid, match="already finds this skill"):
        services.add_alias(admin, js, "javascript")


def test_remove_alias_but_not_the_name(app, admin):
    js = make_skill("JavaScript", aliases=("JS",))
    alias = next(n for n in js.names if n.name == "JS")
    services.remove_alias(admin, js, alias)
    db.session.commit()
    assert find_skill("JS") is None
    canonical = next(n for n in js.names if n.is_canonical)
    with pytest.raises(Invalid, match="rename"):
        services.remove_alias(admin, js, canonical)


def test_rename_keeps_the_old_name_findable(app, admin):
    skill = make_skill("Javascrpt")
    old_slug = skill.slug
    services.rename_skill(admin, skill, "JavaScript")
    db.session.commit()
    assert skill.name == "JavaScript" and skill.slug == "javascript" != old_slug
    assert find_skill("Javascrpt").id == skill.id
    assert find_skill("javascript").id == skill.id
    names = {n.name: n.is_canonical for n in skill.names}
    assert names == {"JavaScript": True, "Javascrpt": False}


def test_rename_to_a_different_spelling_of_the_same_key(app, admin):
    skill = make_skill("Postgresql")
    services.rename_skill(admin, skill, "PostgreSQL")
    db.session.commit()
    assert [(n.name, n.is_canonical) for n in skill.names] == [("PostgreSQL", True)]
    assert skill.slug == "postgresql"


def test_rename_to_an_alias_promotes_it(app, admin):
    skill = make_skill("Golang", aliases=("Go",))
    services.rename_skill(admin, skill, "Go")
    db.session.commit()
    assert skill.name == "Go" and skill.slug == "go"
    assert {n.name: n.is_canonical for n in skill.names} == {"Go": True, "Golang": False}


def test_rename_to_another_skills_name_is_refused(app, admin):
    make_skill("Python", aliases=("py",))
    other = make_skill("Pyhton")
    with pytest.raises(Invalid) as err:
        services.rename_skill(admin, other, "PY")
    assert err.value.field == "name" and "Python" in err.value.message


def test_categories_create_rename_and_assign(app, admin):
    data = services.create_category(admin, "  Data  ")
    db.session.commit()
    assert (data.name, data.slug) == ("Data", "data")
    with pytest.raises(Invalid, match="already a category"):
        services.create_category(admin, "data")
    db.session.rollback()
    services.rename_category(admin, data, "Data & AI")
    skill = make_skill("SQL")
    services.set_skill_category(admin, skill, data)
    db.session.commit()
    assert (data.name, data.slug) == ("Data & AI", "data-and-ai")
    assert skill.category.name == "Data & AI"
    services.set_skill_category(admin, skill, None)
    db.session.commit()
    assert skill.category is None


def test_renaming_a_category_to_another_ones_name_is_refused(app, admin):
    make_category("Design")
    product = make_category("Product")
    with pytest.raises(Invalid) as err:
        services.rename_category(admin, product, "DESIGN")
    assert err.value.field == "name"


@pytest.mark.parametrize("action", [
    lambda user, skill, category: services.add_alias(user, skill, "alias"),
    lambda user, skill, category: services.rename_skill(user, skill, "New name"),
    lambda user, skill, category: services.remove_alias(user, skill, skill.names[0]),
    lambda user, skill, category: services.create_category(user, "New category"),
    lambda user, skill, category: services.rename_category(user, category, "Renamed"),
    lambda user, skill, category: services.set_skill_category(user, skill, category),
])
def test_only_admins_change_the_taxonomy(app, action):
    skill, category = make_skill("SQL"), make_category("Data")
    with pytest.raises(NotAllowed):
        action(make_user(), skill, category)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SkillName)) == 1
    assert skill.name == "SQL" and category.name == "Data" and skill.category is None


@pytest.mark.parametrize("tag", ["node.js", "node-js", "c#", "c++", "public-speaking", "k8s",
                                 "asp.net-core", "f#", "a.b-c.d"])
def test_tag_key_in_sql_matches_skill_key(app, tag):
    from sqlalchemy import literal

    from app.forum.services import normalise_tag
    from app.skills.queries import tag_key

    assert normalise_tag(tag) == tag  # a name the forum accepts as it is
    assert db.session.scalar(select(tag_key(literal(tag)))) == skill_key(tag)
