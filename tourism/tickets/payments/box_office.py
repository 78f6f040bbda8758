from .base import PaymentProvider


class BoxOfficeProvider(PaymentProvider):
    """Sold at the box office: paid at the counter, in cash or by WeChat Pay or Alipay scanned there."""

    name = "box_office"
    online = False

    def refund(self, payment, *, amount, idempotency_key: str) -> str:
        # The money goes back at the counter (cash from the till, or a refund in the
        # merchant's WeChat Pay or Alipay app); the refund row records that it is owed.
        return ""
