"""Signing a user in to the admin, as the tests of several apps do."""

from wagtail.users.models import UserProfile

from tests.tickets.factories import user_in_role


def signed_in(client, role: str):
    """A user of ``role`` who reads the admin in English, signed in on ``client``."""
    user = user_in_role(role)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return user
