"""The order desk: Tickets → Orders in the admin, for editors and gate staff.

One search box finds an order by reference, phone (however it was typed), name or
email; the order's page shows its lines, tickets and their check-ins, payments and
refunds, and its whole log in words; each action is a page of its own that asks for
confirmation, calls one service of ``order_changes`` and answers with a message.
"""

import datetime
import re
from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Replace, Upper
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin import NumberColumnsViewSetMixin
from core.export_listings import BackgroundExportViewSetMixin
from core.history_admin import HistoryIndexView, HistoryViewSetMixin
from core.id_crypto import id_number_hash
from core.identity import compact_number
from core.widgets import DateInput
from tourism.models import TicketType

from . import order_changes
from .gate_id import looks_like_id_number
from .models import Order, OrderLog, Payment, Refund, Slot, Ticket
from .partners import Partner
from .services import BookingError
from .visitors import Visitor

CHANGE_PERMISSION = "tourism.change_order"


# --- the log in words -----------------------------------------------------------------


def _visit_words(value) -> str:
    """A moved order's slot as the log keeps it, in the reader's language."""
    if isinstance(value, dict):
        return f"{value.get('date', '')} {value.get('time') or _('all day')}"
    return str(value)


def _types_words(counts: dict, names: dict) -> str:
    separator = pgettext("separator between items of a list", ", ")
    return separator.join(f"{names.get(int(pk), pk)} × {n}" for pk, n in counts.items()) or "—"


def _money_words(data: dict) -> str:
    amount = data.get("amount")
    if not amount or Decimal(amount) == 0:
        return _("nothing was paid, so nothing goes back")
    if data.get("cash"):
        return _("¥%(amount)s handed back in cash") % {"amount": amount}
    return _("¥%(amount)s refunded to the visitor's payment") % {"amount": amount}


def log_entry_words(entry: OrderLog, type_names: dict[int, str]) -> str:
    """What an order log entry says, as a sentence for staff in the active language."""
    data = entry.data or {}
    action = entry.action
    if action == "created":
        channel = data.get("channel", "web")
        channel = dict(Order.Channel.choices).get(channel, channel)
        if data.get("quantity") is None or data.get("total") is None:
            # Orders logged before the log kept the figures: the channel is what is known.
            text = _("Booked through %(channel)s.") % {"channel": channel}
        else:
            text = _("Booked: %(n)s visitors, ¥%(total)s, channel %(channel)s.") % {
                "n": data["quantity"],
                "total": data["total"],
                "channel": channel,
            }
    elif action == "paid":
        text = _("Paid ¥%(amount)s online.") % {"amount": data.get("amount")}
    elif action == "paid_after_expiry":
        text = _("Paid ¥%(amount)s after the hold had expired; places taken again.") % {
            "amount": data.get("amount")
        }
    elif action == "refunded_late_payment":
        text = _("A late payment of ¥%(amount)s was refunded at once.") % {
            "amount": data.get("amount")
        }
    elif action == "expired":
        text = _("The hold expired unpaid; places released.")
    elif action == "cancelled":
        text = (
            _("Cancelled and refunded in full; places released.")
            if data.get("refund")
            else _("Cancelled; places released.")
        )
    elif action == "payment_unavailable":
        text = _("Cancelled: online payment could not be started.")
    elif action == "payment_failed":
        text = _("The payment failed; the order was cancelled.")
    elif action == "refunded_externally":
        text = _("¥%(amount)s refunded at the payment provider; the order was refunded.") % {
            "amount": data.get("amount")
        }
    elif action == "paid_at_gate":
        text = _("¥%(amount)s paid at the gate.") % {"amount": data.get("amount")}
    elif action == "checked_in":
        text = _("Ticket %(code)s admitted.") % {"code": data.get("ticket")}
    elif action.startswith("park_"):
        text = _("Cancelled by the park (day closed or entry time changed); refunded if paid.")
    elif action == "cancelled_at_desk":
        text = _("Cancelled at the order desk: %(money)s; places released.") % {
            "money": _money_words(data)
        }
    elif action == "tickets_refunded":
        text = _("Tickets %(codes)s refunded: %(money)s; their places released.") % {
            "codes": ", ".join(data.get("tickets", [])),
            "money": _money_words(data),
        }
    elif action == "amount_refunded":
        text = _("Part of the payment refunded: %(money)s.") % {"money": _money_words(data)}
    elif action == "moved":
        text = _("Moved from %(old)s to %(new)s.") % {
            "old": _visit_words(data.get("old")),
            "new": _visit_words(data.get("new")),
        }
    elif action == "quantities_changed":
        text = _("Tickets changed from %(old)s to %(new)s; total now ¥%(total)s.") % {
            "old": _types_words(data.get("old", {}), type_names),
            "new": _types_words(data.get("new", {}), type_names),
            "total": data.get("total"),
        }
    elif action == "confirmation_resent":
        text = _("Confirmation email sent again to %(email)s.") % {"email": data.get("email")}
    else:
        text = action
    if data.get("note"):
        text = " ".join([text, _("Note: %(note)s") % {"note": data["note"]}])
    return text


# --- finding an order -----------------------------------------------------------------


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class OrderIndexView(HistoryIndexView):
    """The order list; its one search box matches reference, phone, name or email."""

    search_fields = ["reference", "contact_name", "contact_phone", "contact_email"]

    def get_base_queryset(self):
        # Each row shows its slot: one join, not a query per order.
        return super().get_base_queryset().select_related("slot")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        match = (
            Q(reference__icontains=query)
            | Q(contact_name__icontains=query)
            | Q(contact_email__icontains=query)
            | Q(contact_phone__icontains=query)
        )
        # A phone typed with or without spaces, dashes or a country code; a reference
        # read out without its dashes.
        phone = queryset.model.contact_phone.field.name
        digits = _digits(query)
        if len(digits) >= 4:
            bare = phone
            for mark in (" ", "-", "(", ")", "+"):
                bare = Replace(bare, Value(mark), Value(""))
            queryset = queryset.annotate(phone_digits=bare)
            match |= Q(phone_digits__contains=digits)
            if digits.startswith("86") and len(digits) > 10:
                match |= Q(phone_digits__contains=digits[2:])
        compact = re.sub(r"[^0-9A-Za-z]", "", query).upper()
        if looks_like_id_number(query):
            # A visitor's ID number, typed whole: found by its search hash, never stored plain.
            match |= Q(
                pk__in=Visitor.objects.filter(
                    number_hash=id_number_hash(compact_number(query))
                ).values("order_id")
            )
        if len(compact) >= 4:
            queryset = queryset.annotate(
                reference_compact=Replace(Upper("reference"), Value("-"), Value(""))
            )
            match |= Q(reference_compact__contains=compact)
        return queryset.filter(match)

    def get_edit_url(self, instance):
        # The reference opens the order's desk page; contact details are edited from there.
        return self.get_inspect_url(instance)


# --- the order's page -----------------------------------------------------------------


def _order_with_everything(pk) -> Order:
    return get_object_or_404(
        Order.objects.select_related("slot", "partner_record__api_key__partner").prefetch_related(
            "lines__ticket_type",
            Prefetch(
                "tickets",
                queryset=Ticket.objects.select_related("ticket_type", "checked_in_by"),
            ),
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("taken_by").prefetch_related(
                    Prefetch("refunds", queryset=Refund.objects.select_related("made_by"))
                ),
            ),
            Prefetch("log", queryset=OrderLog.objects.select_related("user")),
            Prefetch(
                "visitors",
                queryset=Visitor.objects.select_related("ticket_type", "ticket").order_by("pk"),
            ),
        ),
        pk=pk,
    )


def order_actions(order: Order, user) -> list[dict]:
    """The desk actions open to ``user`` on ``order`` as it stands, each with its page."""
    if not user.has_perm(CHANGE_PERMISSION):
        return []
    actions = []

    def add(name, label, icon):
        actions.append(
            {
                "label": label,
                "url": reverse(f"tourism_order:{name}", args=[order.pk]),
                "icon": icon,
                "name": name,
            }
        )

    holds = order.status in Order.HOLDING
    valid = [t for t in order.tickets.all() if t.refunded_at is None]
    if holds and not any(t.checked_in_at for t in valid):
        add("move", _("Move to another day or time"), "date")
    if holds and order.status != Order.Status.PENDING:
        add("quantities", _("Change quantities"), "list-ul")
    if holds and any(t.checked_in_at is None for t in valid):
        add("refund_tickets", _("Refund tickets"), "tag")
    if order.status == Order.Status.PAID:
        add("refund_amount", _("Refund an amount"), "undo")
    if order.status == Order.Status.RESERVED:
        add("mark_paid", _("Mark paid at the gate"), "success")
    if order.status not in (Order.Status.PENDING, Order.Status.EXPIRED):
        add("resend", _("Resend the confirmation"), "mail")
    if holds and not any(t.checked_in_at for t in valid):
        add("refund_all", _("Cancel with full refund"), "cross")
    return actions


def order_money(order: Order) -> dict:
    """Paid, refunded and still refundable, from the prefetched payments."""
    paid = sum(
        (p.amount for p in order.payments.all() if p.status == Payment.Status.SUCCEEDED),
        Decimal("0"),
    )
    refunded = sum((r.amount for p in order.payments.all() for r in p.refunds.all()), Decimal("0"))
    return {"paid": paid, "refunded": refunded, "refundable": max(paid - refunded, Decimal("0"))}


def _payment_method(order: Order) -> str:
    return {
        "stripe": _("Online (Stripe)"),
        "wechat_pay": _("WeChat Pay"),
        "alipay": _("Alipay"),
        "gate": _("Pay at the gate"),
    }.get(order.provider, order.provider)


def _language_name(code: str) -> str:
    return {"zh-hans": "中文", "en": "English"}.get(code, code)


class OrderInspectView(InspectView):
    """An order at the desk: who, when, what was bought, admitted, paid and refunded, and its log."""

    template_name = "tourism/tickets/desk/order.html"

    def get_object(self, queryset=None):
        return _order_with_everything(self.pk)

    def get_page_title(self):
        return _("Order %(ref)s") % {"ref": self.object.reference}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        type_names = {
            t.pk: t.display_name for t in TicketType.objects.all().only("pk", "name", "name_en")
        }
        context.update(
            order=order,
            money=order_money(order),
            payment_method=_payment_method(order),
            language_name=_language_name(order.language),
            # The partner and key that made it through the API; None for other channels.
            partner_record=getattr(order, "partner_record", None),
            lines=order.lines.all(),
            tickets=order.tickets.all(),
            # Real-name tickets: numbers whole for superusers only, masked for other staff.
            visitors=[
                {"visitor": v, "number": v.shown_number(self.request.user)}
                for v in order.visitors.all()
            ],
            payments=order.payments.all(),
            log=[
                {"entry": entry, "words": log_entry_words(entry, type_names)}
                for entry in order.log.all()
            ],
            actions=order_actions(order, self.request.user),
        )
        return context


# --- the actions ----------------------------------------------------------------------


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("Yes, do this"), required=True)

    def __init__(self, *args, order=None, confirm_label=None, **kwargs):
        self.order = order
        super().__init__(*args, **kwargs)
        if confirm_label:
            self.fields["confirm"].label = confirm_label
        # Listed last, just above the button.
        self.order_fields([name for name in self.fields if name != "confirm"] + ["confirm"])


class NoteMixin(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for the log"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Why, in a few words (optional)."),
    )


class RefundAllForm(NoteMixin, ConfirmForm):
    pass


class RefundAmountForm(NoteMixin, ConfirmForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount to refund (CNY)"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
    )


class RefundTicketsForm(NoteMixin, ConfirmForm):
    tickets = forms.MultipleChoiceField(
        label=gettext_lazy("Tickets to refund"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        lines = {line.ticket_type_id: line.unit_price for line in order.lines.all()}
        self.fields["tickets"].choices = [
            (
                str(t.pk),
                " · ".join(
                    [
                        t.code,
                        t.ticket_type.display_name,
                        *([t.visitor.name] if getattr(t, "visitor", None) else []),
                        f"¥{lines.get(t.ticket_type_id, '')}",
                    ]
                ),
            )
            for t in order.tickets.select_related("ticket_type", "visitor")
            if t.refunded_at is None and t.checked_in_at is None
        ]


class MoveForm(ConfirmForm):
    date = forms.DateField(label=gettext_lazy("New visit date"), widget=DateInput)
    slot = forms.TypedChoiceField(
        label=gettext_lazy("Entry time"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args, order=None, date=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["date"].initial = date
        slots = Slot.objects.filter(date=date).exclude(pk=order.slot_id) if date else []
        self.fields["slot"].choices = [
            (
                s.pk,
                _("%(time)s — %(left)s places left")
                % {"time": s.time_label, "left": s.places_left},
            )
            for s in slots
        ]
        self.fields["slot"].help_text = (
            _("No other entry times are open on that day.") if date and not slots else ""
        )


class QuantitiesForm(ConfirmForm):
    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        booked = {}
        for ticket in order.tickets.all():
            if ticket.refunded_at is None:
                booked[ticket.ticket_type_id] = booked.get(ticket.ticket_type_id, 0) + 1
        types = TicketType.objects.filter(Q(active=True) | Q(pk__in=booked))
        fields = {}
        for ticket_type in types:
            fields[f"qty_{ticket_type.pk}"] = forms.IntegerField(
                label=ticket_type.display_name,
                min_value=0,
                max_value=999,
                initial=booked.get(ticket_type.pk, 0),
            )
        self.fields = {**fields, **self.fields}

    def quantities(self) -> dict[int, int]:
        return {
            int(name[4:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("qty_")
        }


class OrderActionView(WagtailAdminTemplateMixin, FormView):
    """One desk action on one order: a form with its confirmation, then the service and a message."""

    template_name = "tourism/tickets/desk/action.html"
    form_class = ConfirmForm
    header_icon = "form"
    action_name = ""
    submit_label = gettext_lazy("Confirm")
    explanation = ""
    confirm_label = None
    destructive = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        self.order = _order_with_everything(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def order_url(self):
        return reverse("tourism_order:inspect", args=[self.order.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("tourism_order:index"), "label": _("Orders")},
            {"url": self.order_url, "label": self.order.reference},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["order"] = self.order
        if self.get_confirm_label():
            kwargs["confirm_label"] = self.get_confirm_label()
        return kwargs

    def get_confirm_label(self):
        return self.confirm_label

    def get_explanation(self):
        return self.explanation

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            order=self.order,
            money=order_money(self.order),
            order_url=self.order_url,
            submit_label=self.submit_label,
            explanation=self.get_explanation(),
            destructive=self.destructive,
        )
        return context

    def perform(self, form) -> str:
        """Call the service; returns the success message."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.perform(form)
        except BookingError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            messages.error(self.request, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(self.request, message)
        return redirect(self.order_url)

    def form_invalid(self, form):
        messages.error(self.request, _("Please correct the errors below."))
        return super().form_invalid(form)


class RefundAllView(OrderActionView):
    page_title = gettext_lazy("Cancel with full refund")
    form_class = RefundAllForm
    submit_label = gettext_lazy("Cancel the order and refund")
    destructive = True

    def get_explanation(self):
        money = order_money(self.order)
        if self.order.provider == "gate" and money["refundable"]:
            return _(
                "The order is cancelled and its places released. Hand ¥%(amount)s back to the "
                "visitor in cash; it is recorded as handed back by you."
            ) % {"amount": money["refundable"]}
        if money["refundable"]:
            return _(
                "The order is cancelled and its places released. ¥%(amount)s goes back to the "
                "visitor's payment; this cannot be undone."
            ) % {"amount": money["refundable"]}
        return _("The order is cancelled and its places released. Nothing was paid.")

    def perform(self, form):
        order_changes.order_refund_all(
            order=self.order, user=self.request.user, reason=form.cleaned_data["note"]
        )
        return _("Order %(ref)s is cancelled and refunded.") % {"ref": self.order.reference}


class RefundTicketsView(OrderActionView):
    page_title = gettext_lazy("Refund tickets")
    form_class = RefundTicketsForm
    submit_label = gettext_lazy("Refund the chosen tickets")
    destructive = True
    explanation = gettext_lazy(
        "The chosen tickets stop being valid at the gate, their places are released and their "
        "price goes back through the order's payment (cash at the gate for gate orders)."
    )

    def perform(self, form):
        order = order_changes.order_refund_tickets(
            order=self.order,
            user=self.request.user,
            ticket_ids=form.cleaned_data["tickets"],
            reason=form.cleaned_data["note"],
        )
        entry = order.log.filter(action="tickets_refunded").order_by("-at", "-pk").first()
        return _("Tickets refunded: %(money)s.") % {"money": _money_words(entry.data)}


class RefundAmountView(OrderActionView):
    page_title = gettext_lazy("Refund an amount")
    form_class = RefundAmountForm
    submit_label = gettext_lazy("Refund this amount")
    destructive = True

    def get_explanation(self):
        return _(
            "Part of the money goes back; the tickets stay valid. At most ¥%(left)s can still "
            "be refunded."
        ) % {"left": order_money(self.order)["refundable"]}

    def perform(self, form):
        amount = form.cleaned_data["amount"]
        order_changes.order_refund_amount(
            order=self.order,
            user=self.request.user,
            amount=amount,
            reason=form.cleaned_data["note"],
        )
        return _("¥%(amount)s refunded on order %(ref)s.") % {
            "amount": f"{amount:.2f}",
            "ref": self.order.reference,
        }


class MoveView(OrderActionView):
    page_title = gettext_lazy("Move to another day or time")
    form_class = MoveForm
    submit_label = gettext_lazy("Move the order")
    template_name = "tourism/tickets/desk/move.html"

    @cached_property
    def _date_asked(self) -> tuple[datetime.date | None, str]:
        """The date asked for, or None with why it cannot be used (nothing asked: no reason)."""
        raw = self.request.POST.get("date") or self.request.GET.get("date")
        if not raw:
            return None, ""
        try:
            date = datetime.date.fromisoformat(raw)
        except ValueError:
            return None, _("Enter a valid date.")
        if date < timezone.localdate():
            return None, _("That date has passed.")
        return date, ""

    @property
    def chosen_date(self) -> datetime.date | None:
        return self._date_asked[0]

    def get_explanation(self):
        return _(
            "The order holds %(n)s places on %(date)s %(time)s. They are taken in the new slot "
            "and released in the old one at once; the visitor is emailed the new date."
        ) % {
            "n": self.order.quantity,
            "date": f"{self.order.slot.date:%Y-%m-%d}",
            "time": self.order.slot.time_label,
        }

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["date"] = self.chosen_date
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chosen_date"] = self.chosen_date
        context["date_error"] = self._date_asked[1]
        context["today"] = timezone.localdate()
        return context

    def perform(self, form):
        order = order_changes.order_move(
            order=self.order, user=self.request.user, slot_id=form.cleaned_data["slot"]
        )
        return _("Order %(ref)s moved to %(date)s %(time)s.") % {
            "ref": order.reference,
            "date": f"{order.slot.date:%Y-%m-%d}",
            "time": order.slot.time_label,
        }


class QuantitiesView(OrderActionView):
    page_title = gettext_lazy("Change quantities")
    form_class = QuantitiesForm
    submit_label = gettext_lazy("Change the quantities")

    def get_explanation(self):
        if self.order.status == Order.Status.PAID:
            return _(
                "This order is paid: tickets can be taken off (their price is refunded), not "
                "added. Book extra visitors as a new order."
            )
        return _(
            "Places are taken or released in the order's slot at once; the total to pay at "
            "the gate changes with them."
        )

    def perform(self, form):
        order = order_changes.order_change_quantities(
            order=self.order, user=self.request.user, quantities=form.quantities()
        )
        return _("Order %(ref)s now has %(n)s visitors, ¥%(total)s.") % {
            "ref": order.reference,
            "n": order.quantity,
            "total": order.total,
        }


class ResendView(OrderActionView):
    page_title = gettext_lazy("Resend the confirmation")
    submit_label = gettext_lazy("Send the email")
    confirm_label = gettext_lazy("Yes, send it again")

    def get_explanation(self):
        return _("The order's email goes again to %(email)s, in %(language)s.") % {
            "email": self.order.contact_email,
            "language": _language_name(self.order.language),
        }

    def perform(self, form):
        order_changes.order_resend_confirmation(order=self.order, user=self.request.user)
        return _("The confirmation is on its way again to %(email)s.") % {
            "email": self.order.contact_email
        }


class MarkPaidView(OrderActionView):
    page_title = gettext_lazy("Mark paid at the gate")
    submit_label = gettext_lazy("Mark paid")

    def get_confirm_label(self):
        return _("Yes, I have taken ¥%(amount)s") % {"amount": self.order.total}

    def get_explanation(self):
        return _("Take ¥%(amount)s from the visitor for the whole order (%(n)s visitors).") % {
            "amount": self.order.total,
            "n": self.order.quantity,
        }

    def perform(self, form):
        order_changes.order_mark_paid_at_gate(order=self.order, user=self.request.user)
        return _("Order %(ref)s is paid: ¥%(amount)s taken at the gate.") % {
            "ref": self.order.reference,
            "amount": self.order.total,
        }


ACTION_VIEWS = {
    "refund_all": RefundAllView,
    "refund_tickets": RefundTicketsView,
    "refund_amount": RefundAmountView,
    "move": MoveView,
    "quantities": QuantitiesView,
    "resend": ResendView,
    "mark_paid": MarkPaidView,
}


class OrderFilterSet(WagtailFilterSet):
    """The orders listing's filters; the partner named as such, not by the path to it."""

    partner = django_filters.ModelChoiceFilter(
        field_name="partner_record__api_key__partner",
        queryset=Partner.objects.order_by("name"),
        label=gettext_lazy("Partner"),
    )

    class Meta:
        model = Order
        fields = {
            "status": ["exact"],
            "provider": ["exact"],
            "channel": ["exact"],
            "slot__date": ["gte", "lte"],
        }


class OrderViewSet(
    NumberColumnsViewSetMixin, BackgroundExportViewSetMixin, HistoryViewSetMixin, ModelViewSet
):
    """Tickets → Orders: the order desk."""

    name = "tourism_order"
    url_prefix = "tickets/orders"
    model = Order
    icon = "form"
    menu_label = gettext_lazy("Orders")
    index_view_class = OrderIndexView
    inspect_view_class = OrderInspectView
    inspect_view_enabled = True
    list_display = [
        "reference",
        "slot",
        "status",
        "quantity",
        "total",
        "contact_name",
        "contact_phone",
        "created_at",
    ]
    filterset_class = OrderFilterSet
    search_fields = ["reference", "contact_name", "contact_phone", "contact_email"]
    list_export = [
        "reference",
        "slot",
        "status",
        "provider",
        "channel",
        "quantity",
        "total",
        "contact_name",
        "contact_phone",
        "contact_email",
        "created_at",
        "paid_at",
    ]
    form_fields = ["contact_name", "contact_phone", "contact_email"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(f"{name.replace('_', '-')}/<int:pk>/", view.as_view(), name=name)
            for name, view in ACTION_VIEWS.items()
        ]
