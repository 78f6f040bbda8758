from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class AllLocalesSitemap(Sitemap):
    """Wagtail's sitemap lists the site's root tree only; this one lists every language's tree."""

    def items(self):
        root = self.get_wagtail_site().root_page
        trees = Page.objects.none()
        for home in Page.objects.filter(translation_key=root.translation_key):
            trees |= Page.objects.descendant_of(home, inclusive=True)
        return trees.live().public().order_by("path").defer_streamfields().specific()
