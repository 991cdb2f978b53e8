"""Ordered photo galleries (products, classes): add at the end, remove, move one place.

The owner has a `photos` relationship ordered by `position`; each photo has `id`, `image`
and `position`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from shop.core.errors import NotAllowed, ValidationFailed
from shop.extensions import db
from shop.media.models import Image

MAX_PHOTOS = 8


def add_photo(owner, make_photo: Callable[..., object], image: Image):
    """Attach a stored photo at the end (at most MAX_PHOTOS)."""
    if len(owner.photos) >= MAX_PHOTOS:
        raise ValidationFailed(str(_l("At most %(n)d photos.", n=MAX_PHOTOS)), field="photos")
    position = max((p.position for p in owner.photos), default=-1) + 1
    photo = make_photo(image=image, position=position)
    owner.photos.append(photo)
    db.session.flush()
    return photo


def remove_photo(owner, photo_id: int) -> None:
    """Detach a photo and close the gap in the order."""
    photo = next((p for p in owner.photos if p.id == photo_id), None)
    if photo is None:
        raise NotAllowed()
    owner.photos.remove(photo)
    for position, remaining in enumerate(owner.photos):
        remaining.position = position
    db.session.flush()


def move_photo(owner, photo_id: int, step: int) -> None:
    """Move a photo one place earlier (step=-1) or later (step=1)."""
    photos = list(owner.photos)
    index = next((i for i, p in enumerate(photos) if p.id == photo_id), None)
    if index is None:
        raise NotAllowed()
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(photos):
        photos[index], photos[target] = photos[target], photos[index]
        for position, photo in enumerate(photos):
            photo.position = position
        db.session.flush()
        db.session.expire(owner, ["photos"])
