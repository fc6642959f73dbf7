"""Request context (who, from where, request id) for audit events written anywhere below a view."""

from __future__ import annotations

import contextvars
import logging
import uuid
from dataclasses import dataclass

log = logging.getLogger(__name__)


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
            if response.status_code in (403, 404):
                record_refusal(request, response.status_code)
        finally:
            reset_context(token)
        response["X-Request-Id"] = ctx.request_id
        return response


# Pages that show one record, by URL name (or its start): the model of the id in the
# address, so that a refused 404 says whether the record exists in another scope. The
# API's viewsets name their model themselves.
RECORD_PAGES = {
    "org:unit_": "org.unit",
    "personnel:officer_": "personnel.officer",
    "places:premises_": "places.premises",
    "incidents:incident_": "incidents.incident",
    "audit_detail": "core.auditevent",
    "planning:scenario_": "planning.scenario",
    "imports:job_": "imports.importjob",
    "imports:mapping_": "imports.importmapping",
}


def _record_model(match):
    from django.apps import apps

    model = getattr(getattr(match.func, "cls", None), "model", None)
    if model is not None:
        return model
    for prefix, label in RECORD_PAGES.items():
        if match.view_name.startswith(prefix):
            return apps.get_model(label)
    return None


def record_refusal(request, status: int) -> None:
    """Put a refused request in the audit trail: a 403 (a CSRF failure included) or a 404
    on the address of one record (an id in the URL) asked for by a logged-in user.

    A 404 elsewhere (a mistyped address) is not recorded. The event says whether the
    record exists (out of the user's scope) when the record's model is known.
    """
    user = getattr(request, "user", None)
    authenticated = bool(getattr(user, "is_authenticated", False))
    match = getattr(request, "resolver_match", None)
    reason = getattr(request, "jingwu_refusal", "") or ("forbidden" if status == 403 else "not_found")
    object_id = ""
    if status == 404:
        if not authenticated or match is None or not match.kwargs:
            return
        object_id = str(match.kwargs.get("pk", next(iter(match.kwargs.values()))))[:64]
    try:
        from django.db import transaction

        from . import audit
        from .scope import user_bureau_ids

        model = _record_model(match) if match is not None else None
        exists = None
        if status == 404 and model is not None:
            try:
                exists = model._default_manager.filter(pk=object_id).exists()
            except (ValueError, TypeError):
                exists = False
        bureau = None
        if authenticated:
            bureau = getattr(user, "bureau", None)
            if bureau is None:
                ids = user_bureau_ids(user)
                if len(ids) == 1:
                    from .models import Bureau

                    bureau = Bureau.objects.filter(pk=next(iter(ids))).first()
        with transaction.atomic():
            audit.record(
                "refused",
                actor=user if authenticated else None,
                actor_label=None if authenticated else "anonymous",
                bureau=bureau,
                object_type=model._meta.label_lower
                if model is not None
                else (match.view_name if match else ""),
                object_id=object_id,
                object_repr=f"{request.method} {request.path}",
                after={
                    "status": status,
                    "reason": reason,
                    "method": request.method,
                    "path": request.path[:500],
                    "view": match.view_name if match else "",
                    "exists": exists,
                },
            )
    except Exception:  # the refusal stands even when it cannot be recorded
        log.exception("could not record a refused request in the audit trail")


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
