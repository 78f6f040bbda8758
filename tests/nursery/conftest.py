import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Refusals are asserted in their English source text, whatever the Chinese catalog says."""
    with translation.override("en"):
        yield
