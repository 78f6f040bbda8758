"""The box office: walk-in sales (channel and payment method), and Gate staff may sell."""

from django.conf import settings
from django.db import migrations, models

from core.roles import GATE_STAFF, grant_permissions, revoke_permissions

PERMISSIONS = {GATE_STAFF: [("tourism", "ticket", "sell_at_box_office")]}


class Migration(migrations.Migration):
    dependencies = [
        ("tourism", "0007_page_cache_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="ticket",
            options={
                "ordering": ["pk"],
                "permissions": [
                    ("check_in_ticket", "Can admit visitors at the gate"),
                    ("sell_at_box_office", "Can sell tickets at the box office"),
                ],
                "verbose_name": "ticket",
                "verbose_name_plural": "tickets",
            },
        ),
        migrations.AddField(
            model_name="payment",
            name="method",
            field=models.CharField(
                blank=True,
                choices=[("cash", "Cash"), ("wechat", "WeChat Pay"), ("alipay", "Alipay")],
                default="",
                max_length=10,
                verbose_name="paid by",
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="channel",
            field=models.CharField(
                choices=[("web", "Website"), ("api", "Partner API"), ("box_office", "Box office")],
                default="web",
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("method__in", ["wechat", "alipay"])),
                fields=("method", "provider_payment_id"),
                name="counter_payment_recorded_once",
            ),
        ),
        migrations.RunPython(
            lambda apps, schema_editor: grant_permissions(apps, PERMISSIONS),
            lambda apps, schema_editor: revoke_permissions(apps, PERMISSIONS),
        ),
    ]
