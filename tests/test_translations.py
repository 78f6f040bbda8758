"""Every UI string has its Chinese, and the compiled catalog is the one the .po describes."""

import re
from pathlib import Path

from django.utils import translation

CATALOG = (
    Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
)


def _entries(text: str):
    """(msgid, [msgstr…], flags) of each entry of a .po file, header excluded."""
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], flags


def test_every_string_in_the_catalog_has_its_chinese():
    entries = list(_entries(CATALOG.read_text(encoding="utf-8")))
    assert len(entries) > 500
    untranslated = [msgid for msgid, strings, _ in entries if not strings or not all(strings)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"{len(untranslated)} strings lack Chinese, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} strings are guesses marked fuzzy, e.g. {fuzzy[:5]}"


def test_the_compiled_catalog_speaks_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Book tickets") == "购票"
        assert translation.gettext("Opening hours") == "开放时间"
    with translation.override("en"):
        assert translation.gettext("Book tickets") == "Book tickets"


# Words the park uses in a sense of its own, which Wagtail and Django also use in theirs: the
# park's carry a context, so the admin's own menus and screens keep their Chinese.
SHARED_WORDS = [
    # (context, word, the park's Chinese, the framework's Chinese)
    ("pagination", "Pages", "分页", "页面"),
    ("kind of work", "Task", "工种", "任务"),
    ("kinds of work", "Tasks", "工种", "任务"),
    ("kind of work", "task", "工种", "任务"),
    ("identity document", "Document", "证件", "文档"),
    ("identity document", "document", "证件类型", "文档"),
    ("of a tree", "tag", "编号", "标签"),
    ("of a tree", "Height", "树高", "高度"),
    ("start of a date range", "From", "开始日期", "从"),
    ("employment", "Permanent", "长期", "永久"),
    ("ticket", "Code", "票码", "代码"),
]


def test_the_parks_words_leave_the_frameworks_own_words_their_chinese():
    with translation.override("zh-hans"):
        for context, word, ours, theirs in SHARED_WORDS:
            assert translation.pgettext(context, word) == ours, word
            assert translation.gettext(word) == theirs, word
