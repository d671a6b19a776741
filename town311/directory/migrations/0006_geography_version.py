from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("directory", "GeographyVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_town_open_data_licence"),
    ]

    operations = [
        migrations.CreateModel(
            name="GeographyVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
