from django.test import Client
from django.urls import reverse


def test_the_favicon_is_served_to_anyone_and_cached(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=604800" in response["Cache-Control"]


def test_the_api_docs_page_says_its_language(cast):
    page = cast.client(cast.viewer).get(reverse("api-docs")).content.decode()
    assert '<html lang="zh-CN">' in page


def test_every_page_links_the_icons(cast):
    page = cast.client(cast.secretary).get(reverse("home:dashboard")).content.decode()
    assert 'rel="icon"' in page and "icons/favicon.ico" in page and 'rel="apple-touch-icon"' in page
