from django.db import migrations, models

import events.models


class Migration(migrations.Migration):
    dependencies = [("events", "0004_guest_checkin_token")]

    operations = [
        migrations.AlterField(
            model_name="guestregistration",
            name="checkin_token",
            field=models.CharField(
                default=events.models.new_secret, editable=False, max_length=64, unique=True
            ),
        ),
    ]
