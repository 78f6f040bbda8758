"""The demo park's data and texts, Chinese and English side by side.

Facts about the reference park (Guang'an Dadi Flower Valley) follow
the product design: 3,000 mu, the four-seasons flower sea, the 200
specimen trees bought across China for over ¥1,000,000 in December 2020, the
300+ villagers its work has lifted out of poverty (the demo's work records give more
than 300 villagers employed since the first season; the pages show that count from the
records rather than assert it). Everything else is plausible demo text
and is marked as such where a visitor could mistake it for fact (the phone
number, the e-mail address). Quoted poems are real and quoted exactly; the
English renderings are this site's own.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from nursery.models import Zone

from .images import Palette


class Bi(NamedTuple):
    """A text in Chinese and English; ``Bi.get("en")`` picks one."""

    zh: str
    en: str

    def get(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


# Language keys used here, and the Wagtail locale each stands for.
LANGUAGES = {"zh": "zh-hans", "en": "en"}


# --- StreamField blocks: (block type, value) with Bi texts, turned into raw data per language --


def heading(text: Bi) -> tuple:
    return ("heading", text)


def paragraph(text: Bi) -> tuple:
    """Rich text: plain text is wrapped in <p>; text starting with a tag (a <ul>) is kept."""
    return ("paragraph", text)


def figure(picture_key: str, caption: Bi) -> tuple:
    return ("figure", picture_key, caption)


def quote(text: Bi, attribution: Bi) -> tuple:
    return ("quote", text, attribution)


def facts(title: Bi, *rows: tuple[Bi, Bi]) -> tuple:
    return ("facts", title, rows)


# --- pictures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A demo picture: drawn from ``motif``/``view``/``palette``, found again by its ``title``."""

    key: str
    title: str
    alt: str
    caption: Bi
    motif: str
    view: str
    palette: Palette


PALETTES = {
    "flower_sea": Palette(
        sky=((100, 165, 230), (230, 235, 240)),
        hills=((140, 160, 180), (110, 145, 105), (100, 140, 75)),
        ground=(100, 140, 70),
        flowers=(
            (240, 80, 130),
            (250, 170, 200),
            (255, 255, 255),
            (200, 60, 160),
            (250, 140, 60),
            (250, 220, 60),
        ),
        centre=(240, 190, 40),
        foliage=(70, 130, 70),
    ),
    "cosmos": Palette(
        sky=((120, 170, 225), (238, 232, 228)),
        hills=((150, 160, 180), (120, 145, 105), (105, 140, 80)),
        ground=(105, 140, 75),
        flowers=((235, 120, 170), (250, 200, 220), (200, 40, 110), (255, 250, 250)),
        centre=(245, 200, 50),
        foliage=(80, 135, 70),
    ),
    "rose": Palette(
        sky=((120, 170, 225), (235, 230, 230)),
        hills=((140, 160, 180), (110, 145, 105), (90, 130, 75)),
        ground=(85, 125, 65),
        flowers=((210, 30, 60), (240, 110, 140), (250, 200, 210), (250, 190, 80)),
        centre=(120, 20, 40),
        foliage=(55, 105, 55),
    ),
    "bougainvillea": Palette(
        sky=((90, 160, 230), (225, 235, 240)),
        hills=((140, 160, 180), (110, 145, 105), (90, 130, 75)),
        ground=(90, 125, 70),
        flowers=((210, 30, 140), (230, 70, 160), (190, 20, 110), (250, 140, 60)),
        centre=(250, 245, 220),
        foliage=(50, 100, 50),
    ),
    "specimen_trees": Palette(
        sky=((120, 170, 220), (225, 232, 230)),
        hills=((140, 160, 170), (110, 140, 110), (90, 120, 80)),
        ground=(100, 135, 75),
        flowers=((50, 100, 60), (70, 120, 55), (40, 85, 60)),
        centre=(100, 75, 55),
        foliage=(60, 110, 60),
    ),
    "cherry": Palette(
        sky=((150, 190, 230), (240, 225, 230)),
        hills=((150, 160, 190), (120, 150, 120), (95, 135, 80)),
        ground=(110, 150, 80),
        flowers=((250, 205, 215), (245, 185, 200), (255, 230, 235)),
        centre=(200, 80, 110),
        foliage=(90, 130, 70),
    ),
    "tulip": Palette(
        sky=((110, 170, 230), (230, 235, 240)),
        hills=((140, 160, 180), (110, 145, 105), (90, 135, 75)),
        ground=(90, 135, 70),
        flowers=((230, 40, 50), (250, 200, 40), (245, 120, 160), (250, 250, 245), (150, 60, 150)),
        centre=(60, 40, 40),
        foliage=(70, 130, 70),
    ),
    "rapeseed": Palette(
        sky=((110, 165, 225), (225, 235, 240)),
        hills=((140, 160, 180), (100, 140, 100), (90, 130, 60)),
        ground=(120, 150, 40),
        flowers=((250, 215, 30), (255, 230, 70), (240, 200, 20)),
        centre=(120, 90, 40),
        foliage=(80, 130, 50),
    ),
    "lotus": Palette(
        sky=((100, 160, 220), (230, 236, 236)),
        hills=((130, 155, 160), (90, 130, 100), (70, 115, 70)),
        ground=(70, 110, 60),
        flowers=((240, 140, 170), (250, 180, 200), (235, 110, 150)),
        centre=(240, 210, 90),
        foliage=(60, 120, 70),
    ),
    "osmanthus": Palette(
        sky=((140, 175, 215), (240, 230, 210)),
        hills=((150, 150, 160), (120, 135, 100), (100, 120, 70)),
        ground=(115, 130, 70),
        flowers=((240, 170, 40), (250, 200, 70), (230, 140, 30)),
        centre=(90, 70, 50),
        foliage=(40, 85, 50),
    ),
    "chrysanthemum": Palette(
        sky=((130, 170, 215), (240, 230, 210)),
        hills=((150, 150, 160), (120, 135, 100), (100, 120, 70)),
        ground=(110, 120, 60),
        flowers=((245, 190, 40), (230, 120, 40), (250, 240, 230), (200, 60, 80)),
        centre=(150, 90, 30),
        foliage=(60, 100, 50),
    ),
    "wintersweet": Palette(
        sky=((170, 185, 200), (230, 228, 222)),
        hills=((160, 165, 175), (140, 145, 140), (120, 125, 110)),
        ground=(135, 130, 110),
        flowers=((245, 220, 110), (250, 230, 140), (240, 205, 90)),
        centre=(110, 60, 80),
        foliage=(110, 110, 80),
    ),
    "nursery": Palette(
        sky=((120, 170, 220), (225, 232, 230)),
        hills=((140, 160, 170), (110, 140, 110), (90, 120, 80)),
        ground=(130, 110, 80),
        flowers=((60, 120, 60), (80, 135, 60), (50, 105, 55)),
        centre=(90, 70, 50),
        foliage=(60, 110, 60),
    ),
}


def pictures(
    slug: str, name: str, motif: str, palette: str, shots: tuple[tuple[str, Bi], ...]
) -> tuple[Picture, ...]:
    """An attraction's three pictures from (alt, caption) pairs: landscape, meadow, close-up."""
    views = ("landscape", "meadow", "closeup")
    return tuple(
        Picture(
            key=f"{slug}-{i + 1}",
            title=f"演示图 · {name} {i + 1}",
            alt=alt,
            caption=caption,
            motif=motif,
            view=views[i],
            palette=PALETTES[palette],
        )
        for i, (alt, caption) in enumerate(shots)
    )


# --- the park ---------------------------------------------------------------------------------

SITE_NAME = "大地花谷"

PARK = {
    "park_name": "大地花谷",
    "park_name_en": "Dadi Flower Valley",
    "address": "四川省广安市广安区大龙镇自力村",
    "address_en": "Zili Village, Dalong Town, Guang'an District, Guang'an, Sichuan, China",
    # Plainly fake: 0826 is Guang'an's area code, the rest is zeros.
    "phone": "0826-0000000",
    "email": "hello@huagu.example",
    "latitude": Decimal("30.470000"),
    "longitude": Decimal("106.630000"),
    "hours_note": "17:00停止入园。节假日开放时间以花谷新闻公告为准。",
    "hours_note_en": "Last entry 17:00. Holiday hours are announced in the park news.",
    # Plainly a demo: the official account's name, shown beside the QR code.
    "wechat_id": "大地花谷演示号",
}
OPENING_HOURS = [(weekday, datetime.time(8, 30), datetime.time(18, 0)) for weekday in range(7)]
QR_TITLE = "演示图 · 花谷网站二维码"
QR_ALT = "二维码：用手机扫描打开大地花谷网站"


@dataclass(frozen=True)
class ZoneData:
    code: str
    name: Bi
    area_mu: Decimal
    use: str


# Twelve zones, 3,000 mu in all: the display gardens and flower seas visitors walk through,
# and the nursery fields and greenhouses that grow stock for landscape projects.
ZONES = [
    ZoneData("A1", Bi("四季花海", "Four-Seasons Flower Sea"), Decimal("360"), Zone.Use.FLOWER_SEA),
    ZoneData("A2", Bi("油菜花田", "Rape-Flower Fields"), Decimal("240"), Zone.Use.FLOWER_SEA),
    ZoneData(
        "B1",
        Bi("月季与三角梅园", "Rose and Bougainvillea Garden"),
        Decimal("90"),
        Zone.Use.DISPLAY_GARDEN,
    ),
    ZoneData(
        "B2", Bi("名贵古树园", "Specimen-Tree Garden"), Decimal("150"), Zone.Use.DISPLAY_GARDEN
    ),
    ZoneData("B3", Bi("荷塘", "Lotus Ponds"), Decimal("80"), Zone.Use.DISPLAY_GARDEN),
    ZoneData("B4", Bi("春花园", "Spring Garden"), Decimal("120"), Zone.Use.DISPLAY_GARDEN),
    ZoneData(
        "B5", Bi("秋香园", "Autumn Fragrance Garden"), Decimal("100"), Zone.Use.DISPLAY_GARDEN
    ),
    ZoneData("B6", Bi("蜡梅园", "Wintersweet Garden"), Decimal("60"), Zone.Use.DISPLAY_GARDEN),
    ZoneData("G1", Bi("育苗温室", "Propagation Greenhouses"), Decimal("40"), Zone.Use.GREENHOUSE),
    ZoneData(
        "N1",
        Bi("苗木基地一区（乔木）", "Nursery Field 1 (trees)"),
        Decimal("620"),
        Zone.Use.NURSERY_FIELD,
    ),
    ZoneData(
        "N2",
        Bi("苗木基地二区（花灌木）", "Nursery Field 2 (flowering shrubs)"),
        Decimal("580"),
        Zone.Use.NURSERY_FIELD,
    ),
    ZoneData(
        "N3",
        Bi("苗木基地三区（地被与宿根花卉）", "Nursery Field 3 (ground cover and perennials)"),
        Decimal("560"),
        Zone.Use.NURSERY_FIELD,
    ),
]


@dataclass(frozen=True)
class TicketData:
    audience: str
    name: Bi
    description: Bi
    price: Decimal


TICKET_TYPES = [
    TicketData(
        "adult",
        Bi("成人票", "Adult"),
        Bi("身高1.4米以上的游客", "Visitors taller than 1.4 m"),
        Decimal("60.00"),
    ),
    TicketData(
        "child",
        Bi("儿童票", "Child"),
        Bi("身高1.2米至1.4米的儿童", "Children from 1.2 m to 1.4 m tall"),
        Decimal("30.00"),
    ),
    TicketData(
        "senior",
        Bi("长者票", "Senior"),
        Bi(
            "60周岁及以上老人，入园时请出示身份证", "Visitors aged 60 and over; show ID at the gate"
        ),
        Decimal("30.00"),
    ),
    TicketData(
        "free",
        Bi("免票", "Free admission"),
        Bi(
            "身高1.2米以下儿童（须成人陪同）、残疾人凭残疾人证",
            "Children under 1.2 m (with an adult); disabled visitors with a disability card",
        ),
        Decimal("0.00"),
    ),
    TicketData(
        "group",
        Bi("团队票", "Group rate"),
        Bi(
            "10人及以上团队，在团队预约页预订，每人",
            "Per person, for groups of 10 or more booked on the group page",
        ),
        Decimal("48.00"),
    ),
]


class DemoUser(NamedTuple):
    username: str
    password: str
    group: str | None  # None: a superuser, who needs no group
    email: str


# Demo-only credentials, printed by the command; never use them on a server that faces the internet.
USERS = [
    DemoUser("admin", "huagu-demo-admin", None, "admin@huagu.example"),
    DemoUser("editor", "huagu-demo-editor", "Editors", "editor@huagu.example"),
    DemoUser("manager", "huagu-demo-manager", "Farm managers", "manager@huagu.example"),
    DemoUser("gate", "huagu-demo-gate", "Gate staff", "gate@huagu.example"),
    DemoUser("official", "huagu-demo-official", "Officials", "official@huagu.example"),
]


# --- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageData:
    """One page in both languages. ``fields`` holds extra model fields, as Bi or plain values."""

    slug: str
    title: Bi
    summary: Bi
    picture: Picture
    fields: dict = field(default_factory=dict)
    body: tuple = ()


@dataclass(frozen=True)
class AttractionData:
    slug: str
    title: Bi
    summary: Bi
    zone: str
    months: tuple[int, ...]
    featured: bool
    pictures: tuple[Picture, ...]
    accessibility: Bi
    body: tuple


def single(key: str, name: str, alt: str, motif: str, view: str, palette: str) -> Picture:
    """A picture for a page that has only one."""
    return Picture(key, f"演示图 · {name}", alt, Bi("", ""), motif, view, PALETTES[palette])


STEP_FREE_MAIN_PATH = Bi(
    "从大门到这里的主步道为硬化路面，坡度平缓，轮椅和婴儿车可以通行。",
    "The main path from the gate is paved and gently graded; wheelchairs and prams can use it.",
)

ATTRACTIONS = [
    AttractionData(
        slug="four-seasons-flower-sea",
        title=Bi("四季花海", "Four-Seasons Flower Sea"),
        summary=Bi(
            "花谷的招牌景观：随季节换装的大片花田，春有虞美人，夏有百日草，秋有格桑花，"
            "冬有羽衣甘蓝和三色堇。",
            "The valley's signature sight: great beds of flowers that change with the seasons — "
            "poppies in spring, zinnias in summer, cosmos in autumn, ornamental kale and pansies "
            "in winter.",
        ),
        zone="A1",
        months=tuple(range(1, 13)),
        featured=True,
        pictures=pictures(
            "four-seasons-flower-sea",
            "四季花海",
            "daisy",
            "flower_sea",
            (
                (
                    "插画：粉、白、黄、橙色的花带铺满山坡，远处是青山",
                    Bi("花带顺着山势铺开", "Bands of colour follow the lie of the hillside"),
                ),
                (
                    "插画：站在花田中，近处是大朵的彩色花，远处山坡连成一片",
                    Bi("走进花田，花比膝盖还高", "In the beds the flowers stand knee-high"),
                ),
                (
                    "插画：几朵粉色、白色和橙色的花，背景虚化",
                    Bi("格桑花与百日草", "Cosmos and zinnias"),
                ),
            ),
        ),
        accessibility=Bi(
            "主观景步道为硬化路面，坡度平缓，轮椅和婴儿车可以通行；花田里的小径是土路，雨后湿滑。"
            "沿途有休息座椅，入口处有无障碍卫生间。",
            "The main viewing path is paved and gently graded, fine for wheelchairs and prams; the "
            "paths between the beds are earth and slippery after rain. There are benches along the "
            "way and an accessible toilet at the entrance.",
        ),
        body=(
            heading(Bi("一年十二个月都有花", "Flowers in every month")),
            paragraph(
                Bi(
                    "四季花海是花谷面积最大的一片花田。园艺班组按季节轮换种植：一茬花期将尽，"
                    "下一茬已在育苗温室里长好，"
                    "所以无论哪个月来，总有一片花田正在盛开。",
                    "The Four-Seasons Flower Sea is the largest planted area open to visitors. The "
                    "gardeners replant it in rotation: as one crop fades the next is already grown "
                    "in "
                    "the propagation greenhouses, so in any month some of the beds are in full "
                    "flower.",
                )
            ),
            figure(
                "four-seasons-flower-sea-2",
                Bi("花田间的小径可以走到花丛深处", "Paths lead deep into the beds"),
            ),
            paragraph(
                Bi(
                    "花带顺着山坡的等高线种成长长的色块，从观景台上看最好看。春秋两季品种最多，"
                    "颜色也最丰富。",
                    "The beds are planted in long bands of one colour along the contours of the "
                    "hillside, best seen from the viewing terrace. Spring and autumn bring the "
                    "most "
                    "varieties and the richest colour.",
                )
            ),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (
                    Bi("花期", "In flower"),
                    Bi("全年；春秋两季最盛", "All year; fullest in spring and autumn"),
                ),
                (
                    Bi("所在分区", "Zone"),
                    Bi("A1 四季花海，约360亩", "A1 Four-Seasons Flower Sea, about 360 mu"),
                ),
                (Bi("建议游览", "Allow"), Bi("约1小时", "About an hour")),
            ),
        ),
    ),
    AttractionData(
        slug="rose-garden",
        title=Bi("月季园", "Rose Garden"),
        summary=Bi(
            "上百个品种的月季，从四月一直开到十一月，五月和十月最盛。",
            "Chinese roses in many varieties, flowering from April right through to November, "
            "at their best in May and October.",
        ),
        zone="B1",
        months=(4, 5, 6, 7, 8, 9, 10, 11),
        featured=True,
        pictures=pictures(
            "rose-garden",
            "月季园",
            "rose",
            "rose",
            (
                ("插画：红、粉、黄色的月季开满山坡", Bi("五月的月季园", "The rose garden in May")),
                (
                    "插画：近处一片盛开的月季花丛",
                    Bi("红、粉、黄、白，各色月季", "Roses in red, pink, yellow and white"),
                ),
                (
                    "插画：几朵粉色月季特写，背景虚化",
                    Bi("月季又叫“月月红”", "Known in Chinese as the ‘red every month’ flower"),
                ),
            ),
        ),
        accessibility=STEP_FREE_MAIN_PATH,
        body=(
            heading(Bi("月月有花开", "A flower for every month")),
            paragraph(
                Bi(
                    "月季原产中国，民间叫它“月月红”，因为它能一茬接一茬地开花。"
                    "园里的月季从四月开到十一月，"
                    "五月是第一个高峰，秋凉后的十月还有第二个高峰。",
                    "The Chinese rose (<i>Rosa chinensis</i>) is native to China and flowers again "
                    "and again through the year, which is why it is called the ‘red every month’ "
                    "flower. Here the roses bloom from April to November, with a first peak in May "
                    "and a second in the cool of October.",
                )
            ),
            quote(
                Bi(
                    "只道花无十日红，此花无日不春风。",
                    "They say no flower stays red for ten days; "
                    "this one has a spring breeze every day.",
                ),
                Bi(
                    "杨万里《腊前月季》",
                    "Yang Wanli (Song dynasty), ‘Chinese roses before the twelfth month’",
                ),
            ),
            figure("rose-garden-3", Bi("月季的花瓣层层叠叠", "Petal upon petal")),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("4月至11月", "April to November")),
                (Bi("最佳时间", "Best"), Bi("5月、10月", "May and October")),
                (
                    Bi("所在分区", "Zone"),
                    Bi("B1 月季与三角梅园", "B1 Rose and Bougainvillea Garden"),
                ),
            ),
        ),
    ),
    AttractionData(
        slug="bougainvillea-walk",
        title=Bi("三角梅长廊", "Bougainvillea Walk"),
        summary=Bi(
            "一条爬满三角梅的花廊，初夏到深秋，紫红、橙红的“花”开成一片。",
            "A covered walk smothered in bougainvillea: from early summer to late autumn it "
            "glows magenta and orange.",
        ),
        zone="B1",
        months=(5, 6, 7, 8, 9, 10),
        featured=False,
        pictures=pictures(
            "bougainvillea-walk",
            "三角梅长廊",
            "bougainvillea",
            "bougainvillea",
            (
                (
                    "插画：紫红和橙色的三角梅铺满山坡",
                    Bi("盛夏的三角梅", "Bougainvillea at midsummer"),
                ),
                ("插画：近处一丛丛紫红色的三角梅", Bi("花廊两侧的三角梅", "Along the walk")),
                (
                    "插画：三角梅枝条上的紫红色苞片特写",
                    Bi("艳丽的其实是苞片", "The colour is in the bracts"),
                ),
            ),
        ),
        accessibility=Bi(
            "花廊全长为平整的硬化路面，有顶棚遮阳，轮椅和婴儿车可以通行。",
            "The walk is level and paved along its whole length, with a roof for shade; "
            "wheelchairs and prams can use it.",
        ),
        body=(
            heading(Bi("那不是花瓣", "Not petals at all")),
            paragraph(
                Bi(
                    "三角梅最艳丽的部分其实是苞片：三片纸质的苞片围着中间三朵细小的白色真花，"
                    "所以叫“三角梅”。"
                    "苞片颜色能保持很久，整个夏天花廊都是一片紫红。",
                    "The bright colour of bougainvillea is not in its petals but in its bracts: "
                    "three "
                    "papery bracts surround three tiny white true flowers. The bracts keep their "
                    "colour "
                    "for weeks, so the walk stays magenta all summer.",
                )
            ),
            figure(
                "bougainvillea-walk-3",
                Bi(
                    "苞片中间的小白花才是真花",
                    "The small white flowers in the middle are the true flowers",
                ),
            ),
            paragraph(
                Bi(
                    "三角梅怕冻。入冬前，园艺班组会给它们做好防寒，盆栽的植株搬进育苗温室过冬。",
                    "Bougainvillea does not like frost. Before winter the gardeners protect the "
                    "plants "
                    "on the walk, and the potted ones spend the cold months in the greenhouses.",
                )
            ),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("5月至10月", "May to October")),
                (
                    Bi("所在分区", "Zone"),
                    Bi("B1 月季与三角梅园", "B1 Rose and Bougainvillea Garden"),
                ),
            ),
        ),
    ),
    AttractionData(
        slug="specimen-tree-garden",
        title=Bi("名贵古树园", "Specimen-Tree Garden"),
        summary=Bi(
            "2020年12月，花谷从全国各地购入200株珍稀树木移栽入园，如今已成为游客必看的一景。",
            "In December 2020 the valley bought 200 unusual trees from across China and "
            "transplanted them here; they are now one of its great sights.",
        ),
        zone="B2",
        months=(),
        featured=True,
        pictures=pictures(
            "specimen-tree-garden",
            "名贵古树园",
            "tree",
            "specimen_trees",
            (
                (
                    "插画：山坡上错落分布的各种大树",
                    Bi("古树园全景", "The garden from the upper path"),
                ),
                (
                    "插画：草地上姿态各异的大树",
                    Bi("每棵树都有自己的编号牌", "Every tree carries a numbered tag"),
                ),
                (
                    "插画：一棵高大的树矗立在草地中央，两旁各有一棵小树",
                    Bi("树下可以乘凉", "Shade on a summer afternoon"),
                ),
            ),
        ),
        accessibility=Bi(
            "园内小路多为碎石路，轮椅通行较吃力；可沿外围硬化道路绕园一周观赏。",
            "Most paths inside the garden are gravel and hard going in a wheelchair; a paved "
            "road runs round the outside with good views of the trees.",
        ),
        body=(
            heading(Bi("二百株树的来历", "Where the 200 trees came from")),
            paragraph(
                Bi(
                    "2020年12月，花谷从全国各地购入200株多年生的珍稀树木，总投入超过100万元，"
                    "用吊车一株株移栽到这片园子里。它们既是供游客观赏的新景点，"
                    "也是花谷为园林绿化工程储备的苗木。",
                    "In December 2020 the valley bought 200 unusual perennial trees from across "
                    "China, "
                    "at a cost of more than ¥1,000,000, and transplanted them one by one into this "
                    "garden. They are both a new sight for visitors and stock for the landscape "
                    "projects the nursery supplies.",
                )
            ),
            figure(
                "specimen-tree-garden-2",
                Bi("每棵树都挂有编号牌", "Each tree is tagged with its number"),
            ),
            paragraph(
                Bi(
                    "大树移栽后的第一年最关键。基地的技术人员定期检查每一棵树的成活情况，浇水、"
                    "支撑、修剪都有记录。",
                    "The first year after moving a big tree is the hardest. The nursery's staff "
                    "check "
                    "every tree on a schedule and record each watering, staking and pruning.",
                )
            ),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("树木数量", "Trees"), Bi("200株", "200")),
                (Bi("移栽时间", "Planted"), Bi("2020年12月", "December 2020")),
                (
                    Bi("所在分区", "Zone"),
                    Bi("B2 名贵古树园，约150亩", "B2 Specimen-Tree Garden, about 150 mu"),
                ),
            ),
        ),
    ),
    AttractionData(
        slug="cherry-blossom-valley",
        title=Bi("樱花谷", "Cherry Blossom Valley"),
        summary=Bi(
            "三月早樱先开，四月初晚樱接上，山谷里粉白一片；每一批花只开两周左右。",
            "Early cherries open in March and late ones follow in early April, filling the valley "
            "with pink and white; each lot lasts only a fortnight or so.",
        ),
        zone="B4",
        months=(3, 4),
        featured=True,
        pictures=pictures(
            "cherry-blossom-valley",
            "樱花谷",
            "blossom",
            "cherry",
            (
                ("插画：山谷中一排排开满粉色樱花的树", Bi("三月的樱花谷", "The valley in March")),
                ("插画：近处几棵樱花树，树冠粉白一片", Bi("樱花树下", "Under the cherry trees")),
                (
                    "插画：一枝开满粉色樱花的枝条，背景虚化",
                    Bi("五片花瓣的樱花", "Five-petalled blossom"),
                ),
            ),
        ),
        accessibility=STEP_FREE_MAIN_PATH,
        body=(
            heading(Bi("只开两周的花", "A fortnight of blossom")),
            paragraph(
                Bi(
                    "樱花的花期很短：早樱通常在三月中下旬开放，晚樱在四月上旬接上，"
                    "每一批前后约两周，"
                    "具体时间随当年气温早晚浮动。出发前可以看看花谷新闻里的花讯。",
                    "Cherry blossom does not last: the early varieties usually flower from mid to "
                    "late March and the late ones in early April, each for about two weeks, "
                    "earlier "
                    "or later with the year's weather. Check the park news for the latest bloom "
                    "report before you set out.",
                )
            ),
            figure(
                "cherry-blossom-valley-3",
                Bi("风一吹，花瓣像雪一样落下", "A breeze brings the petals down like snow"),
            ),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("3月至4月上旬", "March to early April")),
                (Bi("所在分区", "Zone"), Bi("B4 春花园", "B4 Spring Garden")),
                (
                    Bi("拍照建议", "Photography"),
                    Bi("上午逆光拍花瓣最通透", "Morning backlight makes the petals glow"),
                ),
            ),
        ),
    ),
    AttractionData(
        slug="tulip-garden",
        title=Bi("郁金香园", "Tulip Garden"),
        summary=Bi(
            "红、黄、粉、白、紫，一垄一色的郁金香，三四月盛开。",
            "Tulips planted a colour to a bed — red, yellow, pink, white and purple — in flower "
            "in March and April.",
        ),
        zone="B4",
        months=(3, 4),
        featured=False,
        pictures=pictures(
            "tulip-garden",
            "郁金香园",
            "tulip",
            "tulip",
            (
                (
                    "插画：红、黄、白、紫色的郁金香花带一直延伸到山脚",
                    Bi("一垄一色的郁金香", "A colour to a bed"),
                ),
                ("插画：近处大片彩色郁金香", Bi("花田边上的郁金香", "At the edge of the beds")),
                (
                    "插画：几枝不同颜色的郁金香特写",
                    Bi("郁金香的花朵像一只小杯子", "Each flower a small cup"),
                ),
            ),
        ),
        accessibility=STEP_FREE_MAIN_PATH,
        body=(
            heading(Bi("秋天种下，春天开花", "Planted in autumn, flowering in spring")),
            paragraph(
                Bi(
                    "郁金香的种球在前一年秋冬种下，经过一个冬天的低温，三月抽出花葶，"
                    "三月下旬到四月上旬最盛。",
                    "Tulip bulbs go into the ground in late autumn; after a winter's cold they "
                    "send up "
                    "their stems in March and are at their best from late March to early April.",
                )
            ),
            figure(
                "tulip-garden-2",
                Bi(
                    "同一颜色种成一垄，远看像彩色的条纹",
                    "Planted in single colours, the beds look like stripes from afar",
                ),
            ),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("3月至4月", "March and April")),
                (Bi("所在分区", "Zone"), Bi("B4 春花园", "B4 Spring Garden")),
            ),
        ),
    ),
    AttractionData(
        slug="rape-flower-fields",
        title=Bi("油菜花田", "Rape-Flower Fields"),
        summary=Bi(
            "早春的金黄色：二三月里，油菜花开满整片山坡。",
            "The gold of early spring: in February and March the rape flowers cover the whole "
            "hillside.",
        ),
        zone="A2",
        months=(2, 3),
        featured=False,
        pictures=pictures(
            "rape-flower-fields",
            "油菜花田",
            "rapeseed",
            "rapeseed",
            (
                (
                    "插画：金黄色的油菜花开满起伏的山坡",
                    Bi("二月的油菜花田", "The fields in February"),
                ),
                (
                    "插画：站在油菜花田里，近处是金黄色的花穗",
                    Bi("花比人高的时候", "When the flowers are taller than you"),
                ),
                (
                    "插画：几枝黄色油菜花特写，背景虚化",
                    Bi("四片花瓣的小黄花", "Small four-petalled flowers"),
                ),
            ),
        ),
        accessibility=Bi(
            "田埂为土路，窄而不平，轮椅难以进入；田边的观景平台可以坐着观赏。",
            "The paths between the fields are narrow earth banks, not suitable for wheelchairs; "
            "the viewing platform at the edge of the fields has seating.",
        ),
        body=(
            heading(Bi("最早的春色", "The first colour of spring")),
            paragraph(
                Bi(
                    "四川是油菜种植大省，油菜花一开，春天就来了。花谢后油菜结荚，"
                    "五月收获的菜籽可以榨油。",
                    "Sichuan grows a great deal of oilseed rape, and when it flowers, spring has "
                    "come. "
                    "After flowering the plants set pods, and the seed harvested in May is pressed "
                    "for oil.",
                )
            ),
            quote(
                Bi(
                    "儿童急走追黄蝶，飞入菜花无处寻。",
                    "A child runs after a yellow butterfly; it flies into the rape flowers and "
                    "is nowhere to be found.",
                ),
                Bi(
                    "杨万里《宿新市徐公店》",
                    "Yang Wanli (Song dynasty), ‘Staying at Mr Xu's inn in Xinshi’",
                ),
            ),
            figure("rape-flower-fields-3", Bi("油菜花的花穗", "Rape flowers up close")),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("2月至3月", "February and March")),
                (
                    Bi("所在分区", "Zone"),
                    Bi("A2 油菜花田，约240亩", "A2 Rape-Flower Fields, about 240 mu"),
                ),
            ),
        ),
    ),
    AttractionData(
        slug="lotus-ponds",
        title=Bi("荷塘", "Lotus Ponds"),
        summary=Bi(
            "盛夏的荷塘：六到八月，粉色的荷花开在满塘碧绿的荷叶之间，清晨最美。",
            "The ponds at midsummer: from June to August pink lotus flowers stand among the "
            "green leaves, loveliest in the early morning.",
        ),
        zone="B3",
        months=(6, 7, 8),
        featured=True,
        pictures=pictures(
            "lotus-ponds",
            "荷塘",
            "lotus",
            "lotus",
            (
                ("插画：远山下的池塘里开满粉色荷花", Bi("七月的荷塘", "The ponds in July")),
                ("插画：近处水面上的荷叶和粉色荷花", Bi("荷叶铺满水面", "Leaves cover the water")),
                (
                    "插画：几朵粉色荷花和荷叶特写",
                    Bi("荷花清晨开放", "Lotus flowers open in the morning"),
                ),
            ),
        ),
        accessibility=Bi(
            "环塘步道和木栈道平整，有栏杆，轮椅和婴儿车可以通行；栈道雨天较滑，请慢行。",
            "The path round the ponds and the boardwalks are level and railed, fine for "
            "wheelchairs and prams; the boards are slippery in the rain.",
        ),
        body=(
            heading(Bi("清晨来看荷花", "Come early for the lotus")),
            paragraph(
                Bi(
                    "荷花清晨开放，午后天热时花瓣会半合起来，所以最好早上来。"
                    "沿着木栈道可以走到荷塘中间。",
                    "Lotus flowers open in the morning and half close in the heat of the "
                    "afternoon, so "
                    "come early. The boardwalk takes you out into the middle of the ponds.",
                )
            ),
            quote(
                Bi(
                    "接天莲叶无穷碧，映日荷花别样红。",
                    "Lotus leaves reach to the sky, an endless green; in the sun the lotus "
                    "flowers are a red like no other.",
                ),
                Bi(
                    "杨万里《晓出净慈寺送林子方》",
                    "Yang Wanli (Song dynasty), ‘Seeing off Lin Zifang from Jingci Temple at dawn’",
                ),
            ),
            figure("lotus-ponds-2", Bi("木栈道两旁的荷花", "Lotus beside the boardwalk")),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("6月至8月", "June to August")),
                (Bi("最佳时间", "Best"), Bi("早上9点以前", "Before 9 in the morning")),
                (Bi("所在分区", "Zone"), Bi("B3 荷塘", "B3 Lotus Ponds")),
            ),
        ),
    ),
    AttractionData(
        slug="osmanthus-grove",
        title=Bi("桂花林", "Osmanthus Grove"),
        summary=Bi(
            "九十月间，桂花的香气飘满山谷，金桂、银桂、丹桂相继开放。",
            "In September and October the scent of osmanthus fills the valley as the gold, "
            "silver and orange varieties come into flower.",
        ),
        zone="B5",
        months=(9, 10),
        featured=False,
        pictures=pictures(
            "osmanthus-grove",
            "桂花林",
            "osmanthus",
            "osmanthus",
            (
                (
                    "插画：山坡上一片深绿色的桂花树，树冠上点缀着金黄色的小花",
                    Bi("秋天的桂花林", "The grove in autumn"),
                ),
                (
                    "插画：近处几棵开满金色小花的桂花树",
                    Bi("香气先于花色", "You smell it before you see it"),
                ),
                (
                    "插画：桂花枝条特写，绿叶间簇生金黄色小花",
                    Bi("桂花簇生在叶腋间", "Flowers cluster where the leaves meet the stem"),
                ),
            ),
        ),
        accessibility=STEP_FREE_MAIN_PATH,
        body=(
            heading(Bi("先闻香，后见花", "Scent first, then flowers")),
            paragraph(
                Bi(
                    "桂花的花朵很小，一簇簇藏在叶腋里，香气却能飘得很远。金桂花色金黄，银桂近白，"
                    "丹桂橙红，"
                    "花期在中秋前后。",
                    "Osmanthus flowers are tiny, tucked in clusters where the leaves meet the "
                    "stem, "
                    "but their scent carries a long way. Gold osmanthus is yellow, silver nearly "
                    "white and orange osmanthus a deep orange; they flower around the Mid-Autumn "
                    "Festival.",
                )
            ),
            quote(
                Bi(
                    "何须浅碧深红色，自是花中第一流。",
                    "Why should it need pale green or deep red? It is, by itself, the first among "
                    "flowers.",
                ),
                Bi(
                    "李清照《鹧鸪天·桂花》",
                    "Li Qingzhao (Song dynasty), ‘Partridge Sky: Osmanthus’",
                ),
            ),
            figure("osmanthus-grove-3", Bi("金桂", "Gold osmanthus")),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("9月至10月", "September and October")),
                (Bi("所在分区", "Zone"), Bi("B5 秋香园", "B5 Autumn Fragrance Garden")),
            ),
        ),
    ),
    AttractionData(
        slug="chrysanthemum-show",
        title=Bi("菊花展", "Chrysanthemum Show"),
        summary=Bi(
            "深秋的菊花展：十到十一月，黄、白、橙、红各色菊花在秋香园里布展。",
            "The late-autumn chrysanthemum show: in October and November the Autumn Fragrance "
            "Garden is set out with chrysanthemums in yellow, white, orange and red.",
        ),
        zone="B5",
        months=(10, 11),
        featured=False,
        pictures=pictures(
            "chrysanthemum-show",
            "菊花展",
            "chrysanthemum",
            "chrysanthemum",
            (
                (
                    "插画：黄、白、橙、红色的菊花开满山坡",
                    Bi("秋香园里的菊花", "Chrysanthemums in the Autumn Fragrance Garden"),
                ),
                ("插画：近处大片各色菊花", Bi("各色菊花", "Every colour of chrysanthemum")),
                (
                    "插画：几朵黄色、橙色、白色和红色菊花特写",
                    Bi("层层细长的花瓣", "Ring upon ring of narrow petals"),
                ),
            ),
        ),
        accessibility=STEP_FREE_MAIN_PATH,
        body=(
            heading(Bi("秋天的压轴花", "The last show of the year")),
            paragraph(
                Bi(
                    "菊花是秋天最后盛开的花之一。展期里，秋香园用盆栽菊花和地栽菊花布置出大片花境，"
                    "品种和花型都很丰富。",
                    "Chrysanthemums are among the last flowers of the year. During the show the "
                    "Autumn "
                    "Fragrance Garden is laid out with potted and bedded chrysanthemums in many "
                    "varieties and flower forms.",
                )
            ),
            quote(
                Bi(
                    "采菊东篱下，悠然见南山。",
                    "Picking chrysanthemums by the eastern hedge, at ease I see the southern "
                    "hills.",
                ),
                Bi("陶渊明《饮酒·其五》", "Tao Yuanming (Eastern Jin), ‘Drinking Wine’, no. 5"),
            ),
            figure(
                "chrysanthemum-show-3", Bi("菊花的花型很多", "Chrysanthemums come in many forms")
            ),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("10月至11月", "October and November")),
                (Bi("所在分区", "Zone"), Bi("B5 秋香园", "B5 Autumn Fragrance Garden")),
            ),
        ),
    ),
    AttractionData(
        slug="wintersweet-garden",
        title=Bi("蜡梅园", "Wintersweet Garden"),
        summary=Bi(
            "最冷的时候最香：十二月到次年二月，蜡梅在光秃的枝头开出蜡质的黄花。",
            "Sweetest in the coldest weeks: from December to February wintersweet opens waxy "
            "yellow flowers on its bare branches.",
        ),
        zone="B6",
        months=(12, 1, 2),
        featured=False,
        pictures=pictures(
            "wintersweet-garden",
            "蜡梅园",
            "wintersweet",
            "wintersweet",
            (
                (
                    "插画：冬日灰蓝的天空下，山坡上一丛丛开着黄花的蜡梅",
                    Bi("一月的蜡梅园", "The garden in January"),
                ),
                (
                    "插画：近处几丛枝条上缀满黄色小花的蜡梅",
                    Bi("叶子落尽，花才开", "The flowers come after the leaves have fallen"),
                ),
                (
                    "插画：蜡梅枝条特写，黄色花朵中心是深紫色",
                    Bi("花心是深紫色的", "A dark purple heart"),
                ),
            ),
        ),
        accessibility=STEP_FREE_MAIN_PATH,
        body=(
            heading(Bi("蜡梅不是梅", "Wintersweet is not a plum")),
            paragraph(
                Bi(
                    "蜡梅和梅花名字相近，其实是两种不同的植物：蜡梅属蜡梅科，花瓣像涂了一层蜡，"
                    "香气浓郁；"
                    "梅花属蔷薇科，要到早春才开。",
                    "Wintersweet (<i>Chimonanthus praecox</i>) shares part of its Chinese name "
                    "with the "
                    "plum blossom but is a different plant altogether: its petals look as if "
                    "dipped in "
                    "wax and its scent is strong and sweet, while the plum, a member of the rose "
                    "family, flowers later, in early spring.",
                )
            ),
            figure("wintersweet-garden-3", Bi("蜡质的黄色花瓣", "Waxy yellow petals")),
            facts(
                Bi("游览提示", "Tips for your visit"),
                (Bi("花期", "In flower"), Bi("12月至次年2月", "December to February")),
                (Bi("所在分区", "Zone"), Bi("B6 蜡梅园", "B6 Wintersweet Garden")),
            ),
        ),
    ),
]


HOME = PageData(
    slug="home",
    title=Bi("大地花谷", "Dadi Flower Valley"),
    summary=Bi(
        "广安大地花谷：3000亩花卉苗木基地，四季花海、名贵古树、荷塘与月季园，一年四季都有花可看。",
        "Guang'an's Dadi Flower Valley: a 3,000-mu flower and nursery base with a four-seasons "
        "flower sea, specimen trees, lotus ponds and a rose garden — something in flower in "
        "every season.",
    ),
    picture=single(
        "home",
        "花谷全景",
        "插画：彩色花带铺满山谷，远处是层叠的青山",
        "daisy",
        "landscape",
        "flower_sea",
    ),
    fields={
        "hero_heading": Bi("四季有花，一步一景", "Flowers in every season"),
        "hero_text": Bi(
            "在广安区大龙镇自力村，3000亩花田和苗圃等你来看。",
            "In Zili village, Dalong town, 3,000 mu of flower fields and nursery are waiting for "
            "you.",
        ),
        "intro": Bi(
            "<p>大地花谷位于四川省广安市广安区大龙镇自力村，是一座占地3000亩的花卉苗木基地，"
            "其中的四季花海园向游客开放。</p>"
            "<p>花谷也是周边村民家门口的工作单位：种植、养护、采收、接待，都由周边村民承担。</p>",
            "<p>Dadi Flower Valley lies in Zili village, Dalong town, Guang'an district, Sichuan: "
            "a "
            "3,000-mu flower and nursery base whose four-seasons garden is open to visitors.</p>"
            "<p>It is also where the nearby villagers work: planting, tending, harvesting and "
            "welcoming visitors.</p>",
        ),
    },
)

ATTRACTION_INDEX = PageData(
    slug="attractions",
    title=Bi("景点", "Attractions"),
    summary=Bi(
        "花海、花园、荷塘和古树：花谷里值得一看的地方。",
        "Flower seas, gardens, ponds and great trees: the places to see in the valley.",
    ),
    picture=single(
        "attractions",
        "景点",
        "插画：站在粉白相间的格桑花田中，远处是青山",
        "daisy",
        "meadow",
        "cosmos",
    ),
    fields={
        "intro": Bi(
            "<p>花谷一年四季都有花开。每个景点的页面上都标明了花期、所在分区和无障碍信息。</p>",
            "<p>Something is in flower in every season. Each attraction's page gives its bloom "
            "months, its zone and accessibility notes.</p>",
        ),
    },
)

BLOOM_CALENDAR = PageData(
    slug="bloom-calendar",
    title=Bi("花历", "Bloom calendar"),
    summary=Bi(
        "十二个月，什么时候来看什么花。",
        "Twelve months at a glance: when to come for which flowers.",
    ),
    picture=single(
        "bloom-calendar",
        "花历",
        "插画：粉、白、橙、黄色的花朵特写，背景虚化",
        "daisy",
        "closeup",
        "cosmos",
    ),
    fields={
        "intro": Bi(
            "<p>花期随每年的天气提前或推迟一两周，出发前请看看花谷新闻里的最新花讯。</p>",
            "<p>Flowering can come a week or two early or late with the weather; check the "
            "park news for the latest before you set out.</p>",
        ),
    },
)

NEWS_INDEX = PageData(
    slug="news",
    title=Bi("花谷新闻", "News"),
    summary=Bi("花讯、活动和花谷的新鲜事。", "Bloom reports, events and news from the valley."),
    picture=single(
        "news",
        "花谷新闻",
        "插画：站在金黄色的油菜花田里，远处是山坡",
        "rapeseed",
        "meadow",
        "rapeseed",
    ),
)


@dataclass(frozen=True)
class NewsData:
    slug: str
    date: datetime.date
    title: Bi
    summary: Bi
    picture: Picture
    body: tuple


NEWS = [
    NewsData(
        slug="specimen-trees-transplanted",
        date=datetime.date(2020, 12, 28),
        title=Bi("200株珍稀树木移栽入园", "200 specimen trees transplanted into the valley"),
        summary=Bi(
            "花谷从全国各地购入200株多年生珍稀树木，总投入超过100万元，已全部移栽到名贵古树园。",
            "The valley has bought 200 unusual perennial trees from across China, at a cost of "
            "more than ¥1,000,000, and transplanted them all into the new Specimen-Tree Garden.",
        ),
        picture=single(
            "news-specimen-trees",
            "古树移栽",
            "插画：山坡草地上新栽的各种大树",
            "tree",
            "landscape",
            "specimen_trees",
        ),
        body=(
            paragraph(
                Bi(
                    "12月，花谷从全国各地购入的200株多年生珍稀树木陆续运抵，"
                    "并全部移栽到新建的名贵古树园。"
                    "这批树木总投入超过100万元。",
                    "This December the 200 unusual perennial trees the valley bought from across "
                    "China "
                    "arrived and were all transplanted into the new Specimen-Tree Garden. Together "
                    "they cost more than ¥1,000,000.",
                )
            ),
            paragraph(
                Bi(
                    "这批大树有两个用途：一是作为新的景点供游客观赏，"
                    "二是作为花谷承接园林绿化工程的储备苗木。",
                    "The trees have two purposes: they are a new sight for visitors, and they are "
                    "stock "
                    "for the landscape-engineering projects the nursery supplies.",
                )
            ),
            paragraph(
                Bi(
                    "大树移栽后的一年是养护关键期。每株树都挂上了编号牌，"
                    "技术人员将按计划检查成活情况。",
                    "The year after transplanting is critical. Each tree now carries a numbered "
                    "tag, "
                    "and the nursery's staff will check on every one of them on a schedule.",
                )
            ),
            facts(
                Bi("数字", "In numbers"),
                (Bi("树木", "Trees"), Bi("200株", "200")),
                (Bi("来源", "From"), Bi("全国多地", "Across China")),
                (Bi("投入", "Cost"), Bi("超过100万元", "Over ¥1,000,000")),
            ),
        ),
    ),
    NewsData(
        slug="villagers-out-of-poverty",
        date=datetime.date(2024, 10, 17),
        title=Bi("在家门口上班：花谷与周边村民", "Work close to home: the valley and its villages"),
        summary=Bi(
            "从种植养护到游客接待，花谷在家门口为周边村民提供了工作。",
            "From planting and tending to welcoming visitors, the valley gives the villagers "
            "around it work close to home.",
        ),
        picture=single(
            "news-villagers",
            "苗圃",
            "插画：苗圃里一行行整齐的小树苗伸向远方",
            "sapling",
            "landscape",
            "nursery",
        ),
        body=(
            paragraph(
                Bi(
                    "花谷既是景区，也是一座3000亩的花卉苗木基地。育苗、栽植、除草、修剪、采收，"
                    "以及检票、保洁和接待，很多岗位都由周边村民承担。",
                    "The valley is both a visitor attraction and a 3,000-mu flower and nursery "
                    "base. "
                    "Propagating, planting, weeding, pruning and harvesting, as well as ticketing, "
                    "cleaning and welcoming visitors, are largely done by people from the villages "
                    "around it.",
                )
            ),
            paragraph(
                Bi(
                    "村民在家门口就能挣到工资；把土地流转给基地的农户，每年还能领到土地租金。"
                    "花谷自第一季以来雇用过多少村民、其中多少来自脱贫户和防返贫监测户，"
                    "首页按用工记录统计。",
                    "Villagers earn wages without leaving home, and households that lease their "
                    "land to the base receive rent for it every year. How many villagers the "
                    "valley has employed since its first season, and how many of them come from "
                    "households lifted out of poverty or monitored against falling back, is "
                    "counted from the work records on the home page.",
                )
            ),
            figure("news-villagers", Bi("苗圃里的树苗", "Young trees in the nursery fields")),
        ),
    ),
    NewsData(
        slug="spring-in-bloom",
        date=datetime.date(2026, 3, 6),
        title=Bi(
            "春花次第开：油菜花、樱花、郁金香", "Spring in bloom: rape flowers, cherry and tulips"
        ),
        summary=Bi(
            "油菜花正盛，樱花含苞待放，郁金香将在三月下旬迎来盛花期。",
            "The rape flowers are at their best, the cherry blossom is in bud and the tulips "
            "will peak in late March.",
        ),
        picture=single(
            "news-spring", "春花", "插画：山坡上开满粉色樱花的树", "blossom", "meadow", "cherry"
        ),
        body=(
            paragraph(
                Bi(
                    "三月初，A2区的油菜花正值盛花期；樱花谷的樱花已经含苞，预计三月中旬开放；"
                    "春花园的郁金香将在三月下旬到四月上旬最盛。",
                    "In early March the rape flowers in zone A2 are at their peak; the cherry "
                    "trees in "
                    "the valley are in bud and should open in mid-March, and the tulips in the "
                    "Spring "
                    "Garden will be at their best from late March to early April.",
                )
            ),
            facts(
                Bi("三月花讯", "March bloom report"),
                (Bi("油菜花", "Rape flowers"), Bi("盛花", "In full flower")),
                (Bi("樱花", "Cherry"), Bi("含苞，预计中旬开放", "In bud; expected mid-month")),
                (Bi("郁金香", "Tulips"), Bi("下旬起盛开", "From late March")),
            ),
            paragraph(
                Bi(
                    "春季周末游客较多，建议提前在网上购票，并尽量上午入园。",
                    "Spring weekends are busy: book your tickets online in advance and come in the "
                    "morning if you can.",
                )
            ),
        ),
    ),
    NewsData(
        slug="autumn-fragrance",
        date=datetime.date(2026, 9, 20),
        title=Bi("桂香菊韵：秋季赏花指南", "Osmanthus and chrysanthemums: an autumn guide"),
        summary=Bi(
            "桂花即将开放，十月的菊花展正在布展，月季也迎来第二个盛花期。",
            "The osmanthus is about to open, the October chrysanthemum show is being set out "
            "and the roses are coming into their second flush.",
        ),
        picture=single(
            "news-autumn",
            "秋花",
            "插画：山坡上开满黄、白、橙、红色的菊花",
            "chrysanthemum",
            "landscape",
            "chrysanthemum",
        ),
        body=(
            paragraph(
                Bi(
                    "秋香园的桂花将在九月下旬陆续开放，香气能持续到十月；十月起，"
                    "菊花展在同一园区展出。",
                    "The osmanthus in the Autumn Fragrance Garden will open from late September "
                    "and its "
                    "scent lasts into October; from October the chrysanthemum show fills the same "
                    "garden.",
                )
            ),
            paragraph(
                Bi(
                    "月季园在秋凉后迎来一年中的第二个盛花期，四季花海的格桑花也正当时。",
                    "The Rose Garden has its second flush of the year as the weather cools, and "
                    "the "
                    "cosmos in the Four-Seasons Flower Sea is at its best.",
                )
            ),
        ),
    ),
]

VISIT = PageData(
    slug="visit",
    title=Bi("游览信息", "Plan your visit"),
    summary=Bi(
        "开放时间、门票价格和交通：来花谷之前需要知道的事。",
        "Opening hours, ticket prices and how to get here: what to know before you come.",
    ),
    picture=single(
        "visit",
        "游览信息",
        "插画：站在彩色花田中，远处是青山和蓝天",
        "daisy",
        "meadow",
        "flower_sea",
    ),
    fields={
        "directions": Bi(
            "<h3>自驾</h3>"
            "<p>在导航软件中搜索“广安大地花谷”，或导航至大龙镇自力村，沿路边的花谷指示牌行驶。</p>"
            "<h3>公共交通</h3>"
            "<p>从广安城区乘坐前往大龙镇方向的客车，到大龙镇后换乘出租车或网约车前往自力村。"
            "班次和票价以当地公交信息为准。</p>",
            "<h3>By car</h3>"
            "<p>Search for 广安大地花谷 in your navigation app, or head for Zili village in "
            "Dalong town and follow the Flower Valley signs.</p>"
            "<h3>By public transport</h3>"
            "<p>Take a bus from Guang'an city towards Dalong town, then a taxi or ride-hailing "
            "car from Dalong to Zili village. Check local bus information for times and "
            "fares.</p>",
        ),
    },
    body=(
        heading(Bi("游览小贴士", "Tips for your visit")),
        paragraph(
            Bi(
                "<ul><li>园区很大，请穿舒适的鞋子。</li><li>夏季请带好遮阳帽和饮用水。</li>"
                "<li>请不要采摘花朵，也不要踩进花田。</li></ul>",
                "<ul><li>The park is large: wear comfortable shoes.</li>"
                "<li>In summer bring a hat and water.</li>"
                "<li>Please do not pick the flowers or walk into the beds.</li></ul>",
            )
        ),
        heading(Bi("无障碍", "Accessibility")),
        paragraph(
            Bi(
                "从大门到四季花海、月季园、三角梅长廊和荷塘的主步道均为硬化路面，"
                "轮椅和婴儿车可以通行；"
                "各景点页面上有更详细的无障碍说明。残疾人凭残疾人证免票入园。",
                "The main paths from the gate to the Flower Sea, the Rose Garden, the "
                "Bougainvillea "
                "Walk and the Lotus Ponds are paved and suitable for wheelchairs and prams; each "
                "attraction's page has more detail. Disabled visitors are admitted free with a "
                "disability card.",
            )
        ),
    ),
)
