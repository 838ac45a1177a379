"""A change of a Lotse's bank data is protected like a bank protects a new payee.

Lotse.save notices a changed IBAN or account holder, whoever saves (coordinator form, admin, a service, a
script), puts the Lotse's payments on hold (Lotse.bank_data_on_hold) and calls ``bank_data_changed``: an
audit entry with the field names, and an e-mail to the Lotse after the commit. The hold ends when a second
person who pays the region confirms the new details (``confirm_bank_data``) or after BANK_DATA_HOLD_DAYS.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit.services import Action, record
from lotsen.models import Lotse
from lotsen.services.lotsen import lock_editable_lotse
from portal.access import OWN_RECORD_REFUSED, acts_for_self

logger = logging.getLogger(__name__)

NOT_A_PAYER = gettext_lazy(
    "Only those who pay the allowances of the Lotse's region confirm new bank details."
)
OWN_CHANGE = gettext_lazy(
    "You changed these bank details yourself: a second person who pays the region must confirm them."
)
NOTHING_TO_CONFIRM = gettext_lazy("There are no new bank details waiting for confirmation.")


def bank_data_hold_reason(lotse: Lotse) -> str:
    """Why a claim of this Lotse is not paid now (a reason allowances.rules.why_not_payable gives)."""
    return _("bank data changed on %(date)s: paid once a second payer confirms it, or from %(until)s") % {
        "date": date_format(timezone.localtime(lotse.bank_data_changed_at), "SHORT_DATE_FORMAT"),
        "until": date_format(timezone.localtime(lotse.bank_data_hold_until), "SHORT_DATETIME_FORMAT"),
    }


def changed_by_description(user) -> str:
    """Who changed the data, as the Lotse reads it: a role, not a name (the Lotse asks the office who).
    Translated in the context "changed by" (German: the dative after "von")."""
    if user is None or not getattr(user, "is_authenticated", False):
        return pgettext("changed by", "the portal (not by a person logged in)")
    if user.is_superuser:
        return pgettext("changed by", "the portal administration")
    if user.is_programme_staff:
        return pgettext("changed by", "the programme office")
    if user.is_coordinator:
        return pgettext("changed by", "a coordinator of your region")
    return pgettext("changed by", "a person with access to the portal")


def notice_recipients(lotse: Lotse, previous_email: str = "") -> list[str]:
    """The address on file, the login's address, and the address on file before this save (a change of
    bank data together with the e-mail address must not send the warning only to the new address)."""
    addresses = [previous_email, lotse.email, lotse.user.email if lotse.user_id else ""]
    recipients: list[str] = []
    for address in addresses:
        address = (address or "").strip().lower()
        if address and address not in recipients:
            recipients.append(address)
    return recipients


def bank_data_changed(*, lotse: Lotse, fields: list[str], acting_user, previous_email: str = "") -> None:
    """Record the change (field names only) and e-mail the Lotse once the change is committed."""
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    record(Action.BANK_DATA_CHANGED, actor=actor, target=lotse, fields=sorted(fields))
    logger.info("bank data of lotse %s changed by user %s", lotse.pk, getattr(actor, "pk", None))
    recipients = notice_recipients(lotse, previous_email)
    if not recipients:
        logger.warning("bank data of lotse %s changed; no e-mail address on file to notify", lotse.pk)
        return
    context = {
        "lotse": lotse,
        "changed_at": timezone.localtime(lotse.bank_data_changed_at),
        "changed_by": changed_by_description(actor),
        "iban_masked": lotse.iban_masked,
        "fields": set(fields),
        "region": lotse.region,
        "hold_days": settings.BANK_DATA_HOLD_DAYS,
        "programme_name": settings.PROGRAMME_NAME,
    }
    lotse_id = lotse.pk

    def send():
        # The portal stores no language per person: the notice is German (the programme's language).
        with translation.override(settings.LANGUAGE_CODE):
            context["changed_by"] = changed_by_description(actor)
            subject = render_to_string("lotsen/email/bank_data_changed_subject.txt", context).strip()
            body = render_to_string("lotsen/email/bank_data_changed_message.txt", context)
        try:
            send_mail(subject, body, None, recipients)
        except Exception as error:
            # The change is committed and the payments are on hold either way; the coordinator's page must
            # not fail. The operator sees the failure in the log: ids and the kind of error only (an SMTP
            # error's text names the addresses).
            logger.error(  # noqa: TRY400 - no traceback: it would carry the addresses too
                "bank-data notice for lotse %s could not be sent (%s)", lotse_id, type(error).__name__
            )
            return
        logger.info("bank-data notice sent for lotse %s", lotse_id)

    transaction.on_commit(send)


CHANGED_AGAIN = gettext_lazy(
    "The bank details were changed again after you opened the page. Please check them and confirm again."
)


@transaction.atomic
def confirm_bank_data(*, lotse: Lotse, acting_user, seen_version: str, now=None) -> Lotse:
    """A second person who pays the region confirms the new bank details: the hold ends at once.

    Refused with a message (nothing changes) for those who do not pay the region, for the person who made
    the change, for the Lotse themself, and when nothing waits for confirmation."""
    lotse = lock_editable_lotse(lotse=lotse, acting_user=acting_user)
    if not lotse.can_see_payment_details(acting_user):
        raise ValidationError(NOT_A_PAYER, code="not_a_payer")
    if acts_for_self(acting_user, lotse):
        raise ValidationError(OWN_RECORD_REFUSED, code="own_record")
    if not lotse.bank_data_on_hold(now):
        raise ValidationError(NOTHING_TO_CONFIRM, code="nothing_to_confirm")
    if not lotse.can_confirm_bank_data(acting_user):
        raise ValidationError(OWN_CHANGE, code="own_change")
    if seen_version != lotse.bank_data_version:
        raise ValidationError(CHANGED_AGAIN, code="changed_again")
    lotse.bank_data_confirmed_at, lotse.bank_data_confirmed_by = now or timezone.now(), acting_user
    lotse.save(update_fields=["bank_data_confirmed_at", "bank_data_confirmed_by", "updated_at"])
    record(Action.BANK_DATA_CONFIRMED, actor=acting_user, target=lotse)
    logger.info("bank data of lotse %s confirmed by user %s", lotse.pk, acting_user.pk)
    return lotse
