import pytest
from django.core.management import CommandError, call_command

from allowances.models import AllowanceClaim
from lotsen.models import Consultation, Lotse
from organisations.models import Organisation
from regions.models import Region


def test_seed_scale_creates_a_small_programme(capsys):
    call_command("seed_scale", organisations=30, lotsen=60, consultations=500, years=1)
    assert Region.objects.count() == 16
    assert Organisation.objects.count() == 30 and Lotse.objects.count() == 60
    assert Consultation.objects.count() == 500
    assert AllowanceClaim.objects.exists()
    assert "seed_scale finished in" in capsys.readouterr().out
    with pytest.raises(CommandError):  # never on top of an existing programme
        call_command("seed_scale", organisations=1, lotsen=1, consultations=1)


def test_seed_scale_refuses_production(settings):
    settings.DJANGO_ENV = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_scale", organisations=1, lotsen=1, consultations=1)
    assert not Consultation.objects.exists()
