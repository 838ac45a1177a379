"""factory_boy factories for every model. Invented people only."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from allowances.models import AllowanceClaim, Contract
from certificates.models import Certificate
from events.models import Attendance, Event
from lotsen.models import Consultation, Lotse
from organisations.models import Organisation, PartnerInstitution
from regions.models import Coordination, District, Language, Region

TEST_PASSWORD = "test-password-2014"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name", locale="de_DE")
    password = factory.django.Password(TEST_PASSWORD)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    coordinating_body = factory.LazyAttribute(lambda o: f"Regionalagentur {o.name}")
    signatory_name = "Dr. Erika Beispiel"
    signatory_function = "Leitung der Regionalagentur"
    certificate_place = "Bielefeld"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Kreis {n}")
    kind = District.Kind.KREIS
    official_key = factory.Sequence(lambda n: f"{90000 + n}")


class CoordinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordination

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)


def language(code: str) -> Language:
    return Language.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Kulturverein {n} e.V.")
    legal_form = Organisation.LegalForm.EV
    city = "Bielefeld"
    cooperation_status = Organisation.CooperationStatus.ACTIVE


class PartnerInstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerInstitution

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Jobcenter {n}")
    kind = PartnerInstitution.Kind.JOBCENTER


class LotseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lotse
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="tr_TR")
    last_name = factory.Faker("last_name", locale="tr_TR")
    region = factory.SubFactory(RegionFactory)
    status = Lotse.Status.ACTIVE
    joined_on = datetime.date(2014, 3, 1)
    iban = "DE89370400440532013000"
    account_holder = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    lotse = factory.SubFactory(LotseFactory)
    status = Contract.Status.ACTIVE
    starts_on = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))
    rate = Decimal("60.00")


class AllowanceClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllowanceClaim

    lotse = factory.SubFactory(LotseFactory)
    contract = factory.LazyAttribute(lambda o: ContractFactory(lotse=o.lotse))
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    amount = Decimal("60.00")
    status = AllowanceClaim.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    lotse = factory.SubFactory(LotseFactory)
    region = factory.LazyAttribute(lambda o: o.lotse.region)
    date = factory.LazyFunction(timezone.localdate)
    duration_minutes = 45
    mode = Consultation.Mode.IN_PERSON
    topic_job_search = True
    age_band = Consultation.AgeBand.FROM_25
    gender = Consultation.Gender.FEMALE
    country_of_origin = "SY"
    time_in_germany = Consultation.TimeInGermany.FROM_1


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = Event.Kind.TRAINING
    region = factory.SubFactory(RegionFactory)
    title = factory.Sequence(lambda n: f"Qualifizierungstreffen {n}")
    topic = "Anerkennung ausländischer Berufsabschlüsse"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    place = "Bielefeld, Neues Rathaus"
    hours_credited = Decimal("3.0")
    capacity = 20


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    event = factory.SubFactory(EventFactory)
    lotse = factory.SubFactory(LotseFactory)
    status = Attendance.Status.REGISTERED


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    lotse = factory.SubFactory(LotseFactory)
    programme_year = factory.LazyFunction(lambda: timezone.localdate().year)
    status = Certificate.Status.ISSUED
    issued_at = factory.LazyFunction(timezone.now)


# -- coordinator workspace (coorda) ------------------------------------------------------------------
def pdf_bytes(pages: int = 1) -> bytes:
    """A small, valid PDF (blank A4 pages), as a scanned contract would be."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "Vertrag Ayşe.pdf", content: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, pdf_bytes() if content is None else content, content_type="application/pdf"
    )


def contract_with_document(contract: Contract) -> Contract:
    from django.core.files.base import ContentFile

    contract.signed_document.save("contract.pdf", ContentFile(pdf_bytes()), save=True)
    return contract


def png_bytes(width: int = 120, height: int = 60, colour=(11, 92, 142)) -> bytes:
    """A small, valid PNG made with Pillow, as a region's logo or signature image would be."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "Unterschrift Petra.png", content: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type="image/png")
