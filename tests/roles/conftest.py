import pytest
from django.urls import clear_url_caches
from django.utils import translation


@pytest.fixture(autouse=True)
def english_admin(settings):
    """Figures and headings are read in the English source text: the admin follows LANGUAGE_CODE."""
    settings.LANGUAGE_CODE = "en"
    clear_url_caches()
    with translation.override("en"):
        yield
    clear_url_caches()
