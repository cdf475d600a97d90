"""The Aliyun SMS backend builds a real SendSmsRequest and calls the official SDK client.

No external network exists here: the client is pointed at a fake endpoint on 127.0.0.1.
"""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine

from notifications.backends import AliyunBackend, Sms, SmsError, SmsUncertain, get_backend


class FakeAliyun(BaseHTTPRequestHandler):
    replies: list[dict] = []
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        FakeAliyun.seen.append({"query": query, "headers": {k.lower(): v for k, v in self.headers.items()}})
        reply = dict(FakeAliyun.replies.pop(0))
        status = reply.pop("_status", 200)
        out = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_endpoint():
    FakeAliyun.seen = []
    server = HTTPServer(("127.0.0.1", 0), FakeAliyun)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def backend(endpoint="127.0.0.1:9"):
    return AliyunBackend(
        access_key_id="test-ak",
        access_key_secret="test-secret",
        sign_name="先锋智慧党建",
        template_code="SMS_000001",
        endpoint=endpoint,
        protocol="http",
    )


SMS = Sms(
    phone="13812345678",
    body="【先锋智慧党建】您支部本月尚未开展：支委会。",
    dedupe_key="reminder:1:2026-10:20:5:sms",
)


def test_the_request_carries_number_sign_template_and_content():
    from alibabacloud_dysmsapi20170525.models import SendSmsRequest

    request = backend().build_request(SMS)
    assert isinstance(request, SendSmsRequest)
    assert request.phone_numbers == "13812345678"
    assert request.sign_name == "先锋智慧党建"
    assert request.template_code == "SMS_000001"
    assert json.loads(request.template_param) == {"content": "您支部本月尚未开展：支委会。"}
    assert request.out_id == "reminder:1:2026-10:20:5:sms"


def test_the_client_is_the_official_sdk_client_configured_from_settings(settings):
    from alibabacloud_dysmsapi20170525.client import Client

    settings.XIANFENG_SMS_BACKEND = "aliyun"
    settings.XIANFENG_ALIYUN_ACCESS_KEY_ID = "ak-from-env"
    settings.XIANFENG_ALIYUN_SMS_ENDPOINT = "dysmsapi.aliyuncs.com"
    chosen = get_backend()
    assert isinstance(chosen, AliyunBackend)
    assert chosen.access_key_id == "ak-from-env"
    assert isinstance(chosen.client(), Client)


def test_a_send_goes_through_the_sdk_to_the_endpoint(fake_endpoint):
    FakeAliyun.replies = [{"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r1"}]
    assert backend(fake_endpoint).send(SMS) == "900619746936498440^0"
    (seen,) = FakeAliyun.seen
    query, headers = seen["query"], seen["headers"]
    assert headers["x-acs-action"] == "SendSms"
    assert headers["x-acs-version"] == "2017-05-25"
    assert "Credential=test-ak" in headers["authorization"]  # signed with the configured key
    assert query["PhoneNumbers"] == "13812345678"
    assert query["SignName"] == "先锋智慧党建"
    assert query["TemplateCode"] == "SMS_000001"
    assert json.loads(query["TemplateParam"]) == {"content": "您支部本月尚未开展：支委会。"}


def test_a_refusal_by_the_platform_is_a_retryable_error(fake_endpoint):
    FakeAliyun.replies = [{"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控", "RequestId": "r2"}]
    with pytest.raises(SmsError, match="BUSINESS_LIMIT_CONTROL"):
        backend(fake_endpoint).send(SMS)


def test_an_unreachable_platform_is_a_retryable_error():
    with pytest.raises(SmsError):
        backend("127.0.0.1:9").send(SMS)  # nothing listens on the discard port


def test_missing_keys_are_reported_without_calling_out(settings):
    settings.XIANFENG_ALIYUN_ACCESS_KEY_ID = ""
    with pytest.raises(SmsError, match="未配置"):
        AliyunBackend(access_key_secret="x", template_code="y").send(SMS)


# -- exactly once: a call without an answer is uncertain, and QuerySendDetails finds a message by OutId --


def detail(out_id, phone="13812345678"):
    return {"OutId": out_id, "PhoneNum": phone, "SendStatus": 3, "SendDate": "2026-10-20 09:00:01"}


def records(*details, total=None):
    return {
        "Code": "OK",
        "Message": "OK",
        "RequestId": "q",
        "TotalCount": total if total is not None else len(details),
        "SmsSendDetailDTOs": {"SmsSendDetailDTO": list(details)},
    }


SINCE = dt.datetime(2026, 10, 20, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing


def test_the_query_asks_for_one_number_on_one_beijing_date():
    from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest

    request = backend().build_query(SMS, "20261020", 2)
    assert isinstance(request, QuerySendDetailsRequest)
    assert (request.phone_number, request.send_date, request.page_size, request.current_page) == (
        "13812345678",
        "20261020",
        50,
        2,
    )


def test_the_dates_searched_run_from_the_attempt_to_today_in_beijing_within_thirty_days():
    late = dt.datetime(2026, 10, 20, 15, 59, tzinfo=dt.UTC)  # 23:59 in Beijing
    assert backend().send_dates(late, late + dt.timedelta(minutes=6)) == ["20261020", "20261021"]
    assert backend().send_dates(SINCE, SINCE) == ["20261020"]
    dates = backend().send_dates(SINCE - dt.timedelta(days=90), SINCE)
    assert (len(dates), dates[0], dates[-1]) == (30, "20260921", "20261020")


def test_a_message_the_platform_has_is_found_by_its_out_id(fake_endpoint):
    FakeAliyun.replies = [records(detail("other"), detail(SMS.out_id))]
    with time_machine.travel(SINCE + dt.timedelta(minutes=6)):
        found = backend(fake_endpoint).lookup(SMS, since=SINCE)
    assert found == f"OutId {SMS.out_id} 20261020"
    (seen,) = FakeAliyun.seen
    assert seen["headers"]["x-acs-action"] == "QuerySendDetails"
    query = seen["query"]
    assert (query["PhoneNumber"], query["SendDate"], query["PageSize"], query["CurrentPage"]) == (
        "13812345678",
        "20261020",
        "50",
        "1",
    )


def test_the_search_turns_the_pages(fake_endpoint):
    FakeAliyun.replies = [
        records(*[detail(f"k{i}") for i in range(50)], total=51),
        records(detail(SMS.out_id), total=51),
    ]
    with time_machine.travel(SINCE + dt.timedelta(minutes=6)):
        assert backend(fake_endpoint).lookup(SMS, since=SINCE) is not None
    assert [seen["query"]["CurrentPage"] for seen in FakeAliyun.seen] == ["1", "2"]


def test_a_message_the_platform_has_no_record_of_is_reported_missing(fake_endpoint):
    FakeAliyun.replies = [records(detail("other"))]
    with time_machine.travel(SINCE + dt.timedelta(minutes=6)):
        assert backend(fake_endpoint).lookup(SMS, since=SINCE) is None


def test_a_failed_search_is_an_error_not_a_missing_record(fake_endpoint):
    FakeAliyun.replies = [{"Code": "isv.SYSTEM_ERROR", "Message": "系统错误", "RequestId": "r"}]
    with time_machine.travel(SINCE + dt.timedelta(minutes=6)), pytest.raises(SmsError, match="SYSTEM_ERROR"):
        backend(fake_endpoint).lookup(SMS, since=SINCE)


def test_a_call_without_an_answer_may_have_been_sent():
    with pytest.raises(SmsUncertain):
        backend("127.0.0.1:9").send(SMS)


def test_a_server_error_may_have_been_sent_and_a_refusal_was_not(fake_endpoint):
    FakeAliyun.replies = [{"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r", "_status": 503}]
    with pytest.raises(SmsUncertain):
        backend(fake_endpoint).send(SMS)
    FakeAliyun.replies = [{"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "号码格式错误", "RequestId": "r"}]
    with pytest.raises(SmsError) as refused:
        backend(fake_endpoint).send(SMS)
    assert not isinstance(refused.value, SmsUncertain)
