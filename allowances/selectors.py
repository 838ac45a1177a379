"""Reads of the allowances app that are more than one queryset line."""

import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from allowances.models import Contract, SelfDeclaration


def lotsen_with_declaration(lotsen: QuerySet, year: int) -> QuerySet:
    """The Lotsen (a scoped queryset) who had a contract in ``year`` (active, or ended after running in it),
    each with that year's self-declaration if there is one: ``declaration_id``, ``declaration_received_on``
    and ``declaration_document`` (the stored name, "" without a PDF). One query for any number of rows."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    contracts = (
        Contract.objects.filter(lotse=OuterRef("pk"), starts_on__lte=last)
        .exclude(status=Contract.Status.DRAFT)
        .exclude(ends_on__lt=first)
    )
    declaration = SelfDeclaration.objects.filter(lotse=OuterRef("pk"), year=year)
    return (
        lotsen.filter(Exists(contracts))
        .select_related("region")
        .only("pk", "first_name", "last_name", "user_id", "region__name")
        .annotate(
            declaration_id=Subquery(declaration.values("pk")[:1]),
            declaration_received_on=Subquery(declaration.values("received_on")[:1]),
            declaration_document=Subquery(declaration.values("document")[:1]),
        )
        .order_by("last_name", "first_name", "pk")
    )
