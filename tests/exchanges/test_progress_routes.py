"""The exchange page after acceptance: fit check, completing, ratings and hours, over HTTP."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.exchanges import progress
from app.exchanges.models import (
    ACCEPTED,
    CANCELLED,
    COMPLETED,
    HOURS_NOTE_MAX,
    REQUESTED,
    Exchange,
    HoursLog,
)
from app.extensions import db
from tests.exchanges.factories import make_exchange
from tests.factories import make_user


@pytest.fixture
def pair(app):
    """An active mentoring exchange: Ana teaches Ben."""
    ana = make_user(display_name="Ana", handle="ana")
    ben = make_user(display_name="Ben", handle="ben")
    exchange = make_exchange(status=ACCEPTED, people=[ana, ben])
    return exchange, ana, ben


def _page(client, exchange) -> str:
    response = client.get(f"/exchanges/{exchange.id}")
    assert response.status_code == 200
    return response.text


def _reload(exchange) -> Exchange:
    db.session.expire_all()
    return db.session.get(Exchange, exchange.id)


FIELD_IDS = {"hours": "hours-amount"}  # ids that differ from the field's name


def _error_next_to(body: str, field: str) -> str:
    """The first error shown in the field's own error box (tied to it by aria-describedby)."""
    field = FIELD_IDS.get(field, field)
    match = re.search(rf'id="{field}-error">\s*<p class="error">([^<]*)</p>', body)
    return html.unescape(match.group(1)) if match else ""


# -- Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["fit", "complete", "rating", "hours"])
def test_people_outside_the_exchange_get_404(client, auth, pair, path):
    exchange, _, _ = pair
    auth.login(make_user())
    assert client.post(f"/exchanges/{exchange.id}/{path}", data={}).status_code == 404
    assert client.post(f"/exchanges/999999/{path}", data={}).status_code == 404
    assert _reload(exchange).status == ACCEPTED


def test_logged_out_visitors_are_sent_to_log_in(client, pair):
    exchange, _, _ = pair
    response = client.post(f"/exchanges/{exchange.id}/complete")
    assert response.status_code == 302 and "/login" in response.location


# -- Fit check ---------------------------------------------------------------------------------


def test_the_fit_check_waits_for_the_first_meeting(client, auth, pair):
    exchange, ana, _ = pair
    auth.login(ana)
    page = _page(client, exchange)
    assert "After your first meeting" in page and 'name="fit"' not in page
    response = client.post(f"/exchanges/{exchange.id}/fit", data={"fit": "good"})
    assert response.status_code == 303 and response.location.endswith("#fit-check")
    assert "first meeting" in _page(client, exchange)
    assert progress.membership(_reload(exchange), ana).fit is None


def test_answering_the_fit_check(client, auth, pair):
    exchange, ana, _ = pair
    exchange.accepted_at = utcnow() - timedelta(days=8)
    db.session.commit()
    auth.login(ana)
    page = _page(client, exchange)
    for value in ("good", "unsure", "not_fit"):
        assert f'value="{value}"' in page
    client.post(f"/exchanges/{exchange.id}/fit", data={"fit": "unsure"})
    page = _page(client, exchange)
    assert "not sure yet" in page and 'name="fit"' in page  # may change it
    client.post(f"/exchanges/{exchange.id}/fit", data={"fit": "good"})
    page = _page(client, exchange)
    assert "You said: Good fit." in page and 'name="fit"' not in page
    response = client.post(f"/exchanges/{exchange.id}/fit", data={"fit": "not_fit"},
                           follow_redirects=True)
    assert "already answered" in response.text
    assert _reload(exchange).status == ACCEPTED
    assert "Choose good fit" in client.post(f"/exchanges/{exchange.id}/fit",
                                            data={"fit": "meh"}, follow_redirects=True).text


def test_not_a_fit_closes_it_kindly_and_points_to_new_matches(client, auth, pair):
    exchange, _, ben = pair
    progress.log_hours(exchange, ben, leg_id=exchange.legs[0].id, minutes=60,
                       happened_on=progress.local_today(ben))  # the fit check is due
    db.session.commit()
    auth.login(ben)
    response = client.post(f"/exchanges/{exchange.id}/fit", data={"fit": "not_fit"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "not every pairing clicks" in response.text
    assert 'href="/matches/"' in response.text
    assert _reload(exchange).status == CANCELLED


# -- Completing --------------------------------------------------------------------------------


def test_a_member_marks_it_completed_and_is_asked_to_rate(client, auth, pair):
    exchange, ana, _ = pair
    auth.login(ana)
    assert "Mark as completed" in _page(client, exchange)
    response = client.post(f"/exchanges/{exchange.id}/complete")
    assert response.status_code == 303
    assert response.location.endswith(f"/exchanges/{exchange.id}#ratings")
    exchange = _reload(exchange)
    assert exchange.status == COMPLETED and exchange.completed_at is not None
    page = _page(client, exchange)
    assert "Mark as completed" not in page and 'name="rating"' in page
    again = client.post(f"/exchanges/{exchange.id}/complete", follow_redirects=True)
    assert again.status_code == 200 and "already completed" in again.text


def test_a_request_cannot_be_completed(client, auth, app):
    exchange = make_exchange(status=REQUESTED)
    auth.login(exchange.legs[0].learner)
    response = client.post(f"/exchanges/{exchange.id}/complete", follow_redirects=True)
    assert "Only an active exchange" in response.text
    assert _reload(exchange).status == REQUESTED


# -- Ratings -----------------------------------------------------------------------------------


@pytest.fixture
def completed(pair):
    exchange, ana, ben = pair
    progress.complete_exchange(exchange, ana)
    db.session.commit()
    return exchange, ana, ben


def _rate(client, exchange, rating, comment=""):
    return client.post(f"/exchanges/{exchange.id}/rating",
                       data={"rating": str(rating), "comment": comment})


def test_ratings_stay_hidden_until_both_rated(client, auth, completed):
    exchange, ana, ben = completed
    auth.login(ana)
    assert _rate(client, exchange, 5, "Ben asked great questions").status_code == 303
    page = _page(client, exchange)
    reveal = (exchange.completed_at + timedelta(days=14)).strftime("%-d %B %Y")
    assert f"You'll see Ben's rating once they've rated too (or on {reveal})." in page
    assert "You rated it <strong>5 out of 5</strong>" in page
    auth.logout()
    auth.login(ben)
    page = _page(client, exchange)
    assert "Ben asked great questions" not in page and "5 out of 5" not in page
    assert "once everyone has rated" in page
    assert _rate(client, exchange, 4, "Patient teacher").status_code == 303
    page = _page(client, exchange)
    assert "Ben asked great questions" in page and "rated it <strong>5 out of 5</strong>" in page
    auth.logout()
    auth.login(ana)
    assert "Patient teacher" in _page(client, exchange)


def test_ratings_show_after_two_weeks_even_if_someone_never_rated(client, auth, completed):
    exchange, ana, ben = completed
    auth.login(ana)
    _rate(client, exchange, 2, "Often late")
    exchange = _reload(exchange)
    exchange.completed_at = utcnow() - timedelta(days=14, minutes=1)
    db.session.commit()
    assert "Ben didn" in _page(client, exchange)
    auth.logout()
    auth.login(ben)
    page = _page(client, exchange)
    assert "Often late" in page and "2 out of 5" in page


def test_rating_twice_says_so_and_keeps_the_first(client, auth, completed):
    exchange, ana, _ = completed
    auth.login(ana)
    _rate(client, exchange, 5)
    response = client.post(f"/exchanges/{exchange.id}/rating",
                           data={"rating": "1"}, follow_redirects=True)
    assert response.status_code == 200 and "already rated" in response.text
    assert progress.membership(_reload(exchange), ana).rating == 5


@pytest.mark.parametrize(("rating", "comment", "field", "message"), [
    ("", "", "rating", "Choose a rating from 1 to 5."),
    ("0", "", "rating", "Choose a rating from 1 to 5."),
    ("6", "Kept text", "rating", "Choose a rating from 1 to 5."),
    ("five", "", "rating", "Choose a rating from 1 to 5."),
    ("4", "x" * 1001, "comment", "Keep the comment to 1,000 characters at most."),
])
def test_a_bad_rating_comes_back_with_the_message_next_to_the_field(
        client, auth, completed, rating, comment, field, message):
    exchange, ana, _ = completed
    auth.login(ana)
    response = _rate(client, exchange, rating, comment)
    assert response.status_code == 200
    assert _error_next_to(response.text, field) == message
    if comment:
        assert comment in response.text
    assert progress.membership(_reload(exchange), ana).rated_at is None


def test_the_rating_page_works_on_its_own(client, auth, completed, pair):
    exchange, ana, _ = completed
    auth.login(ana)
    page = client.get(f"/exchanges/{exchange.id}/rating").text
    assert "Rate the exchange" in page and 'maxlength="1000"' in page
    assert '<label for="comment">' in page


def test_an_active_exchange_cannot_be_rated_yet(client, auth, pair):
    exchange, ana, _ = pair
    auth.login(ana)
    response = _rate(client, exchange, 5)
    assert response.status_code == 303
    assert progress.membership(_reload(exchange), ana).rated_at is None


# -- Hours -------------------------------------------------------------------------------------


def _hours(client, exchange, **changes):
    data = {"leg": str(exchange.legs[0].id), "hours": "1.5",
            "happened_on": progress.local_today(exchange.legs[0].learner).isoformat(),
            "note": "Window functions"}
    data.update(changes)
    return client.post(f"/exchanges/{exchange.id}/hours", data=data)


def test_a_member_logs_hours_and_sees_them(client, auth, pair):
    exchange, ana, ben = pair
    auth.login(ben)
    page = _page(client, exchange)
    assert "Ana teaches you" in page and 'maxlength="5"' in page
    assert f'maxlength="{HOURS_NOTE_MAX}"' in page
    response = _hours(client, exchange)
    assert response.status_code == 303 and response.location.endswith("#hours")
    [entry] = db.session.query(HoursLog).all()
    assert (entry.minutes, entry.note, entry.logged_by_id) == (90, "Window functions", ben.id)
    page = _page(client, exchange)
    assert "Window functions" in page and "Total: <strong>1.5 h</strong>" in page
    auth.logout()
    auth.login(ana)
    assert "You teach Ben" in _page(client, exchange)


def _today(exchange):
    return progress.local_today(exchange.legs[0].learner)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"hours": ""}, "hours", "Enter the time in hours"),
    ({"hours": "abc"}, "hours", "Enter the time in hours"),
    ({"hours": "0"}, "hours", "Enter the time in hours"),
    ({"hours": "-2"}, "hours", "Enter the time in hours"),
    ({"hours": "13"}, "hours", "at most 12"),
    ({"happened_on": "yesterday"}, "happened_on", "Enter the date as YYYY-MM-DD"),
    ({"happened_on": "+5"}, "happened_on", "can't be in the future"),
    ({"happened_on": "-40"}, "happened_on", "can't be before the exchange started"),
    ({"note": "x" * (HOURS_NOTE_MAX + 1)}, "note", "Keep the note to"),
    ({"leg": "999999"}, "leg", "Choose who taught whom"),
])
def test_bad_hours_come_back_with_the_message_next_to_the_field_and_the_input_kept(
        client, auth, pair, changes, field, message):
    exchange, _, ben = pair
    auth.login(ben)
    if changes.get("happened_on", "")[:1] in "+-" and changes.get("happened_on"):
        days = int(changes["happened_on"])
        changes = {"happened_on": (_today(exchange) + timedelta(days=days)).isoformat()}
    response = _hours(client, exchange, **changes)
    assert response.status_code == 200
    assert message in _error_next_to(response.text, field)
    assert "Log time" in response.text
    for name, value in changes.items():
        if name in ("hours", "happened_on") and value:
            assert f'value="{value}"' in response.text
    assert 'value="Window functions"' in response.text or field == "note"
    assert db.session.query(HoursLog).count() == 0


def test_no_hours_on_a_request(client, auth, app):
    exchange = make_exchange(status=REQUESTED)
    auth.login(exchange.legs[0].learner)
    response = _hours(client, exchange)
    assert response.status_code == 303
    assert db.session.query(HoursLog).count() == 0


def test_hours_may_still_be_logged_once_completed(client, auth, completed):
    exchange, _, ben = completed
    auth.login(ben)
    assert client.get(f"/exchanges/{exchange.id}/hours").status_code == 200
    assert _hours(client, exchange).status_code == 303
    assert db.session.query(HoursLog).count() == 1
