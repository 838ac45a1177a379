"""Writes on user accounts: invitations and accepting them."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import invitation_token_generator
from audit import services as audit

logger = logging.getLogger(__name__)
User = get_user_model()


def end_sessions(*, user_id: int) -> int:
    """Log the user out everywhere: delete every stored session that belongs to them. Returns how many.

    Sessions live in the database (django.contrib.sessions); each is decoded to find its user, which is fine
    for the few thousand sessions of the portal and runs only when a login is switched off.
    """
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user_id):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def invitation_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accept_invitation", kwargs={"uidb64": uid, "token": token})


def can_invite(*, acting_user, user) -> bool:
    """Programme staff invite anyone; a coordinator invites the Lotsen of their regions."""
    if acting_user.sees_everything:
        return True
    lotse = getattr(user, "lotse", None) if user.pk else None
    return bool(lotse and lotse.region_id in acting_user.coordinated_region_ids())


@transaction.atomic
def invite_user(*, user, acting_user):
    """(Re)send an invitation e-mail with a one-time link to set a password. Earlier links stop working."""
    if not can_invite(acting_user=acting_user, user=user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password():
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("This person has already set a password."))
    user.invited_at = timezone.now()
    user.invited_by = acting_user
    user.save(update_fields=["invited_at", "invited_by"])
    url = invitation_url(user)
    context = {"user": user, "url": url, "invited_by": acting_user, "programme_name": settings.PROGRAMME_NAME}

    def send():
        # The invitee reads German unless the inviting person works in English.
        with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
            subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
            body = render_to_string("accounts/email/invitation_message.txt", context)
        send_mail(subject, body, None, [user.email])
        logger.info("invitation sent to user %s", user.pk)

    transaction.on_commit(send)
    return user


@transaction.atomic
def accept_invitation(*, user, password: str):
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.invitation_accepted_at = timezone.now()
    user.save(update_fields=["password", "invitation_accepted_at"])
    return user


@transaction.atomic
def reset_mfa(*, user, reason: str, acting_user):
    """Lost phone or key: remove all of ``user``'s authenticators so they can enrol again; recorded.

    Only a superuser may do this, never for their own account (a second superuser must), and a reason is
    required. The person's other sessions stay as they are; their next sensitive action asks for a fresh
    re-authentication by password until they enrol again.
    """
    from allauth.mfa.models import Authenticator
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from accounts.models import MFAReset

    if not (acting_user.is_active and acting_user.is_superuser):
        raise PermissionDenied
    if acting_user.pk == user.pk:
        raise ValidationError(_("Another superuser must reset your two-factor authentication."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    authenticators = Authenticator.objects.filter(user=user)
    counts: dict[str, int] = {}
    for kind in authenticators.values_list("type", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    authenticators.delete()
    record = MFAReset.objects.create(
        user=user,
        reset_by=acting_user,
        reason=reason,
        removed=", ".join(f"{kind} × {n}" for kind, n in sorted(counts.items())),
    )
    logger.warning("MFA of user %s reset by user %s (record %s)", user.pk, acting_user.pk, record.pk)
    # the reason stays on the MFAReset record (superusers only); the trail names the kinds removed
    audit.record(
        audit.Action.MFA_RESET, actor=acting_user, target=user, removed=sorted(counts), reset_record=record.pk
    )
    return record
