from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.filters import StyledFilterSet
from jingwu.org.filters import UnitFilter

from .choices import GENDER_CHOICES, OFFICER_KIND_CHOICES, OFFICER_STATUS_CHOICES, SKILL_CHOICES
from .models import Officer

AGE_BANDS = [
    ("-29", _("under 30")),
    ("30-39", _("30–39")),
    ("40-49", _("40–49")),
    ("50-", _("50 and over")),
]


def _posted_under(unit) -> Q:
    today = dt.date.today()
    return Q(
        postings__unit__path__startswith=unit.path,
        postings__start__lte=today,
    ) & (Q(postings__end__isnull=True) | Q(postings__end__gte=today))


class OfficerFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Name or police number"), method="search")
    unit = UnitFilter(lookup_for=_posted_under)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OFFICER_KIND_CHOICES)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=GENDER_CHOICES)
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGE_BANDS, method="age_band")
    skill = django_filters.ChoiceFilter(label=_("Skill"), choices=SKILL_CHOICES, field_name="skills__skill")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OFFICER_STATUS_CHOICES)

    class Meta:
        model = Officer
        fields = ["q", "unit", "kind", "gender", "age", "skill", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(name__icontains=value) | Q(police_number__icontains=value))
            if value
            else queryset
        )

    def age_band(self, queryset, name, value):
        from jingwu.core.clock import data_date, user_bureau

        # ages on the day the bureau's records reach, as the list shows them
        bureau = user_bureau(getattr(self.request, "user", None))
        today = data_date(bureau) if bureau is not None else dt.date.today()
        lo, _sep, hi = value.partition("-")

        def born_before(age: int) -> dt.date:  # people at least ``age`` years old
            return (
                today.replace(year=today.year - age)
                if not (today.month == 2 and today.day == 29)
                else today.replace(year=today.year - age, day=28)
            )

        if lo:
            queryset = queryset.filter(birth_date__lte=born_before(int(lo)))
        if hi:
            queryset = queryset.filter(birth_date__gt=born_before(int(hi) + 1))
        return queryset

    @property
    def qs(self):
        return super().qs.distinct()


def _officers_seen(request):
    """The officers a list may be filtered by: those the user sees, and the user's own."""
    from jingwu.core.scope import restrict

    user = getattr(request, "user", None)
    q = Q(pk__in=restrict(Officer.objects.all(), user).values("pk"))
    own = getattr(user, "officer_id", None)
    if own is not None:
        q |= Q(pk=own)
    return Officer.objects.filter(q).order_by("police_number")


def officer_choice(field_name: str = "officer"):
    """A list's filter by one officer (the dashboard's workload per officer opens it)."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name, label=_("Officer"), queryset=_officers_seen
    )
