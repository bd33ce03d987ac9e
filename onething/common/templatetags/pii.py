"""Template filters for personal information in what people typed.

``{{ t.content|mask_numbers:full_text|linebreaksbr }}``: ID and mobile numbers inside free text
are masked unless the view decided this viewer sees them (the author, or an audited ``?full=1``).
Mask before truncating or adding markup, so a cut never leaves part of a number readable.
"""

from django import template

from onething.common.security import mask_numbers_in_text

register = template.Library()


@register.filter
def mask_numbers(value, shown_in_full=False):
    if shown_in_full or value in (None, ""):
        return value
    return mask_numbers_in_text(str(value))
