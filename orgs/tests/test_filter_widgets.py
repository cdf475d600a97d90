"""Filter bars render Django's own widget markup without the template engine (orgs.forms.QuickWidgetRenderer)."""

import pytest
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.http import QueryDict

from observers.filters import CandidateFilter, ObserverFilter
from orglife.filters.plans import BoardFilter
from orglife.filters.records import RecordFilter
from orgs.filters import MemberFilter, OrganizationFilter
from orgs.forms import QUICK_WIDGETS, style_filter_form

FILTERS = [MemberFilter, OrganizationFilter, ObserverFilter, CandidateFilter, RecordFilter, BoardFilter]
PARAMS = [
    None,  # unbound
    "",
    "q=%3Cb%3E%22%26%27x&category=full&status=normal&gender=%E7%94%B7&is_exempt=true&joined_from=2020-01-01"
    "&joined_to=bad&kind=branch&state=missing&month=2026-10&trained=false&committee=3&org=x&under=1.5",
    "category=nonsense&status=&is_exempt=unknown&education=bachelor&flag=backfill&source=x&meeting_type=x",
]


@pytest.mark.parametrize("filter_class", FILTERS)
@pytest.mark.parametrize("params", PARAMS)
def test_quick_widgets_write_exactly_the_markup_of_django_templates(filter_class, params):
    data = None if params is None else QueryDict(params)
    form = style_filter_form(filter_class(data, queryset=filter_class._meta.model.objects.none()).form)
    assert form.renderer is QUICK_WIDGETS
    quick = {name: str(form[name]) for name in form.fields}
    form.renderer = get_default_renderer()
    assert quick == {name: str(form[name]) for name in form.fields}


def test_quick_widgets_render_a_filter_bar_without_the_template_engine(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rendered through a template")

    monkeypatch.setattr(DjangoTemplates, "render", refuse)
    form = style_filter_form(MemberFilter(QueryDict("category=full"), queryset=None).form)
    html = "".join(str(form[name]) for name in form.fields)
    assert '<option value="full" selected>正式党员</option>' in html
