"""The installable app: manifest, icons, the service worker versioned by the shell's contents, the offline page."""

import json
import os

from django.test import Client
from django.urls import reverse

from home import assets


def test_the_manifest_makes_the_site_installable(db):
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["display"] == "standalone" and data["start_url"] == "/" and data["lang"] == "zh-CN"
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert (assets.STATIC / icon["src"].removeprefix("/static/")).is_file()


def test_pages_link_the_manifest(cast):
    page = cast.client(cast.member_user).get(reverse("home:dashboard")).content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page and 'name="theme-color"' in page


def test_the_worker_caches_the_shell_under_a_version_of_its_contents(db):
    response = Client().get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert f'const CACHE = "xianfeng-shell-{assets.shell_version()}";' in body
    for name in assets.SHELL:
        assert f"/static/{name}" in body
    assert '"/offline/"' in body


def copy_of_the_shell(tmp_path, monkeypatch):
    for name in assets.SHELL:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((assets.STATIC / name).read_bytes())
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    return tmp_path


def served_cache_name() -> str:
    body = Client().get("/sw.js").content.decode()
    return body.split('const CACHE = "', 1)[1].split('"', 1)[0]


def test_a_changed_shell_file_changes_the_version(tmp_path, monkeypatch):
    static = copy_of_the_shell(tmp_path, monkeypatch)
    before = assets.shell_version()
    (static / "css/xianfeng.css").write_text("body { color: red; }")
    assert assets.shell_version() != before


def test_a_deploy_changes_the_served_worker_without_a_restart(db, tmp_path, monkeypatch):
    """The server keeps running while a deploy replaces a static file: the next /sw.js has a new version,
    so the browser installs a new worker; a file touched but not changed keeps the version."""
    static = copy_of_the_shell(tmp_path, monkeypatch)
    first = served_cache_name()
    assert served_cache_name() == first
    css = static / "css/xianfeng.css"
    css.write_bytes(css.read_bytes())
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 5_000_000_000))
    assert served_cache_name() == first
    css.write_bytes(css.read_bytes() + b"\n.deployed { color: #000; }\n")
    second = served_cache_name()
    assert second != first and second.startswith("xianfeng-shell-")
    js = static / "js/outbox.js"
    js.write_bytes(js.read_bytes() + b"\n// deployed again\n")
    assert served_cache_name() not in (first, second)


def test_the_offline_page_is_plain_and_public(db):
    response = Client().get("/offline/")
    assert response.status_code == 200 and "网络未连接" in response.content.decode()
    assert 'lang="zh-CN"' in response.content.decode()
