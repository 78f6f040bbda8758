"""Form widgets the apps share."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker, its value always written ``2026-12-07``.

    That is the only form an ``<input type="date">`` takes. Django would write the date in
    the language's own format (``2026/12/07`` in Chinese), which the browser drops: a form
    that offers today would show an empty date and ask for it again. The field still reads
    what is typed in any format it accepts, ISO among them.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
