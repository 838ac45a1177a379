"""A Lotse keeps their own contact details, languages, expertise and availability up to date."""

import logging

from django.db import transaction

from lotsen.models import Lotse, Topic
from portal.access import require_own

logger = logging.getLogger(__name__)

#: The only columns a Lotse changes about themself; region, organisations, status and bank details stay with
#: the coordinators.
OWN_PROFILE_FIELDS = ("email", "phone", "availability", "expertise", "address_form")


@transaction.atomic
def update_own_profile(*, lotse: Lotse, acting_user, languages, **values) -> Lotse:
    require_own(lotse, acting_user)
    unknown = set(values) - set(OWN_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not editable by the Lotse: {sorted(unknown)}")
    lotse = Lotse.objects.select_for_update().get(pk=lotse.pk)
    if "expertise" in values:
        values["expertise"] = [topic for topic in Topic.values if topic in set(values["expertise"])]
    for name, value in values.items():
        setattr(lotse, name, value)
    lotse.full_clean(exclude=["user", "region", "district", "iban"])
    # update_fields: a coordinator changing the status at the same moment is not overwritten.
    lotse.save(update_fields=[*values, "updated_at"])
    lotse.languages.set(languages)
    logger.info("lotse %s updated their profile", lotse.pk)
    return lotse
