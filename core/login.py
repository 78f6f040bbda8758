"""The admin's sign-in form, with its password field named in the reader's language.

Wagtail's form gives the password field no label, so Django names it from the field
("Password"), untranslated, beside a translated "Username".
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class SignInForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
