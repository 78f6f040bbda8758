"""The group leader's pages: book for the group, then name its visitors by form or spreadsheet."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import groups
from .forms import last_bookable_day, visit_date_from
from .group_forms import GroupBookingForm, VisitorRowFormSet, VisitorSheetForm
from .group_sheets import SheetError, read_visitor_sheet, template_csv, template_xlsx
from .groups import Agency, GroupLeader, ListRow
from .models import Order
from .payments import get_provider
from .rules import BookingRules
from .selectors import day_availability
from .services import BookingError, order_start_payment
from .views import _checkout_allowed, _order_for


@require_http_methods(["GET", "POST"])
@_checkout_allowed
def group_booking(request):
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    selected = visit_date_from(data.get("date"), today=today)
    rules = BookingRules.current()
    provider = get_provider()
    rate = groups.group_rate(selected or today)
    context = {
        "today": today,
        "last_day": last_bookable_day(today),
        "selected": selected,
        "rules": rules,
        "rate": rate,
        "max_per_order": settings.TICKETS_MAX_PER_ORDER,
        "online_payment": provider.online,
    }
    if selected is None:
        status = 200
        # Asked for a day (even none): say why it cannot be booked, and keep what was typed.
        context["typed_date"] = data.get("date", "")[:10]
        if "date" in data:
            context["date_error"] = _(
                "That day cannot be booked. Please choose a day from today up to %(days)s days ahead."
            ) % {"days": settings.TICKETS_BOOKING_HORIZON_DAYS}
            status = 422 if request.method == "POST" else 200
        return TemplateResponse(
            request, "tourism/tickets/group/booking.html", context, status=status
        )

    day = day_availability(selected)
    bookable = [s for s in day.slots if s.bookable]
    slots = groups.slots_open_to_groups(bookable)
    form = GroupBookingForm(
        request.POST if request.method == "POST" else None, slots=slots, online=provider.online
    )
    context.update({"day": day, "form": form, "slots": slots, "too_late": bool(bookable)})
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            order = groups.group_create(
                slot_id=cleaned["slot"],
                people=cleaned["people"],
                leader=GroupLeader(
                    name=cleaned["leader_name"],
                    phone=cleaned["leader_phone"],
                    document_type=cleaned["leader_document_type"],
                    number=cleaned["leader_number"],
                    email=cleaned["leader_email"],
                ),
                agency=Agency(cleaned["agency"], cleaned["agency_licence"]),
                pay_online=cleaned.get("pay", "gate") == "online",
                language=get_language(),
            )
            payment = order_start_payment(order=order, base_url=request.build_absolute_uri("/"))
        except BookingError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            if payment is not None and payment.redirect_url:
                return redirect(payment.redirect_url)
            return redirect("tickets:group_list", token=order.token)
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(request, "tourism/tickets/group/booking.html", context, status=status)


def _group_order(token: str) -> Order:
    order = _order_for(token)
    if not hasattr(order, "group"):
        raise Http404
    return order


def _list_context(request, order: Order, **extra) -> dict:
    from .visitors import Visitor

    visitors = list(Visitor.objects.filter(order=order, released_at__isnull=True).order_by("pk"))
    can_change = groups.may_change_list(order, user=request.user)
    return {
        "order": order,
        "group": order.group,
        "visitors": visitors,
        "leader_id": visitors[0].pk if visitors else None,
        "missing": max(order.quantity - len(visitors), 0),
        "deadline": groups.group_list_deadline(order),
        "can_change": can_change,
        "real_name": BookingRules.current().real_name,
        "formset": extra.pop("formset", None) or VisitorRowFormSet(prefix="v"),
        "sheet_form": extra.pop("sheet_form", None) or VisitorSheetForm(),
        **extra,
    }


def _rows_from_formset(formset) -> list[ListRow]:
    return [
        ListRow(
            n, f.cleaned_data["name"], f.cleaned_data["document_type"], f.cleaned_data["number"]
        )
        for n, f in enumerate(formset.forms, start=1)
        if f.has_visitor()
    ]


def _rows_to_json(rows: list[ListRow]) -> str:
    return json.dumps(
        [[r.line, r.name, r.document_type, r.number, r.read_problem] for r in rows],
        ensure_ascii=False,
    )


def _rows_from_json(text: str) -> list[ListRow] | None:
    try:
        data = json.loads(text or "")
        rows = [
            ListRow(int(line), str(name), str(kind), str(number), str(problem))
            for line, name, kind, number, problem in data
        ]
    except (ValueError, TypeError, RecursionError):
        return None
    return rows if len(rows) <= groups.MAX_LIST_ROWS else None


@require_http_methods(["GET", "POST"])
def group_list(request, token):
    """The group's visitor list: who is named, add rows, upload a spreadsheet, remove one."""
    order = _group_order(token)
    template = "tourism/tickets/group/list.html"
    if request.method == "GET":
        return TemplateResponse(request, template, _list_context(request, order))
    action = request.POST.get("action")
    user = request.user if request.user.is_authenticated else None
    try:
        if action == "remove":
            groups.group_visitor_remove(
                order=order, visitor_id=_int(request.POST.get("visitor")), user=user
            )
            messages.success(request, _("The visitor is off the list."))
            return redirect("tickets:group_list", token=order.token)
        if action == "rows":
            formset = VisitorRowFormSet(request.POST, prefix="v")
            if not formset.is_valid():
                return _unprocessable(request, template, order, formset=formset)
            rows = _rows_from_formset(formset)
            if not rows:
                formset = VisitorRowFormSet(prefix="v")
                return _unprocessable(
                    request,
                    template,
                    order,
                    formset=formset,
                    list_error=_("Type at least one visitor's name and document number."),
                )
            check = groups.group_list_save(order=order, rows=rows, user=user)
            if not check.ok:
                return _unprocessable(request, template, order, formset=formset, check=check)
            return _saved(request, order, len(rows))
        if action == "preview":
            sheet_form = VisitorSheetForm(request.POST, request.FILES)
            if not sheet_form.is_valid():
                return _unprocessable(request, template, order, sheet_form=sheet_form)
            try:
                rows = read_visitor_sheet(sheet_form.cleaned_data["sheet"])
            except SheetError as error:
                sheet_form.add_error("sheet", str(error))
                return _unprocessable(request, template, order, sheet_form=sheet_form)
            if not rows:
                sheet_form.add_error("sheet", _("The file has no visitors in it."))
                return _unprocessable(request, template, order, sheet_form=sheet_form)
            if not groups.may_change_list(order, user=user):
                raise groups.NotAllowed(groups._list_closed_message(order))
            check = groups.group_list_check(order=order, rows=rows)
            return TemplateResponse(
                request,
                template,
                _list_context(request, order, check=check, rows_json=_rows_to_json(rows)),
                status=200 if check.ok else 422,
            )
        if action == "save":
            rows = _rows_from_json(request.POST.get("rows"))
            if not rows:
                return _unprocessable(
                    request,
                    template,
                    order,
                    list_error=_("The list to save was lost; please upload the file again."),
                )
            check = groups.group_list_save(order=order, rows=rows, user=user)
            if not check.ok:
                return _unprocessable(
                    request, template, order, check=check, rows_json=_rows_to_json(rows)
                )
            return _saved(request, order, len(rows))
    except BookingError as error:
        return _unprocessable(request, template, order, list_error=error.message)
    return _unprocessable(request, template, order, list_error=_("Nothing to do."))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _unprocessable(request, template, order, **extra):
    return TemplateResponse(request, template, _list_context(request, order, **extra), status=422)


def _saved(request, order: Order, n: int):
    messages.success(
        request,
        ngettext("%(n)s visitor added to the list.", "%(n)s visitors added to the list.", n)
        % {"n": n},
    )
    return redirect(reverse("tickets:group_list", kwargs={"token": order.token}))


@require_GET
def group_list_template(request, kind):
    if kind == "xlsx":
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="group-visitors.{kind}"'
    return response
