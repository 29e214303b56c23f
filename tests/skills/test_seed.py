"""The demo taxonomy: big and varied enough, every alias resolves, forum tags meet skills."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo.forum_data import TOPICS
from app.demo.skills import create_taxonomy
from app.demo.skills_data import TAXONOMY
from app.extensions import db
from app.skills import queries
from app.skills.models import Skill, SkillCategory, SkillName
from app.skills.services import find_skill, skill_key
from tests.factories import make_user


def _entries():
    for category, entries in TAXONOMY.items():
        for entry in entries:
            names = (entry,) if isinstance(entry, str) else entry
            yield category, names[0], names[1:]


def test_taxonomy_data_has_no_name_twice():
    keys = [skill_key(n) for _, name, aliases in _entries() for n in (name, *aliases)]
    assert len(keys) == len(set(keys))
    assert all(keys)


def test_taxonomy_is_big_and_every_name_resolves(app):
    skills = create_taxonomy()
    db.session.commit()
    assert len(skills) >= 120
    assert len({s.category_id for s in skills}) >= 10
    assert db.session.scalar(select(func.count()).select_from(SkillCategory)) >= 10
    for category, name, aliases in _entries():
        for spelling in (name, *aliases):
            found = find_skill(spelling)
            assert found is not None and found.name == name, spelling
            assert found.category.name == category
    for spelling, canonical in (("JS", "JavaScript"), ("k8s", "Kubernetes"),
                                ("TS", "TypeScript"), ("Postgres", "PostgreSQL"),
                                ("psql", "PostgreSQL"), ("ML", "Machine learning"),
                                ("UX", "UX design"), ("c#", "C#"), ("c++", "C++"),
                                ("node js", "Node.js")):
        assert find_skill(spelling).name == canonical


def test_every_demo_forum_tag_belongs_to_a_skill(app):
    create_taxonomy()
    tags = {tag for topic in TOPICS.values() for tag in topic["tags"]}
    assert [tag for tag in sorted(tags) if find_skill(tag) is None] == []


def test_taxonomy_is_created_once(app):
    first = create_taxonomy()
    db.session.commit()
    names = db.session.scalar(select(func.count()).select_from(SkillName))
    second = create_taxonomy()
    db.session.commit()
    assert [s.id for s in second] == [s.id for s in first]
    assert db.session.scalar(select(func.count()).select_from(SkillName)) == names


def test_seed_demo_creates_the_taxonomy_and_hubs_show_questions(app, runner):
    result = runner.invoke(args=["seed", "demo", "--people", "20", "--questions", "40"])
    assert result.exit_code == 0, result.output
    skills = db.session.scalar(select(func.count()).select_from(Skill))
    categories = db.session.scalar(select(func.count()).select_from(SkillCategory))
    assert f"Created {skills} skills in {categories} categories." in result.output
    viewer = make_user()
    hubs = [queries.skill_hub(viewer, queries.skill_by_slug(slug))
            for slug in ("sql", "python", "kubernetes", "figma", "public-speaking", "git",
                         "negotiation", "okrs", "mentoring", "excel")]
    assert sum(hub.question_count for hub in hubs) > 0
    assert sum(1 for hub in hubs if hub.tags) >= 5
