"""The public tree list's search and filters: a GET form a link or a bookmark can carry.

Whatever the query string holds, the list answers: a value the form refuses is shown as
an error beside its field and that filter alone is left out.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Species, Zone
from .selectors import public_trees

SEARCH_MAX_LENGTH = 100

# (key in the URL, label, from years inclusive, below years); a tree of unknown age is in none.
AGE_BANDS = [
    ("0-50", _("Under 50 years"), None, 50),
    ("50-100", _("50 to 100 years"), 50, 100),
    ("100-300", _("100 to 300 years"), 100, 300),
    ("300-", _("300 years and older"), 300, None),
]
AGE_BAND_LIMITS = {key: (start, below) for key, _label, start, below in AGE_BANDS}


class SpeciesChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.scientific_name})"


class ZoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.code})"


class TreeFilterForm(forms.Form):
    """Search and filters for /trees/; only species and zones with a tree on the list are offered."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Tag, Chinese, English or scientific name"),
    )
    species = SpeciesChoiceField(
        label=_("Species"), queryset=Species.objects.none(), required=False, empty_label=_("All")
    )
    zone = ZoneChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("Any age"))] + [(key, label) for key, label, *_limits in AGE_BANDS],
    )
    bloom = forms.BooleanField(label=_("In bloom this month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        standing = public_trees().order_by()
        self.fields["species"].queryset = Species.objects.filter(
            pk__in=standing.values("species_id")
        ).order_by("name")
        self.fields["zone"].queryset = Zone.objects.filter(
            pk__in=standing.values("zone_id")
        ).order_by("code")

    def filters(self) -> dict:
        """The valid criteria as keyword arguments for ``selectors.tree_search``."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        criteria = {}
        if data.get("q"):
            criteria["text"] = data["q"].strip()
        if data.get("species"):
            criteria["species"] = data["species"]
        if data.get("zone"):
            criteria["zone"] = data["zone"]
        if data.get("age"):
            criteria["age_from"], criteria["age_below"] = AGE_BAND_LIMITS[data["age"]]
        if data.get("bloom"):
            criteria["blooming_month"] = timezone.localdate().month
        return criteria

    def query_string(self) -> str:
        """The valid criteria as a query string, for page links that keep the filters."""
        if not self.is_bound:
            return ""
        self.is_valid()
        kept = self.data.copy()
        kept.pop("page", None)
        for name in list(kept):
            if name not in self.fields or name in self.errors or not kept.get(name):
                kept.pop(name)
        return kept.urlencode()


def tree_card_image(tree):
    """The tree's own photo, else the newest of its gallery (prefetched by ``with_card_images``)."""
    if tree.photo is not None:
        return tree.photo
    photos = list(tree.photos.all())
    return photos[0].image if photos else None
