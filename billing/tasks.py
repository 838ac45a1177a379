"""Celery tasks of billing: they take ids (or nothing: the moment is the worker's clock) and call a service.
Every service here is idempotent, so a redelivered message or a second beat changes nothing more."""

from celery import shared_task

from billing import services

LIMITS = {"acks_late": True, "reject_on_worker_lost": True, "soft_time_limit": 600, "time_limit": 660}


@shared_task(**LIMITS)
def send_run_invitations(run_id: int) -> int:
    """The e-mails of a started billing run, each once."""
    from billing.models import BillingRun

    run = BillingRun.objects.filter(pk=int(run_id)).first()
    return 0 if run is None else services.send_invitations(run)


@shared_task(**LIMITS)
def start_due_billing_runs() -> int:
    """Daily: the runs of the regions whose day it is, and invitations still missing."""
    return services.start_due_runs()


@shared_task(**LIMITS)
def render_claim_statements(claim_ids: list[int]) -> int:
    return services.render_claim_statements([int(pk) for pk in claim_ids])


@shared_task(**LIMITS)
def render_missing_statements() -> int:
    """Nightly sweep: statements of paid claims whose task was lost, pending year-end statements."""
    done = services.render_claim_statements(services.missing_statement_claims())
    return done + services.render_pending_year_end()


@shared_task(**LIMITS)
def render_year_end_statements(statement_ids: list[int]) -> dict[str, int]:
    return services.render_year_end([int(pk) for pk in statement_ids])


@shared_task(**LIMITS)
def issue_year_end_statements() -> int:
    """January: every region's year-end statements of the past year (a rerun issues nothing new)."""
    return services.issue_year_end_for_all()
