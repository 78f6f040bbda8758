"""A stateful stand-in for the few Stripe API endpoints the site uses, served on loopback.

The real ``stripe`` SDK talks to it over HTTP exactly as it would to api.stripe.com:
form-encoded request bodies, a Bearer secret key, ``Idempotency-Key`` headers, JSON
answers shaped like Stripe's objects and errors. Tests then play the customer and
Stripe's back office with ``complete``, ``fail_async``, ``expire`` and
``refund_in_dashboard``, sign webhook events locally with ``event`` and ``sign``, and
break things with ``outage`` (503 answers) or ``unreachable`` (connections refused).

Endpoints: ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/{id}``,
``POST /v1/checkout/sessions/{id}/expire``, ``POST /v1/refunds``,
``GET /v1/payment_intents/{id}``, ``GET /v1/charges/{id}``, ``GET /v1/balance_transactions``
(a transaction for every charge and refund made, newest first).
"""

import contextlib
import copy
import hashlib
import hmac
import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from tests.tickets.loopback import LoopbackServer

PAYMENT_METHODS = {"card", "alipay", "wechat_pay"}
LOCALES = {"auto", "zh", "zh-HK", "zh-TW", "en"}


class StripeFailure(Exception):
    """An error answer: the HTTP status and Stripe's ``error`` object."""

    def __init__(self, status: int, message: str, *, type_="invalid_request_error", **extra):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message, **extra}}


@dataclass
class Call:
    """One request as the fake received it."""

    method: str
    path: str
    params: dict
    api_key: str
    idempotency_key: str | None


def decode_form(pairs) -> dict:
    """Stripe's bracket encoding (``line_items[0][price_data][currency]=cny``) as nested values."""
    root: dict = {}
    for key, value in pairs:
        head, *rest = key.split("[")
        parts = [head, *(part.rstrip("]") for part in rest)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(value):
    if isinstance(value, dict):
        value = {k: _lists(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def _int(params: dict, name: str, *, minimum: int = 0) -> int:
    try:
        number = int(params[name])
    except (KeyError, TypeError, ValueError):
        raise StripeFailure(400, f"Invalid integer: {params.get(name)}", param=name) from None
    if number < minimum:
        raise StripeFailure(
            400, f"This value must be greater than or equal to {minimum}.", param=name
        )
    return number


class FakeStripe:
    """In-memory Stripe for one test: start it, point the SDK at ``url``, stop it."""

    def __init__(self, *, api_key: str = "sk_test_fake", webhook_secret: str = "whsec_test"):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.sessions: dict[str, dict] = {}
        self.line_items: dict[str, list] = {}
        self.payment_intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.calls: list[Call] = []
        self._idempotent: dict[str, tuple[str, dict, dict]] = {}
        self._down: set[str] = set()
        self._lock = threading.RLock()
        self._loopback = LoopbackServer(self._answer)
        self.url = self._loopback.url

    def start(self) -> "FakeStripe":
        self._loopback.start()
        return self

    def stop(self) -> None:
        self._loopback.stop()

    # --- what the tests read ------------------------------------------------------

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]

    # --- HTTP ---------------------------------------------------------------------

    def _answer(self, method: str, target: str, headers, body: bytes) -> tuple[int, bytes, dict]:
        status, answer, extra = self.handle(method, target, headers, body)
        return (
            status,
            json.dumps(answer).encode(),
            {
                "Content-Type": "application/json",
                "Request-Id": f"req_{secrets.token_hex(7)}",
                **extra,
            },
        )

    def handle(self, method: str, target: str, headers, body: bytes) -> tuple[int, dict, dict]:
        split = urlsplit(target)
        path = split.path
        raw = split.query if method == "GET" else body.decode("utf-8")
        params = decode_form(parse_qsl(raw, keep_blank_values=True))
        authorization = headers.get("Authorization", "")
        api_key = authorization.removeprefix("Bearer ").strip()
        key = headers.get("Idempotency-Key")
        if method == "GET" and path.startswith("/c/pay/"):
            # The hosted payment page, as a browser sees it: the tourist pays at once
            # and is sent back to the site's success address.
            session = self.complete(path.rsplit("/", 1)[-1])
            return 303, {}, {"Location": session["success_url"]}
        with self._lock:
            self.calls.append(Call(method, path, params, api_key, key))
            try:
                if api_key != self.api_key:
                    raise StripeFailure(401, f"Invalid API Key provided: {api_key[:8]}***")
                if any(path.startswith(prefix) for prefix in self._down):
                    raise StripeFailure(503, "Service unavailable.", type_="api_error")
                if method == "POST" and key:
                    return self._idempotent_post(key, path, params)
                return 200, self._route(method, path, params), {}
            except StripeFailure as failure:
                return failure.status, failure.body, {}

    def _idempotent_post(self, key: str, path: str, params: dict):
        # Stripe answers a repeated key with the first answer, and refuses a key reused
        # with different parameters.
        scoped = f"{self.api_key}:{key}"
        if scoped in self._idempotent:
            first_path, first_params, answer = self._idempotent[scoped]
            if (first_path, first_params) != (path, params):
                raise StripeFailure(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    type_="idempotency_error",
                )
            return 200, copy.deepcopy(answer), {"Idempotent-Replayed": "true"}
        answer = self._route("POST", path, params)
        self._idempotent[scoped] = (path, copy.deepcopy(params), copy.deepcopy(answer))
        return 200, answer, {}

    def _route(self, method: str, path: str, params: dict) -> dict:
        params = dict(params)
        expand = set(params.pop("expand", []) or [])
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            return self._session_create(params)
        if (method, path) == ("POST", "/v1/refunds"):
            return self.create_refund(
                params.get("payment_intent", ""),
                amount=_int(params, "amount", minimum=1) if "amount" in params else None,
                metadata=params.get("metadata") or {},
            )
        if (method, path) == ("GET", "/v1/balance_transactions"):
            return self._balance_transactions(params, expand)
        routes = {
            ("GET", r"/v1/checkout/sessions/(\w+)"): lambda i: self._expanded(
                self._get(self.sessions, i, "checkout.session"), expand
            ),
            ("POST", r"/v1/checkout/sessions/(\w+)/expire"): lambda i: self.expire(i, by_api=True),
            ("GET", r"/v1/payment_intents/(\w+)"): lambda i: copy.deepcopy(
                self._get(self.payment_intents, i, "payment_intent")
            ),
            ("GET", r"/v1/charges/(\w+)"): lambda i: self._charge_view(
                self._get(self.charges, i, "charge"), expand
            ),
        }
        for (route_method, pattern), answer in routes.items():
            if route_method == method and (match := re.fullmatch(pattern, path)):
                return answer(match[1])
        raise StripeFailure(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _get(store: dict, object_id: str, kind: str) -> dict:
        if object_id not in store:
            raise StripeFailure(
                404, f"No such {kind}: '{object_id}'", code="resource_missing", param="id"
            )
        return store[object_id]

    def _expanded(self, session: dict, expand: set) -> dict:
        view = copy.deepcopy(session)
        if "payment_intent" in expand and view["payment_intent"]:
            view["payment_intent"] = copy.deepcopy(self.payment_intents[view["payment_intent"]])
        return view

    def _charge_view(self, charge: dict, expand: set) -> dict:
        view = copy.deepcopy(charge)
        if "refunds" in expand:
            data = [copy.deepcopy(r) for r in self.refunds.values() if r["charge"] == charge["id"]]
            view["refunds"] = {
                "object": "list",
                "data": data[::-1],  # newest first, as Stripe lists them
                "has_more": False,
                "url": f"/v1/refunds?charge={charge['id']}",
            }
        return view

    def _balance_transactions(self, params: dict, expand: set) -> dict:
        """Stripe's list: newest first, ``created[gte]``/``created[lt]``, pages by ``starting_after``."""
        made = [(c, "charge", c["amount"]) for c in self.charges.values()]
        made += [(r, "refund", -r["amount"]) for r in self.refunds.values()]
        created = params.get("created") or {}
        data = [
            {
                "id": "txn_" + source["id"].split("_", 1)[1],
                "object": "balance_transaction",
                "amount": amount,
                "created": source["created"],
                "currency": source["currency"],
                "fee": 0,
                "net": amount,
                "status": "available",
                "type": kind,
                "source": copy.deepcopy(source) if "data.source" in expand else source["id"],
            }
            for source, kind, amount in made
            if int(created.get("gte", 0)) <= source["created"] < int(created.get("lt", 2**40))
        ]
        data.sort(key=lambda txn: (txn["created"], txn["id"]), reverse=True)
        if params.get("starting_after"):
            ids = [txn["id"] for txn in data]
            data = data[ids.index(params["starting_after"]) + 1 :]
        limit = _int(params, "limit", minimum=1) if "limit" in params else 10
        return {
            "object": "list",
            "data": data[:limit],
            "has_more": len(data) > limit,
            "url": "/v1/balance_transactions",
        }

    # --- the endpoints --------------------------------------------------------------

    def _session_create(self, params: dict) -> dict:
        now = int(time.time())
        if params.get("mode") != "payment":
            raise StripeFailure(400, "This fake only knows mode=payment.", param="mode")
        for required in ("success_url", "line_items"):
            if not params.get(required):
                raise StripeFailure(400, f"Missing required param: {required}.", param=required)
        methods = params.get("payment_method_types") or ["card"]
        unknown = set(methods) - PAYMENT_METHODS
        if unknown:
            raise StripeFailure(
                400,
                f"Invalid payment_method_types: {sorted(unknown)}",
                param="payment_method_types",
            )
        if "wechat_pay" in methods and (
            (params.get("payment_method_options") or {}).get("wechat_pay", {}).get("client")
            not in ("web", "ios", "android")
        ):
            raise StripeFailure(
                400,
                "payment_method_options[wechat_pay][client] is required when wechat_pay is used.",
                param="payment_method_options[wechat_pay][client]",
            )
        currency = params.get("currency", "cny")
        total = 0
        for n, item in enumerate(params["line_items"]):
            price = item.get("price_data") or {}
            if price.get("currency") != currency:
                raise StripeFailure(
                    400, "All line items must share one currency.", param=f"line_items[{n}]"
                )
            if not (price.get("product_data") or {}).get("name"):
                raise StripeFailure(
                    400,
                    "Missing required param: line_items[][price_data][product_data][name].",
                    param=f"line_items[{n}][price_data][product_data][name]",
                )
            total += _int(price, "unit_amount") * _int(item, "quantity", minimum=1)
        if total <= 0:
            raise StripeFailure(400, "The Checkout Session's total amount must be greater than 0.")
        expires_at = _int(params, "expires_at") if "expires_at" in params else now + 24 * 3600
        if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
            raise StripeFailure(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
                param="expires_at",
            )
        locale = params.get("locale", "auto")
        if locale not in LOCALES:
            raise StripeFailure(400, f"Invalid locale: {locale}", param="locale")
        session_id = _new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "locale": locale,
            "metadata": params.get("metadata") or {},
            "mode": "payment",
            "payment_intent": None,
            "payment_method_options": params.get("payment_method_options") or {},
            "payment_method_types": methods,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"{self.url}/c/pay/{session_id}",
            "_payment_intent_data": params.get("payment_intent_data") or {},
        }
        self.sessions[session_id] = session
        self.line_items[session_id] = params["line_items"]
        return self._public(session)

    @staticmethod
    def _public(obj: dict) -> dict:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    def create_refund(
        self, payment_intent: str, *, amount: int | None = None, metadata=None
    ) -> dict:
        """``POST /v1/refunds`` (also what a refund in Stripe's dashboard does)."""
        with self._lock:
            intent = self.payment_intents.get(payment_intent)
            if intent is None:
                raise StripeFailure(
                    404,
                    f"No such payment_intent: '{payment_intent}'",
                    code="resource_missing",
                    param="payment_intent",
                )
            if intent["status"] != "succeeded":
                raise StripeFailure(
                    400,
                    "This PaymentIntent has no successful charge to refund.",
                    code="charge_not_refundable",
                )
            charge = self.charges[intent["latest_charge"]]
            left = charge["amount"] - charge["amount_refunded"]
            amount = left if amount is None else amount
            if amount > left:
                raise StripeFailure(
                    400,
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                    param="amount",
                )
            refund = {
                "id": _new_id("re"),
                "object": "refund",
                "amount": amount,
                "charge": charge["id"],
                "created": int(time.time()),
                "currency": charge["currency"],
                "metadata": metadata or {},
                "payment_intent": payment_intent,
                "status": "succeeded",
            }
            self.refunds[refund["id"]] = refund
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
            return copy.deepcopy(refund)

    # --- the customer and Stripe's back office ----------------------------------------

    def complete(self, session_id: str, *, asynchronous: bool = False) -> dict:
        """The customer pays on the Checkout page; ``asynchronous`` leaves the money pending."""
        with self._lock:
            session = self.sessions[session_id]
            assert session["status"] == "open", f"session is {session['status']}, cannot pay"
            intent = {
                "id": _new_id("pi"),
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "latest_charge": None,
                "metadata": session["_payment_intent_data"].get("metadata") or {},
                "status": "processing" if asynchronous else "succeeded",
            }
            self.payment_intents[intent["id"]] = intent
            session.update(status="complete", payment_intent=intent["id"])
            if asynchronous:
                session["payment_status"] = "unpaid"
            else:
                self._charge(session, intent)
            return self.session(session_id)

    def succeed_async(self, session_id: str) -> dict:
        """A pending asynchronous payment clears."""
        with self._lock:
            session = self.sessions[session_id]
            intent = self.payment_intents[session["payment_intent"]]
            intent["status"] = "succeeded"
            self._charge(session, intent)
            return self.session(session_id)

    def fail_async(self, session_id: str) -> dict:
        """A pending asynchronous payment fails; the session stays complete and unpaid."""
        with self._lock:
            session = self.sessions[session_id]
            self.payment_intents[session["payment_intent"]]["status"] = "requires_payment_method"
            return self.session(session_id)

    def _charge(self, session: dict, intent: dict) -> None:
        charge = {
            "id": _new_id("ch"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": 0,
            "created": int(time.time()),
            "currency": intent["currency"],
            "paid": True,
            "payment_intent": intent["id"],
            "refunded": False,
            "status": "succeeded",
        }
        self.charges[charge["id"]] = charge
        intent["latest_charge"] = charge["id"]
        session["payment_status"] = "paid"

    def expire(self, session_id: str, *, by_api: bool = False) -> dict:
        """The session runs out (or is expired through the API)."""
        with self._lock:
            session = self._get(self.sessions, session_id, "checkout.session")
            if session["status"] != "open":
                if by_api:
                    raise StripeFailure(
                        400,
                        'Only Checkout Sessions with a status in ["open"] can be expired.',
                        param="session",
                    )
                raise AssertionError(f"session is {session['status']}, cannot expire")
            session["status"] = "expired"
            return self._public(session)

    def refund_in_dashboard(self, session_id: str) -> dict:
        """Staff give the whole payment back in Stripe's dashboard; returns the refunded charge."""
        with self._lock:
            intent = self.payment_intents[self.sessions[session_id]["payment_intent"]]
            self.create_refund(intent["id"])
            return self.charge_of(session_id)

    def session(self, session_id: str) -> dict:
        with self._lock:
            return self._public(self.sessions[session_id])

    def charge_of(self, session_id: str) -> dict:
        with self._lock:
            intent = self.payment_intents[self.sessions[session_id]["payment_intent"]]
            return copy.deepcopy(self.charges[intent["latest_charge"]])

    # --- webhooks ---------------------------------------------------------------------

    def event(self, event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
        """An event as Stripe sends it: a snapshot of ``obj`` under ``data.object``."""
        return {
            "id": event_id or _new_id("evt"),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }

    def sign(self, payload: str, *, timestamp: int | None = None, secret: str | None = None) -> str:
        """The ``Stripe-Signature`` header: HMAC-SHA256 of ``"{t}.{payload}"`` under the secret."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        key = (secret or self.webhook_secret).encode()
        digest = hmac.new(key, f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def signed_event(self, event_type: str, obj: dict, **kwargs) -> tuple[str, str]:
        """``(payload, header)`` for an event about ``obj``, signed now."""
        payload = json.dumps(self.event(event_type, obj, event_id=kwargs.pop("event_id", None)))
        return payload, self.sign(payload, **kwargs)

    # --- an outage --------------------------------------------------------------------

    @contextlib.contextmanager
    def outage(self, path_prefix: str):
        """Stripe answers 503 to every request under ``path_prefix`` while this lasts."""
        with self._lock:
            self._down.add(path_prefix)
        try:
            yield
        finally:
            with self._lock:
                self._down.discard(path_prefix)

    @staticmethod
    @contextlib.contextmanager
    def unreachable():
        """Point the SDK at a loopback port nobody listens on: connections are refused."""
        import stripe

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
        previous, stripe.api_base = stripe.api_base, dead
        try:
            yield
        finally:
            stripe.api_base = previous
