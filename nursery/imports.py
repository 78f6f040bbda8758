"""CSV import of stock lots and specimen trees: every row checked first, all saved or none."""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import history
from core.models import BulkWrite

from . import services
from .models import Species, SpecimenMeasurement, SpecimenTree, StemHeight, StockLot, Zone
from .validators import printable

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
MAX_FILE_BYTES = 5 * 1024 * 1024
# A cell longer than this is refused before anything reads it (a story is the longest text).
MAX_CELL_CHARS = 5000
# Free-text columns may hold line breaks and tabs; no column may hold other control characters.
TEXT_COLUMNS = {"story", "story_en"}
LINE_CHARACTERS = {"\n", "\r", "\t"}
EARLIEST_DATE = datetime.date(1900, 1, 1)

# ASCII digits only: no NaN, infinity, exponents, digit-group marks or full-width digits.
_WHOLE = re.compile(r"-?[0-9]{1,12}\Z")
_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,6})?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


@dataclass
class Row:
    number: int
    values: dict
    errors: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    spec: dict = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)
    # Columns already refused, so later checks do not repeat the refusal.
    bad: set = field(default_factory=set)

    def refuse(self, column: str, message: str) -> None:
        self.bad.add(column)
        self.errors.append(message)

    def raw(self, column: str) -> str:
        return "" if column in self.bad else (self.values.get(column) or "").strip()


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
    raw = row.raw(name)
    if not raw:
        if required and name not in row.bad:
            row.refuse(name, _("%(column)s is required.") % {"column": name})
        return None
    if not _NUMBER.match(raw):
        row.refuse(
            name,
            _("%(column)s: “%(value)s” is not a number.")
            % {"column": name, "value": printable(raw)},
        )
        return None
    value = Decimal(raw).quantize(Decimal(places))
    if value < 0 or value >= Decimal("1e9"):
        row.refuse(
            name, _("%(column)s: %(value)s is out of range.") % {"column": name, "value": raw}
        )
        return None
    return value


def _int(row: Row, name: str, *, required=False, minimum=0, maximum=1_000_000):
    raw = row.raw(name)
    if not raw:
        if required and name not in row.bad:
            row.refuse(name, _("%(column)s is required.") % {"column": name})
        return None
    if not _WHOLE.match(raw):
        row.refuse(
            name,
            _("%(column)s: “%(value)s” is not a whole number.")
            % {"column": name, "value": printable(raw)},
        )
        return None
    value = int(raw)
    if value < minimum or value > maximum:
        row.refuse(
            name, _("%(column)s: %(value)s is out of range.") % {"column": name, "value": raw}
        )
        return None
    return value


def _date(row: Row, name: str, *, required=False):
    raw = row.raw(name)
    if not raw:
        if required and name not in row.bad:
            row.refuse(name, _("%(column)s is required.") % {"column": name})
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        value = datetime.date.fromisoformat(raw)
    except ValueError:
        row.refuse(
            name,
            _("%(column)s: “%(value)s” is not a date like 2020-12-15.")
            % {"column": name, "value": printable(raw)},
        )
        return None
    if value > timezone.localdate():
        row.refuse(
            name, _("%(column)s: %(value)s is in the future.") % {"column": name, "value": raw}
        )
        return None
    if value < EARLIEST_DATE:
        row.refuse(
            name,
            _("%(column)s: %(value)s is before 1900.") % {"column": name, "value": raw},
        )
        return None
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
    at = row.raw("stem_measured_at") or StemHeight.BREAST_13
    if at not in StemHeight.values:
        row.refuse("stem_measured_at", _("stem_measured_at must be 1.3, 1.2 or 1.0."))
    spec["stem_measured_at"] = at
    return spec


def _check_cells(row: Row, columns: list[str]) -> None:
    """Refuse overlong cells and control characters before any other check reads them."""
    for column in columns:
        value = row.values.get(column) or ""
        if len(value) > MAX_CELL_CHARS:
            row.refuse(
                column,
                _("%(column)s: the text is too long (%(length)s characters; at most %(max)s).")
                % {"column": column, "length": len(value), "max": MAX_CELL_CHARS},
            )
            continue
        allowed = LINE_CHARACTERS if column in TEXT_COLUMNS else set()
        if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
            row.refuse(
                column,
                _("%(column)s: “%(value)s” holds control characters.")
                % {"column": column, "value": printable(value)},
            )


def _model_check(row: Row, instance, *, exclude=()) -> None:
    """The model's own field checks (lengths, digits, the code rule), per column.

    Uniqueness is checked for the whole file at once by the caller, and what reaches the
    database is checked again by its constraints when the rows are saved.
    """
    skip = set(exclude) | row.bad
    try:
        instance.full_clean(exclude=skip, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            row.bad.add(column)
            for message in messages:
                row.errors.append(message if column == NON_FIELD_ERRORS else f"{column}: {message}")


def _read(file, columns: list[str], kind: str) -> ImportResult:
    result = ImportResult(kind=kind, columns=columns, rows=[])
    if (getattr(file, "size", None) or 0) > MAX_FILE_BYTES:
        result.errors.append(
            _("The file is too large: at most %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 2**20}
        )
        return result
    try:
        text = file.read(MAX_FILE_BYTES + 1).decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(
            _("The file is not UTF-8 text; save it from the spreadsheet as “CSV UTF-8”.")
        )
        return result
    if len(text.encode()) > MAX_FILE_BYTES:
        result.errors.append(
            _("The file is too large: at most %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 2**20}
        )
        return result
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = [c for c in columns[:3] if c not in (reader.fieldnames or [])]
        if missing:
            result.errors.append(
                _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
            )
            return result
        for number, values in enumerate(reader, start=2):
            if len(result.rows) >= MAX_ROWS:
                result.errors.append(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
                break
            values = {k: (v if isinstance(v, str) else "") for k, v in values.items() if k}
            row = Row(
                number=number,
                values=values,
                cells=[printable(values.get(c, "")) for c in columns[:6]],
            )
            _check_cells(row, columns)
            result.rows.append(row)
    except csv.Error as error:
        result.errors.append(
            _("Line %(line)s cannot be read as CSV (%(error)s); a cell may be too long.")
            % {"line": reader.line_num, "error": error}
        )
        return result
    if not result.rows:
        result.errors.append(_("The file has no rows."))
    return result


def _lookups(result: ImportResult):
    species = {s.scientific_name.lower(): s for s in Species.objects.all()}
    species.update({s.name: s for s in species.values()})
    zones = {z.code.lower(): z for z in Zone.objects.all()}
    return species, zones


def _species_and_zone(row, species, zones, *, zone_required=True):
    name = row.raw("species")
    found = species.get(name.lower()) or species.get(name)
    if found is None and "species" not in row.bad:
        row.refuse("species", _("Unknown species “%(name)s”.") % {"name": printable(name)})
    code = row.raw("zone").lower()
    zone = zones.get(code)
    if zone is None and (zone_required or code) and "zone" not in row.bad:
        row.refuse("zone", _("Unknown zone “%(code)s”.") % {"code": printable(code)})
    return found, zone


class _DryRun(Exception):
    """Raised at the end of a dry run's save to roll it back."""


def _save_all(result: ImportResult, save, *, dry_run: bool) -> ImportResult:
    """Save every row in one transaction, or none; a dry run saves the same way and rolls back.

    So a dry run runs exactly the checks the import runs, the database's own included:
    what it calls valid, the import saves.
    """
    if not result.valid:
        return result
    try:
        with transaction.atomic():
            saved = save(result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return result
    except services.NurseryError:
        # The row at fault carries the message (see the save functions).
        return result
    except DatabaseError as error:
        result.errors.append(
            _("The rows were refused by the database, and nothing was saved: %(error)s")
            % {"error": printable(error)}
        )
        return result
    result.saved = saved
    return result


def _check_lots(result: ImportResult) -> None:
    species, zones = _lookups(result)
    existing = set(StockLot.objects.values_list("code", flat=True))
    seen = set()
    for row in result.rows:
        code = row.raw("code")
        if not code and "code" not in row.bad:
            row.refuse("code", _("code is required."))
        elif code in existing or code in seen:
            row.refuse("code", _("Lot code %(code)s is already used.") % {"code": code})
        seen.add(code)
        kind, zone = _species_and_zone(row, species, zones)
        grown = row.raw("grown") or StockLot.Grown.FIELD
        if grown not in StockLot.Grown.values and "grown" not in row.bad:
            row.refuse("grown", _("grown must be field or container."))
        row.data = {
            "code": code,
            "species": kind,
            "zone": zone,
            "quantity": _int(row, "quantity", required=True, minimum=1),
            "unit_cost": _decimal(row, "unit_cost", required=True),
            "received_on": _date(row, "received_on", required=True),
            "grown": grown,
            "seedling_age_years": _int(row, "seedling_age_years", maximum=500),
            "sale_price": _decimal(row, "sale_price"),
            "spec": _spec(row),
        }
        fields = {k: v for k, v in row.data.items() if k not in ("quantity", "received_on", "spec")}
        _model_check(
            row,
            StockLot(**fields, **row.data["spec"]),
            # Species and zone were found in the database just above: no query a row.
            exclude=["species", "zone"] + (["unit_cost"] if fields["unit_cost"] is None else []),
        )


def _log_import(what: str, objects: list, *, describe, user) -> None:
    """The import's one entry in the history: what it created, on a bulk write of its own."""
    history.log_bulk(
        BulkWrite.objects.create(what=what), objects=objects, describe=describe, user=user
    )


def _save_lots(result: ImportResult, user) -> int:
    lots = []
    with history.bulk_write():
        for row in result.rows:
            data = dict(row.data)
            try:
                lots.append(
                    services.lot_create(
                        received_at=services.at_noon(data.pop("received_on")), user=user, **data
                    )
                )
            except services.NurseryError as error:
                row.errors.append(error.message)
                raise
    _log_import(_("Import of stock lots"), lots, describe=lambda lot: lot.code, user=user)
    return len(result.rows)


def lots_import(*, file, dry_run: bool, user=None) -> ImportResult:
    """Lots from CSV, each opened with a purchase entry; nothing saved if any row is wrong."""
    result = _read(file, LOT_COLUMNS, "lots")
    if result.errors:
        return result
    _check_lots(result)
    return _save_all(result, lambda r: _save_lots(r, user), dry_run=dry_run)


def _check_trees(result: ImportResult) -> None:
    species, zones = _lookups(result)
    existing = set(SpecimenTree.objects.values_list("tag", flat=True))
    seen = set()
    for row in result.rows:
        tag = row.raw("tag")
        if not tag and "tag" not in row.bad:
            row.refuse("tag", _("tag is required."))
        elif tag in existing or tag in seen:
            row.refuse("tag", _("Tag %(tag)s is already used.") % {"tag": tag})
        seen.add(tag)
        kind, zone = _species_and_zone(row, species, zones, zone_required=False)
        public = row.raw("public").lower()
        if public not in ("", "0", "1", "yes", "no", "true", "false", "是", "否"):
            row.refuse("public", _("public must be yes or no."))
        row.data = {
            "tag": tag,
            "species": kind,
            "zone": zone,
            "origin_province": row.raw("origin_province"),
            "origin_province_en": row.raw("origin_province_en"),
            "cost": _decimal(row, "cost") or Decimal("0"),
            "planted_on": _date(row, "planted_on"),
            "public": public in ("1", "yes", "true", "是"),
            "story": row.raw("story"),
            "story_en": row.raw("story_en"),
        }
        row.spec = _spec(row)
        _model_check(row, SpecimenTree(**row.data), exclude=["species", "zone"])
        _model_check(
            row,
            SpecimenMeasurement(measured_on=timezone.localdate(), **row.spec),
            exclude=["tree"],
        )


def _save_trees(result: ImportResult, user) -> int:
    trees = SpecimenTree.objects.bulk_create([SpecimenTree(**row.data) for row in result.rows])
    _log_import(_("Import of specimen trees"), trees, describe=lambda tree: tree.tag, user=user)
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
    return len(trees)


def trees_import(*, file, dry_run: bool, user=None) -> ImportResult:
    """Specimen trees from CSV, each with a first measurement; nothing saved if any row is wrong."""
    result = _read(file, TREE_COLUMNS, "trees")
    if result.errors:
        return result
    _check_trees(result)
    return _save_all(result, lambda r: _save_trees(r, user), dry_run=dry_run)
