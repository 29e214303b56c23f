"""A SQLite write lock that stays busy past its timeout is a busy moment, not a crash: the
person gets a 503 saying nothing was saved and to try again, never a 500."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError


def _raising(app, message: str):
    def view():
        raise OperationalError("UPDATE events SET seats_taken = ?", {},
                               sqlite3.OperationalError(message))

    app.add_url_rule(f"/test-only/{abs(hash(message))}", view_func=view)
    return f"/test-only/{abs(hash(message))}"


def test_a_locked_database_answers_503_with_a_retry(app, client):
    response = client.get(_raising(app, "database is locked"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again in a few seconds" in response.get_data(as_text=True)


def test_any_other_database_error_is_still_a_500(app, client):
    response = client.get(_raising(app, "no such table: events"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
