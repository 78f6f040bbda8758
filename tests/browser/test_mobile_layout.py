"""Nothing on the demo site overflows a phone's screen, nor a desktop's."""

from pathlib import Path

import pytest
from wagtail.models import Collection, Page, Site

pytestmark = [pytest.mark.browser, pytest.mark.demo]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"

# Every visible element whose right edge passes the viewport, unless a scrolling or
# clipping container that really contains it (its containing block, for positioned
# elements) keeps it inside the screen, as with a wide table in a scroller. Only the
# outermost overflowing element of a subtree is reported.
FIND_OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const clippedInside = (element) => {
    let escaping = getComputedStyle(element).position;
    for (let parent = element.parentElement; parent && parent !== document.body;
         parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (escaping === "fixed") return false;
      if (escaping === "absolute" && style.position === "static") continue;
      if (style.overflowX !== "visible" && parent.getBoundingClientRect().right <= width + 0.5) {
        return true;
      }
      escaping = style.position;
    }
    return false;
  };
  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    if (element.classList.length) name += "." + [...element.classList].join(".");
    const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const right = Math.round(element.getBoundingClientRect().right);
    return `${name} (right edge ${right}px) ${text ? JSON.stringify(text) : ""}`.trim();
  };
  const overflowing = new Set();
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    if (box.right > width + 0.5 && !clippedInside(element)) {
      overflowing.add(element);
      if (!overflowing.has(element.parentElement)) offenders.push(describe(element));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: width,
    offenders: offenders.slice(0, 8),
    count: offenders.length,
  };
}
"""


def public_paths() -> list[str]:
    home = Site.objects.get(is_default_site=True).root_page
    paths = []
    for translation in (
        home.get_translations(inclusive=True).live().order_by("locale__language_code")
    ):
        prefix = "/en" if translation.locale.language_code == "en" else ""
        tree = Page.objects.live().public().descendant_of(translation, inclusive=True)
        paths += [page.get_url() for page in tree.order_by("path")]
        paths += [f"{prefix}/search/?q=%E8%8A%B1", f"{prefix}/no-such-page/"]
    return paths


def overflowing_pages(
    browser, base_url: str, paths: list[str], serve_media, width: int, height: int
):
    """For each path that is wider than ``width`` at that viewport: what overflows, with a screenshot."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1
    )
    context.route("**/media/**", serve_media)
    page = context.new_page()
    failures = []
    for path in paths:
        response = page.goto(base_url + path, wait_until="load")
        expected = 404 if "no-such-page" in path else 200
        if response is None or response.status != expected:
            failures.append(f"{path}: HTTP {response.status if response else 'no response'}")
            continue
        layout = page.evaluate(FIND_OVERFLOW)
        if layout["scrollWidth"] > width or layout["offenders"]:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"{width}{path.split('?')[0].replace('/', '_')}.png"
            page.screenshot(path=str(shot), full_page=True)
            more = layout["count"] - len(layout["offenders"])
            failures.append(
                f"{path}: document is {layout['scrollWidth']}px wide; overflowing: "
                + ("; ".join(layout["offenders"]) or "no visible element found")
                + (f" and {more} more" if more > 0 else "")
                + f" (screenshot: {shot.relative_to(SCREENSHOTS.parents[1])})"
            )
    context.close()
    return failures


# Transactional, so the live server's thread sees the demo; serialized rollback restores
# what the migrations made (root page, locales, roles) for any test after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_public_page_is_wider_than_a_phone_or_a_desktop_screen(
    browser, live_server, load_demo_command, serve_media
):
    assert Collection.get_first_root_node() is not None, (
        "the database lacks what the migrations made (the root collection): an earlier "
        "transactional test emptied it and its data was not restored"
    )
    load_demo_command(verbosity=0)
    paths = public_paths()
    assert len(paths) > 10

    failures = {
        width: overflowing_pages(browser, live_server.url, paths, serve_media, width, height)
        for width, height in [(375, 812), (1280, 800)]
    }

    report = [f"at {width}px: {line}" for width, lines in failures.items() for line in lines]
    assert not report, f"{len(report)} page(s) overflow the screen:\n  " + "\n  ".join(report)
