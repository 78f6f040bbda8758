"""CSV import of stock lots and specimen trees: every row checked first, all saved or none."""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import Species, SpecimenMeasurement, SpecimenTree, StemHeight, StockLot, Zone

SPEC_COLUMNS = [
    "stem_diameter_cm",
    "stem_measured_at",
    "ground_diameter_cm",
    "height_cm",
    "crown_cm",
    "branching_height_cm",
    "root_ball_diameter_cm",
    "root_ball_depth_cm",
]
LOT_COLUMNS = [
    "code",
    "species",
    "zone",
    "quantity",
    "unit_cost",
    "received_on",
    "grown",
    "seedling_age_years",
    "sale_price",
    *SPEC_COLUMNS,
]
TREE_COLUMNS = [
    "tag",
    "species",
    "origin_province",
    "origin_province_en",
    "cost",
    "zone",
    "planted_on",
    "public",
    "story",
    "story_en",
    *SPEC_COLUMNS,
]
MAX_ROWS = 5000


@dataclass
class Row:
    number: int
    values: dict
    errors: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    spec: dict = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    kind: str
    columns: list[str]
    rows: list[Row]
    errors: list[str] = field(default_factory=list)
    saved: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors and all(not row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for row in self.rows if row.errors)


def _decimal(row: Row, name: str, *, required=False, places="0.01"):
    raw = (row.values.get(name) or "").strip()
    if not raw:
        if required:
            row.errors.append(_("%(column)s is required.") % {"column": name})
        return None
    try:
        value = Decimal(raw).quantize(Decimal(places))
    except InvalidOperation:
        row.errors.append(
            _("%(column)s: “%(value)s” is not a number.") % {"column": name, "value": raw}
        )
        return None
    if value < 0 or value >= Decimal("1e9"):
        row.errors.append(
            _("%(column)s: %(value)s is out of range.") % {"column": name, "value": raw}
        )
        return None
    return value


def _int(row: Row, name: str, *, required=False, minimum=0):
    raw = (row.values.get(name) or "").strip()
    if not raw:
        if required:
            row.errors.append(_("%(column)s is required.") % {"column": name})
        return None
    try:
        value = int(raw)
    except ValueError:
        row.errors.append(
            _("%(column)s: “%(value)s” is not a whole number.") % {"column": name, "value": raw}
        )
        return None
    if value < minimum or value > 1_000_000:
        row.errors.append(
            _("%(column)s: %(value)s is out of range.") % {"column": name, "value": raw}
        )
        return None
    return value


def _date(row: Row, name: str, *, required=False):
    raw = (row.values.get(name) or "").strip()
    if not raw:
        if required:
            row.errors.append(_("%(column)s is required.") % {"column": name})
        return None
    try:
        value = datetime.date.fromisoformat(raw)
    except ValueError:
        row.errors.append(
            _("%(column)s: “%(value)s” is not a date like 2020-12-15.")
            % {"column": name, "value": raw}
        )
        return None
    if value > timezone.localdate():
        row.errors.append(
            _("%(column)s: %(value)s is in the future.") % {"column": name, "value": raw}
        )
    return value


def _spec(row: Row) -> dict:
    spec = {
        "stem_diameter_cm": _decimal(row, "stem_diameter_cm", places="0.1"),
        "ground_diameter_cm": _decimal(row, "ground_diameter_cm", places="0.1"),
    }
    for name in (
        "height_cm",
        "crown_cm",
        "branching_height_cm",
        "root_ball_diameter_cm",
        "root_ball_depth_cm",
    ):
        spec[name] = _int(row, name)
    at = (row.values.get("stem_measured_at") or "").strip() or StemHeight.BREAST_13
    if at not in StemHeight.values:
        row.errors.append(_("stem_measured_at must be 1.3, 1.2 or 1.0."))
    spec["stem_measured_at"] = at
    return spec


def _read(file, columns: list[str], kind: str) -> ImportResult:
    result = ImportResult(kind=kind, columns=columns, rows=[])
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(
            _("The file is not UTF-8 text; save it from the spreadsheet as “CSV UTF-8”.")
        )
        return result
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns[:3] if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        return result
    for number, values in enumerate(reader, start=2):
        if len(result.rows) >= MAX_ROWS:
            result.errors.append(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
            break
        values = {k: (v or "") for k, v in values.items() if k}
        result.rows.append(
            Row(number=number, values=values, cells=[values.get(c, "") for c in columns[:6]])
        )
    if not result.rows:
        result.errors.append(_("The file has no rows."))
    return result


def _lookups(result: ImportResult):
    species = {s.scientific_name.lower(): s for s in Species.objects.all()}
    species.update({s.name: s for s in species.values()})
    zones = {z.code.lower(): z for z in Zone.objects.all()}
    return species, zones


def _species_and_zone(row, species, zones, *, zone_required=True):
    name = (row.values.get("species") or "").strip()
    found = species.get(name.lower()) or species.get(name)
    if found is None:
        row.errors.append(_("Unknown species “%(name)s”.") % {"name": name})
    code = (row.values.get("zone") or "").strip().lower()
    zone = zones.get(code)
    if zone is None and (zone_required or code):
        row.errors.append(_("Unknown zone “%(code)s”.") % {"code": code})
    return found, zone


def lots_import(*, file, dry_run: bool, user=None) -> ImportResult:
    """Lots from CSV, each opened with a purchase entry; nothing saved if any row is wrong."""
    result = _read(file, LOT_COLUMNS, "lots")
    if result.errors:
        return result
    species, zones = _lookups(result)
    existing = set(StockLot.objects.values_list("code", flat=True))
    seen = set()
    for row in result.rows:
        code = row.values.get("code", "").strip()
        if not code:
            row.errors.append(_("code is required."))
        elif code in existing or code in seen:
            row.errors.append(_("Lot code %(code)s is already used.") % {"code": code})
        seen.add(code)
        kind, zone = _species_and_zone(row, species, zones)
        grown = (row.values.get("grown") or "field").strip()
        if grown not in StockLot.Grown.values:
            row.errors.append(_("grown must be field or container."))
        row.data = {
            "code": code,
            "species": kind,
            "zone": zone,
            "quantity": _int(row, "quantity", required=True, minimum=1),
            "unit_cost": _decimal(row, "unit_cost", required=True),
            "received_on": _date(row, "received_on", required=True),
            "grown": grown,
            "seedling_age_years": _int(row, "seedling_age_years"),
            "sale_price": _decimal(row, "sale_price"),
            "spec": _spec(row),
        }
    if dry_run or not result.valid:
        return result
    with transaction.atomic():
        for row in result.rows:
            data = dict(row.data)
            services.lot_create(
                received_at=services.at_noon(data.pop("received_on")), user=user, **data
            )
            result.saved += 1
    return result


def trees_import(*, file, dry_run: bool, user=None) -> ImportResult:
    """Specimen trees from CSV, each with a first measurement; nothing saved if any row is wrong."""
    result = _read(file, TREE_COLUMNS, "trees")
    if result.errors:
        return result
    species, zones = _lookups(result)
    existing = set(SpecimenTree.objects.values_list("tag", flat=True))
    seen = set()
    for row in result.rows:
        tag = row.values.get("tag", "").strip()
        if not tag:
            row.errors.append(_("tag is required."))
        elif tag in existing or tag in seen:
            row.errors.append(_("Tag %(tag)s is already used.") % {"tag": tag})
        seen.add(tag)
        kind, zone = _species_and_zone(row, species, zones, zone_required=False)
        public = (row.values.get("public") or "").strip().lower()
        if public not in ("", "0", "1", "yes", "no", "true", "false", "是", "否"):
            row.errors.append(_("public must be yes or no."))
        row.data = {
            "tag": tag,
            "species": kind,
            "zone": zone,
            "origin_province": row.values.get("origin_province", "").strip()[:50],
            "origin_province_en": row.values.get("origin_province_en", "").strip()[:50],
            "cost": _decimal(row, "cost") or Decimal("0"),
            "planted_on": _date(row, "planted_on"),
            "public": public in ("1", "yes", "true", "是"),
            "story": row.values.get("story", "").strip(),
            "story_en": row.values.get("story_en", "").strip(),
        }
        row.spec = _spec(row)
    if dry_run or not result.valid:
        return result
    with transaction.atomic():
        trees = SpecimenTree.objects.bulk_create([SpecimenTree(**row.data) for row in result.rows])
        SpecimenMeasurement.objects.bulk_create(
            [
                SpecimenMeasurement(
                    tree=tree,
                    measured_on=row.data["planted_on"] or timezone.localdate(),
                    **row.spec,
                )
                for tree, row in zip(trees, result.rows, strict=True)
                if any(v is not None for k, v in row.spec.items() if k != "stem_measured_at")
            ]
        )
        result.saved = len(trees)
    return result
