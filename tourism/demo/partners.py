"""The demo's channel partner: a travel agency that is plainly demo data, with one API key."""

from tourism.tickets.partner_keys import api_key_issue
from tourism.tickets.partners import Partner

DEMO_PARTNER = "演示旅行社 (demo travel agency)"


def ensure_demo_partner(tally) -> str | None:
    """The demo partner, and a key for it the first time; returns that key, or None."""
    partner, created = Partner.objects.get_or_create(
        name=DEMO_PARTNER,
        defaults={
            "contact_name": "演示联系人 (demo)",
            "contact_phone": "13800000000",
            "contact_email": "agency@example.com",
            "notes": "Demo data: not a real agency.",
        },
    )
    tally.add("partners", created)
    if partner.api_keys.exists():
        tally.add("API keys", False)
        return None
    _api_key, raw = api_key_issue(partner=partner, label="demo")
    tally.add("API keys", True)
    return raw
