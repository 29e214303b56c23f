"""Seats are taken atomically, with real processes racing over HTTP.

gunicorn serves the app on the test's own database (SQLite file or PostgreSQL schema) with
several worker processes of several threads; each client thread holds a logged-in session
cookie of its own, connects, waits at a barrier and sends its POST at the same moment as all
the others. Whatever order the requests land in, the database must end up with exactly as
many seats taken as there are seats, everyone else queued in a fair order, the counters
agreeing with the rows, and no request answered with an error page.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.core.db import utcnow
from app.events import booking as services
from app.events.models import CANCELLED, CONFIRMED, LAPSED, OFFERED, WAITING, Booking, Event
from app.extensions import db
from tests.events.factories import book, make_event
from tests.factories import make_user
from tests.support.servers import GunicornServer, read_session, send, session_cookie

WORKERS, THREADS = 4, 4
TIMEOUT_S = 60

@dataclass
class Answer:
    label: str
    status: int = 0
    location: str = ""
    flashes: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


def fire_at_once(app, server: GunicornServer, posts: list[tuple[str, str, str]],
                 also=None) -> list[Answer]:
    """Send every (label, path, cookie) POST at the same moment, each from its own thread on
    its own connection (opened before the barrier); returns the answers in order. `also`,
    if given, is a function of the barrier run in one more thread: it gets ready, waits at
    the barrier and acts with the requests."""
    barrier = threading.Barrier(len(posts) + (1 if also else 0))
    answers = [Answer(label) for label, _, _ in posts]

    def post(answer: Answer, path: str, cookie: str) -> None:
        connection = server.connection(TIMEOUT_S)
        try:
            connection.connect()
            barrier.wait(TIMEOUT_S)
            status, headers, _ = send(connection, "POST", path, cookie=cookie)
            answer.status = status
            answer.location = dict((k.lower(), v) for k, v in headers).get("location", "")
            answer.flashes = list(read_session(app, headers).get("_flashes", []))
        except Exception:  # noqa: BLE001 — reported through the answer, which fails the test
            answer.error = traceback.format_exc()
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(answer, path, cookie))
               for answer, (_, path, cookie) in zip(answers, posts, strict=True)]
    if also:
        threads.append(threading.Thread(target=also, args=(barrier,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S * 2)
    assert not any(thread.is_alive() for thread in threads), "a request never came back"
    return answers


def assert_no_errors(answers: list[Answer], server: GunicornServer, *events: Event) -> None:
    """Every request answered with the 303 back to its event's page (several events: one
    per answer, in order) and nothing was logged as an exception."""
    pages = [f"/events/{e.id}" for e in events]
    if len(pages) == 1:
        pages *= len(answers)
    broken = [(a.label, a.status, a.error[-800:]) for a, page in zip(answers, pages, strict=True)
              if a.error or a.status != 303 or not a.location.endswith(page)]
    assert broken == [], f"{broken[:5]}\n--- gunicorn log ---\n{server.log_tail()}"
    assert "Traceback" not in server.log_tail(20_000), server.log_tail()


def by_status(event: Event) -> dict[str, int]:
    """The event's bookings by status, once its counters are checked against them."""
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    found = dict(db.session.execute(
        select(Booking.status, func.count()).where(Booking.event_id == event.id)
        .group_by(Booking.status)).all())
    assert event.seats_taken == found.get(CONFIRMED, 0) + found.get(OFFERED, 0), found
    assert event.waiting_count == found.get(WAITING, 0), found
    assert event.seats_taken <= event.capacity
    return found


def queue(event: Event) -> list[Booking]:
    """Everyone offered a seat or waiting, in the order the waitlist serves them."""
    return list(db.session.scalars(
        select(Booking).where(Booking.event_id == event.id,
                              Booking.status.in_((OFFERED, WAITING)))
        .order_by(Booking.waiting_since, Booking.id)))


def statuses_by_user(event: Event) -> dict[int, str]:
    db.session.expire_all()
    return {b.user_id: b.status for b in db.session.scalars(
        select(Booking).where(Booking.event_id == event.id))}


def make_people(count: int) -> list:
    people = [make_user(commit=False) for _ in range(count)]
    db.session.commit()
    return people


def test_200_people_booking_20_seats_at_once_fill_them_exactly(app, app_config, tmp_path):
    event = make_event(capacity=20, starts_in=timedelta(days=7))
    people = make_people(200)
    posts = [(f"person {p.id}", f"/events/{event.id}/book", session_cookie(app, p))
             for p in people]

    # SQLite lets one writer in at a time and a booking keeps the lock until its request
    # commits; with 200 queued on a busy 2-core machine the last can wait longer than the
    # default 5 s busy timeout. This test is about who gets the seats, so let them queue.
    config = {**app_config, "SQLITE_BUSY_TIMEOUT_MS": 30_000}
    with GunicornServer(config, tmp_path, workers=WORKERS, threads=THREADS) as server:
        started = time.monotonic()
        answers = fire_at_once(app, server, posts)
        elapsed = time.monotonic() - started
    assert_no_errors(answers, server, event)

    assert by_status(event) == {CONFIRMED: 20, WAITING: 180}
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.seats_taken, event.waiting_count, event.seats_left) == (20, 180, 0)
    rows = db.session.scalars(select(Booking).where(Booking.event_id == event.id)).all()
    assert sorted(b.user_id for b in rows) == sorted(p.id for p in people)  # one each
    confirmed = [b for b in rows if b.status == CONFIRMED]
    assert all(b.confirmed_at and b.waiting_since is None for b in confirmed)
    waiting = [b for b in rows if b.status == WAITING]
    assert all(b.waiting_since is not None for b in waiting)
    assert sorted(services.waitlist_position(b) for b in waiting) == list(range(1, 181))

    # Each person was told what they got: 20 seats, 180 places in the queue.
    told = [message for a in answers for category, message in a.flashes
            if category == "success"]
    assert len(told) == 200
    assert sum(m.startswith("You're booked") for m in told) == 20
    assert sum("you're on the waitlist" in m for m in told) == 180
    assert elapsed < TIMEOUT_S


def test_claims_cancellations_and_bookings_racing_around_the_last_seats(app, app_config,
                                                                       tmp_path):
    """Five seats. Two people claim seats offered to them while three seat holders cancel
    (each freed seat must go to whoever waited longest), fourteen newcomers book, and one of
    them double-clicks."""
    event = make_event(capacity=5, starts_in=timedelta(days=7))
    holders = [book(event) for _ in range(5)]
    waiting = [book(event) for _ in range(8)]
    for booking in holders[:2]:
        services.cancel_booking(booking, booking.user)
    db.session.commit()
    offered, waiting = waiting[:2], waiting[2:]
    assert [b.status for b in offered] == [OFFERED, OFFERED]
    cancelling, newcomers = holders[2:], make_people(14)

    def path(action: str) -> str:
        return f"/events/{event.id}/{action}"

    posts = ([(f"claim {b.user_id}", path("booking/claim"), session_cookie(app, b.user))
              for b in offered]
             + [(f"cancel {b.user_id}", path("booking/cancel"), session_cookie(app, b.user))
                for b in cancelling]
             + [(f"book {p.id}", path("book"), session_cookie(app, p)) for p in newcomers]
             + [(f"book again {newcomers[0].id}", path("book"),
                 session_cookie(app, newcomers[0]))])
    assert len(posts) == 20

    with GunicornServer(app_config, tmp_path, workers=WORKERS, threads=THREADS) as server:
        answers = fire_at_once(app, server, posts)
    assert_no_errors(answers, server, event)

    assert by_status(event) == {CONFIRMED: 2, OFFERED: 3, WAITING: 3 + 14, CANCELLED: 5}
    status = statuses_by_user(event)
    assert [status[b.user_id] for b in offered] == [CONFIRMED, CONFIRMED]
    assert [status[b.user_id] for b in cancelling] == [CANCELLED] * 3
    assert [status[b.user_id] for b in waiting] == [OFFERED] * 3 + [WAITING] * 3
    assert [status[p.id] for p in newcomers] == [WAITING] * 14  # nobody jumps the queue
    in_line = queue(event)
    assert [b.user_id for b in in_line[:6]] == [b.user_id for b in waiting]
    # The double click made one booking and one "already on the waitlist".
    double = [a for a in answers if a.label in {f"book {newcomers[0].id}",
                                                f"book again {newcomers[0].id}"}]
    assert sorted(category for a in double for category, _ in a.flashes) == ["error",
                                                                             "success"]


def test_people_leaving_the_waitlist_while_freed_seats_are_offered(app, app_config, tmp_path,
                                                                   backend, request):
    """Five seats, fifteen waiting. All five holders cancel while ten of the waiting leave
    and five newcomers book: every freed seat still goes to whoever waited longest among
    those who stayed."""
    event = make_event(capacity=5, starts_in=timedelta(days=7))
    holders = [book(event) for _ in range(5)]
    waiting = [book(event) for _ in range(15)]
    leaving = waiting[:10]
    newcomers = make_people(5)

    def path(action: str) -> str:
        return f"/events/{event.id}/{action}"

    posts = ([(f"cancel {b.user_id}", path("booking/cancel"), session_cookie(app, b.user))
              for b in holders]
             + [(f"leave {b.user_id}", path("booking/cancel"), session_cookie(app, b.user))
                for b in leaving]
             + [(f"book {p.id}", path("book"), session_cookie(app, p)) for p in newcomers])

    with GunicornServer(app_config, tmp_path, workers=WORKERS, threads=THREADS) as server:
        answers = fire_at_once(app, server, posts)
    assert_no_errors(answers, server, event)

    counts = by_status(event)
    assert counts[OFFERED] == 5 and CONFIRMED not in counts  # every freed seat re-offered
    status = statuses_by_user(event)
    assert [status[b.user_id] for b in holders] == [CANCELLED] * 5
    assert [status[p.id] for p in newcomers] == [WAITING] * 5
    # A leaver either left, or was offered a freed seat a moment before their click landed
    # (then their "leave" is refused and the offer stands).
    for booking, answer in zip(leaving, answers[5:15], strict=True):
        assert status[booking.user_id] in (CANCELLED, OFFERED)
        if status[booking.user_id] == OFFERED:
            assert [c for c, _ in answer.flashes] == ["error"], answer
    in_line = queue(event)
    assert [b.status for b in in_line] == [OFFERED] * 5 + [WAITING] * (len(in_line) - 5)


def test_a_claim_racing_its_expiry_either_confirms_or_passes_the_seat_on(app, app_config,
                                                                         tmp_path):
    """Ten one-seat events, each with a seat offered to one person and another waiting.
    Each offered person clicks "claim" at the moment a process lapses every offer: per event
    exactly one wins — a claimed seat, or a lapsed offer with the seat offered to the next
    person — and never both, never neither."""
    events, pairs = [], []
    for _ in range(10):
        event = make_event(capacity=1, starts_in=timedelta(days=7))
        seat, first, second = book(event), book(event), book(event)
        services.cancel_booking(seat, seat.user)
        events.append(event)
        pairs.append((first, second))
    db.session.commit()
    posts = [(f"claim {first.user_id}", f"/events/{event.id}/booking/claim",
              session_cookie(app, first.user)) for event, (first, _) in zip(events, pairs,
                                                                            strict=True)]

    lapsed: list[int] = []
    errors: list[str] = []

    def expire_everything(barrier: threading.Barrier) -> None:
        """What `flask events expire-offers` does, run an hour after every offer ran out."""
        from app import create_app

        try:
            worker = create_app(app_config)
            with worker.app_context():
                db.session.execute(select(1))  # connected before the barrier
                barrier.wait(TIMEOUT_S)
                lapsed.append(services.expire_offers(utcnow() + timedelta(hours=25)))
                db.session.commit()
                db.session.remove()
                db.engine.dispose()
        except Exception:  # noqa: BLE001 — reported to the test
            errors.append(traceback.format_exc())

    with GunicornServer(app_config, tmp_path, workers=WORKERS, threads=THREADS) as server:
        answers = fire_at_once(app, server, posts, also=expire_everything)
    assert errors == []
    assert_no_errors(answers, server, *events)

    db.session.expire_all()
    claimed = 0
    for event, (first, second), answer in zip(events, pairs, answers, strict=True):
        counts = by_status(event)
        first, second = db.session.get(Booking, first.id), db.session.get(Booking, second.id)
        assert (first.status, second.status) in {(CONFIRMED, WAITING), (LAPSED, OFFERED)}
        assert counts.get(CONFIRMED, 0) + counts.get(OFFERED, 0) == 1
        [(category, message)] = answer.flashes
        if first.status == CONFIRMED:
            claimed += 1
            assert category == "success", message
        else:
            assert category == "error" and "expired" in message, message
    assert lapsed and lapsed[0] == 10 - claimed


def test_leaving_the_waitlist_as_a_freed_seat_is_offered_to_you_does_not_deadlock(
        app, app_config, backend):
    """The interleaving the race above stumbles on, made certain (PostgreSQL: row locks). The
    first person waiting leaves while the seat holder cancels: the leave has updated its
    booking; the cancellation has given its seat back and, seeing the leaver still waiting
    (not yet committed), tries to offer them the seat and waits for their row; only then does
    the leave go on to update the event. Both must finish: one waits for the other."""
    if backend["name"] != "postgresql":
        pytest.skip("row-level lock ordering; SQLite lets one writer in at a time")
    event = make_event(capacity=1, starts_in=timedelta(days=7))
    holder, first, second = book(event), book(event), book(event)
    holder_pid: list[int] = []
    holder_done = threading.Event()
    errors: dict[str, str] = {}

    def act(name: str, booking_id: int, hook=None) -> None:
        from sqlalchemy import event as sa_event

        from app import create_app

        worker = create_app(app_config)
        try:
            with worker.app_context():
                if hook:
                    sa_event.listen(db.engine, "before_cursor_execute", hook)
                else:
                    holder_pid.append(db.session.scalar(text("SELECT pg_backend_pid()")))
                booking = db.session.get(Booking, booking_id)
                services.cancel_booking(booking, booking.user)
                db.session.commit()
        except Exception:  # noqa: BLE001 — reported to the test
            errors[name] = traceback.format_exc()
        finally:
            if name == "holder":
                holder_done.set()
            with worker.app_context():
                db.session.remove()
                db.engine.dispose()

    state = {"updated_booking": False, "paused": False}
    leaver_may_go = threading.Event()

    def leaver_hook(conn, cursor, statement, *args) -> None:
        if statement.startswith("UPDATE bookings"):
            state["updated_booking"] = True
        elif (statement.startswith("UPDATE events") and state["updated_booking"]
              and not state["paused"]):
            state["paused"] = True
            leaver_may_go.wait(TIMEOUT_S)

    leaver = threading.Thread(target=act, args=("leaver", first.id, leaver_hook))
    leaver.start()
    deadline = time.monotonic() + 10
    while not state["paused"] and time.monotonic() < deadline:
        time.sleep(0.01)
    holder_thread = threading.Thread(target=act, args=("holder", holder.id))
    holder_thread.start()
    # Let the leave go on once the cancellation waits for the leaver's row (or finished).
    waited_on_lock = False
    try:
        while time.monotonic() < deadline + 10 and not holder_done.is_set():
            if holder_pid:
                waiting_for = db.session.scalar(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": holder_pid[0]})
                db.session.rollback()
                if waiting_for == "Lock":
                    waited_on_lock = True
                    break
            time.sleep(0.02)
    finally:
        leaver_may_go.set()
        leaver.join(TIMEOUT_S)
        holder_thread.join(TIMEOUT_S)

    assert state["paused"] and waited_on_lock, "the interleaving was not reached"
    assert errors == {}, "\n".join(errors.values())
    db.session.expire_all()
    assert by_status(event) == {CANCELLED: 2, OFFERED: 1}
    assert db.session.get(Booking, second.id).status == OFFERED

