"""Keep the months of work true when a single work entry is saved or deleted.

Bulk writes (a crew's day, imports, the demo) call ``services.work_months_refresh``
or ``work_months_rebuild`` themselves; these handlers cover the admin's add, edit and
delete and ``work_entry_record``.
"""

from .models import WorkEntry
from .services import work_months_refresh


def remember_month(sender, instance: WorkEntry, raw=False, **kwargs):
    """Before an edit, note the villager and date it had, whose month loses the entry if they change."""
    instance._month_before = None
    if instance.pk and not raw:
        instance._month_before = (
            WorkEntry.objects.filter(pk=instance.pk).values_list("villager_id", "date").first()
        )


def recount_after_save(sender, instance: WorkEntry, raw=False, **kwargs):
    if raw:
        return
    keys = [(instance.villager_id, instance.date)]
    if getattr(instance, "_month_before", None):
        keys.append(instance._month_before)
    work_months_refresh(keys=keys)


def recount_after_delete(sender, instance: WorkEntry, **kwargs):
    work_months_refresh(keys=[(instance.villager_id, instance.date)])
