"""Billing runs, the statement of a paid claim, and the year-end statements (README "Billing runs and
statements").

Every money figure comes from ``allowances.rules``; the payout batch of a closed run is made by
``allowances.services.payouts.create_batch`` with its own checks (``why_not_payable`` under the row lock);
e-mails go out once through ``notifications.reminders.send_once`` (a ``SentReminder`` row per key).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from allowances import rules
from allowances.models import AllowanceClaim, PayoutBatch
from allowances.services import payouts
from audit.services import Action, record
from billing.models import BillingRun, ClaimStatement, YearEndBatch, YearEndStatement
from lotsen.models import Lotse
from notifications import tokens
from notifications.models import Kind, SentReminder
from notifications.reminders import Mail, claim_month_key, language_of, send_once, wants
from portal.access import acts_for_self
from portal.dates import first_of_month, previous_month
from regions.models import Coordination, Region

logger = logging.getLogger(__name__)
Status = AllowanceClaim.Status


def _payers_only(user, region_id: int) -> None:
    if not rules.pays_region(user, region_id):
        raise PermissionDenied(_("Only those who pay the allowances of this region can do this."))


# == billing runs ==========================================================================================
@dataclass
class StartResult:
    run: BillingRun
    created: bool


def start_run(*, region: Region, month: datetime.date, acting_user=None) -> StartResult:
    """Start the region's billing run of the month, or find the one already started (nothing new then).

    ``acting_user`` None: the worker on the region's day. The invitations go out after the commit, each once
    (notifications.SentReminder), so a second start, a rerun or two payers at once send nothing more."""
    if acting_user is not None:
        _payers_only(acting_user, region.pk)
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise ValidationError({"month": _("A billing run cannot be started for a month in the future.")})
    try:
        with transaction.atomic():
            run, created = BillingRun.objects.get_or_create(
                region=region, month=month, defaults={"started_by": acting_user}
            )
            if created:
                record(Action.BILLING, actor=acting_user, target=run, region=region, step="started")
    except IntegrityError:  # a second start at the same moment: the first one's run
        run, created = BillingRun.objects.get(region=region, month=month), False
    if created:
        transaction.on_commit(lambda: _enqueue_invitations(run.pk))
    return StartResult(run=run, created=created)


def _enqueue_invitations(run_id: int) -> None:
    from billing.tasks import send_run_invitations

    try:
        send_run_invitations.delay(run_id)
    except BrokerError:  # the daily task sends what is missing
        logger.warning("billing run %s: queue unavailable, invitations follow with the daily task", run_id)


def run_lotsen(run: BillingRun):
    """The Lotsen of the run: in its region, with a contract covering its month (allowances.rules)."""
    return Lotse.objects.filter(region_id=run.region_id, pk__in=rules.lotsen_under_contract(run.month))


def _claim_mail(run: BillingRun, lotse: Lotse, *, key: str, template: str) -> Mail | None:
    user = lotse.user
    if user is None or not user.is_active or not user.email or not wants(user, Kind.CLAIM_MONTH):
        return None
    return Mail(
        kind=Kind.CLAIM_MONTH,
        key=key,
        to=user.email,
        recipient=user,
        language=language_of(user),
        template=template,
        context={
            "name": lotse.first_name,
            "month": run.month,
            "claim_url": settings.SITE_URL
            + reverse("me:claim_month", kwargs={"year": run.month.year, "month": run.month.month}),
        },
        unsubscribe_url=tokens.unsubscribe_url_for_user(user.pk, Kind.CLAIM_MONTH),
    )


def invitation_key(run: BillingRun, lotse_id: int) -> str:
    """The monthly reminder's key (notifications.reminders.claim_month_key): one e-mail per Lotse and month,
    the run's invitation or the reminder, whichever goes out first."""
    return claim_month_key(lotse_id, run.month)


def send_invitations(run: BillingRun) -> int:
    """Invite every Lotse of the run without a claim made for the month (a draft does not count); each
    once. Runs as the system (the worker): no user, no scope."""
    claimed = AllowanceClaim.objects.filter(month=run.month).exclude(status=Status.DRAFT).values("lotse_id")
    sent = 0
    for lotse in run_lotsen(run).exclude(pk__in=claimed).select_related("user").order_by("pk"):
        key = invitation_key(run, lotse.pk)
        if SentReminder.objects.filter(kind=Kind.CLAIM_MONTH, key=key).exists():
            continue
        mail = _claim_mail(run, lotse, key=key, template="billing_run_invitation")
        sent += bool(mail and send_once(mail))
    return sent


def remind(*, run: BillingRun, lotse: Lotse, acting_user, today: datetime.date | None = None) -> bool:
    """One reminder to a Lotse of the run who has not submitted; at most one per Lotse and day (the
    SentReminder key carries the date). False when one went out today already or the Lotse does not take
    these e-mails."""
    run = BillingRun.objects.editable_by(acting_user).filter(pk=run.pk).first()
    if run is None:
        raise PermissionDenied
    if not run.is_open:
        raise ValidationError(_("This billing run is closed."))
    if not run_lotsen(run).filter(pk=lotse.pk).exists():
        raise ValidationError(_("This Lotse has no contract in the month of the run."))
    if AllowanceClaim.objects.filter(lotse=lotse, month=run.month).exclude(status=Status.DRAFT).exists():
        raise ValidationError(_("This Lotse has already submitted the claim."))
    today = today or timezone.localdate()
    mail = _claim_mail(
        run,
        lotse,
        key=f"billing-remind:{run.pk}:{lotse.pk}:{today.isoformat()}",
        template="billing_run_reminder",
    )
    if mail is None:
        raise ValidationError(_("This Lotse has no active login or has switched off claim reminders."))
    sent = send_once(mail)
    if sent:
        record(Action.BILLING, actor=acting_user, target=run, subject=lotse, step="reminded")
    return sent


@dataclass
class CloseResult:
    run: BillingRun
    batch: PayoutBatch
    skipped: list[tuple[str, int]] = field(default_factory=list)


def close_run(*, run: BillingRun, execution_date: datetime.date, acting_user) -> CloseResult:
    """Close the run: its approved claims go into one payout batch, made by the payouts service with its
    checks (what it cannot pay is left out with the reason and stays approved for the pay page). Refused
    when nothing can be paid; cancelling the batch later reopens the run (on_batch_cancelled)."""
    with transaction.atomic():
        locked = BillingRun.objects.editable_by(acting_user).select_for_update().filter(pk=run.pk).first()
        if locked is None:
            raise PermissionDenied
        _payers_only(acting_user, locked.region_id)
        if not locked.is_open:
            raise ValidationError(_("This billing run is already closed."))
        approved = AllowanceClaim.objects.filter(
            lotse__region_id=locked.region_id,
            month=locked.month,
            status=Status.APPROVED,
            payout_batch__isnull=True,
        ).select_related("lotse")
        if any(acts_for_self(acting_user, claim.lotse) for claim in approved):
            raise ValidationError(
                _("This run holds your own claim: another person who pays the region closes it.")
            )
        claim_ids = list(
            AllowanceClaim.objects.editable_by(acting_user)
            .filter(
                lotse__region_id=locked.region_id,
                month=locked.month,
                status=Status.APPROVED,
                payout_batch__isnull=True,
            )
            .values_list("pk", flat=True)
        )
        result = payouts.create_batch(
            claim_ids=claim_ids, execution_date=execution_date, acting_user=acting_user
        )
        if result.batch is None:  # nothing payable: the run stays open (nothing would be paid by closing)
            reasons = "; ".join(f"{reason} ({count})" for reason, count in result.skipped_by_reason())
            raise ValidationError(
                _("No claim of this run can be paid yet, so the run stays open.")
                + (" " + _("Reasons: %(reasons)s.") % {"reasons": reasons} if reasons else "")
            )
        locked.closed_at, locked.closed_by, locked.payout_batch = timezone.now(), acting_user, result.batch
        locked.save(update_fields=["closed_at", "closed_by", "payout_batch"])
        record(
            Action.BILLING,
            actor=acting_user,
            target=locked,
            step="closed",
            claims=result.batch.count,
        )
    return CloseResult(run=locked, batch=result.batch, skipped=result.skipped_by_reason())


def on_batch_cancelled(sender, *, batch_id, acting_user=None, **kwargs) -> None:
    """allowances.signals.batch_cancelled (inside the cancelling transaction): the run closed into the
    batch is open again, so it can be closed into a new batch (e.g. after the bank details were fixed)."""
    for run in BillingRun.objects.select_for_update().filter(payout_batch_id=batch_id):
        run.closed_at, run.closed_by, run.payout_batch = None, None, None
        run.save(update_fields=["closed_at", "closed_by", "payout_batch"])
        record(Action.BILLING, actor=acting_user, target=run, region=run.region, step="reopened")


def runs_due(today: datetime.date):
    """Regions whose policy starts the previous month's run on or before today (the worker's day, or a day
    it missed) and whose run of that month does not exist yet."""
    month = previous_month(first_of_month(today))
    return Region.objects.filter(allowance_policy__billing_run_day__lte=today.day).exclude(
        billing_runs__month=month
    )


def start_due_runs(today: datetime.date | None = None) -> int:
    """The daily task: start the runs due today, then send the invitations still missing for the runs of
    the last two months (a start whose queue was down is made good here). Idempotent."""
    today = today or timezone.localdate()
    month = previous_month(first_of_month(today))
    started = sum(start_run(region=region, month=month).created for region in runs_due(today))
    for run in BillingRun.objects.filter(closed_at__isnull=True, month__gte=previous_month(month)):
        send_invitations(run)
    return started


# == the statement of a paid claim ==========================================================================
def on_claims_paid(sender, *, claim_ids, batch_id=None, **kwargs) -> None:
    """allowances.signals.claims_paid (after the commit): the worker renders the statements. A queue that is
    down loses nothing: the nightly sweep renders what is missing."""
    from billing.tasks import render_claim_statements

    try:
        render_claim_statements.delay(list(claim_ids))
    except BrokerError:
        logger.warning("statements of batch %s wait for the nightly sweep: queue unavailable", batch_id)


def statement_missing(statement: ClaimStatement | None) -> bool:
    return statement is None or not statement.file or not statement.file.storage.exists(statement.file.name)


def render_claim_statements(claim_ids) -> int:
    """Render and store the statement of each paid claim that has none (or whose file is gone).
    Idempotent: the row is claimed under a lock (SKIP LOCKED: a duplicate task skips it), the file is
    written under its final name by an atomic rename, so a rerun overwrites."""
    from billing.statements import claim_statement_pdfs
    from certificates.services import store_atomically

    done = 0
    for claim_id in claim_ids:
        with transaction.atomic():
            ClaimStatement.objects.get_or_create(claim_id=claim_id)
            statement = (
                ClaimStatement.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(claim_id=claim_id, claim__status=Status.PAID)
                .select_related("claim")
                .first()
            )
            if statement is None or not statement_missing(statement):
                continue
            (pdf,) = claim_statement_pdfs([statement.claim])
            name = store_atomically(f"statements/claims/claim-{claim_id}.pdf", pdf)
            ClaimStatement.objects.filter(pk=statement.pk).update(
                file=name, sha256=hashlib.sha256(pdf).hexdigest(), rendered_at=timezone.now()
            )
            done += 1
    return done


def missing_statement_claims() -> list[int]:
    """Ids of paid claims without a stored statement: no row or file name, or a file gone from the storage
    (the nightly sweep; two queries and one stat per statement). Not those of anonymised Lotsen."""
    from django.core.files.storage import default_storage

    # anonymised Lotsen: their statements were deleted with their personal data and stay so
    paid = AllowanceClaim.objects.filter(status=Status.PAID, lotse__anonymised_at__isnull=True)
    missing = list(paid.exclude(statement__file__gt="").values_list("pk", flat=True))
    stored = ClaimStatement.objects.filter(claim__in=paid).exclude(file="").values_list("claim_id", "file")
    missing += [claim_id for claim_id, name in stored if not default_storage.exists(name)]
    return sorted(missing)


def claim_statement_pdf(claim: AllowanceClaim) -> bytes:
    """The claim's statement: the stored file, or (a lost task, a deleted file) the same PDF made now in
    memory. A download writes nothing (a GET never does); the nightly sweep stores what is missing."""
    from billing.statements import claim_statement_pdfs

    statement = ClaimStatement.objects.filter(claim=claim).first()
    if not statement_missing(statement):
        with statement.file.open("rb") as handle:
            return handle.read()
    logger.info("statement of claim %s missing: made for the download, stored by the nightly sweep", claim.pk)
    (pdf,) = claim_statement_pdfs([claim])
    return pdf


# == year-end statements ====================================================================================
def payments_digest(claims) -> str:
    """A fingerprint of the paid claims a statement is made from: a changed payment changes it."""
    text = "|".join(
        f"{claim.pk}:{claim.month:%Y-%m}:{claim.amount}" for claim in sorted(claims, key=lambda c: c.pk)
    )
    return hashlib.sha256(text.encode()).hexdigest()


#: the signer's role on the paper (German, as the PDF): the payer signs for the coordinating body
PAYER_ROLE = "Koordination, Auszahlung der Aufwandsentschädigungen"


@dataclass
class Signers:
    """Who signs the region's statements, chosen per statement: never the holder themselves."""

    region: Region
    acting_user: object = None
    payers: list = field(default_factory=list)

    @classmethod
    def of(cls, region: Region, acting_user=None) -> Signers:
        payers = [
            coordination.user
            for coordination in Coordination.objects.filter(
                region=region, handles_payments=True, user__is_active=True
            )
            .select_related("user")
            .order_by("user__name", "pk")
        ]
        return cls(region=region, acting_user=acting_user, payers=payers)

    def for_holder(self, holder_user_id: int | None) -> tuple[str, str]:
        """The payer who issues them, else the region's first payer by name, else the region's signatory,
        leaving out the holder's own user; the role is the payer's."""
        body = self.region.coordinating_body or self.region.name
        candidates = list(self.payers)
        user = self.acting_user
        if user is not None and not user.is_superuser and self.region.pk in user.paying_region_ids():
            candidates.insert(0, user)
        for payer in candidates:
            if payer.pk != holder_user_id and payer.name:
                return payer.name, f"{PAYER_ROLE}, {body}"
        return self.region.signatory_name, self.region.signatory_function or body


@dataclass
class IssueResult:
    batch: YearEndBatch | None
    new: int = 0
    reissued: int = 0
    unchanged: int = 0


def issue_year_end(*, region: Region, year: int, acting_user=None, lotse_ids=None) -> IssueResult:
    """Issue the year-end statements of the region's Lotsen with allowances paid in ``year`` (by the day of
    payment, rules.paid_in_year: the year the money was received, § 11 EStG): a first
    version for those without one, version n+1 for those whose payments changed since (the old version is
    superseded once the new one is issued), nothing for the others. Running it twice issues nothing new.
    ``acting_user`` None: the worker in January."""
    if acting_user is not None:
        _payers_only(acting_user, region.pk)
    if year >= timezone.localdate().year:
        raise ValidationError(
            {"year": _("Year-end statements can only be issued for a year that has ended.")}
        )
    paid = AllowanceClaim.objects.filter(rules.paid_in_year(year), lotse__region=region)
    if lotse_ids is not None:
        paid = paid.filter(lotse_id__in=list(lotse_ids))
    if acting_user is not None:  # nobody issues their own statement
        paid = paid.exclude(lotse__user_id=acting_user.pk)
    claims_by_lotse: dict[int, list[AllowanceClaim]] = {}
    for claim in paid.only("pk", "lotse_id", "month", "amount").order_by("pk"):
        claims_by_lotse.setdefault(claim.lotse_id, []).append(claim)
    result = IssueResult(batch=None)
    if not claims_by_lotse:
        return result
    signers = Signers.of(region, acting_user)
    with transaction.atomic():
        # Lock the Lotsen: two issues at once would both pick the same next version.
        holders = dict(
            Lotse.objects.select_for_update()
            .filter(pk__in=list(claims_by_lotse))
            .values_list("pk", "user_id")
        )
        # the newest version not superseded or failed: a pending one (waiting to be rendered) before the
        # issued one it will replace
        current = {
            statement.lotse_id: statement
            for statement in YearEndStatement.objects.current()
            .filter(lotse_id__in=list(claims_by_lotse), year=year)
            .order_by("version")
        }
        versions = dict(
            YearEndStatement.objects.filter(lotse_id__in=list(claims_by_lotse), year=year)
            .values("lotse_id")
            .annotate(v=Max("version"))
            .values_list("lotse_id", "v")
        )
        to_create = []
        now = timezone.now()
        for lotse_id, claims in claims_by_lotse.items():
            digest = payments_digest(claims)
            old = current.get(lotse_id)
            if old is not None and old.payments_digest == digest:
                result.unchanged += 1
                continue
            if old is not None:
                # The issued version stays valid until the new one is issued (render_year_end supersedes
                # it then); a pending one that was never handed out is replaced now.
                if old.status == YearEndStatement.Status.PENDING:
                    YearEndStatement.objects.filter(pk=old.pk).update(
                        status=YearEndStatement.Status.SUPERSEDED, superseded_at=now
                    )
                result.reissued += 1
            else:
                result.new += 1
            signer_name, signer_role = signers.for_holder(holders.get(lotse_id))
            to_create.append(
                YearEndStatement(
                    lotse_id=lotse_id,
                    year=year,
                    version=versions.get(lotse_id, 0) + 1,
                    payments_digest=digest,
                    total=sum((claim.amount for claim in claims), 0),
                    signer_name=signer_name,
                    signer_role=signer_role,
                    issued_by=acting_user,
                )
            )
        if not to_create:
            return result
        batch = YearEndBatch.objects.create(
            region=region, year=year, requested_by=acting_user, total=len(to_create)
        )
        for statement in to_create:
            statement.batch = batch
        created = YearEndStatement.objects.bulk_create(to_create)
        record(
            Action.BILLING,
            actor=acting_user,
            target=batch,
            region=region,
            step="year_end",
            statements=len(created),
        )
        ids = [statement.pk for statement in created]
        transaction.on_commit(lambda: _enqueue_year_end(ids))
    result.batch = batch
    return result


def _enqueue_year_end(ids: list[int]) -> None:
    from billing.tasks import render_year_end_statements
    from certificates.services import chunked

    try:
        for chunk in chunked(ids):
            render_year_end_statements.delay(chunk)
    except BrokerError:  # the nightly sweep renders what is pending
        logger.warning("year-end statements wait for the nightly sweep: queue unavailable")


def render_year_end(statement_ids) -> dict[str, int]:
    """Render the pending statements among ``statement_ids`` (locked with SKIP LOCKED, files by atomic
    rename, file + hash + status in one UPDATE: a rerun overwrites); each issued one supersedes the
    version it replaces in the same transaction."""
    from billing.statements import year_end_pdfs
    from certificates.services import store_atomically

    issued = failed = 0
    with transaction.atomic():
        statements = list(
            YearEndStatement.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=list(statement_ids), status=YearEndStatement.Status.PENDING)
            .select_related("lotse__region")
            .order_by("pk")
        )
        if not statements:
            return {"issued": 0, "failed": 0}
        try:
            pdfs = year_end_pdfs(statements)
        except SoftTimeLimitExceeded:
            raise  # the chunk rolls back and stays pending for the next sweep
        except Exception:
            if len(statements) > 1:  # find the broken one: the others are issued
                logger.warning("rendering %s year-end statements failed: one by one", len(statements))
                pdfs = [_render_one(statement) for statement in statements]
            else:
                pdfs = [None]
                logger.exception("rendering year-end statement %s failed", statements[0].pk)
        now = timezone.now()
        for statement, pdf in zip(statements, pdfs, strict=True):
            if pdf is None:
                YearEndStatement.objects.filter(pk=statement.pk).update(status=YearEndStatement.Status.FAILED)
                failed += 1
                continue
            name = store_atomically(f"statements/year-end/{statement.verification_code}.pdf", pdf)
            # the version it replaces is superseded now that this one is issued (not before: a failed or
            # waiting re-issue leaves the old one valid on /verify/)
            YearEndStatement.objects.filter(
                lotse_id=statement.lotse_id,
                year=statement.year,
                version__lt=statement.version,
                status=YearEndStatement.Status.ISSUED,
            ).update(status=YearEndStatement.Status.SUPERSEDED, superseded_at=now)
            YearEndStatement.objects.filter(pk=statement.pk).update(
                status=YearEndStatement.Status.ISSUED,
                file=name,
                sha256=hashlib.sha256(pdf).hexdigest(),
                issued_at=now,
            )
            issued += 1
    return {"issued": issued, "failed": failed}


def _render_one(statement) -> bytes | None:
    from billing.statements import year_end_pdfs

    try:
        (pdf,) = year_end_pdfs([statement])
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.exception("rendering year-end statement %s failed", statement.pk)
        return None
    return pdf


def render_pending_year_end() -> int:
    """The nightly sweep of pending year-end statements, in chunks (certificates.services.chunked), each
    in its own transaction: an error fails only its statement, the time limit leaves the rest pending."""
    from certificates.services import chunked

    pending = list(
        YearEndStatement.objects.filter(status=YearEndStatement.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(render_year_end(chunk)["issued"] for chunk in chunked(pending))


def issue_year_end_for_all(year: int | None = None) -> int:
    """January, by the worker: every region's statements of the past year (idempotent)."""
    year = year or timezone.localdate().year - 1
    return sum(
        bool(issue_year_end(region=region, year=year).batch)
        for region in Region.objects.filter(
            pk__in=AllowanceClaim.objects.filter(rules.paid_in_year(year)).values("lotse__region_id")
        ).order_by("pk")
    )
