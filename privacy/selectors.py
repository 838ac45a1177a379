"""Everything the portal holds about one Lotse, for their copy (GDPR Art. 15 and 20).

``subject_data(lotse=..., viewer=...)`` reads through the scoping door of each model as ``viewer``: the Lotse
themself (their own rows) or programme staff (everything). Values are plain (strings, numbers, ISO dates) so
the same dict becomes the JSON file and the readable HTML page.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allowances.models import AllowanceClaim, Contract, SelfDeclaration
from audit.models import AuditEntry
from certificates.models import Certificate
from events.models import Attendance
from lotsen.models import Consultation, Lotse, LotseStatusChange
from lotsen.validators import format_iban

#: the sections of the copy, in this order, in the JSON and (with these headings) in the HTML
SECTIONS = {
    "profile": _("Profile"),
    "status_history": _("Status history"),
    "contracts": _("Contracts"),
    "claims": _("Claims"),
    "self_declarations": _("Self-declarations"),
    "consultations": _("Consultations you logged"),
    "attendances": _("Events and attendance"),
    "certificates": _("Certificates"),
    "audit_entries": _("Who accessed or changed your data (audit trail)"),
}


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows(queryset, fields) -> list[dict]:
    return [{field: _plain(getattr(obj, field)) for field in fields} for obj in queryset]


def subject_data(*, lotse: Lotse, viewer, include_iban: bool) -> dict:
    """The copy of ``lotse``'s data as ``viewer`` may read it. ``include_iban``: the full IBAN (only in the
    Lotse's own copy: it is theirs); otherwise masked as everywhere else."""
    own = viewer.pk is not None and lotse.user_id == viewer.pk
    profile = {
        "id": lotse.pk,
        "first_name": lotse.first_name,
        "last_name": lotse.last_name,
        "email": lotse.email,
        "phone": lotse.phone,
        "region": str(lotse.region),
        "district": str(lotse.district) if lotse.district_id else "",
        "organisations": [str(o) for o in lotse.organisations.all()],
        "languages": [str(language) for language in lotse.languages.all()],
        "expertise": list(lotse.expertise_labels),
        "availability": lotse.availability,
        "address_form": lotse.get_address_form_display(),
        "status": lotse.get_status_display(),
        "status_since": _plain(lotse.status_since),
        "joined_on": _plain(lotse.joined_on),
        "left_on": _plain(lotse.left_on),
        "account_holder": lotse.account_holder if include_iban else "",
        "iban": format_iban(lotse.iban) if include_iban else lotse.iban_masked,
        "login": lotse.user.email if lotse.user_id else "",
        "created_at": _plain(lotse.created_at),
    }
    status_history = LotseStatusChange.objects.visible_to(viewer).filter(lotse=lotse)
    contracts = Contract.objects.visible_to(viewer).filter(lotse=lotse).select_related("organisation")
    claims = AllowanceClaim.objects.visible_to(viewer).filter(lotse=lotse)
    declarations = SelfDeclaration.objects.visible_to(viewer).filter(lotse=lotse)
    consultations = (
        Consultation.objects.visible_to(viewer).filter(lotse=lotse).select_related("language", "referral")
    )
    attendances = Attendance.objects.visible_to(viewer).filter(lotse=lotse).select_related("event")
    certificates = Certificate.objects.visible_to(viewer).filter(lotse=lotse)
    audit = (AuditEntry.objects.owned_by(viewer) if own else AuditEntry.objects.visible_to(viewer)).filter(
        subject=lotse
    )
    return {
        "generated_at": timezone.now().isoformat(),
        "profile": profile,
        "status_history": [
            {
                "status": change.get_status_display(),
                "effective_on": _plain(change.effective_on),
                "note": change.note,
            }
            for change in status_history
        ],
        "contracts": [
            {
                **_rows([c], ["starts_on", "ends_on", "ended_on", "signed_on", "rate"])[0],
                "status": c.get_status_display(),
                "organisation": str(c.organisation) if c.organisation_id else "",
                "allowance_type": c.get_allowance_type_display(),
                "tax_allowance": c.get_tax_allowance_display(),
                "signed_document": bool(c.signed_document),
            }
            for c in contracts
        ],
        "claims": [
            {
                **_rows([c], ["month", "amount", "hours", "activities", "submitted_at", "decided_at"])[0],
                **_rows([c], ["rejection_reason", "paid_at"])[0],
                "status": c.get_status_display(),
            }
            for c in claims
        ],
        "self_declarations": [
            {**_rows([d], ["year", "received_on"])[0], "document": bool(d.document)} for d in declarations
        ],
        "consultations": [
            {
                "date": _plain(c.date),
                "duration_minutes": c.duration_minutes,
                "mode": c.get_mode_display(),
                "language": str(c.language) if c.language_id else "",
                "topics": [str(label) for label in c.topic_labels],
                "age_band": c.get_age_band_display(),
                "gender": c.get_gender_display(),
                "country_of_origin": str(c.country_of_origin.name) if c.country_of_origin else "",
                "time_in_germany": c.get_time_in_germany_display(),
                "referral": str(c.referral) if c.referral_id else "",
                "follow_up_needed": c.follow_up_needed,
            }
            for c in consultations
        ],
        "attendances": [
            {
                "event": a.event.title,
                "kind": a.event.get_kind_display(),
                "starts_at": _plain(a.event.starts_at),
                "hours_credited": _plain(a.event.hours_credited),
                "status": a.get_status_display(),
            }
            for a in attendances
        ],
        "certificates": [
            {
                "programme_year": c.programme_year,
                "version": c.version,
                "status": c.get_status_display(),
                "verification_code": c.verification_code,
                "issued_at": _plain(c.issued_at),
                "revoked_at": _plain(c.revoked_at),
            }
            for c in certificates
        ],
        "audit_entries": [
            {
                "at": _plain(entry.at),
                "action": entry.get_action_display(),
                "by": entry.actor.get_full_name() if entry.actor_id else "",
                "object": entry.target_type,
                "details": entry.details,
            }
            for entry in audit.select_related("actor")
        ],
    }
