"""Applying in steps: the answers typed so far are kept on the server (one draft per user) so
an applicant can stop on a phone and resume at the first unfinished step. Sending the draft
goes through the same rules as any application (services.apply, or update + resubmit)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.artisans import services
from shop.artisans.models import (
    STORY_MAX,
    ApplicationDraft,
    Artisan,
    ArtisanStatus,
    PublicName,
)
from shop.auth.models import User
from shop.core.errors import NotAllowed, ValidationFailed
from shop.extensions import db
from shop.goals import get_goal
from shop.media.models import Image

# The steps the progress indicator shows, in order.
STEPS = ("about", "craft", "photos", "goals", "review")
# The pages behind them: the goals step asks for statements on a second page.
PAGES = ("about", "craft", "photos", "goals", "statements", "review")
# Which answers each page owns (what the review shows and a page saves).
PAGE_FIELDS = {
    "about": (
        "first_name",
        "public_name_choice",
        "city",
        "country",
        "origin_country",
        "show_origin",
        "languages",
        "consent",
    ),
    "craft": ("shop_name", "slug", "craft", "tagline", "story", "profile_language", "story_url"),
    "photos": ("profile_image_id", "cover_image_id"),
    "goals": ("goals",),
    "statements": ("statements",),
}
# A field named by a domain error -> the page where the applicant can fix it.
FIELD_PAGE = {name: page for page, names in PAGE_FIELDS.items() for name in names}
# An applicant may go through the steps again after these decisions.
CAN_RESUBMIT = frozenset({ArtisanStatus.CHANGES_REQUESTED, ArtisanStatus.REJECTED})


def step_of(page: str) -> str:
    """The progress step a page belongs to (statements belong to goals)."""
    return "goals" if page == "statements" else page


def draft_of(user: User) -> ApplicationDraft | None:
    """The user's application in progress, if any."""
    return db.session.scalar(select(ApplicationDraft).where(ApplicationDraft.user_id == user.id))


def answers_from(artisan: Artisan) -> dict:
    """A workshop's current answers, to start a resubmission from what was sent."""
    return {
        "first_name": artisan.first_name,
        "public_name_choice": artisan.public_name_choice.value,
        "city": artisan.city,
        "country": artisan.country,
        "origin_country": artisan.origin_country or "",
        "show_origin": artisan.show_origin,
        "languages": artisan.languages,
        "consent": artisan.has_consent,
        "shop_name": artisan.shop_name,
        "slug": artisan.slug,
        "craft": artisan.craft,
        "tagline": artisan.tagline,
        "story": artisan.story,
        "profile_language": artisan.profile_language,
        "story_url": artisan.story_url or "",
        "profile_image_id": artisan.profile_image_id,
        "cover_image_id": artisan.cover_image_id,
        "goals": [goal_key(g.kind, g.number) for g in artisan.goals],
        "statements": {goal_key(g.kind, g.number): g.statement for g in artisan.goals},
    }


def answers(user: User, artisan: Artisan | None) -> dict:
    """What the steps show: the draft's answers, else the workshop's (a resubmission)."""
    draft = draft_of(user)
    if draft is not None:
        return dict(draft.answers)
    return answers_from(artisan) if artisan is not None else {}


def steps_done(user: User) -> set[str]:
    """The progress steps finished (goals counts once its statements are saved too)."""
    draft = draft_of(user)
    done = set(draft.steps_done) if draft is not None else set()
    if "statements" not in done:
        done.discard("goals")
    return done


def first_open_page(user: User) -> str:
    """Where the applicant resumes: the first page not yet saved as valid."""
    draft = draft_of(user)
    done = set(draft.steps_done) if draft is not None else set()
    return next((page for page in PAGES[:-1] if page not in done), "review")


def _bounded(value):
    """A value as kept in a draft: text no longer than the longest field (the story), so an
    unvalidated page saved by "back" cannot grow the row without limit."""
    if isinstance(value, str):
        return value[:STORY_MAX]
    if isinstance(value, list):
        return [_bounded(item) for item in value[:100]]
    if isinstance(value, dict):
        return {str(key)[:20]: _bounded(item) for key, item in list(value.items())[:100]}
    return value


def save_page(
    user: User, artisan: Artisan | None, page: str, values: dict, valid: bool
) -> ApplicationDraft:
    """Keep a page's answers (valid or not: going back keeps what was typed) and whether it
    passed validation. Choosing no goals leaves no statements to write."""
    if page not in PAGE_FIELDS:
        raise ValueError(page)
    draft = draft_of(user)
    if draft is None:
        draft = ApplicationDraft(user_id=user.id, answers=answers_from(artisan) if artisan else {})
        db.session.add(draft)
    owned = {name: _bounded(values[name]) for name in PAGE_FIELDS[page] if name in values}
    draft.answers = {**(draft.answers or {}), **owned}  # a new dict: JSON columns track assignment
    done = set(draft.steps_done or ()) - {page}
    if valid:
        done.add(page)
    if page == "goals":
        done.discard("statements")
        if valid and not draft.answers.get("goals"):
            done.add("statements")
    draft.steps_done = sorted(done)
    db.session.flush()
    return draft


def chosen_goals(answers: dict) -> list:
    """The reference goals the applicant ticked, in the order of the list."""
    goals = [parse_goal_key(key) for key in answers.get("goals") or ()]
    return [goal for goal in goals if goal is not None]


def goal_key(kind: str, number: int) -> str:
    """How a goal is named in forms and answers: "sdg-8"."""
    return f"{kind}-{number}"


def parse_goal_key(key: str):
    """The reference goal named by "sdg-8", or None."""
    kind, _, number = str(key).partition("-")
    return get_goal(kind, int(number)) if number.isdigit() else None


def image_of(user: User, image_id) -> Image | None:
    """A photo the applicant uploaded (never someone else's)."""
    image = db.session.get(Image, image_id) if isinstance(image_id, int) else None
    return image if image is not None and image.owner_id == user.id else None


def application_data(answers: dict) -> services.ApplicationData:
    """The draft's answers in the shape every application takes."""
    statements = answers.get("statements") or {}
    return services.ApplicationData(
        shop_name=answers.get("shop_name") or "",
        slug=answers.get("slug") or None,
        first_name=answers.get("first_name") or "",
        public_name_choice=PublicName(answers.get("public_name_choice") or "shop_name"),
        craft=answers.get("craft") or "",
        city=answers.get("city") or "",
        country=answers.get("country") or "",
        origin_country=answers.get("origin_country") or None,
        show_origin=bool(answers.get("show_origin")),
        languages=answers.get("languages") or "",
        tagline=answers.get("tagline") or "",
        story=answers.get("story") or "",
        profile_language=answers.get("profile_language") or "es",
        story_url=answers.get("story_url") or None,
        consent=bool(answers.get("consent")),
        goals={
            (goal.kind, goal.n): statements.get(goal_key(goal.kind, goal.n), "")
            for goal in chosen_goals(answers)
        },
    )


def submit(user: User, artisan: Artisan | None) -> Artisan:
    """Send the draft: a new application, or an edited one back to the admins' queue.
    Raises ValidationFailed naming the field (hence the page) that needs another look."""
    draft = draft_of(user)
    page = first_open_page(user)
    if draft is None or page != "review":
        raise ValidationFailed(
            str(_l("Please complete this step first.")), field=PAGE_FIELDS[page][0]
        )
    data = application_data(draft.answers)
    if artisan is None:
        artisan = services.apply(user, data)
    elif artisan.status in CAN_RESUBMIT:
        services.update(artisan, data)
        services.resubmit(artisan, user)
    else:
        raise NotAllowed()
    for which in ("profile", "cover"):
        image = image_of(user, draft.answers.get(f"{which}_image_id"))
        if image is not None:
            services.set_photo(artisan, which, image)
    db.session.delete(draft)
    db.session.flush()
    return artisan
