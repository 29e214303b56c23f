"""Register, log in, log out and settings. Thin: load → authorize → act → commit → respond."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, fresh_login_required, login_fresh, login_required

from app.accounts import bp, services
from app.accounts.forms import ChangePasswordForm, ConfirmForm, LoginForm, ProfileForm, RegisterForm
from app.accounts.queries import departments
from app.accounts.sessions import end_session, start_session
from app.core.errors import Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.ratelimit import login_account
from app.core.security import safe_next
from app.core.validators import timezone_names
from app.extensions import db, limiter


def _limit(key):
    return lambda: current_app.config[key]


def _failed_attempt(response) -> bool:
    return response.status_code != 303


@bp.route("/register", methods=["GET", "POST"])
@csrf_checked_by_form
@limiter.limit(_limit("REGISTER_LIMIT_PER_IP"), methods=["POST"])
@limiter.limit(_limit("REGISTER_LIMIT_PER_ACCOUNT"), key_func=login_account, methods=["POST"],
               deduct_when=_failed_attempt)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                name=form.name.data, email=form.email.data, password=form.password.data
            )
        except Invalid as err:
            show_invalid(form, err)
        else:
            db.session.commit()
            start_session(user)
            flash(f"Welcome to Skillswap, {user.display_name}! Tell colleagues a little "
                  "about yourself.", "success")
            return redirect(url_for("accounts.settings"), 303)
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@csrf_checked_by_form
@limiter.limit(_limit("LOGIN_LIMIT_PER_IP"), methods=["POST"])
@limiter.limit(_limit("LOGIN_LIMIT_PER_ACCOUNT"), key_func=login_account, methods=["POST"],
               deduct_when=_failed_attempt)
def login():
    next_url = safe_next(request.args.get("next"), url_for("home.index"))
    if current_user.is_authenticated and login_fresh():  # a stale one may re-authenticate
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors = ["That email and password don't match an active account."]
        else:
            db.session.commit()
            start_session(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(next_url, 303)
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    ConfirmForm().validate_on_submit()  # CSRF is checked globally; this keeps intent explicit
    services.end_sessions(current_user)
    db.session.commit()
    end_session()
    flash("You're logged out on every device.", "success")
    return redirect(url_for("accounts.login"), 303)


def _render_settings(profile_form=None, password_form=None, status=200):
    return render_template(
        "accounts/settings.html",
        profile_form=profile_form or ProfileForm(formdata=None, obj=current_user),
        password_form=password_form or ChangePasswordForm(formdata=None),
        timezones=timezone_names(),
        departments=departments(),
    ), status


@bp.get("/settings")
@login_required
def settings():
    return _render_settings()


@bp.post("/settings")
@csrf_checked_by_form
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        fields = {name: form[name].data for name in services.PROFILE_FIELDS}
        try:
            services.update_profile(current_user, **fields)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("accounts.settings"), 303)
    return _render_settings(profile_form=form)


@bp.post("/settings/password")
@csrf_checked_by_form
@fresh_login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, current=form.current_password.data, new=form.new_password.data
            )
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            start_session(current_user._get_current_object())
            flash("Your password is changed. You've been logged out on every other device.",
                  "success")
            return redirect(url_for("accounts.settings"), 303)
    return _render_settings(password_form=form)
