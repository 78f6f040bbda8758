"""``manage.py job_report``: the same figures as the report, as JSON, CSV or XLSX."""

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests.workforce.conftest import Q2
from workforce.reports import job_report

ARGS = ["--from", Q2[0].isoformat(), "--to", Q2[1].isoformat()]


def test_json_output_carries_every_figure_and_its_definition(workforce):
    out = io.StringIO()
    call_command("job_report", *ARGS, "--village", "a", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    report = job_report(start=Q2[0], end=Q2[1], village="a")
    assert set(data) == {
        "period",
        "previous_period",
        "village",
        "fte_days",
        "figures",
        "previous_figures",
        "breakdowns",
        "months",
        "definitions",
    }
    assert data["figures"]["employed"] == report.current.employed
    assert data["figures"]["wages"] == str(report.current.wages)
    assert set(data["definitions"]) == set(data["figures"])
    assert set(data["breakdowns"]) == {
        "village",
        "gender",
        "age_band",
        "employment_type",
        "poverty_status",
    }


def test_csv_and_xlsx_files(workforce, tmp_path):
    csv_file, xlsx_file = tmp_path / "r.csv", tmp_path / "r.xlsx"
    call_command("job_report", *ARGS, "--format", "csv", "--output", str(csv_file))
    call_command("job_report", *ARGS, "--format", "xlsx", "--output", str(xlsx_file))
    assert "Villagers employed,3," in csv_file.read_text(encoding="utf-8-sig")
    sheet = openpyxl.load_workbook(xlsx_file).worksheets[0]
    assert sheet["A1"].value == "Job-creation report · Figures"
    assert sheet["A2"].value.startswith("Period: 2026-04-01 – 2026-06-30")
    first = int(sheet.freeze_panes[1:])  # the first row under the headings
    assert [c.value for c in sheet[first]][:2] == ["Villagers employed", 3]


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-13-01", "--to", "2026-12-31"],
        ["--from", "2026-05-01", "--to", "2026-04-01"],
        [*ARGS, "--village", "nowhere"],
        [*ARGS, "--format", "xlsx"],
    ],
)
def test_bad_arguments_are_refused_with_a_message(workforce, args):
    with pytest.raises(CommandError):
        call_command("job_report", *args)
