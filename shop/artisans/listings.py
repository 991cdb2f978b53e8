"""What products and classes share: the SDG and GCM goals they support, which default to
their artisan's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop.artisans.models import Artisan, GoalLink
from shop.core.errors import ValidationFailed
from shop.goals import get_goal

GoalPairs = list[tuple[str, int]]


def sync_goals(
    links: list[GoalLink],
    wanted: GoalPairs | None,
    artisan: Artisan,
    make_link: type[GoalLink],
) -> None:
    """Make a listing's goal links (`links`, its relationship list) the `wanted` goals:
    unknown goals are refused, links no longer wanted go, missing ones are added.
    `None` means "as the artisan's goals"."""
    if wanted is None:
        wanted = [(g.kind, g.number) for g in artisan.goals]
    for kind, number in wanted:
        if get_goal(kind, number) is None:
            raise ValidationFailed(str(_l("Unknown goal.")), field="goals")
    chosen = set(wanted)
    for link in list(links):
        if (link.kind, link.number) not in chosen:
            links.remove(link)
    have = {(link.kind, link.number) for link in links}
    for kind, number in sorted(chosen - have):
        links.append(make_link(kind=kind, number=number))
