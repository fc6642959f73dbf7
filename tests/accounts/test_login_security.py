"""Log-in security: Argon2, lock-out after failures, two-factor for command roles, headers."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.otp_required
def test_command_must_enrol_and_confirm_a_code(client, county):
    client.force_login(county.command)
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("otp"))
    r = client.get(r["Location"])
    assert "<svg" in r.content.decode()  # the enrolment QR code
    device = TOTPDevice.objects.get(user=county.command)
    assert not device.confirmed
    r = client.post(reverse("otp"), {"token": "000000", "next": "/"})
    assert r.status_code == 200 and "alert-danger" in r.content.decode()
    r = client.post(reverse("otp"), {"token": _code(device), "next": "/"})
    assert r.status_code == 200  # a right code straight after a wrong one is throttled
    device.refresh_from_db()
    device.throttle_reset()
    r = client.post(reverse("otp"), {"token": _code(device), "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.otp_required
def test_a_station_chief_needs_no_second_factor(client, county):
    client.force_login(county.chief)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.otp_required
def test_otp_next_must_stay_on_site(client, county):
    client.force_login(county.auditor)
    device = TOTPDevice.objects.create(user=county.auditor, name="a", confirmed=True)
    r = client.post(reverse("otp"), {"token": _code(device), "next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_passwords_are_hashed_with_argon2(settings, db, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    u = django_user_model.objects.create_user("someone", password="a long password 123")
    assert u.password.startswith("argon2")


def test_repeated_failures_lock_the_account(client, county, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": county.chief.username, "password": "wrong"})
    r = client.post(url, {"username": county.chief.username, "password": "x"})
    assert r.status_code == 429
    assert "锁定" in r.content.decode() or "locked" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_logs_in(client, county):
    r = client.post(reverse("login"), {"username": county.chief.username, "password": "x"})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(county.chief.pk)


def test_pages_carry_a_strict_content_security_policy(client, county):
    client.force_login(county.chief)
    r = client.get(reverse("home"))
    csp = r["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert "<script>" not in r.content.decode()  # no inline scripts anywhere in the page


def test_forms_are_csrf_protected(county):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(county.chief)
    r = c.post(reverse("set_language"), {"language": "en"})
    assert r.status_code == 403


def test_deploy_checks_are_clean_in_production_mode():
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JINGWU_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "JINGWU_MODE": "production",
            "JINGWU_SECRET_KEY": "s" * 20 + "Q9x!" * 10,
            "JINGWU_SSL_REDIRECT": "1",
            "JINGWU_HSTS_SECONDS": "31536000",
            "DJANGO_SETTINGS_MODULE": "jingwu.site.settings",
        }
    )
    r = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.otp_required
def test_a_session_without_the_second_factor_cannot_use_the_api(client, county):
    client.force_login(county.planner)
    r = client.get("/api/v1/units/")
    assert r.status_code == 403
    client.force_login(county.chief)
    assert client.get("/api/v1/units/").status_code == 200


# --- lock-out by account and by address ------------------------------------------------

GUESSES = ("123456", "password1", "jingwu2019", "qwerty123")


def _try(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_one_address_trying_four_passwords_on_every_account_is_stopped(client, county, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    accounts = [county.chief, county.zone_lead, county.community, county.political, county.center]
    answers = [_try(client, u.username, pw, "10.1.1.1").status_code for u in accounts for pw in GUESSES]
    # no account saw more than four failures: the address is what is stopped, at its 10th
    assert answers[:9] == [200] * 9 and set(answers[9:]) == {429}
    # stopped even with a right password, from that address ...
    assert _try(client, county.planner.username, "x", "10.1.1.1").status_code == 429
    # ... while the accounts themselves still open from elsewhere
    r = _try(client, county.chief.username, "x", "10.9.9.9")
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(county.chief.pk)


def test_one_account_attacked_from_many_addresses_is_stopped(client, county, settings):
    settings.AXES_FAILURE_LIMIT = 5
    answers = [_try(client, county.chief.username, "wrong", f"10.2.0.{i}").status_code for i in range(1, 7)]
    assert answers == [200, 200, 200, 200, 429, 429]
    r = _try(client, county.chief.username, "x", "10.2.0.99")  # the right password, a fresh address
    assert r.status_code == 429 and "_auth_user_id" not in client.session


def test_logging_in_to_ones_own_account_does_not_clear_an_address(client, county, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    for user, guesses in ((county.zone_lead, GUESSES[:3]), (county.community, GUESSES[:2])):
        for pw in guesses:
            assert _try(client, user.username, pw, "10.3.3.3").status_code == 200
    assert _try(client, county.chief.username, "x", "10.3.3.3").status_code == 302  # an insider's own log-in
    client.logout()
    assert _try(client, county.political.username, "guess", "10.3.3.3").status_code == 429
