# The money models move to the allowances app (issue #12), every row kept.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('lotsen', '0006_lotse_anonymised_at'),
    ]

    operations = [
        # The tables keep their rows and are renamed for the new app; only Django's picture of the models
        # leaves lotsen here (allowances 0001 takes them over without touching the database).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RenameIndex(
                    model_name="allowanceclaim",
                    new_name="claim_status_month_idx",
                    old_name="lotsen_allo_status_fc3187_idx",
                ),
                migrations.AlterModelTable(name="allowanceclaim", table="allowances_allowanceclaim"),
                migrations.AlterModelTable(name="selfdeclaration", table="allowances_selfdeclaration"),
                migrations.AlterModelTable(name="taxallowancecap", table="allowances_taxallowancecap"),
                migrations.AlterModelTable(name="contract", table="allowances_contract"),
            ],
            state_operations=[
                migrations.RemoveField(
                    model_name='allowanceclaim',
                    name='contract',
                ),
                migrations.RemoveField(
                    model_name='allowanceclaim',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='allowanceclaim',
                    name='lotse',
                ),
                migrations.RemoveField(
                    model_name='allowanceclaim',
                    name='paid_by',
                ),
                migrations.RemoveField(
                    model_name='contract',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='contract',
                    name='lotse',
                ),
                migrations.RemoveField(
                    model_name='contract',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='selfdeclaration',
                    name='lotse',
                ),
                migrations.RemoveField(
                    model_name='selfdeclaration',
                    name='recorded_by',
                ),
                migrations.DeleteModel(
                    name='TaxAllowanceCap',
                ),
                migrations.DeleteModel(
                    name='AllowanceClaim',
                ),
                migrations.DeleteModel(
                    name='Contract',
                ),
                migrations.DeleteModel(
                    name='SelfDeclaration',
                ),
            ],
        ),
    ]
