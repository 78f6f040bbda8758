"""An attraction page has one "At a glance": the demo's fact lists are titled otherwise.

The page's side panel is headed "At a glance" (概览); a fact list in the body with the same
title gave the English page that heading twice.
"""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tourism.demo import content


@pytest.mark.parametrize("language, locale", [("zh", "zh-hans"), ("en", "en")])
def test_no_fact_list_repeats_the_side_panels_heading(language, locale):
    with translation.override(locale):
        panel = gettext("At a glance")
    titles = [
        block[1].get(language)
        for attraction in content.ATTRACTIONS
        for block in attraction.body
        if block[0] == "facts"
    ]
    assert titles, "the demo's attractions have fact lists"
    assert panel not in titles
