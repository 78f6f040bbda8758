from .base import PaymentProvider


class GateProvider(PaymentProvider):
    """Reserve now, pay at the gate: staff take the money at check-in."""

    name = "gate"
    online = False

    def refund(self, payment, *, amount, idempotency_key: str) -> str:
        # Cash or card taken at the gate is returned at the ticket office; the refund
        # row records that it is owed.
        return ""
