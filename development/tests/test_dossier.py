"""The dossier checklist: documents up to the person's stage, marked held by whom, the PDF index."""

import pytest
import time_machine
from django.urls import reverse

from development.models import Document
from development.services import dossier
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOW


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@time_machine.travel(NOW)
def test_the_checklist_grows_with_the_stage_and_records_who_checked(cast):
    person = f.applicant(cast)
    assert [line.kind for line in dossier.checklist(person)] == ["application", "talk"]
    url = reverse("development:document_mark", args=[person.pk])
    assert cast.client(cast.outsider).post(url, {"kind": "application"}).status_code == 404
    assert cast.client(cast.viewer).post(url, {"kind": "application"}).status_code == 403
    assert cast.client(cast.secretary).post(url, {"kind": "application"}).status_code == 302
    doc = Document.objects.get(person=person)
    assert doc.kind == "application" and doc.checked_by == cast.secretary and doc.on_paper
    person = f.to_activist(cast, person)
    assert len(dossier.checklist(person)) == 6
    html = (
        cast.client(cast.viewer).get(reverse("development:person_detail", args=[person.pk])).content.decode()
    )
    assert "培养考察登记表" in html and "secretary" in html


@time_machine.travel(NOW)
def test_the_dossier_index_is_a_pdf(cast):
    person = f.applicant(cast)
    url = reverse("development:dossier_pdf", args=[person.pk])
    assert cast.client(cast.outsider).get(url).status_code == 404
    response = cast.client(cast.viewer).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
