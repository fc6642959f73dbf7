"""Two-factor log-in (TOTP) for the roles that see or change the most.

Command, planners, auditors and system administrators must confirm a one-time code
from an authenticator app after their password. The first time, they enrol: the page
shows a QR code (SVG, drawn on the server) and they confirm with a first code.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingwu.core.scope import current_memberships

from .choices import Role

OTP_ROLES = {Role.BUREAU_COMMAND, Role.PLANNER, Role.AUDITOR, Role.SYSADMIN}
EXEMPT_PREFIXES = ("/otp/", "/logout/", "/login/", "/static/", "/i18n/")


def needs_otp(user) -> bool:
    if not getattr(settings, "OTP_REQUIRED", True) or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(m.role in OTP_ROLES for m in current_memberships(user))


class RequireOTPMiddleware:
    """Send users of the two-factor roles to the code page until they have confirmed a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(EXEMPT_PREFIXES)
            and needs_otp(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                # A browser session on the API needs the second factor too. (Token clients are
                # authenticated inside the API view, after this point, and are systems.)
                from django.http import JsonResponse

                return JsonResponse({"detail": _("Two-factor log-in required.")}, status=403)
            return redirect(f"{reverse('otp')}?next={request.get_full_path()}")
        return self.get_response(request)


def _qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


@login_required
def otp_view(request):
    """Enrol (first time) or confirm a one-time code."""
    user = request.user
    nxt = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        nxt = "/"
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    error = ""
    if request.method == "POST":
        token = "".join(ch for ch in request.POST.get("token", "") if ch.isdigit())
        if device.verify_token(token):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(nxt)
        error = _("The code is wrong or has expired. Enter the 6-digit code your app shows now.")
    context = {"enrolling": enrolling, "error": error, "next": nxt}
    if enrolling:
        context["qr"] = mark_safe(_qr_svg(device.config_url))
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/otp.html", context)
