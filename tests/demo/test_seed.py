"""`flask seed demo`: a believable, reproducible organisation, seeded only once by make run."""

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from app.extensions import db
from tests.conftest import make_test_config
from tests.factories import make_user


def _people(app):
    with app.app_context():
        return db.session.execute(
            select(User.email, User.handle, User.display_name, User.department,
                   User.job_title, User.timezone, User.bio_md).order_by(User.id)
        ).all()


def test_demo_organisation_is_believable(app, runner):
    result = runner.invoke(args=["seed", "demo", "--people", "160", "--seed", "3",
                                 "--questions", "10"])
    assert result.exit_code == 0, result.output
    assert "Created 160 people" in result.output
    people = db.session.scalars(select(User)).all()
    assert len(people) == 160
    assert len({p.department for p in people}) >= 8
    assert len({p.handle for p in people}) == 160
    assert len({p.email for p in people}) == 160
    assert sum(1 for p in people if p.bio_md) > 80
    assert any(p.open_to_mentoring for p in people) and any(p.open_to_swaps for p in people)
    # Demo people cannot log in unless a demo password is given.
    assert all(p.password_hash is None for p in people)
    # Bios are stored sanitised.
    assert all("<script" not in p.bio_html for p in people)


def test_same_seed_gives_the_same_people(backend, tmp_path):
    if backend["name"] != "sqlite":
        pytest.skip("the generator's determinism does not depend on the database")
    apps = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        apps.append(create_app(make_test_config(backend, tmp_path / name)))
    for app in apps:
        with app.app_context():
            db.create_all()
        result = app.test_cli_runner().invoke(args=["seed", "demo", "--people", "40",
                                                    "--seed", "11", "--questions", "5"])
        assert result.exit_code == 0, result.output
    assert _people(apps[0]) == _people(apps[1])


def test_if_empty_keeps_what_people_changed(app, runner):
    first = runner.invoke(args=["seed", "demo", "--people", "20", "--if-empty", "--questions", "5"])
    assert first.exit_code == 0, first.output
    person = db.session.scalars(select(User).order_by(User.id)).first()
    person.job_title = "Chief Kite Flyer"
    db.session.commit()

    second = runner.invoke(args=["seed", "demo", "--people", "20", "--if-empty",
                                 "--questions", "5"])
    assert second.exit_code == 0
    assert "not seeding" in second.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 20
    assert db.session.get(User, person.id).job_title == "Chief Kite Flyer"


def test_if_empty_does_nothing_when_real_people_exist(app, runner):
    make_user(email="first@example.com")
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_password_lets_demo_people_log_in(app, runner, client):
    result = runner.invoke(args=["seed", "demo", "--people", "10", "--questions", "0",
                                 "--password", "violet rivers gallop 42"])
    assert result.exit_code == 0, result.output
    someone = db.session.scalars(select(User).where(User.active).order_by(User.id)).first()
    response = client.post("/login", data={"email": someone.email,
                                           "password": "violet rivers gallop 42"})
    assert response.status_code == 303


def test_demo_forum_keeps_the_forum_rules(app, runner):
    from app.forum.models import Answer, Question, Vote

    result = runner.invoke(args=["seed", "demo", "--people", "40", "--questions", "60"])
    assert result.exit_code == 0, result.output
    assert "Created 60 questions" in result.output
    questions = db.session.scalars(select(Question)).all()
    assert len(questions) == 60
    assert len({q.title for q in questions}) > 50  # varied, not one title repeated
    assert any(q.accepted_answer_id for q in questions)
    assert any(q.answer_count == 0 for q in questions)  # some wait for an answer
    for question in questions:
        assert 15 <= len(question.title) <= 150
        assert 1 <= len(question.tags) <= 5
        assert question.answer_count == len(question.answers)
        votes = db.session.scalars(select(Vote).where(Vote.question_id == question.id)).all()
        assert question.score == sum(v.value for v in votes)
        assert all(v.user_id != question.author_id for v in votes)
        if question.accepted_answer_id:
            assert question.accepted_answer.question_id == question.id
    for answer in db.session.scalars(select(Answer)).all():
        votes = db.session.scalars(select(Vote).where(Vote.answer_id == answer.id)).all()
        assert answer.score == sum(v.value for v in votes)
        assert all(v.user_id != answer.author_id for v in votes)
