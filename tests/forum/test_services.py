"""Forum services without HTTP: tags, asking, answering, voting, accepting, following."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, Invalid, NotAllowed
from app.extensions import db
from app.forum import services
from app.forum.models import Question, QuestionFollow, Revision, Tag, Vote
from tests.factories import make_admin, make_user
from tests.forum.factories import make_answer, make_question

# -- Tags ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("Python", "python"), ("  Node JS ", "node-js"), ("C#", "c#"), ("c++", "c++"),
    (".NET", ".net"), ("node.js", "node.js"), ("machine   learning", "machine-learning"),
])
def test_tags_are_normalised(raw, expected):
    assert services.normalise_tag(raw) == expected


@pytest.mark.parametrize("raw", ["a" * 36, "rust/wasm", "café", "<b>"])
def test_bad_tags_are_refused(raw):
    with pytest.raises(Invalid) as err:
        services.normalise_tag(raw)
    assert err.value.field == "tags"


def test_parse_tags_collapses_duplicates_and_keeps_distinct_languages():
    assert services.parse_tags("Python, python , c#, c++, .net, ,") == [
        "python", "c#", "c++", ".net"]


@pytest.mark.parametrize("text", ["", " , ,", "a, b, c, d, e, f"])
def test_one_to_five_tags(text):
    with pytest.raises(Invalid):
        services.parse_tags(text)


def test_get_or_create_tags_reuses_rows(app):
    first = services.get_or_create_tags(["python", "flask"])
    db.session.commit()
    again = services.get_or_create_tags(["flask", "sql"])
    db.session.commit()
    assert again[0].id == first[1].id
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 3


def test_tag_created_by_someone_else_meanwhile_is_reused(app, monkeypatch):
    """The race: our SELECT saw no row, another request inserted it before our INSERT."""
    db.session.add(Tag(name="racing"))
    db.session.commit()
    real_scalars = db.session.scalars
    calls = []

    def scalars_seeing_nothing_first(*args, **kwargs):
        if not calls:
            calls.append(1)
            return iter(())
        return real_scalars(*args, **kwargs)

    monkeypatch.setattr(db.session, "scalars", scalars_seeing_nothing_first)
    [tag] = services.get_or_create_tags(["racing"])
    monkeypatch.undo()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 1
    assert tag.name == "racing"


# -- Asking and answering ---------------------------------------------------------------------


def test_ask_question_renders_markdown_and_records_a_revision(app):
    user = make_user()
    question = make_question(user, title="  How do  I test Flask views?  ",
                             body="Use `client`.\n\n<script>x()</script>", tags="Flask, pytest")
    assert question.title == "How do I test Flask views?"
    assert "<code>client</code>" in question.body_html
    assert "<script" not in question.body_html
    assert [t.name for t in question.tags] == ["flask", "pytest"]
    [revision] = db.session.scalars(select(Revision)).all()
    assert revision.question_id == question.id and revision.tags == "flask, pytest"
    assert db.session.get(QuestionFollow, (user.id, question.id)) is not None


@pytest.mark.parametrize(("field", "overrides"), [
    ("title", {"title": "Too short?"}),
    ("title", {"title": "x" * 151}),
    ("body", {"body": "   "}),
    ("tags", {"tags": "a, b, c, d, e, f"}),
])
def test_ask_question_refuses_bad_input(app, field, overrides):
    with pytest.raises(Invalid) as err:
        make_question(**overrides)
    assert err.value.field == field


def test_answering_counts_and_touches_the_question(app):
    question = make_question()
    before = question.last_activity_at
    make_answer(question)
    make_answer(question)
    db.session.refresh(question)
    assert question.answer_count == 2
    assert question.last_activity_at >= before


def test_no_answers_on_locked_or_hidden_questions(app):
    question = make_question()
    question.is_locked = True
    db.session.commit()
    with pytest.raises(Conflict, match="locked"):
        make_answer(question)
    question.is_locked, question.is_hidden = False, True
    db.session.commit()
    with pytest.raises(Conflict, match="hidden"):
        make_answer(question)


def test_empty_answer_and_long_comment_are_invalid(app):
    question = make_question()
    with pytest.raises(Invalid):
        services.answer_question(make_user(), question, body="  \n ")
    with pytest.raises(Invalid):
        services.comment_on(make_user(), question, body="x" * 601)


# -- Votes ----------------------------------------------------------------------------------


def test_vote_withdraw_and_switch(app):
    question, voter = make_question(), make_user()
    assert services.vote(voter, question, 1) == 1
    assert question.score == 1
    assert services.vote(voter, question, -1) == -1
    assert question.score == -1
    assert services.vote(voter, question, -1) == 0
    assert question.score == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_votes_on_answers_add_up(app):
    answer = make_answer()
    for _ in range(3):
        services.vote(make_user(), answer, 1)
    services.vote(make_user(), answer, -1)
    db.session.commit()
    db.session.refresh(answer)
    assert answer.score == 2


def test_no_voting_on_own_post(app):
    question = make_question()
    with pytest.raises(NotAllowed):
        services.vote(question.author, question, 1)


def test_no_voting_on_locked_question(app):
    question = make_question()
    question.is_locked = True
    db.session.commit()
    with pytest.raises(Conflict):
        services.vote(make_user(), question, 1)


def test_duplicate_concurrent_vote_is_a_no_op(app):
    """The other click's row landed after our read: the insert fails in a savepoint."""
    question, voter = make_question(), make_user()
    db.session.add(Vote(user_id=voter.id, question_id=question.id, value=1))
    db.session.commit()
    real = services.my_vote
    calls = []

    def stale_first(user, post):
        calls.append(1)
        return 0 if len(calls) == 1 else real(user, post)

    services.my_vote = stale_first
    try:
        assert services.vote(voter, question, 1) == 1
    finally:
        services.my_vote = real
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    assert db.session.get(Question, question.id).score == 0  # the row was set up by hand


def test_repeated_click_from_the_same_page_changes_nothing(app):
    """Both clicks were made on a page that showed no vote: the second must not withdraw
    what the first did."""
    question, voter = make_question(), make_user()
    assert services.vote(voter, question, 1, seen=0) == 1
    assert services.vote(voter, question, 1, seen=0) == 1
    assert question.score == 1
    assert services.vote(voter, question, 1, seen=1) == 0  # a deliberate second click
    assert question.score == 0


# -- Accepting and following ------------------------------------------------------------------


def test_only_the_asker_accepts_and_can_change(app):
    question = make_question()
    first, second = make_answer(question), make_answer(question)
    with pytest.raises(NotAllowed):
        services.accept_answer(first.author, first)
    with pytest.raises(NotAllowed):
        services.accept_answer(make_admin(), first)
    assert services.accept_answer(question.author, first) is True
    assert services.accept_answer(question.author, second) is True
    assert question.accepted_answer_id == second.id
    assert services.accept_answer(question.author, second) is False
    assert question.accepted_answer_id is None


def test_edit_adds_a_revision_and_checks_the_editor(app):
    question = make_question()
    with pytest.raises(NotAllowed):
        services.edit_question(make_user(), question, title=question.title, body="x", tags="a")
    services.edit_question(make_admin(), question, title="A better title for this question",
                           body="New *body*", tags="go")
    db.session.commit()
    assert "<em>body</em>" in question.body_html
    assert [t.name for t in question.tags] == ["go"]
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 2
    answer = make_answer(question)
    services.edit_answer(answer.author, answer, body="Better answer")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 4


def test_follow_toggles(app):
    question, user = make_question(), make_user()
    assert services.toggle_follow_question(user, question) is True
    assert services.toggle_follow_question(user, question) is False
    tag = question.tags[0]
    assert services.toggle_follow_tag(user, tag) is True
    assert services.toggle_follow_tag(user, tag) is False
