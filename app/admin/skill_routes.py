"""The skill taxonomy's administration: find skills; rename one, set its category, add and
remove aliases, merge it into another after seeing what will move; create and rename
categories. Every view is `admin_required`; every change commits once and redirects (303)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import admin_required
from app.admin import bp
from app.core.errors import DomainError, Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import render_page_or_fragment
from app.core.pagination import paginate
from app.extensions import db
from app.skills import merging, queries, services
from app.skills.forms import (
    NO_CATEGORY,
    AliasForm,
    CategoryForm,
    MergeTargetForm,
    RenameSkillForm,
    SkillCategoryForm,
)
from app.skills.models import SKILL_NAME_MAX, SKILL_SLUG_MAX, Skill, SkillCategory, SkillName

SKILLS_PER_PAGE = 50
CATEGORIES_PER_PAGE = 50


@bp.get("/skills")
@admin_required
def skills():
    q = request.args.get("q", "")[:SKILL_NAME_MAX]
    category_slug = request.args.get("category", "")[:SKILL_SLUG_MAX]
    all_categories = queries.categories()
    category = queries.category_from_slug(all_categories, category_slug)
    page = paginate(queries.admin_skill_select(q=q, category=category), SKILLS_PER_PAGE)
    return render_page_or_fragment(
        "admin/skill_list.html", "admin/_skill_rows.html", page=page, q=q, q_max=SKILL_NAME_MAX,
        categories=all_categories, category_slug=category_slug if category else "",
        uncategorised=queries.UNCATEGORISED)


def _category_choices(all_categories) -> dict[str, str]:
    return {NO_CATEGORY: "No category", **{str(c.id): c.name for c in all_categories}}


def render_skill_page(skill: Skill, *, status: int = 200, **forms):
    """The skill's admin page; a form that failed comes in `forms` with its errors."""
    all_categories = queries.categories()
    category_form = forms.get("category_form") or SkillCategoryForm(
        formdata=None, category=str(skill.category_id or NO_CATEGORY))
    category_form.category.choices = _category_choices(all_categories)
    return render_template(
        "admin/skill_detail.html", skill=skill,
        rename_form=forms.get("rename_form") or RenameSkillForm(formdata=None, name=skill.name),
        category_form=category_form,
        alias_form=forms.get("alias_form") or AliasForm(formdata=None),
        merge_form=forms.get("merge_form") or MergeTargetForm(),
    ), status


def _back_to(skill: Skill):
    return redirect(url_for("admin.skill", skill_id=skill.id), 303)


@bp.get("/skills/<int:skill_id>")
@admin_required
def skill(skill_id: int):
    return render_skill_page(db.get_or_404(Skill, skill_id))


@bp.post("/skills/<int:skill_id>/rename")
@csrf_checked_by_form
@admin_required
def rename_skill(skill_id: int):
    skill = db.get_or_404(Skill, skill_id)
    form = RenameSkillForm()
    if form.validate_on_submit():
        old_name = skill.name
        try:
            services.rename_skill(current_user, skill, form.name.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash(f"“{old_name}” is now called “{skill.name}”; the old name stays as an "
                  "alias." if skill.name != old_name else "The name is saved.", "success")
            return _back_to(skill)
    return render_skill_page(skill, rename_form=form, status=400)


@bp.post("/skills/<int:skill_id>/category")
@csrf_checked_by_form
@admin_required
def set_skill_category(skill_id: int):
    skill = db.get_or_404(Skill, skill_id)
    all_categories = queries.categories()
    form = SkillCategoryForm()
    form.category.choices = _category_choices(all_categories)
    if form.validate_on_submit():
        chosen = next((c for c in all_categories if str(c.id) == form.category.data), None)
        services.set_skill_category(current_user, skill, chosen)
        db.session.commit()
        flash(f"“{skill.name}” is now in {chosen.name}." if chosen
              else f"“{skill.name}” is in no category now.", "success")
        return _back_to(skill)
    return render_skill_page(skill, category_form=form, status=400)


@bp.post("/skills/<int:skill_id>/aliases")
@csrf_checked_by_form
@admin_required
def add_alias(skill_id: int):
    skill = db.get_or_404(Skill, skill_id)
    form = AliasForm()
    if form.validate_on_submit():
        try:
            alias = services.add_alias(current_user, skill, form.alias.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash(f"“{alias.name}” now finds “{skill.name}”.", "success")
            return _back_to(skill)
    return render_skill_page(skill, alias_form=form, status=400)


@bp.post("/skills/<int:skill_id>/aliases/<int:name_id>/remove")
@admin_required
def remove_alias(skill_id: int, name_id: int):
    skill = db.get_or_404(Skill, skill_id)
    alias = db.get_or_404(SkillName, name_id)
    alias_name = alias.name
    try:
        services.remove_alias(current_user, skill, alias)
    except Invalid as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash(f"“{alias_name}” no longer finds “{skill.name}”.", "success")
    return _back_to(skill)


@bp.get("/skills/<int:skill_id>/merge")
@admin_required
def merge_skill(skill_id: int):
    """Choosing the skill to merge into shows what will move; nothing changes on GET."""
    skill = db.get_or_404(Skill, skill_id)
    form = MergeTargetForm(request.args)
    if not form.validate():
        return render_skill_page(skill, merge_form=form, status=400)
    try:
        target = merging.find_merge_target(skill, form.into.data)
    except Invalid as err:
        show_invalid(form, err)
        return render_skill_page(skill, merge_form=form, status=400)
    return render_template("admin/skill_merge.html", plan=merging.merge_plan(skill, target))


@bp.post("/skills/<int:skill_id>/merge")
@admin_required
def confirm_merge(skill_id: int):
    skill = db.get_or_404(Skill, skill_id)
    target_id = request.form.get("into_id", type=int)
    if target_id is None:
        abort(400)
    target = db.get_or_404(Skill, target_id)
    duplicate_name = skill.name
    try:
        done = merging.merge_skills(current_user, skill, target)
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
        return _back_to(skill)
    db.session.commit()
    closed = len(done.closing)
    flash(f"“{duplicate_name}” is merged into “{target.name}”: {done.offers_moving} "
          f"offer{'' if done.offers_moving == 1 else 's'} moved"
          + (f", {closed} duplicate{'' if closed == 1 else 's'} closed" if closed else "")
          + f", and its names are aliases of “{target.name}” now.", "success")
    return _back_to(target)


# -- Categories --------------------------------------------------------------------------------


def render_categories(form: CategoryForm | None = None, status: int = 200):
    page = paginate(queries.category_list_select(), CATEGORIES_PER_PAGE)
    return render_template(
        "admin/category_list.html", page=page, form=form or CategoryForm(formdata=None),
        counts=queries.skill_counts_by_category(page.items),
        uncategorised=queries.uncategorised_count(),
        uncategorised_slug=queries.UNCATEGORISED), status


@bp.get("/skills/categories")
@admin_required
def categories():
    return render_categories()


@bp.post("/skills/categories")
@csrf_checked_by_form
@admin_required
def create_category():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = services.create_category(current_user, form.name.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash(f"The category “{category.name}” is created.", "success")
            return redirect(url_for("admin.categories"), 303)
    return render_categories(form, status=400)


@bp.route("/skills/categories/<int:category_id>", methods=["GET", "POST"])
@csrf_checked_by_form
@admin_required
def category(category_id: int):
    category = db.get_or_404(SkillCategory, category_id)
    old_name = category.name
    form = CategoryForm(formdata=None, name=category.name) if request.method == "GET" \
        else CategoryForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.rename_category(current_user, category, form.name.data)
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        else:
            db.session.commit()
            flash(f"“{old_name}” is now called “{category.name}”.", "success")
            return redirect(url_for("admin.categories"), 303)
    return render_template("admin/category_detail.html", category=category, old_name=old_name,
                           form=form), 200 if request.method == "GET" else 400
