"""The API token endpoint: a user name and password for a token, and the issue on record."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from jingwu.core import audit


class ObtainTokenView(ObtainAuthToken):
    """``POST username, password`` answers ``{"token": ...}``; every issue is an audit event.

    A wrong password is a failed log-in like on the log-in page (audited, and counted
    towards the lock-out).
    """

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        with transaction.atomic():
            token, created = Token.objects.get_or_create(user=user)
            audit.record(
                "token",
                actor=user,
                bureau=user.bureau,
                object_type="authtoken.token",
                object_id=str(user.pk),
                object_repr=user.username,
                after={"new": created},  # the key itself is never recorded
            )
        return Response({"token": token.key})


obtain_token = ObtainTokenView.as_view()
