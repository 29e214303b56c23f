"""The events benchmark's data: 2,000 events (a quarter already past, some cancelled;
workshops, lunch-and-learns and teach-backs over bench.matching's 150 skills, a few skills far
more popular than the rest; hosts and co-hosts among 2,000 people) with 40,000 bookings in
every state — many events full with a waitlist, seats offered, cancellations, lapsed offers —
plus feedback on past events, written with Core bulk inserts; and the mix of pages to ask for."""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import BENCH_PASSWORD

KIND_WEIGHTS = {"workshop": 5, "lunch_and_learn": 4, "teach_back": 1}
ROOMS = ("Room 1", "Room 2", "Atrium", "Library", "Board room", "")
CHUNK = 5000
# The people viewing the pages live in several zones: each page is cached once per zone.
VIEWER_ZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Tokyo")


@dataclass
class Catalogue:
    viewers: list[int]
    event_ids: list[int]
    skill_slugs: list[str]
    counts: dict = field(default_factory=dict)


def _descriptions(rng: random.Random) -> list[tuple[str, str]]:
    from app.core.markdown import render_markdown

    texts = []
    for n in range(24):
        paragraphs = [f"Session notes {n}: we'll cover **the core ideas**, common mistakes and "
                      "a worked example from one of our own projects.",
                      "- bring a laptop\n- questions welcome\n- slides shared afterwards",
                      "Some familiarity helps; beginners are welcome. " * rng.randint(1, 4)]
        text = "\n\n".join(paragraphs[: rng.randint(2, 3)])
        texts.append((text, render_markdown(text)))
    return texts


def _event_rows(rng, count, people, skills, now):
    # Zipf-like, as bench.matching's offers: the first skills are far more popular.
    popularity = list(itertools.accumulate(1 / (rank ** 0.9) for rank in range(1, len(skills) + 1)))
    kinds = list(KIND_WEIGHTS)
    descriptions = _descriptions(rng)
    events, event_skills, cohosts = [], [], []
    for event_id in range(1, count + 1):
        past = rng.random() < 0.25
        starts = now + (timedelta(days=-rng.uniform(1, 60)) if past
                        else timedelta(days=rng.uniform(0.1, 120)))
        starts = starts.replace(minute=rng.choice((0, 30)), second=0, microsecond=0)
        duration = rng.choice((30, 45, 60, 90, 120))
        cancelled = rng.random() < 0.05
        description = rng.choice(descriptions)
        events.append({
            "id": event_id, "uid": f"{uuid.UUID(int=rng.getrandbits(128))}@bench",
            "kind": rng.choices(kinds, weights=list(KIND_WEIGHTS.values()))[0],
            "status": "cancelled" if cancelled else "scheduled",
            "title": f"Event {event_id}: a session on skill {rng.randint(1, len(skills))}",
            "description_md": description[0], "description_html": description[1],
            "starts_at": starts, "duration_minutes": duration,
            "ends_at": starts + timedelta(minutes=duration),
            "timezone": rng.choice(("Europe/London", "UTC", "America/New_York")),
            "location": rng.choice(ROOMS), "online_url": "", "capacity": rng.randint(8, 60),
            "seats_taken": 0, "waiting_count": 0, "sequence": 0,
            "host_id": rng.choice(people), "repeat_of_id": None, "teach_back_of_id": None,
            "created_at": starts - timedelta(days=14), "updated_at": starts - timedelta(days=14),
            "cancelled_at": starts - timedelta(days=1) if cancelled else None})
        for skill_id in set(rng.choices(skills, cum_weights=popularity, k=rng.randint(1, 3))):
            event_skills.append({"event_id": event_id, "skill_id": skill_id})
        cohost = rng.choice(people)
        if rng.random() < 0.15 and cohost != events[-1]["host_id"]:
            cohosts.append({"event_id": event_id, "user_id": cohost})
    return events, event_skills, cohosts


def _booking_rows(rng, events, people, total, now):
    """`total` bookings spread over the events (popular events fuller), consistent with the
    seat counters: the first holders confirmed (a few offered), the overflow waiting."""
    weights = [rng.paretovariate(1.5) * e["capacity"] for e in events]
    scale = total / sum(weights)
    bookings, feedback = [], []
    for event, weight in zip(events, weights, strict=True):
        n = min(max(1, round(weight * scale)), len(people) - 1, total - len(bookings))
        takers = rng.sample(people, n + 1)
        takers = [p for p in takers if p != event["host_id"]][:n]
        upcoming = event["starts_at"] > now and event["status"] == "scheduled"
        held = waiting = 0
        for place, user_id in enumerate(takers):
            made = event["created_at"] + timedelta(minutes=place * 7)
            row = {"event_id": event["id"], "user_id": user_id, "created_at": made,
                   "confirmed_at": None, "waiting_since": None, "offered_at": None,
                   "offer_expires_at": None, "cancelled_at": None, "checked_in_at": None,
                   "reminded_at": None, "feedback_requested_at": None}
            roll = rng.random()
            if event["status"] == "cancelled" or roll < 0.08:
                row.update(status="cancelled", cancelled_at=made + timedelta(days=1))
            elif held < event["capacity"]:
                held += 1
                offered = upcoming and held == event["capacity"] and rng.random() < 0.3
                if offered:
                    row.update(status="offered", waiting_since=made, offered_at=now,
                               offer_expires_at=now + timedelta(hours=24))
                else:
                    row.update(status="confirmed", confirmed_at=made)
                    if event["ends_at"] < now and rng.random() < 0.3:
                        feedback.append({"event_id": event["id"], "user_id": user_id,
                                         "rating": rng.randint(2, 5),
                                         "comment": rng.choice(("", "Very useful.", "Great!")),
                                         "created_at": event["ends_at"]})
            elif roll < 0.1:
                row.update(status="lapsed", waiting_since=made, cancelled_at=made)
            else:
                waiting += 1
                row.update(status="waiting", waiting_since=made)
            bookings.append(row)
        event["seats_taken"], event["waiting_count"] = held, waiting
    return bookings, feedback


def build(workdir: Path, args) -> Catalogue:
    from sqlalchemy import insert, text

    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.events.models import Booking, Event, EventCohost, EventFeedback, EventSkill
    from app.extensions import db
    from bench.harness import make_app
    from bench.matching import SKILLS, generate

    app, _ = make_app(workdir)
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    with app.app_context():
        active = generate(args.people, 0, args.seed)
        skills = list(range(1, SKILLS + 1))
        events, event_skills, cohosts = _event_rows(rng, args.events, active, skills, now)
        bookings, feedback = _booking_rows(rng, events, active, args.bookings, now)
        for model, rows in ((Event, events), (EventSkill, event_skills),
                            (EventCohost, cohosts), (Booking, bookings),
                            (EventFeedback, feedback)):
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(model), rows[start:start + CHUNK])
        viewers = rng.sample(active, args.clients)
        password = hash_password(BENCH_PASSWORD)
        for n, user_id in enumerate(viewers):
            viewer = db.session.get(User, user_id)
            viewer.password_hash = password
            viewer.timezone = VIEWER_ZONES[n % len(VIEWER_ZONES)]  # pages per zone
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    statuses: dict[str, int] = {}
    for row in bookings:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    return Catalogue(viewers, [e["id"] for e in events],
                     [f"skill-{i}" for i in skills],
                     {"events": len(events), "upcoming": sum(
                         e["ends_at"] > now and e["status"] == "scheduled" for e in events),
                      "bookings": len(bookings), **statuses, "feedback": len(feedback)})


def page_mix(catalogue: Catalogue, seed: int) -> list[str]:
    """Half list pages (every filter, alone and combined, and later pages), half single
    events picked at random."""
    rng = random.Random(seed + 5)
    today = datetime.now(UTC).date()
    popular, rare = catalogue.skill_slugs[:10], catalogue.skill_slugs[10:]
    paths = []
    for _ in range(12):
        start = today + timedelta(days=rng.randint(0, 60))
        for params in ({}, {}, {"page": rng.randint(2, 5)}, {"skill": rng.choice(popular)},
                       {"skill": rng.choice(rare)}, {"kind": rng.choice(list(KIND_WEIGHTS))},
                       {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()},
                       {"free": "1"}, {"free": "1", "kind": "workshop", "page": 2},
                       {"skill": rng.choice(popular), "free": "1"}):
            paths.append("/events/" + (f"?{urlencode(params)}" if params else ""))
        paths += [f"/events/{rng.choice(catalogue.event_ids)}" for _ in range(10)]
    rng.shuffle(paths)
    return paths


def page_kind(path: str) -> str:
    return "list" if path.startswith("/events/?") or path == "/events/" else "event"
