"""Request context (who, from where, request id) for audit events written anywhere below a view."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str
    user_agent: str
    via: str  # "web", "api", "cli", "import", "job"


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "jingwu_request", default=None
)


def current_context() -> RequestContext | None:
    return _current.get()


def set_context(ctx: RequestContext | None) -> contextvars.Token:
    return _current.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _current.reset(token)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        ctx = RequestContext(
            request_id=rid[:64],
            ip=request.META.get("REMOTE_ADDR", ""),
            user_agent=request.headers.get("User-Agent", "")[:300],
            via="api" if request.path.startswith("/api/") else "web",
        )
        token = set_context(ctx)
        try:
            response = self.get_response(request)
        finally:
            reset_context(token)
        response["X-Request-Id"] = ctx.request_id
        return response


class LanguageMiddleware:
    """zh-Hans unless the user chose another language (the language cookie).

    The browser's Accept-Language is ignored on purpose: bureau PCs often run an
    English-language browser, and the bureau's default is Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        lang = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        from django.utils.cache import patch_vary_headers

        patch_vary_headers(response, ("Cookie",))
        return response


class SecurityHeadersMiddleware:
    """A Content Security Policy without inline scripts, and a few more headers.

    Map tiles may come from the configured intranet tile server; nothing else is
    loaded from another origin.
    """

    def __init__(self, get_response):
        from urllib.parse import urlparse

        from django.conf import settings

        tiles = ""
        if settings.TILE_URL:
            parsed = urlparse(settings.TILE_URL.replace("{s}", "a"))
            tiles = f" {parsed.scheme}://{parsed.netloc}"
        self.policy = (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data: blob:{tiles}; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
