"""The English catalogue is complete, and the committed .mo (CI may lack gettext) matches the .po."""

import ast
import gettext
import re

from django.conf import settings

PO = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# Chinese the English text quotes on purpose: what users type or find in the Chinese Excel template and in the plan.
QUOTED_CHINESE = {"本年数值", "是", "否", "专栏1", "附件2"}
ZH_PO = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries(path):
    """(msgctxt, msgid, msgid_plural, [msgstr…], flags) of every entry but the header and obsolete ones."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts, flags, key = {}, "", None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = line
            elif line.startswith("#"):
                continue
            elif match := re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line):
                key = match.group(1)
                parts[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
        if parts.get("msgid"):
            strs = [v for k, v in sorted(parts.items()) if k.startswith("msgstr")]
            yield parts.get("msgctxt"), parts["msgid"], parts.get("msgid_plural"), strs, flags


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    found = list(entries(PO))
    assert len(found) > 400
    for _context, msgid, plural, strs, flags in found:
        assert "fuzzy" not in flags, msgid
        assert all(strs), f"untranslated: {msgid}"
        assert len(strs) == (2 if plural else 1), msgid
        placeholders = sorted(re.findall(r"%\(\w+\)[sd]", msgid))
        for text in strs:
            assert sorted(set(re.findall(r"%\(\w+\)[sd]", text))) == sorted(set(placeholders)), (msgid, text)
            assert set(re.findall(r"[\u4e00-\u9fff]\w*", text)) <= QUOTED_CHINESE, (msgid, text)


def test_the_compiled_catalogue_is_the_current_one():
    with MO.open("rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog
    for context, msgid, plural, strs, _flags in entries(PO):
        key = f"{context}\x04{msgid}" if context else msgid
        if plural:
            assert [catalog.get((key, n)) for n in range(2)] == strs, msgid
        else:
            assert catalog.get(key) == strs[0], f"{msgid}: run python manage.py compilemessages -l en"


def test_chinese_labels_end_in_a_full_width_colon():
    assert [(msgid, strs) for _c, msgid, _p, strs, _f in entries(ZH_PO)] == [(":", ["："])]
    with ZH_PO.with_suffix(".mo").open("rb") as file:
        assert gettext.GNUTranslations(file)._catalog.get(":") == "："
