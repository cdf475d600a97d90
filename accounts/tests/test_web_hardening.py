"""Web hardening (等保三级 入侵防范): deploy checks, security headers, CSP, no cached personal data."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import tokens
from accounts.webguard import NoStoreMiddleware

ROOT = Path(settings.BASE_DIR)


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIANFENG_")}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "XIANFENG_PRODUCTION": "true",
        "XIANFENG_SECRET_KEY": secrets.token_urlsafe(64),
        "XIANFENG_PII_KEY": secrets.token_hex(16),
        "XIANFENG_ALLOWED_HOSTS": "dangjian.example.gov.cn",
        "XIANFENG_VAR_DIR": str(tmp_path),
    }


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_passes_behind_a_tls_proxy(tmp_path: Path) -> None:
    env = {**production_env(tmp_path), "XIANFENG_TRUST_PROXY": "true"}
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_mode_refuses_to_start_without_real_secrets(tmp_path: Path) -> None:
    env = {**production_env(tmp_path), "XIANFENG_SECRET_KEY": "short"}
    del env["XIANFENG_PII_KEY"]
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "XIANFENG_SECRET_KEY" in result.stderr and "XIANFENG_PII_KEY" in result.stderr


def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_carry_a_content_security_policy_without_inline_scripts(cast) -> None:  # type: ignore[no-untyped-def]
    response = cast.client(cast.committee_admin).get(reverse("orgs:member_list"))
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']|javascript:|\shx-on[:-]""", re.I)


def template_files() -> list[Path]:
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    return [p for d in dirs for p in d.rglob("*.html") if ".venv" not in p.parts]


def test_no_template_holds_inline_script_code() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
        for path in template_files()
        for text in [path.read_text(encoding="utf-8")]
        for m in [*INLINE_SCRIPT.finditer(text), *INLINE_HANDLER.finditer(text)]
    ]
    assert len(template_files()) > 50
    assert offenders == [], "move these into a static .js file:\n" + "\n".join(offenders)


def test_pages_with_personal_data_are_never_cached(cast) -> None:  # type: ignore[no-untyped-def]
    client = cast.client(cast.dept_admin)
    for url in (
        reverse("orgs:member_list"),
        reverse("orgs:member_detail", args=[cast.member_a1.pk]),
        reverse("orgs:member_unmask", args=[cast.member_a1.pk]),
        reverse("orgs:member_export"),
        reverse("points:member_file", args=[cast.member_a1.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url


def test_api_answers_to_a_token_are_never_cached(cast) -> None:  # type: ignore[no-untyped-def]
    _, key = tokens.issue(user=cast.committee_admin)
    response = Client().get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_anonymous_answers_and_static_files_keep_their_own_caching(cast) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    middleware = NoStoreMiddleware(lambda r: HttpResponse("ok"))
    anonymous = RequestFactory().get("/accounts/login/")
    anonymous.user = AnonymousUser()
    assert "Cache-Control" not in middleware(anonymous)
    static = RequestFactory().get("/static/js/xianfeng.js")
    static.user = cast.dept_admin
    assert "Cache-Control" not in middleware(static)


def test_api_fuzzing_findings_stay_fixed(cast) -> None:  # type: ignore[no-untyped-def]
    """year=0 and a 128555-year term were 500s under scripts/fuzz_api.py; now 400 / a default year."""
    _, key = tokens.issue(user=cast.dept_admin)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/points/entries/", {"year": 0}).status_code == 400
    assert client.get("/api/v1/points/ranking/below/", {"year": 0}).status_code == 400
    response = client.patch(
        f"/api/v1/organizations/{cast.branch_a1.pk}/", {"term_years": 128555}, content_type="application/json"
    )
    assert response.status_code == 400
    assert client.get("/api/v1/organizations/").status_code == 200
