"""Strings of Django itself that its Traditional Chinese catalog does not translate yet.

Django looks in DTSS's catalog (LOCALE_PATHS) before its own, so listing them here lets
`makemessages` keep their translations in src/dtss/locale.
"""

from django.utils.translation import gettext_noop

DJANGO_GAPS = [
    gettext_noop("- Select an option -"),  # BLANK_CHOICE_LABEL, new in Django 6.1
]
