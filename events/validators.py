import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Something that looks like an HTML tag or comment: "<b", "</", "<!". A lone "<" as in "< 5 hours" is fine.
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")


def no_markup(value: str) -> None:
    """Names and reasons are plain text; markup is refused instead of silently stored (and escaped later)."""
    if value and _MARKUP.search(value):
        raise ValidationError(_("Please enter plain text without HTML tags (< … >)."), code="markup")
