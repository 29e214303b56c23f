"""Account services, called directly: no HTTP, real flushes and commits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts import passwords, services
from app.accounts.models import HANDLE_MAX, User
from app.core import signals
from app.core.errors import Conflict, Invalid, NotAllowed
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import DEFAULT_PASSWORD, make_admin, make_user

STRONG = "amber lanterns drift slowly"


def notifications_of(user: User) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ))


def register(name="Ana López", email="ana@example.com", password=STRONG) -> User:
    user = services.register_user(name=name, email=email, password=password)
    db.session.commit()
    return user


# --- register_user ------------------------------------------------------------------------

def test_register_user_stores_a_normalised_email_and_a_hash(app):
    user = register(email="  Ana.Lopez@Example.COM ")
    assert user.email == "ana.lopez@example.com"
    assert user.password_hash != STRONG
    assert passwords.verify_password(user.password_hash, STRONG)
    assert user.active and not user.is_admin


def test_register_user_refuses_an_email_taken_in_any_letter_case(app, subtests):
    make_user(email="ana@example.com")
    for email in ["ana@example.com", "ANA@EXAMPLE.COM", " Ana@Example.com"]:
        with subtests.test(email=email):
            with pytest.raises(Invalid) as err:
                register(email=email)
            assert err.value.field == "email"
            db.session.rollback()
            assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_register_user_refuses_weak_passwords(app, subtests):
    for password in ["password1234", "qwertyuiop123", "short", "          "]:
        with subtests.test(password=password):
            with pytest.raises(Invalid) as err:
                register(password=password)
            assert err.value.field == "password"


def test_register_user_refuses_a_password_made_of_the_persons_name(app):
    with pytest.raises(Invalid) as err:
        register(name="Bartholomew Quince", email="bquince@example.com",
                 password="BartholomewQuince")
    assert err.value.field == "password"


def test_register_user_refuses_an_empty_name(app):
    with pytest.raises(Invalid) as err:
        register(name=" \t ")
    assert err.value.field == "name"


def test_register_user_cleans_the_name(app):
    user = register(name="  Ana \t  López\x1b ")
    assert user.display_name == "Ana López"


def test_register_user_suggests_a_unique_handle_with_accents_folded(app):
    first = register(name="Ana López", email="a1@example.com")
    second = register(name="ANA LOPEZ", email="a2@example.com")
    third = register(name="Ána Lòpez", email="a3@example.com")
    assert [first.handle, second.handle, third.handle] == ["ana-lopez", "ana-lopez-2",
                                                           "ana-lopez-3"]


def test_suggested_handle_folds_letters_that_have_no_accent_to_drop(app):
    assert register(name="Łukasz Øster-SSeck", email="l@example.com").handle == (
        "lukasz-oster-sseck")
    assert register(name="Siobhán O'Brien", email="s@example.com").handle == "siobhan-obrien"


def test_suggested_handle_for_a_name_without_latin_letters(app):
    assert register(name="李小龍").handle == "member"
    assert register(name="X", email="x@example.com").handle == "x-member"


def test_suggested_handle_is_always_a_valid_handle_even_when_cut_short(app):
    # 25 letters, a space: cutting at HANDLE_MAX - 4 characters lands on the hyphen.
    user = register(name="Abcdefghijklmnopqrstuvwxy Zed")
    assert services.HANDLE_RE.match(user.handle), user.handle
    assert len(user.handle) <= HANDLE_MAX
    again = register(name="Abcdefghijklmnopqrstuvwxy Zed", email="b@example.com")
    assert services.HANDLE_RE.match(again.handle) and again.handle != user.handle


def test_register_user_sends_a_welcome_notification(app):
    user = register()
    [note] = notifications_of(user)
    assert note.kind == "welcome"
    assert note.url == "/settings"


# --- authenticate -------------------------------------------------------------------------

def test_authenticate_returns_the_user_and_records_the_login(app):
    user = make_user(email="bo@example.com")
    assert user.last_login_at is None
    assert services.authenticate("BO@example.com ", DEFAULT_PASSWORD) is user
    db.session.commit()
    assert user.last_login_at is not None
    assert user.last_login_at.tzinfo is not None


def test_authenticate_refuses_wrong_unknown_deactivated_and_passwordless(app):
    make_user(email="bo@example.com")
    make_user(email="gone@example.com", active=False)
    make_user(email="demo@example.com", password=None)
    assert services.authenticate("bo@example.com", DEFAULT_PASSWORD + "x") is None
    assert services.authenticate("nobody@example.com", DEFAULT_PASSWORD) is None
    assert services.authenticate("gone@example.com", DEFAULT_PASSWORD) is None
    assert services.authenticate("demo@example.com", "") is None
    assert services.authenticate("demo@example.com", DEFAULT_PASSWORD) is None


def test_failed_authentication_does_not_record_a_login(app):
    user = make_user(email="gone@example.com", active=False)
    services.authenticate("gone@example.com", DEFAULT_PASSWORD)
    assert user.last_login_at is None


# --- change_password ----------------------------------------------------------------------

def test_change_password_needs_the_current_password(app):
    user = make_user()
    old_hash, old_token = user.password_hash, user.session_token
    with pytest.raises(Invalid) as err:
        services.change_password(user, current="not it at all", new=STRONG)
    assert err.value.field == "current_password"
    assert (user.password_hash, user.session_token) == (old_hash, old_token)


def test_change_password_refuses_the_same_or_a_weak_password(app, subtests):
    user = make_user(display_name="Bartholomew Quince")
    for new in [DEFAULT_PASSWORD, "password1234", "short", "BartholomewQuince"]:
        with subtests.test(new=new):
            with pytest.raises(Invalid) as err:
                services.change_password(user, current=DEFAULT_PASSWORD, new=new)
            assert err.value.field == "new_password"
            assert passwords.verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_change_password_sets_the_hash_rotates_the_token_and_notifies(app):
    user = make_user()
    old_token = user.session_token
    services.change_password(user, current=DEFAULT_PASSWORD, new=STRONG)
    db.session.commit()
    assert user.session_token != old_token
    assert passwords.verify_password(user.password_hash, STRONG)
    assert not passwords.verify_password(user.password_hash, DEFAULT_PASSWORD)
    assert [n.kind for n in notifications_of(user)] == ["security"]


def test_end_sessions_rotates_the_token(app):
    user = make_user()
    old_id = user.get_id()
    services.end_sessions(user)
    assert user.get_id() != old_id and user.get_id().startswith(f"{user.id}:")


# --- update_profile -----------------------------------------------------------------------

def test_update_profile_refuses_a_handle_taken_in_any_letter_case(app, subtests):
    make_user(handle="taken")
    user = make_user(handle="mine", job_title="Engineer")
    for handle in ["taken", "TAKEN", "@Taken", " taken "]:
        with subtests.test(handle=handle):
            with pytest.raises(Invalid) as err:
                services.update_profile(user, handle=handle, job_title="Changed")
            assert err.value.field == "handle"
            db.session.rollback()
            assert (user.handle, user.job_title) == ("mine", "Engineer")


def test_update_profile_refuses_invalid_handles(app, subtests):
    user = make_user(handle="mine")
    for handle in ["has space", "-ana", "ana-", "ana!", "a", "@a", "", "@",
                   "x" * (HANDLE_MAX + 1), "ana\x00", "ánа"]:
        with subtests.test(handle=handle):
            with pytest.raises(Invalid) as err:
                services.update_profile(user, handle=handle)
            assert err.value.field == "handle"
            db.session.rollback()
            assert user.handle == "mine"


def test_update_profile_normalises_the_handle_and_keeps_your_own(app):
    user = make_user(handle="mine")
    services.update_profile(user, handle=" @Ana_Bell-2 ")
    assert user.handle == "ana_bell-2"
    services.update_profile(user, handle="ANA_BELL-2")  # your own handle is not "taken"
    db.session.commit()
    assert user.handle == "ana_bell-2"


def test_update_profile_renders_the_bio_to_sanitised_html(app):
    user = make_user()
    services.update_profile(user, bio_md=(
        "I teach **SQL**.\n\n<script>alert(1)</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)> "
        "[docs](https://example.com)"
    ))
    db.session.commit()
    html = user.bio_html
    assert "<strong>SQL</strong>" in html
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;img src=x" in html  # shown as the text that was typed, never as an image
    assert '<a href="https://example.com" rel="nofollow noopener">docs</a>' in html
    services.update_profile(user, bio_md="")
    assert user.bio_html == ""


def test_update_profile_cleans_one_line_fields_and_refuses_an_empty_name(app):
    user = make_user(display_name="Bo")
    services.update_profile(user, display_name="  Bo \t Berg ", job_title=" Data\x07  lead ",
                            department="  Data ", location=" Oslo ")
    assert (user.display_name, user.job_title, user.department, user.location) == (
        "Bo Berg", "Data lead", "Data", "Oslo")
    with pytest.raises(Invalid) as err:
        services.update_profile(user, display_name=" \x1b ")
    assert err.value.field == "display_name"


def test_update_profile_refuses_fields_that_are_not_part_of_a_profile(app):
    user = make_user()
    with pytest.raises(ValueError, match="is_admin"):
        services.update_profile(user, is_admin=True)
    assert not user.is_admin


# --- deactivate / reactivate --------------------------------------------------------------

@pytest.fixture
def sent():
    """Record every (signal name, sender, kwargs) of the account signals during a test."""
    received = []

    def make_receiver(name):
        def receiver(sender, **kwargs):
            received.append((name, sender, kwargs))
        return receiver

    receivers = {name: make_receiver(name) for name in ("user_deactivated", "user_reactivated")}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver)
    yield received
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def test_only_admins_deactivate_and_reactivate(app, sent):
    member, other = make_user(), make_user()
    with pytest.raises(NotAllowed):
        services.deactivate_user(member, other)
    other.active = False
    with pytest.raises(NotAllowed):
        services.reactivate_user(member, other)
    assert sent == []


def test_an_admin_cannot_deactivate_themselves(app, sent):
    admin = make_admin()
    with pytest.raises(Conflict):
        services.deactivate_user(admin, admin)
    assert admin.active and sent == []


def test_deactivate_hides_the_account_ends_its_sessions_and_signals(app, sent):
    admin, user = make_admin(), make_user()
    old_token = user.session_token
    services.deactivate_user(admin, user)
    db.session.commit()
    assert not user.active and not user.is_active
    assert user.deactivated_at is not None
    assert user.session_token != old_token
    assert sent == [("user_deactivated", user, {"by": admin})]
    with pytest.raises(Conflict):
        services.deactivate_user(admin, user)


def test_reactivate_restores_the_account_and_notifies_the_person(app, sent):
    admin, user = make_admin(), make_user()
    services.deactivate_user(admin, user)
    with pytest.raises(Conflict):
        services.reactivate_user(admin, make_user())  # already active
    services.reactivate_user(admin, user)
    db.session.commit()
    assert user.active and user.deactivated_at is None
    assert sent[-1] == ("user_reactivated", user, {"by": admin})
    [note] = notifications_of(user)
    assert (note.kind, note.actor_id) == ("account", admin.id)
    assert services.authenticate(user.email, DEFAULT_PASSWORD) is user


def test_count_admins(app):
    make_user()
    make_admin()
    make_admin()
    assert services.count_admins() == 2


def test_two_sign_ups_with_one_email_at_once_give_a_message_not_an_error(app, monkeypatch):
    """The uniqueness check can't see a sign-up that commits between the check and the
    insert; the unique constraint settles it and the person gets the same message."""
    make_user(email="race@example.com")
    real_check = services.email_taken
    checks = iter([False])  # the first check runs before the other sign-up commits
    monkeypatch.setattr(services, "email_taken",
                        lambda email, **kw: next(checks, None) or real_check(email, **kw))
    with pytest.raises(Invalid) as err:
        services.register_user(name="Race Two", email="race@example.com",
                               password="violet rivers gallop 42")
    assert err.value.field == "email"


def test_two_sign_ups_wanting_one_handle_both_get_one(app, monkeypatch):
    make_user(handle="sam-lee", email="sam1@example.com")
    monkeypatch.setattr(services, "suggest_handle", lambda name: "sam-lee")
    user = services.register_user(name="Sam Lee", email="sam2@example.com",
                                  password="violet rivers gallop 42")
    db.session.commit()
    assert user.handle.startswith("sam-lee-") and len(user.handle) <= 30


def test_a_handle_taken_at_the_same_moment_is_a_field_message(app, monkeypatch):
    make_user(handle="taken-now")
    me = make_user()
    monkeypatch.setattr(services, "handle_taken", lambda handle, **kw: False)
    with pytest.raises(Invalid) as err:
        services.update_profile(me, handle="taken-now")
    assert err.value.field == "handle"
    db.session.rollback()
