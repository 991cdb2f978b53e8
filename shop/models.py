"""Every model module, imported once so the metadata (migrations, drift test) has every table."""

from shop.artisans import models as artisans  # noqa: F401
from shop.auth import models as auth  # noqa: F401
from shop.catalog import models as catalog  # noqa: F401
from shop.classes import models as classes  # noqa: F401
from shop.core import settings  # noqa: F401
from shop.media import models as media  # noqa: F401
from shop.messages import models as messages  # noqa: F401
from shop.moderation import models as moderation  # noqa: F401
from shop.orders import models as orders  # noqa: F401
from shop.payments import models as payments  # noqa: F401
from shop.payouts import models as payouts  # noqa: F401
from shop.reviews import models as reviews  # noqa: F401
from shop.waitlist import models as waitlist  # noqa: F401
