"""StreamField blocks shared by the public site's pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"), max_length=120)
    size = blocks.ChoiceBlock(
        label=_("size"),
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
    )

    class Meta:
        label = _("heading")
        icon = "title"
        template = "tourism/blocks/heading_block.html"
        preview_value = {"text": "四季花海", "size": "h2"}


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        label = _("figure")
        icon = "image"
        template = "tourism/blocks/figure_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=120)

    class Meta:
        label = _("quote")
        icon = "openquote"
        template = "tourism/blocks/quote_block.html"
        preview_value = {"text": "花开的时候，整个山谷都是香的。", "attribution": "花农"}


class FactsBlock(blocks.StructBlock):
    """A short list of label/value facts, e.g. best time to visit, walking time."""

    title = blocks.CharBlock(label=_("title"), required=False, max_length=80)
    facts = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("label", blocks.CharBlock(label=_("label"), max_length=60)),
                ("value", blocks.CharBlock(label=_("value"), max_length=200)),
            ]
        ),
        label=_("facts"),
    )

    class Meta:
        label = _("facts")
        icon = "list-ul"
        template = "tourism/blocks/facts_block.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("paragraph"),
        features=["bold", "italic", "link", "ol", "ul"],
        icon="pilcrow",
        template="tourism/blocks/paragraph_block.html",
    )
    figure = FigureBlock()
    quote = QuoteBlock()
    facts = FactsBlock()
