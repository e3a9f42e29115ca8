from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DefaultLanguageMiddleware(LocaleMiddleware):
    """Traditional Chinese unless the person chose English with the language switch.

    Django's own middleware follows the browser's Accept-Language header; school computers
    and phones in Taiwan often have English system settings, and DTSS's users expect Chinese.
    The choice is kept in the language cookie set by the switch (`/i18n/setlang/`).
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
