"""Text is text: the characters planboard refuses in whatever people type or send, and leaves out of the documents it
writes. The one rule for every door (figures' notes, review comments, task reports, any string in an API request)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters but tab and line breaks (Cc), invisible format characters such as bidi overrides (Cf), and lone
# surrogates (Cs), which no database or file can encode.
REFUSED_CATEGORIES = ("Cc", "Cf", "Cs")
ALLOWED_CONTROLS = "\t\n\r"
# What a Word or Excel file cannot hold at all (XML 1.0 forbids it, or UTF-8 cannot encode it).
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MESSAGE = _("含有不可见的控制字符，请删除后重试。")


def is_plain(text):
    """Whether `text` holds none of the characters refused at the doors."""
    return not any(unicodedata.category(char) in REFUSED_CATEGORIES and char not in ALLOWED_CONTROLS for char in text)


def validate_plain(text):
    """A validator for text fields and forms."""
    if isinstance(text, str) and not is_plain(text):
        raise ValidationError(MESSAGE, code="control_character")


def writable(text):
    """`text` without the characters a Word or Excel file cannot hold: the writers' last defence, for text stored
    before these rules or around them."""
    return UNWRITABLE.sub("", text)
