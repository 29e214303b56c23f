"""Reading what people typed into the event form: checks and conversions that name the
field at fault (`Invalid`). The form validates with the pure ones; the services clean every
field with `clean_fields` and look up skills and co-hosts with `resolve_skills` and
`resolve_cohosts`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import HANDLE_RE, normalise_handle
from app.core.errors import Invalid
from app.core.validators import has_control_characters, is_timezone, normalise_newlines
from app.events.models import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    COHOSTS_MAX,
    DESCRIPTION_MAX,
    DURATION_MAX,
    DURATION_MIN,
    KINDS,
    LOCATION_MAX,
    SKILLS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    URL_MAX,
)
from app.extensions import db
from app.skills.services import clean_skill_name, get_or_create_skill, skill_key

# -- Reading what people typed (pure: forms use these too) ----------------------------------


def split_list(value: str | Iterable | None) -> list:
    """"a, b,,c" → ["a", "b", "c"]; a list is kept as it is (blank items dropped)."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return [i.strip() if isinstance(i, str) else i for i in items
            if not (isinstance(i, str) and not i.strip())]


def skill_names_problem(names: list) -> str | None:
    """What is wrong with a list of skill names (or skills), if anything."""
    if not names:
        return "Name at least one skill, like “SQL” or “Public speaking”."
    for name in names:
        if not isinstance(name, str):
            continue
        try:
            clean_skill_name(name, "skills")
        except Invalid as err:
            return f"“{name[:60]}”: {err.message}"
    if len({skill_key(n if isinstance(n, str) else n.name) for n in names}) > SKILLS_MAX:
        return f"Choose at most {SKILLS_MAX} skills."
    return None


def handles_problem(handles: list[str]) -> str | None:
    cleaned = {normalise_handle(h) for h in handles}
    for handle in sorted(cleaned):
        if not HANDLE_RE.match(handle):
            return f"“{handle[:40]}” isn't a handle: handles use letters, digits, - and _."
    if len(cleaned) > COHOSTS_MAX:
        return f"Add at most {COHOSTS_MAX} co-hosts."
    return None


def url_problem(url: str) -> str | None:
    if len(url) > URL_MAX:
        return f"Keep the link to {URL_MAX} characters at most."
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "https://[abc/", a broken IPv6 address
        return "Give a web address that starts with https:// (or http://)."
    if (parts.scheme.lower() not in ("http", "https") or not parts.netloc
            or any(ch.isspace() for ch in url) or has_control_characters(url)):
        return "Give a web address that starts with https:// (or http://)."
    return None


START_YEARS = (2000, 2200)  # far enough either way; beyond, zone arithmetic overflows


def to_utc(start: datetime, zone_name: str) -> datetime:
    """A wall-clock time in `zone_name` (or an aware time) as UTC. Refuses a local time that
    doesn't exist there (the hour skipped when the clocks go forward)."""
    if not START_YEARS[0] <= start.year <= START_YEARS[1]:
        raise Invalid("starts_at", f"Give a date between {START_YEARS[0]} and "
                                   f"{START_YEARS[1]}.")
    if start.tzinfo is not None:
        return start.astimezone(UTC)
    zone = ZoneInfo(zone_name)
    local = start.replace(tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != start:
        raise Invalid("starts_at", f"{start:%H:%M} doesn't exist on that day in {zone_name}: "
                                   "the clocks go forward. Choose another time.")
    return utc


def _number(value, field: str, low: int, high: int, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(field, message) from None
    if not low <= number <= high:
        raise Invalid(field, message)
    return number


def _duration(value) -> int:
    message = f"Give a duration from {DURATION_MIN} to {DURATION_MAX} minutes (24 hours)."
    if str(value).strip().lstrip("-").isdigit() and int(str(value).strip()) <= 0:
        message = f"The event must end after it starts: give it at least {DURATION_MIN} minutes."
    return _number(value, "duration_minutes", DURATION_MIN, DURATION_MAX, message)


def _one_line(value, field: str, label: str, high: int, low: int = 0) -> str:
    text = " ".join(str(value or "").split())
    if has_control_characters(text):
        raise Invalid(field, "Remove the invisible control characters from this field.")
    if len(text) > high:
        raise Invalid(field, f"Keep the {label} to {high} characters at most.")
    if len(text) < low:
        raise Invalid(field, f"Give a {label} of at least {low} characters.")
    return text


def clean_fields(values: dict) -> dict:
    """Every detail checked and normalised; skills and co-hosts still as names/handles."""
    if values["kind"] not in KINDS:
        raise Invalid("kind", "Choose a workshop, a lunch-and-learn or a teach-back.")
    zone = str(values["timezone"] or "").strip()
    if not is_timezone(zone):
        raise Invalid("timezone", "Choose a time zone from the list, like Europe/Paris.")
    description = normalise_newlines(str(values["description"] or "")).strip()
    if len(description) > DESCRIPTION_MAX:
        raise Invalid("description", f"Keep the description to {DESCRIPTION_MAX:,} "
                                     "characters at most.")
    if has_control_characters(description, allow_newlines=True):
        raise Invalid("description", "Remove the invisible control characters from this field.")
    start = values["starts_at"]
    if not isinstance(start, datetime):
        raise Invalid("starts_at", "Give the date and time the event starts.")
    cleaned = {
        "kind": values["kind"],
        "title": _one_line(values["title"], "title", "title", TITLE_MAX, TITLE_MIN),
        "description": description,
        "timezone": zone,
        "starts_at": to_utc(start, zone).replace(microsecond=0),
        "duration_minutes": _duration(values["duration_minutes"]),
        "location": _one_line(values["location"], "location", "place", LOCATION_MAX),
        "online_url": str(values["online_url"] or "").strip(),
        "capacity": _number(values["capacity"], "capacity", CAPACITY_MIN, CAPACITY_MAX,
                            f"Give a capacity from {CAPACITY_MIN} to {CAPACITY_MAX} people."),
    }
    if cleaned["online_url"] and (problem := url_problem(cleaned["online_url"])):
        raise Invalid("online_url", problem)
    if not cleaned["location"] and not cleaned["online_url"]:
        raise Invalid("location", "Give a place, an online link, or both.")
    for field, problem in (("skills", skill_names_problem(split_list(values["skills"]))),
                           ("cohosts", handles_problem(
                               [h for h in split_list(values["cohosts"]) if isinstance(h, str)]))):
        if problem:
            raise Invalid(field, problem)
    cleaned["ends_at"] = cleaned["starts_at"] + timedelta(minutes=cleaned["duration_minutes"])
    return cleaned


def resolve_skills(actor: User, names) -> list:
    found: dict[int, object] = {}
    for name in split_list(names):
        skill = name if not isinstance(name, str) else get_or_create_skill(actor, name,
                                                                           field="skills")
        found.setdefault(skill.id, skill)
    return list(found.values())


def resolve_cohosts(host: User, handles) -> list[User]:
    people = [h for h in split_list(handles) if isinstance(h, User)]
    wanted = sorted({normalise_handle(h) for h in split_list(handles) if isinstance(h, str)})
    if wanted:
        found = {u.handle: u for u in db.session.scalars(select(User).where(
            User.handle.in_(wanted)))}
        unknown = [h for h in wanted if h not in found or not found[h].active]
        if unknown:
            listed = ", ".join(f"@{h}" for h in unknown)
            raise Invalid("cohosts", f"Nobody here has the handle {listed}." if len(unknown) == 1
                          else f"Nobody here has the handles {listed}.")
        people += [found[h] for h in wanted]
    unique = {u.id: u for u in people if u.id != host.id}
    if len(unique) > COHOSTS_MAX:
        raise Invalid("cohosts", f"Add at most {COHOSTS_MAX} co-hosts.")
    return list(unique.values())


