"""The history of every change: who changed which field from what to what, and when.

Changes land in Wagtail's own log (``ModelLogEntry``), so each object's history view
in the admin shows them, and so does the site history report. An app names the
models it wants followed with ``track()`` (in its ``ready()``); from then on:

- a save through an admin form or a service logs one ``huagu.create`` or
  ``huagu.edit`` entry whose ``data`` holds the changed fields, each as
  ``[field, old, new]`` (already masked where the app says so, so a raw ID number
  never reaches the log), with the acting user;
- a service that writes with ``UPDATE`` (a status move, a capacity change) calls
  ``log_change()`` with the values before and after;
- a bulk write (a crew's day, an import, a wage batch) runs its rows inside
  ``bulk_write()``, which keeps the rows quiet, and logs one ``huagu.bulk`` entry
  with ``log_bulk()``: how many it created and a short list of them.

The acting user is the one Wagtail's log context names: the admin sets it for its
views, and ``ActingUserMiddleware`` sets it for the staff pages outside the admin
(the field form, the gate), reading ``request.user`` only when something is logged,
so anonymous public pages never touch the session.
"""

import contextlib
import contextvars
import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from wagtail.actions import action_registry
from wagtail.actions.create import CreateAction
from wagtail.actions.edit import EditAction
from wagtail.log_actions import LogContext, LogFormatter, get_active_log_context
from wagtail.log_actions import log as wagtail_log
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

CREATE = "huagu.create"
EDIT = "huagu.edit"
BULK = "huagu.bulk"
CORRECT = "huagu.correct"

#: How many of a bulk write's objects its log entry names.
BULK_LIST_LENGTH = 10

_quiet = contextvars.ContextVar("history_quiet", default=False)


@dataclass
class Tracking:
    """What is followed of one model: its fields, and how some of them are masked."""

    model: type[models.Model]
    fields: list[models.Field]
    masked: dict[str, Callable[[str], str]] = field(default_factory=dict)


_tracked: dict[type[models.Model], Tracking] = {}


def tracked(model) -> Tracking | None:
    return _tracked.get(model)


# --- values ------------------------------------------------------------------------------


def _plain(value):
    """A value as the log stores it: JSON-friendly, dates in the park's time zone."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if hasattr(value, "name") and hasattr(value, "storage"):  # a file
        return value.name or None
    return str(value)


def _field_value(f: models.Field, value):
    """A field's value as the log stores it; decimals with the field's places ("1" → "1.00")."""
    if isinstance(value, Decimal) and getattr(f, "decimal_places", None) is not None:
        value = value.quantize(Decimal(1).scaleb(-f.decimal_places))
    return _plain(value)


def _masked(tracking: Tracking, name: str, value):
    mask = tracking.masked.get(name)
    if mask is None or value in (None, ""):
        return value
    return mask(str(value))


def snapshot(instance, *, names: Iterable[str] | None = None) -> dict:
    """The followed fields of ``instance`` as stored values (foreign keys as ids), masked."""
    tracking = _tracked[type(instance)]
    wanted = set(names) if names is not None else None
    # A deferred field would cost a query to read; what was not loaded is not compared.
    deferred = instance.get_deferred_fields()
    return {
        f.name: _masked(tracking, f.name, _field_value(f, getattr(instance, f.attname)))
        for f in tracking.fields
        if (wanted is None or f.name in wanted) and f.attname not in deferred
    }


def _stored(tracking: Tracking, pk) -> dict | None:
    row = (
        tracking.model._base_manager.filter(pk=pk)
        .values(*[f.attname for f in tracking.fields])
        .first()
    )
    if row is None:
        return None
    return {
        f.name: _masked(tracking, f.name, _field_value(f, row[f.attname])) for f in tracking.fields
    }


def _related_labels(instance, relation: models.ForeignKey, ids) -> dict:
    """``{id: str(object)}`` for a foreign key's old and new ids: one query, or none if cached."""
    ids = {i for i in ids if i is not None}
    labels = {}
    if relation.is_cached(instance):
        cached = relation.get_cached_value(instance)
        if cached is not None:
            labels[_plain(cached.pk)] = str(cached)
    missing = [i for i in ids if i not in labels]
    if missing:
        found = relation.related_model._base_manager.in_bulk(missing)
        labels.update({_plain(pk): str(obj) for pk, obj in found.items()})
    return labels


def changes_between(instance, before: dict, after: dict) -> list[list]:
    """``[[field, old, new], ...]`` for the fields whose value differs, foreign keys named."""
    tracking = _tracked[type(instance)]
    changes = []
    for f in tracking.fields:
        if f.name not in after:
            continue
        old, new = before.get(f.name), after[f.name]
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        if f.many_to_one:
            labels = _related_labels(instance, f, [old, new])
            old, new = labels.get(old, old), labels.get(new, new)
        changes.append([f.name, old, new])
    return changes


# --- writing the log ---------------------------------------------------------------------


def _user(user):
    if user is None:
        user = get_active_log_context().user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _log(instance, action: str, *, user=None, data: dict, title: str | None = None):
    # A fresh uuid each: Wagtail's history shows only the last entry of each
    # (uuid, action) pair, and one request may change several objects.
    entry = dict(
        action=action,
        user=_user(user),
        uuid=uuid.uuid4(),
        data=data,
        content_changed=True,
        **({"title": title} if title else {}),
    )
    if log_action_registry.get_log_model_for_instance(instance) is not ModelLogEntry:
        return wagtail_log(instance=instance, **entry)
    return _model_log_entry(instance, **entry)


def _model_log_entry(instance, *, action: str, title: str | None = None, **fields):
    """The entry Wagtail's ``log()`` writes for a model that is not a page, written without
    the ``full_clean()`` its ``save()`` runs on every entry: that validates fields this
    function fills itself, and looks the content type up in the database. Every order
    writes one, inside its booking's transaction. The check that matters, that the action
    is one the history can show, is kept."""
    if instance.pk is None:
        raise ValueError(f"{instance!r} has no primary key to log an action for")
    if not log_action_registry.action_exists(action):
        raise ValueError(f"{action!r} is not a registered log action")
    entry = ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        label=title or ModelLogEntry.objects.get_instance_title(instance),
        action=action,
        timestamp=timezone.now(),
        **fields,
    )
    ModelLogEntry.objects.bulk_create([entry])
    return entry


def log_change(instance, *, before: dict, after: dict, user=None, note: str = "", action=EDIT):
    """Log the changed fields of ``instance`` between two snapshots; nothing when none changed."""
    changes = changes_between(instance, before, after)
    if not changes:
        return None
    data = {"changes": changes}
    if note:
        data["note"] = note
    return _log(instance, action, user=user, data=data)


def log_bulk(
    subject,
    *,
    objects: list,
    model: type[models.Model] | None = None,
    count: int | None = None,
    describe: Callable[[object], str] = str,
    user=None,
    note: str = "",
    gathered: bool = False,
):
    """One entry on ``subject`` for a bulk write: how many ``objects`` it created, the first few named.

    ``describe`` names an object without a query (the caller has what it needs at hand);
    ``gathered`` says the objects already existed and ``subject`` was created with them
    (a wage batch and the work it pays).
    """
    model = model or (type(objects[0]) if objects else None)
    data = {
        "count": len(objects) if count is None else count,
        "model": model._meta.label_lower if model else "",
        "items": [describe(o) for o in objects[:BULK_LIST_LENGTH]],
        "gathered": gathered,
    }
    if note:
        data["note"] = note
    return _log(subject, BULK, user=user, data=data)


@contextlib.contextmanager
def bulk_write():
    """Rows saved inside are not logged one by one: the caller logs one ``log_bulk`` entry."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


# --- following saves ---------------------------------------------------------------------


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or _quiet.get() or type(instance) not in _tracked:
        return
    if instance._state.adding or instance.pk is None:
        instance._history_before = {}
    else:
        instance._history_before = _stored(_tracked[type(instance)], instance.pk) or {}


def _after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or _quiet.get() or type(instance) not in _tracked:
        return
    before = instance.__dict__.pop("_history_before", None)
    if before is None:
        return
    after = snapshot(instance, names=update_fields)
    changes = changes_between(instance, before, after)
    if created:
        _log(instance, CREATE, data={"changes": changes})
    elif changes:
        _log(instance, EDIT, data={"changes": changes})


class _FollowedCreateAction(CreateAction):
    """The admin's create, logged by the save signal (with the values) instead of a bare "Created"."""

    def __init__(self, *args, log_action=None, **kwargs):
        super().__init__(*args, log_action=None, **kwargs)


class _FollowedEditAction(EditAction):
    """The admin's edit, logged by the save signal (with the changes) instead of a bare "Edited"."""

    def __init__(self, *args, log_action=None, **kwargs):
        super().__init__(*args, log_action=None, **kwargs)


def track(model, *, exclude: Iterable[str] = (), masked: dict | None = None) -> None:
    """Follow ``model``'s concrete fields (but ``exclude``), masking ``masked`` ones with their function."""
    exclude = set(exclude)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in exclude and f.editable
    ]
    _tracked[model] = Tracking(model=model, fields=fields, masked=dict(masked or {}))
    uid = f"history-{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-before")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-after")
    action_registry.register(model, _FollowedCreateAction)
    action_registry.register(model, _FollowedEditAction)


# --- the acting user outside the admin ---------------------------------------------------


class _RequestLogContext(LogContext):
    """Wagtail's log context for one request; the user is read only when an entry is written."""

    def __init__(self, request):
        self.request = request
        self.uuid = None

    @property
    def user(self):
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


class ActingUserMiddleware:
    """Names the signed-in user in the log of what the staff pages outside the admin change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with _RequestLogContext(request):
            return self.get_response(request)


# --- reading the log ---------------------------------------------------------------------


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: show its name
        return None


def value_label(model, name: str, value) -> str:
    """A stored value as staff read it: choices by label, yes/no, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    f = _field(model, name)
    if f is not None and f.choices and not f.many_to_one:
        return str(dict(f.flatchoices).get(value, value))
    return str(value)


def field_label(model, name: str) -> str:
    f = _field(model, name)
    return str(f.verbose_name) if f is not None else name


def change_lines(log_entry) -> list[str]:
    """Each change of an entry as "field: old → new", in the reader's language."""
    model = log_entry.content_type.model_class()
    lines = []
    for name, old, new in log_entry.data.get("changes", []):
        if model is None:
            label, old_text, new_text = name, str(old), str(new)
        else:
            label = field_label(model, name)
            old_text, new_text = value_label(model, name, old), value_label(model, name, new)
        lines.append(
            gettext("%(field)s: %(old)s → %(new)s")
            % {"field": label, "old": old_text, "new": new_text}
        )
    return lines


def created_lines(log_entry) -> list[str]:
    """A creation's values as "field: value"."""
    model = log_entry.content_type.model_class()
    return [
        gettext("%(field)s: %(value)s")
        % {
            "field": field_label(model, name) if model else name,
            "value": value_label(model, name, new) if model else str(new),
        }
        for name, _old, new in log_entry.data.get("changes", [])
    ]


class CreatedFormatter(LogFormatter):
    label = gettext_lazy("Create (with values)")

    def format_message(self, log_entry):
        lines = created_lines(log_entry)
        if not lines:
            return gettext("Created")
        return gettext("Created: %(values)s") % {"values": "; ".join(lines)}


class ChangedFormatter(LogFormatter):
    label = gettext_lazy("Change of fields")

    def format_message(self, log_entry):
        return gettext("Changed %(changes)s") % {"changes": "; ".join(change_lines(log_entry))}

    def format_comment(self, log_entry):
        return log_entry.data.get("note", "")


class CorrectedFormatter(ChangedFormatter):
    label = gettext_lazy("Correction")

    def format_message(self, log_entry):
        message = gettext("Correction recorded, with all corrections so far: %(changes)s") % {
            "changes": "; ".join(change_lines(log_entry))
        }
        note = log_entry.data.get("note")
        if note:
            message += " " + gettext("(reason: %(note)s)") % {"note": note}
        return message


class BulkFormatter(LogFormatter):
    label = gettext_lazy("Bulk write")

    def format_message(self, log_entry):
        data = log_entry.data
        count = data.get("count", 0)
        try:
            model = apps.get_model(data.get("model", ""))
        except (LookupError, ValueError):
            model = None
        if model is None:
            what = str(count)
        elif count == 1:
            what = f"{count} {model._meta.verbose_name}"
        else:
            what = f"{count} {model._meta.verbose_name_plural}"
        items = ", ".join(data.get("items", []))
        more = count - len(data.get("items", []))
        if more > 0:
            items += " " + ngettext("and %(n)s more", "and %(n)s more", more) % {"n": more}
        if data.get("gathered"):
            message = gettext("Created with %(what)s: %(items)s")
        else:
            message = gettext("Created %(what)s in one go: %(items)s")
        message %= {"what": what, "items": items}
        if data.get("note"):
            message += " " + gettext("(%(note)s)") % {"note": data["note"]}
        return message

    def format_comment(self, log_entry):
        return log_entry.data.get("note", "")


def register_log_actions(actions) -> None:
    """For the ``register_log_actions`` hook (core/wagtail_hooks.py)."""
    actions.register_action(CREATE)(CreatedFormatter)
    actions.register_action(EDIT)(ChangedFormatter)
    actions.register_action(CORRECT)(CorrectedFormatter)
    actions.register_action(BULK)(BulkFormatter)
