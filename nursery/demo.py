"""The demo nursery: species of Sichuan's gardens, the 200 specimen trees of December 2020, lots, customers.

``ensure_nursery_demo(tally)`` is called by ``manage.py load_demo`` after the zones exist.
It is idempotent: every part is looked up by a natural key (a species by its scientific
name, an acquisition by its reference, a lot by its code, a customer by its name) and
only created when missing. Rows are written with ``bulk_create``; the few stock
movements that must pass the ledger's checks go through the services.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import services
from .models import (
    Acquisition,
    Customer,
    Planting,
    Species,
    SpecimenMeasurement,
    SpecimenTree,
    StemHeight,
    StockEntry,
    StockLot,
    Supplier,
    SurvivalCheck,
    Zone,
)

T, S, F, G, B, C, A = "tree", "shrub", "flower", "groundcover", "bamboo", "climber", "aquatic"
EV, DE, SE = "evergreen", "deciduous", "semi_evergreen"

# (scientific name, Chinese, English, family, form, leaf habit, bloom months)
SPECIES = [
    ("Osmanthus fragrans", "桂花", "Sweet osmanthus", "Oleaceae", T, EV, [9, 10]),
    ("Cinnamomum camphora", "香樟", "Camphor tree", "Lauraceae", T, EV, [4, 5]),
    ("Phoebe zhennan", "桢楠", "Zhennan (golden-thread nanmu)", "Lauraceae", T, EV, [4, 5]),
    ("Magnolia grandiflora", "广玉兰", "Southern magnolia", "Magnoliaceae", T, EV, [5, 6]),
    ("Magnolia denudata", "玉兰", "Yulan magnolia", "Magnoliaceae", T, DE, [2, 3]),
    ("Magnolia liliiflora", "紫玉兰", "Lily magnolia", "Magnoliaceae", S, DE, [3, 4]),
    ("Michelia chapensis", "乐昌含笑", "Lechang michelia", "Magnoliaceae", T, EV, [3, 4]),
    ("Michelia figo", "含笑", "Banana shrub", "Magnoliaceae", S, EV, [3, 4, 5]),
    ("Liriodendron chinense", "鹅掌楸", "Chinese tulip tree", "Magnoliaceae", T, DE, [5]),
    ("Lagerstroemia indica", "紫薇", "Crape myrtle", "Lythraceae", T, DE, [6, 7, 8, 9]),
    ("Punica granatum", "石榴", "Pomegranate", "Lythraceae", T, DE, [5, 6, 7]),
    ("Prunus serrulata", "樱花", "Japanese flowering cherry", "Rosaceae", T, DE, [3, 4]),
    ("Prunus mume", "梅", "Chinese plum (mei)", "Rosaceae", T, DE, [1, 2, 3]),
    ("Prunus persica f. duplex", "碧桃", "Double-flowered peach", "Rosaceae", T, DE, [3, 4]),
    ("Prunus cerasifera f. atropurpurea", "紫叶李", "Purple-leaf plum", "Rosaceae", T, DE, [3, 4]),
    ("Malus halliana", "垂丝海棠", "Hall crabapple", "Rosaceae", T, DE, [3, 4]),
    ("Malus spectabilis", "海棠花", "Chinese flowering crabapple", "Rosaceae", T, DE, [4, 5]),
    ("Photinia × fraseri", "红叶石楠", "Red-tip photinia", "Rosaceae", S, EV, [4, 5]),
    ("Rosa chinensis", "月季", "China rose", "Rosaceae", S, SE, [4, 5, 6, 7, 8, 9, 10, 11]),
    ("Chimonanthus praecox", "蜡梅", "Wintersweet", "Calycanthaceae", S, DE, [12, 1, 2]),
    ("Camellia japonica", "山茶", "Japanese camellia", "Theaceae", S, EV, [1, 2, 3, 4]),
    ("Rhododendron simsii", "杜鹃", "Sims's azalea", "Ericaceae", S, SE, [4, 5]),
    ("Gardenia jasminoides", "栀子", "Cape jasmine", "Rubiaceae", S, EV, [5, 6]),
    (
        "Loropetalum chinense var. rubrum",
        "红花檵木",
        "Chinese fringe flower",
        "Hamamelidaceae",
        S,
        EV,
        [4, 5],
    ),
    ("Nandina domestica", "南天竹", "Heavenly bamboo", "Berberidaceae", S, EV, [5, 6, 7]),
    ("Pittosporum tobira", "海桐", "Japanese cheesewood", "Pittosporaceae", S, EV, [3, 4, 5]),
    ("Buxus sinica", "黄杨", "Chinese box", "Buxaceae", S, EV, [3]),
    ("Ligustrum lucidum", "女贞", "Glossy privet", "Oleaceae", T, EV, [5, 6, 7]),
    ("Jasminum nudiflorum", "迎春花", "Winter jasmine", "Oleaceae", S, DE, [2, 3, 4]),
    ("Forsythia suspensa", "连翘", "Weeping forsythia", "Oleaceae", S, DE, [3, 4]),
    ("Ginkgo biloba", "银杏", "Ginkgo", "Ginkgoaceae", T, DE, []),
    ("Acer palmatum", "鸡爪槭", "Japanese maple", "Sapindaceae", T, DE, [5]),
    ("Acer buergerianum", "三角枫", "Trident maple", "Sapindaceae", T, DE, [4]),
    ("Koelreuteria bipinnata", "复羽叶栾树", "Chinese flame tree", "Sapindaceae", T, DE, [7, 8, 9]),
    ("Podocarpus macrophyllus", "罗汉松", "Buddhist pine", "Podocarpaceae", T, EV, [4, 5]),
    ("Pinus parviflora", "五针松", "Japanese white pine", "Pinaceae", T, EV, []),
    ("Cedrus deodara", "雪松", "Deodar cedar", "Pinaceae", T, EV, []),
    ("Taxus wallichiana var. chinensis", "红豆杉", "Chinese yew", "Taxaceae", T, EV, []),
    ("Metasequoia glyptostroboides", "水杉", "Dawn redwood", "Cupressaceae", T, DE, []),
    ("Taxodium distichum", "落羽杉", "Bald cypress", "Cupressaceae", T, DE, []),
    ("Cycas revoluta", "苏铁", "Sago palm", "Cycadaceae", S, EV, [6, 7, 8]),
    ("Ficus virens", "黄葛树", "Huangge fig", "Moraceae", T, SE, []),
    ("Zelkova serrata", "榉树", "Japanese zelkova", "Ulmaceae", T, DE, []),
    ("Celtis sinensis", "朴树", "Chinese hackberry", "Cannabaceae", T, DE, []),
    ("Ilex chinensis", "冬青", "Kashi holly", "Aquifoliaceae", T, EV, [4, 5, 6]),
    ("Elaeocarpus decipiens", "杜英", "Japanese elaeocarpus", "Elaeocarpaceae", T, EV, [6, 7]),
    ("Albizia julibrissin", "合欢", "Silk tree", "Fabaceae", T, DE, [6, 7]),
    ("Cercis chinensis", "紫荆", "Chinese redbud", "Fabaceae", S, DE, [3, 4]),
    ("Wisteria sinensis", "紫藤", "Chinese wisteria", "Fabaceae", C, DE, [4, 5]),
    (
        "Bougainvillea spectabilis",
        "三角梅",
        "Bougainvillea",
        "Nyctaginaceae",
        C,
        EV,
        [4, 5, 6, 7, 8, 9, 10],
    ),
    ("Hibiscus mutabilis", "木芙蓉", "Cotton rose", "Malvaceae", S, DE, [9, 10, 11]),
    ("Hibiscus syriacus", "木槿", "Rose of Sharon", "Malvaceae", S, DE, [7, 8, 9, 10]),
    ("Hydrangea macrophylla", "绣球", "Bigleaf hydrangea", "Hydrangeaceae", S, DE, [6, 7, 8]),
    ("Paeonia suffruticosa", "牡丹", "Tree peony", "Paeoniaceae", S, DE, [4, 5]),
    ("Paeonia lactiflora", "芍药", "Chinese peony", "Paeoniaceae", F, DE, [5]),
    ("Lavandula angustifolia", "薰衣草", "English lavender", "Lamiaceae", S, EV, [6, 7]),
    ("Brassica napus", "油菜", "Rapeseed", "Brassicaceae", F, DE, [3]),
    ("Helianthus annuus", "向日葵", "Sunflower", "Asteraceae", F, DE, [7, 8, 9]),
    ("Cosmos bipinnatus", "波斯菊", "Garden cosmos", "Asteraceae", F, DE, [6, 7, 8, 9, 10]),
    ("Tulipa gesneriana", "郁金香", "Garden tulip", "Liliaceae", F, DE, [3, 4]),
    ("Hemerocallis fulva", "萱草", "Orange daylily", "Asphodelaceae", F, DE, [6, 7, 8]),
    ("Iris tectorum", "鸢尾", "Roof iris", "Iridaceae", F, SE, [4, 5]),
    ("Nelumbo nucifera", "荷花", "Sacred lotus", "Nelumbonaceae", A, DE, [6, 7, 8]),
    ("Nymphaea tetragona", "睡莲", "Pygmy water lily", "Nymphaeaceae", A, DE, [6, 7, 8, 9]),
    ("Ophiopogon japonicus", "麦冬", "Dwarf lilyturf", "Asparagaceae", G, EV, [5, 6, 7, 8]),
    ("Trifolium repens", "白三叶", "White clover", "Fabaceae", G, SE, [4, 5, 6]),
    ("Phyllostachys edulis", "毛竹", "Moso bamboo", "Poaceae", B, EV, []),
    ("Bambusa multiplex", "孝顺竹", "Hedge bamboo", "Poaceae", B, EV, []),
]


@dataclass(frozen=True)
class SpecimenBuy:
    """One supplier's share of the December 2020 purchase: (species, count, unit price, 胸径 cm, height cm)."""

    reference: str
    supplier: str
    province: str
    province_en: str
    place: str
    place_en: str
    day: int
    transport: Decimal
    crane: Decimal
    root_ball: Decimal
    lines: tuple


SPECIMEN_BUYS = [
    SpecimenBuy(
        "2020-12-ZJ",
        "萧山花木城古树苗圃",
        "浙江",
        "Zhejiang",
        "杭州萧山",
        "Xiaoshan, Hangzhou",
        3,
        Decimal("18000"),
        Decimal("6000"),
        Decimal("8000"),
        (
            ("Podocarpus macrophyllus", 10, Decimal("9800"), 28, 450),
            ("Osmanthus fragrans", 20, Decimal("4200"), 22, 550),
            ("Pinus parviflora", 6, Decimal("6500"), 18, 320),
            ("Acer palmatum", 10, Decimal("2600"), 15, 380),
        ),
    ),
    SpecimenBuy(
        "2020-12-JS",
        "沭阳县银杏榉树专业合作社",
        "江苏",
        "Jiangsu",
        "宿迁沭阳",
        "Shuyang, Suqian",
        4,
        Decimal("12000"),
        Decimal("4500"),
        Decimal("6000"),
        (
            ("Ginkgo biloba", 16, Decimal("3800"), 30, 900),
            ("Zelkova serrata", 14, Decimal("3200"), 25, 800),
            ("Magnolia grandiflora", 10, Decimal("2600"), 20, 650),
        ),
    ),
    SpecimenBuy(
        "2020-12-HN",
        "浏阳柏加花木园艺场",
        "湖南",
        "Hunan",
        "长沙浏阳",
        "Liuyang, Changsha",
        6,
        Decimal("14000"),
        Decimal("5000"),
        Decimal("7000"),
        (
            ("Cinnamomum camphora", 20, Decimal("3600"), 32, 850),
            ("Lagerstroemia indica", 16, Decimal("2800"), 16, 450),
            ("Taxus wallichiana var. chinensis", 8, Decimal("6800"), 18, 500),
        ),
    ),
    SpecimenBuy(
        "2020-12-SC",
        "崇州桢楠苗木基地",
        "四川",
        "Sichuan",
        "成都崇州",
        "Chongzhou, Chengdu",
        8,
        Decimal("6000"),
        Decimal("4000"),
        Decimal("5000"),
        (
            ("Phoebe zhennan", 12, Decimal("14500"), 35, 1100),
            ("Ficus virens", 10, Decimal("4800"), 40, 800),
            ("Celtis sinensis", 10, Decimal("3000"), 28, 750),
        ),
    ),
    SpecimenBuy(
        "2020-12-HEN",
        "鄢陵蜡梅古桩园",
        "河南",
        "Henan",
        "许昌鄢陵",
        "Yanling, Xuchang",
        9,
        Decimal("11000"),
        Decimal("3000"),
        Decimal("4000"),
        (
            ("Chimonanthus praecox", 16, Decimal("2200"), 12, 300),
            ("Prunus mume", 10, Decimal("3500"), 14, 350),
            ("Punica granatum", 12, Decimal("1900"), 15, 300),
        ),
    ),
]
PLANTED_ON = datetime.date(2020, 12, 18)
SPECIMEN_ZONE = "B2"
PUBLIC_TREES = 60

# (code, species, zone, quantity, unit cost, sale price, grown, age, spec, received on, kind)
LOTS = [
    (
        "N1-GH-01",
        "Osmanthus fragrans",
        "N1",
        320,
        "380",
        "680",
        "field",
        8,
        {
            "stem_diameter_cm": 10,
            "height_cm": 350,
            "crown_cm": 200,
            "branching_height_cm": 120,
            "root_ball_diameter_cm": 70,
            "root_ball_depth_cm": 50,
        },
    ),
    (
        "N1-GH-02",
        "Osmanthus fragrans",
        "N1",
        180,
        "880",
        "1500",
        "field",
        12,
        {
            "stem_diameter_cm": 15,
            "stem_measured_at": "1.0",
            "height_cm": 450,
            "crown_cm": 300,
            "branching_height_cm": 150,
            "root_ball_diameter_cm": 90,
            "root_ball_depth_cm": 60,
        },
    ),
    (
        "N1-XZ-01",
        "Cinnamomum camphora",
        "N1",
        260,
        "520",
        "900",
        "field",
        8,
        {
            "stem_diameter_cm": 12,
            "height_cm": 600,
            "crown_cm": 300,
            "branching_height_cm": 250,
            "root_ball_diameter_cm": 80,
            "root_ball_depth_cm": 60,
        },
    ),
    (
        "N1-ZN-01",
        "Phoebe zhennan",
        "N1",
        150,
        "650",
        "1200",
        "field",
        10,
        {
            "stem_diameter_cm": 8,
            "height_cm": 500,
            "crown_cm": 200,
            "root_ball_diameter_cm": 60,
            "root_ball_depth_cm": 45,
        },
    ),
    (
        "N1-YX-01",
        "Ginkgo biloba",
        "N1",
        200,
        "450",
        "800",
        "field",
        10,
        {
            "stem_diameter_cm": 10,
            "height_cm": 550,
            "crown_cm": 200,
            "branching_height_cm": 220,
            "root_ball_diameter_cm": 70,
            "root_ball_depth_cm": 50,
        },
    ),
    (
        "N1-YL-01",
        "Magnolia denudata",
        "N1",
        140,
        "320",
        "580",
        "field",
        6,
        {
            "stem_diameter_cm": 8,
            "height_cm": 400,
            "crown_cm": 200,
            "root_ball_diameter_cm": 60,
            "root_ball_depth_cm": 45,
        },
    ),
    (
        "N1-YH-01",
        "Prunus serrulata",
        "N1",
        240,
        "160",
        "320",
        "field",
        5,
        {
            "ground_diameter_cm": 8,
            "height_cm": 300,
            "crown_cm": 180,
            "branching_height_cm": 100,
            "root_ball_diameter_cm": 50,
            "root_ball_depth_cm": 40,
        },
    ),
    (
        "N1-ZW-01",
        "Lagerstroemia indica",
        "N1",
        300,
        "140",
        "260",
        "field",
        5,
        {
            "ground_diameter_cm": 7,
            "height_cm": 250,
            "crown_cm": 150,
            "root_ball_diameter_cm": 45,
            "root_ball_depth_cm": 35,
        },
    ),
    (
        "N1-LS-01",
        "Koelreuteria bipinnata",
        "N1",
        160,
        "260",
        "480",
        "field",
        6,
        {
            "stem_diameter_cm": 10,
            "height_cm": 550,
            "crown_cm": 250,
            "branching_height_cm": 250,
            "root_ball_diameter_cm": 65,
            "root_ball_depth_cm": 50,
        },
    ),
    (
        "N1-HT-01",
        "Malus halliana",
        "N1",
        220,
        "120",
        "240",
        "field",
        4,
        {
            "ground_diameter_cm": 6,
            "height_cm": 250,
            "crown_cm": 150,
            "branching_height_cm": 60,
            "root_ball_diameter_cm": 40,
            "root_ball_depth_cm": 30,
        },
    ),
    (
        "N1-HF-01",
        "Acer palmatum",
        "N1",
        120,
        "420",
        "760",
        "field",
        7,
        {
            "ground_diameter_cm": 10,
            "height_cm": 300,
            "crown_cm": 220,
            "branching_height_cm": 80,
            "root_ball_diameter_cm": 60,
            "root_ball_depth_cm": 45,
        },
    ),
    (
        "N2-LM-01",
        "Chimonanthus praecox",
        "N2",
        400,
        "85",
        "180",
        "field",
        4,
        {
            "ground_diameter_cm": 5,
            "height_cm": 180,
            "crown_cm": 120,
            "root_ball_diameter_cm": 35,
            "root_ball_depth_cm": 28,
        },
    ),
    (
        "N2-SC-01",
        "Camellia japonica",
        "N2",
        500,
        "60",
        "120",
        "container",
        4,
        {"height_cm": 120, "crown_cm": 80},
    ),
    (
        "N2-DJ-01",
        "Rhododendron simsii",
        "N2",
        2000,
        "8",
        "18",
        "container",
        2,
        {"height_cm": 40, "crown_cm": 35},
    ),
    (
        "N2-ZZ-01",
        "Gardenia jasminoides",
        "N2",
        1200,
        "12",
        "25",
        "container",
        2,
        {"height_cm": 50, "crown_cm": 40},
    ),
    (
        "N2-HJ-01",
        "Loropetalum chinense var. rubrum",
        "N2",
        3000,
        "4",
        "9",
        "container",
        2,
        {"height_cm": 40, "crown_cm": 30},
    ),
    (
        "N2-SN-01",
        "Photinia × fraseri",
        "N2",
        2500,
        "5",
        "11",
        "container",
        2,
        {"height_cm": 50, "crown_cm": 35},
    ),
    (
        "N2-YJ-01",
        "Rosa chinensis",
        "N2",
        3000,
        "6",
        "15",
        "container",
        1,
        {"height_cm": 50, "crown_cm": 40},
    ),
    (
        "N2-MFR-01",
        "Hibiscus mutabilis",
        "N2",
        600,
        "22",
        "45",
        "field",
        3,
        {"ground_diameter_cm": 3, "height_cm": 150, "crown_cm": 80},
    ),
    (
        "N2-XQ-01",
        "Hydrangea macrophylla",
        "N2",
        1500,
        "15",
        "32",
        "container",
        2,
        {"height_cm": 50, "crown_cm": 50},
    ),
    (
        "N2-MD-01",
        "Paeonia suffruticosa",
        "N2",
        400,
        "45",
        "98",
        "field",
        4,
        {"height_cm": 70, "crown_cm": 60},
    ),
    (
        "N2-SJM-01",
        "Bougainvillea spectabilis",
        "G1",
        800,
        "28",
        "60",
        "container",
        3,
        {"ground_diameter_cm": 3, "height_cm": 120, "crown_cm": 80},
    ),
    (
        "N3-MD-01",
        "Ophiopogon japonicus",
        "N3",
        20000,
        "0.6",
        "1.5",
        "container",
        1,
        {"height_cm": 20},
    ),
    ("N3-YW-01", "Iris tectorum", "N3", 6000, "1.8", "4", "container", 1, {"height_cm": 35}),
    ("N3-XC-01", "Hemerocallis fulva", "N3", 5000, "1.5", "3.5", "container", 1, {"height_cm": 40}),
    (
        "N3-SY-01",
        "Lavandula angustifolia",
        "N3",
        4000,
        "3",
        "7",
        "container",
        1,
        {"height_cm": 30, "crown_cm": 25},
    ),
    ("N3-SX-01", "Trifolium repens", "N3", 8000, "0.4", "1", "container", 1, {"height_cm": 10}),
    (
        "G1-BSJ-01",
        "Cosmos bipinnatus",
        "G1",
        10000,
        "0.5",
        "1.2",
        "container",
        1,
        {"height_cm": 20},
    ),
    ("G1-YJX-01", "Tulipa gesneriana", "G1", 6000, "2.5", "5", "container", 1, {"height_cm": 25}),
    (
        "N3-XSZ-01",
        "Bambusa multiplex",
        "N3",
        600,
        "18",
        "38",
        "field",
        3,
        {"height_cm": 300, "crown_cm": 60},
    ),
]
LOTS_RECEIVED = datetime.date(2025, 3, 10)
DECIMAL_SPECS = {"stem_diameter_cm", "ground_diameter_cm"}

CUSTOMERS = [
    ("四川蜀景园林工程有限公司", "王建国", "028-8555 0101", "成都天府新区公园绿化 · 二标段"),
    ("广安市嘉陵园林绿化工程有限公司", "李春梅", "0826-222 0303", "广安城南滨江路景观提升"),
]


def _measure(dbh: int, height: int, index: int, grown_years: int) -> dict:
    wiggle = (index * 7) % 5
    return {
        "stem_diameter_cm": Decimal(dbh + wiggle + grown_years),
        "stem_measured_at": StemHeight.METRE_10 if dbh < 20 else StemHeight.BREAST_13,
        "height_cm": height + wiggle * 10 + grown_years * 20,
        "crown_cm": int(height * 0.6) + wiggle * 10 + grown_years * 25,
        "branching_height_cm": int(height * 0.3),
        "root_ball_diameter_cm": (dbh + wiggle) * 6 if not grown_years else None,
        "root_ball_depth_cm": (dbh + wiggle) * 4 if not grown_years else None,
    }


def _ensure_species(tally) -> dict[str, Species]:
    existing = {s.scientific_name: s for s in Species.objects.all()}
    missing = [
        Species(
            scientific_name=sci,
            name=zh,
            name_en=en,
            family=family,
            form=form,
            leaf_habit=habit,
            bloom_months=months,
        )
        for sci, zh, en, family, form, habit, months in SPECIES
        if sci not in existing
    ]
    Species.objects.bulk_create(missing)
    for sci, *_ in SPECIES:
        tally.add("nursery species", sci not in existing)
    return {s.scientific_name: s for s in Species.objects.all()}


def _ensure_specimens(tally, species: dict[str, Species], zones: dict[str, Zone]) -> None:
    zone = zones[SPECIMEN_ZONE]
    tag_number = 0
    for buy in SPECIMEN_BUYS:
        first_tag = tag_number + 1
        tag_number += sum(count for _, count, *_ in buy.lines)
        if Acquisition.objects.filter(reference=buy.reference).exists():
            tally.add("nursery acquisitions", False)
            for _ in range(tag_number - first_tag + 1):
                tally.add("nursery specimen trees", False)
            continue
        supplier, _ = Supplier.objects.get_or_create(
            name=buy.supplier, defaults={"province": buy.province, "contact": "", "phone": ""}
        )
        tags = iter(f"T{n:03d}" for n in range(first_tag, tag_number + 1))
        acquisition = services.acquisition_record.__wrapped__(
            reference=buy.reference,
            supplier=supplier,
            acquired_on=datetime.date(2020, 12, buy.day),
            origin_province=buy.province,
            transport_cost=buy.transport,
            crane_cost=buy.crane,
            root_ball_cost=buy.root_ball,
            allocation=Acquisition.Allocation.VALUE,
            lines=[
                services.AcquisitionLineInput(
                    species=species[sci],
                    quantity=count,
                    unit_price=price,
                    specimen_tags=[next(tags) for _ in range(count)],
                    origin_province_en=buy.province_en,
                )
                for sci, count, price, _, _ in buy.lines
            ],
        )
        tally.add("nursery acquisitions", True)
        trees = {
            t.tag: t for t in SpecimenTree.objects.filter(acquisition_line__acquisition=acquisition)
        }
        measurements, plantings = [], []
        number = first_tag
        for sci, count, _, dbh, height in buy.lines:
            group = [trees[f"T{n:03d}"] for n in range(number, number + count)]
            number += count
            kind = species[sci]
            for i, tree in enumerate(group):
                tree.zone, tree.planted_on = zone, PLANTED_ON
                tree.estimated_age_years = 20 + (int(tree.tag[1:]) * 13) % 60
                tree.public = int(tree.tag[1:]) <= PUBLIC_TREES or i == 0
                tree.story = (
                    f"这棵{kind.name}来自{buy.province}{buy.place}，"
                    f"2020年12月随两百棵名贵树木一起移栽到名贵古树园，由园区工人养护至今。"
                )
                tree.story_en = (
                    f"This {kind.name_en.lower()} came from {buy.place_en}, {buy.province_en}. "
                    "It was transplanted into the Specimen-Tree Garden in December 2020, "
                    "one of two hundred trees the park brought from across China."
                )
                measurements.append(
                    SpecimenMeasurement(
                        tree=tree,
                        measured_on=datetime.date(2020, 12, buy.day),
                        **_measure(dbh, height, i, 0),
                    )
                )
                measurements.append(
                    SpecimenMeasurement(
                        tree=tree,
                        measured_on=datetime.date(2021, 12, 20),
                        **_measure(dbh, height, i, 1),
                    )
                )
            plantings.append((kind, supplier, group))
        SpecimenTree.objects.bulk_update(
            trees.values(),
            ["zone", "planted_on", "estimated_age_years", "public", "story", "story_en"],
        )
        SpecimenMeasurement.objects.bulk_create(measurements)
        _plant_specimens(plantings, zone)
        for _ in trees:
            tally.add("nursery specimen trees", True)


def _plant_specimens(groups, zone: Zone) -> None:
    """The transplant of December 2020 and its year of survival checks, one planting per species and supplier."""
    plantings = Planting.objects.bulk_create(
        [
            Planting(
                planted_on=PLANTED_ON,
                zone=zone,
                species=kind,
                supplier=supplier,
                quantity=len(group),
                crew="演示一村1队",
            )
            for kind, supplier, group in groups
        ]
    )
    checks, dead_tags = [], []
    for index, (planting, (_, _, group)) in enumerate(zip(plantings, groups, strict=True)):
        planting.specimens.set(group)
        # A few trees struggle after the move; one in every few groups is lost by the sixth month.
        dies = 1 if index % 4 == 1 else 0
        weak_first = 2 if index % 3 == 0 else 1
        for months in services.CHECK_MONTHS:
            dead = dies if months >= 3 else 0
            weak = weak_first if months <= 3 else (1 if index % 3 == 0 and months == 6 else 0)
            weak = min(weak, len(group) - dead)
            checks.append(
                SurvivalCheck(
                    planting=planting,
                    months_after=months,
                    due_on=services.add_months(PLANTED_ON, months),
                    checked_on=services.add_months(PLANTED_ON, months) + datetime.timedelta(days=2),
                    alive=len(group) - dead - weak,
                    weak=weak,
                    dead=dead,
                    notes="",
                )
            )
        if dies:
            dead_tags.append(group[-1].tag)
    SurvivalCheck.objects.bulk_create(checks)
    # A dead tree leaves the public lists by its status; a public one keeps its passport, which says so.
    SpecimenTree.objects.filter(tag__in=dead_tags).update(status=SpecimenTree.Status.DEAD)


def _ensure_lots(tally, species: dict[str, Species], zones: dict[str, Zone]) -> None:
    existing = set(StockLot.objects.values_list("code", flat=True))
    received = services.at_noon(LOTS_RECEIVED)
    new = []
    for code, sci, zone, quantity, cost, price, grown, age, spec in LOTS:
        tally.add("nursery lots", code not in existing)
        if code in existing:
            continue
        new.append(
            (
                StockLot(
                    code=code,
                    species=species[sci],
                    zone=zones[zone],
                    grown=grown,
                    seedling_age_years=age,
                    unit_cost=Decimal(cost),
                    sale_price=Decimal(price),
                    on_hand=quantity,
                    **{k: Decimal(v) if k in DECIMAL_SPECS else v for k, v in spec.items()},
                ),
                quantity,
            )
        )
    if not new:
        return
    lots = StockLot.objects.bulk_create([lot for lot, _ in new])
    entries = []
    for i, (lot, (_, quantity)) in enumerate(zip(lots, new, strict=True)):
        kind = (
            StockEntry.Kind.PROPAGATION
            if lot.grown == StockLot.Grown.CONTAINER
            else StockEntry.Kind.PURCHASE
        )
        entries.append(
            StockEntry(
                lot=lot, kind=kind, quantity=quantity, unit_cost=lot.unit_cost, occurred_at=received
            )
        )
        if i % 3 == 0:
            # Winter losses, booked in January.
            lost = max(1, quantity // 50)
            entries.append(
                StockEntry(
                    lot=lot,
                    kind=StockEntry.Kind.LOSS,
                    quantity=-lost,
                    unit_cost=lot.unit_cost,
                    occurred_at=services.at_noon(datetime.date(2026, 1, 15)),
                    note="冬季冻害",
                )
            )
            lot.on_hand -= lost
    StockEntry.objects.bulk_create(entries)
    StockLot.objects.bulk_update(lots, ["on_hand"])
    # Spring plantings from the lots into the display gardens, through the ledger's checks.
    for code, zone, quantity, day in [
        ("N1-YH-01", "B4", 40, datetime.date(2026, 3, 12)),
        ("N2-DJ-01", "B4", 300, datetime.date(2026, 3, 20)),
        ("N2-YJ-01", "B1", 500, datetime.date(2026, 4, 8)),
        ("N1-GH-01", "B5", 30, datetime.date(2026, 4, 15)),
    ]:
        lot = StockLot.objects.get(code=code)
        planting = services.planting_record.__wrapped__(
            planted_on=day, zone=zones[zone], lot=lot, quantity=quantity, crew="演示二村2队"
        )
        for check in planting.checks.filter(due_on__lte=datetime.date(2026, 11, 1)):
            dead = quantity // 25
            services.survival_check_record.__wrapped__(
                check=check, checked_on=check.due_on, alive=quantity - dead - 1, weak=1, dead=dead
            )


def _ensure_customers(tally) -> None:
    for index, (name, contact, phone, project) in enumerate(CUSTOMERS):
        customer, created = Customer.objects.get_or_create(
            name=name, defaults={"contact": contact, "phone": phone}
        )
        tally.add("nursery customers", created)
        if customer.reservations.exists():
            continue
        picks = (
            [("N1-GH-02", 40), ("N1-XZ-01", 60), ("N2-HJ-01", 1200)]
            if index == 0
            else [("N1-YX-01", 30), ("N2-SN-01", 800)]
        )
        for code, quantity in picks:
            lot = StockLot.objects.get(code=code)
            reservation = services.reservation_create.__wrapped__(
                customer=customer, lot=lot, quantity=quantity, project=project
            )
            tally.add("nursery reservations", True)
            if code == "N1-XZ-01":
                services.reservation_deliver.__wrapped__(
                    reservation=reservation,
                    quantity=20,
                    delivered_at=services.at_noon(datetime.date(2026, 10, 28)),
                )


def ensure_nursery_demo(tally) -> None:
    """Create what is missing of the demo nursery; zones must exist (``load_demo`` makes them)."""
    zones = {z.code: z for z in Zone.objects.all()}
    needed = {SPECIMEN_ZONE} | {zone for _, _, zone, *_ in LOTS} | {"B1", "B4", "B5"}
    missing = needed - set(zones)
    if missing:
        raise ValueError(f"the demo zones {sorted(missing)} must exist before the nursery demo")
    with transaction.atomic():
        species = _ensure_species(tally)
        _ensure_specimens(tally, species, zones)
        _ensure_lots(tally, species, zones)
        _ensure_customers(tally)
        _ensure_checks_due_today(tally, zones)


# Recent plantings whose survival checks fall due on the day the demo is loaded, so the
# field form's check tab and the manager's day have work in them: (lot, zone, quantity,
# months ago, the check due today).
RECENT_PLANTINGS = [
    ("N2-YJ-01", "B1", 30, 1, 1),
    ("N2-DJ-01", "B4", 24, 3, 3),
]


def _ensure_checks_due_today(tally, zones) -> None:
    """Plantings made one and three months before today, whose 1- and 3-month checks are due today.

    They go through ``planting_record`` like any planting (stock taken from the lot, the
    checks scheduled); the earlier checks of the older one are recorded as done. When a
    month is shorter than the day (31 March less one month), the check is set to today.
    Loading the demo again on a later day adds the same for that day.
    """
    today = timezone.localdate()
    if SurvivalCheck.objects.filter(checked_on__isnull=True, due_on=today).exists():
        tally.add("nursery checks due today", False)
        return
    for code, zone, quantity, months_ago, due_now in RECENT_PLANTINGS:
        lot = StockLot.objects.filter(code=code).first()
        if lot is None or lot.on_hand < quantity:
            continue
        planting = services.planting_record.__wrapped__(
            planted_on=services.add_months(today, -months_ago),
            zone=zones[zone],
            lot=lot,
            quantity=quantity,
            crew="演示一村2队",
            notes="演示：今天到期的成活检查",
        )
        planting.checks.filter(months_after=due_now).update(due_on=today)
        for check in planting.checks.filter(months_after__lt=due_now):
            services.survival_check_record.__wrapped__(
                check=check, checked_on=check.due_on, alive=quantity - 1, weak=1, dead=0
            )
        tally.add("nursery checks due today", True)
