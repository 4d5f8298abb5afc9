"""k8s2ief.ief.prepared prepares exactly what requests' own Session.request prepares, and
IefSession's requests go through it (their signatures still verified by the emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.cookies import RequestsCookieJar

from k8s2ief.ief import prepared
from k8s2ief.testing.emulator import Emulator

AK, SK, PROJECT = "TESTAK0123456789", "test-secret-key", "0123456789abcdef0123456789abcdef"
BASE = "http://127.0.0.1:8443"
SIGNED = {
    "Content-Type": "application/json",
    "User-Agent": "huaweicloud-usdk-python/3.0",
    "X-Project-Id": PROJECT,
    "X-Sdk-Date": "20261202T000000Z",
    "Host": "127.0.0.1:8443",
    "Authorization": "SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host, Signature=00",
}
REQUESTS = [
    ("POST", f"{BASE}/v3/{PROJECT}/edgemgr/deployments", SIGNED, '{"name": "app"}'),
    ("post", f"{BASE}/v3/{PROJECT}/edgemgr/deployments", SIGNED, b'{"name": "app"}'),
    ("GET", f"{BASE}/v3/{PROJECT}/edgemgr/deployments?limit=100&offset=200", SIGNED, None),
    ("GET", f"{BASE}/v3/{PROJECT}/edgemgr/deployments?name=a%20b&limit=1", SIGNED, ""),
    ("DELETE", f"{BASE}/v3/{PROJECT}/edgemgr/deployments/ab-12?force_delete=true", {}, None),
    ("PUT", f"{BASE}/v2/{PROJECT}/edgemgr/configmaps/x y", {"Accept": None, **SIGNED}, "{}"),
    ("GET", "http://user:pw@127.0.0.1:1/v3/p/edgemgr/deployments", {"X-Extra": "1"}, None),
]


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # as client._read_environment_once leaves it
    return session


def _fields(request: requests.PreparedRequest) -> tuple[Any, ...]:
    cookies = request._cookies
    return (
        request.method,
        request.url,
        list(request.headers.items()),
        request.body,
        request.hooks,
        type(cookies),
        len(cookies) if cookies is not None else None,
        request._body_position,
    )


@pytest.mark.parametrize(("method", "url", "headers", "data"), REQUESTS)
def test_a_plain_request_is_prepared_as_requests_prepares_it(
    method: str, url: str, headers: dict[str, Any], data: Any
) -> None:
    session = _session()
    urls: dict[str, str] = {}
    options = {"headers": headers, "data": data, "timeout": (1, 2), "stream": False}
    for _ in range(2):  # the second time with the URL remembered
        mine = prepared.plain_request(session, method, url, options, urls)
        assert mine is not None
        own = session.prepare_request(
            requests.Request(method.upper(), url, headers=headers, data=data or {}, params={})
        )
        assert _fields(mine) == _fields(own)
    assert list(urls) == [url]


@pytest.mark.parametrize(
    "change",
    [
        lambda s, o: s.cookies.set("lb", "1", domain="127.0.0.1"),  # a server set a cookie
        lambda s, o: setattr(s, "auth", ("user", "pw")),
        lambda s, o: s.params.update(limit="1"),
        lambda s, o: s.hooks["response"].append(print),
        lambda s, o: setattr(s, "trust_env", True),
        lambda s, o: o.update(params={"a": "1"}),
        lambda s, o: o.update(cookies={"a": "1"}),
        lambda s, o: o.update(json={"a": 1}),
        lambda s, o: o.update(files={"f": b"x"}),
        lambda s, o: o.update(data={"form": "field"}),
    ],
)
def test_anything_to_merge_leaves_the_request_to_requests(change: Any) -> None:
    session = _session()
    options: dict[str, Any] = {"headers": SIGNED, "data": "{}"}
    change(session, options)
    assert prepared.plain_request(session, "POST", BASE + "/x", options, {}) is None


def test_only_a_plain_requests_session_is_changed() -> None:
    class Custom(requests.Session):
        pass

    custom = Custom()
    assert not prepared.install(custom) and "request" not in vars(custom)
    assert not prepared.install(object())
    plain = _session()
    assert prepared.install(plain) and "request" in vars(plain)


def test_the_remembered_urls_are_bounded() -> None:
    session, urls = _session(), {}
    for offset in range(prepared.URLS_KEPT + 10):
        url = f"{BASE}/v3/p/edgemgr/deployments?offset={offset}"
        assert prepared.plain_request(session, "GET", url, {}, urls) is not None
    assert len(urls) <= prepared.URLS_KEPT


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("HOME", str(tmp_path))
    from k8s2ief.ief import client

    yield client


def test_iefsession_sends_through_the_shortcut_and_the_emulator_verifies_it(client: Any) -> None:
    sent: list[requests.PreparedRequest] = []
    with Emulator({AK: SK}, PROJECT) as emu:
        iefs = client.IefSession(AK, SK, PROJECT, endpoint=emu.endpoint, timeout=(1.0, 2.0))
        session = iefs._client.get_http_client()._session
        assert "request" in vars(session)  # the shortcut is installed
        for adapter in {id(a): a for a in session.adapters.values()}.values():
            send = adapter.send

            def recording(request: Any, *args: Any, send: Any = send, **kwargs: Any) -> Any:
                sent.append(request)
                return send(request, *args, **kwargs)

            adapter.send = recording
        body = {
            "name": "app",
            "node_ids": ["9ebd8efb-9fdd-44a1-abda-9cdbc287a867"],
            "deployment": {
                "replicas": 1,
                "template": {
                    "configs": {"host_network": True, "restart_policy": "Always"},
                    "containers": [
                        {
                            "name": "c",
                            "image_url": "nginx:alpine",
                            "resources": {"limits": {"cpu": "0.25", "memory": "500"}},
                        }
                    ],
                },
            },
        }
        created = iefs.create_deployment(body)
        assert [d["name"] for d in iefs.list_deployments()] == ["app"]
        assert iefs.show_deployment(created["id"])["name"] == "app"
        iefs.delete_deployment(created["id"])
        iefs.close()
        assert [(r.method, r.path, r.status) for r in emu.request_log] == [
            ("POST", f"/v3/{PROJECT}/edgemgr/deployments", 201),
            ("GET", f"/v3/{PROJECT}/edgemgr/deployments", 200),
            ("GET", f"/v3/{PROJECT}/edgemgr/deployments/{created['id']}", 200),
            ("DELETE", f"/v3/{PROJECT}/edgemgr/deployments/{created['id']}", 204),
        ]
    # What went out is what requests' own preparation of the same request gives.
    plain = _session()
    for request in sent:
        assert isinstance(request._cookies, RequestsCookieJar)
        headers = dict(request.headers)  # the SDK's, over the session's defaults
        own = plain.prepare_request(
            requests.Request(request.method, request.url, headers=headers, data=request.body or {})
        )
        assert _fields(request) == _fields(own)
