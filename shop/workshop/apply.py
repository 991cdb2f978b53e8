"""Applying for a workshop in steps (about you → craft and story → photos → goals → review),
each saved on the server; resubmitting after "changes requested" walks the same steps."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from shop.artisans import drafts, services
from shop.artisans.forms import country_choices
from shop.artisans.models import Artisan
from shop.core.errors import DomainError, ValidationFailed
from shop.core.forms import PostForm
from shop.core.images import ImageRejected
from shop.core.views import show_error, unit_of_work
from shop.media.services import save_image
from shop.workshop.apply_forms import AboutForm, CraftForm, GoalsForm, PhotosForm, statements_form
from shop.workshop.blueprint import bp

FORMS = {"about": AboutForm, "craft": CraftForm, "photos": PhotosForm, "goals": GoalsForm}


def _applicant() -> Artisan | None:
    """The workshop being sent again, or None for a first application."""
    return current_user.artisan


def _may_apply(artisan: Artisan | None) -> bool:
    """A first application, or one returned by the admins; anyone else goes to the dashboard."""
    return artisan is None or artisan.status in drafts.CAN_RESUBMIT


@bp.route("/apply")
def apply():
    """Resume the application at its first unfinished step."""
    if not _may_apply(_applicant()):
        return redirect(url_for("workshop.dashboard"))
    return redirect(url_for("workshop.apply_step", page=drafts.first_open_page(current_user)))


def _form(page: str, answers: dict, artisan: Artisan | None):
    """The page's form, filled from the request on POST, else from the saved answers."""
    if page == "statements":
        saved = answers.get("statements") or {}
        return statements_form(drafts.chosen_goals(answers), str(get_locale()), data=saved)
    if page == "about":
        return AboutForm(data=answers, resubmitting=artisan is not None)
    return FORMS[page](data=answers)


def _values(page: str, form) -> dict:
    """What a page keeps in the draft (photos are kept as stored image ids, elsewhere)."""
    if page == "statements":
        return {
            "statements": {
                name: field.data or ""
                for name, field in form._fields.items()
                if name != "csrf_token"
            }
        }
    if page == "photos":
        return {}
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _check_identity(form, artisan: Artisan | None) -> bool:
    """The workshop name and web address must be free: the service's rule, shown on the field."""
    try:
        services.check_identity(
            form.shop_name.data, form.slug.data or None, artisan.id if artisan else None
        )
    except ValidationFailed as error:
        show_error(form, error)
        return False
    return True


def _store_photos(form, values: dict) -> None:
    """Store the uploaded photos now (checked, re-encoded); a rejected file is that field's
    error."""
    for which in ("profile", "cover"):
        upload = form[f"{which}_photo"].data
        if upload and getattr(upload, "filename", ""):
            try:
                image = save_image(upload.read(), current_user.id, alt=current_user.name or "")
            except ImageRejected as error:
                raise ValidationFailed(str(error), field=f"{which}_photo") from None
            values[f"{which}_image_id"] = image.id


def _neighbour(page: str, offset: int, answers: dict) -> str:
    index = drafts.PAGES.index(page) + offset
    target = drafts.PAGES[max(0, min(index, len(drafts.PAGES) - 1))]
    if target == "statements" and not answers.get("goals"):
        target = drafts.PAGES[drafts.PAGES.index(target) + offset]
    return target


@bp.route("/apply/<page>", methods=["GET", "POST"])
def apply_step(page: str):
    artisan = _applicant()
    if page not in drafts.PAGES:
        abort(404)
    if not _may_apply(artisan):
        return redirect(url_for("workshop.dashboard"))
    open_page = drafts.first_open_page(current_user)
    if drafts.PAGES.index(page) > drafts.PAGES.index(open_page):
        return redirect(url_for("workshop.apply_step", page=open_page))  # no skipping ahead
    if page == "review":
        return _review(artisan)
    answers = drafts.answers(current_user, artisan)
    if page == "statements" and not drafts.chosen_goals(answers):
        return redirect(url_for("workshop.apply_step", page="goals"))
    form = _form(page, answers, artisan)
    if request.method == "POST" and PostForm().validate_on_submit():
        going_back = request.form.get("go") == "back"
        valid = form.validate() and (page != "craft" or _check_identity(form, artisan))
        if valid or going_back:
            values = _values(page, form)
            with unit_of_work(form) as work:
                if valid and page == "photos":
                    _store_photos(form, values)
                drafts.save_page(current_user, artisan, page, values, valid)
            if work:
                answers = {**answers, **values}
                return redirect(
                    url_for(
                        "workshop.apply_step",
                        page=_neighbour(page, -1 if going_back else 1, answers),
                    )
                )
    return _render(page, form, answers, artisan), 422 if form.errors else 200


def _step_labels() -> dict[str, str]:
    return {
        "about": _("About you and privacy"),
        "craft": _("Your craft and story"),
        "photos": _("Photos"),
        "goals": _("Goals"),
        "review": _("Review and send"),
    }


def _render(page: str, form, answers: dict, artisan: Artisan | None):
    step = drafts.step_of(page)
    return render_template(
        f"workshop/apply_{page}.html",
        page=page,
        form=form,
        answers=answers,
        artisan=artisan,
        steps=drafts.STEPS,
        step_labels=_step_labels(),
        current_step=step,
        step_number=drafts.STEPS.index(step) + 1,
        done=drafts.steps_done(current_user),
        countries=dict(country_choices(str(get_locale()))),
        chosen=drafts.chosen_goals(answers),
        photos={
            which: drafts.image_of(current_user, answers.get(f"{which}_image_id"))
            for which in ("profile", "cover")
        },
    )


def _review(artisan: Artisan | None):
    """Everything in one place with a link back to each step, and the button that sends it."""
    answers = drafts.answers(current_user, artisan)
    form = PostForm()
    if form.validate_on_submit():
        with unit_of_work(show=False) as work:
            drafts.submit(current_user, artisan)
        if work:
            flash(
                _("Thank you! Your application is waiting for review. We will e-mail you."),
                "success",
            )
            return redirect(url_for("workshop.dashboard"))
        error: DomainError = work.error
        flash(error.message, "danger")
        page = drafts.FIELD_PAGE.get(error.field or "")
        if page:
            return redirect(url_for("workshop.apply_step", page=page))
    return _render("review", form, answers, artisan), 422 if request.method == "POST" else 200
