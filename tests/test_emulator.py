"""The IEF emulator, driven through the real SDK (via k8s2ief.ief.client) over 127.0.0.1."""

from __future__ import annotations

import contextlib
import copy
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest
import requests

from k8s2ief.testing import signing
from k8s2ief.testing.emulator import Emulator, Faults, LoggedRequest

AK, SK, PROJECT = "TESTAK0123456789", "test-secret-key", "0123456789abcdef0123456789abcdef"
NODE = "9ebd8efb-9fdd-44a1-abda-9cdbc287a867"
FAST = (1.0, 2.0)  # (connect, read) timeouts that keep the suite quick


def deployment_body(name: str = "app", **top: object) -> dict[str, Any]:
    """The seed's request example: a valid professional-edition create body."""
    body: dict[str, Any] = {
        "name": name,
        "description": "this is a test app",
        "node_ids": [NODE],
        "tags": [{"key": "app", "value": "test"}],
        "deployment": {
            "replicas": 1,
            "template": {
                "configs": {"host_network": True, "restart_policy": "Always"},
                "containers": [
                    {
                        "name": "container-0",
                        "image_url": "nginx:alpine",
                        "resources": {"limits": {"cpu": "0.25", "memory": "500"}},
                    }
                ],
            },
        },
    }
    body.update(top)
    return body


@pytest.fixture(scope="module")
def ief(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """k8s2ief.ief.client, imported with HOME in a temporary directory.

    The SDK writes $HOME/.huaweicloud/application_id when it is first imported.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        from k8s2ief.ief import client

        yield client


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator({AK: SK}, PROJECT) as emulator:
        yield emulator


def session(ief: ModuleType, emu: Emulator, **options: Any) -> Any:
    settings: dict[str, Any] = {"endpoint": emu.endpoint, "timeout": FAST}
    settings.update(options)
    return ief.IefSession(
        settings.pop("ak", AK), settings.pop("sk", SK), settings.pop("project", PROJECT), **settings
    )


def raw_client(emu: Emulator, request_handler: Any = None) -> Any:
    """The SDK's own IefClient, for what IefSession does not expose (fuzzy lists, tampering)."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcore.http.http_handler import HttpHandler
    from huaweicloudsdkief.v1 import IefClient

    builder = (
        IefClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoint(emu.endpoint)
        .with_http_config(HttpConfig(timeout=FAST))
    )
    if request_handler is not None:
        builder.with_http_handler(HttpHandler().add_request_handler(request_handler))
    return builder.build()


# --------------------------------------------------------------------------- the happy paths


def test_deployment_create_show_update_delete(ief: ModuleType, emu: Emulator) -> None:
    iefs = session(ief, emu)
    created = iefs.create_deployment(deployment_body())

    assert uuid.UUID(created["id"])
    assert created["name"] == "app" and created["node_ids"] == [NODE]
    assert (created["replicas"], created["ready_replicas"], created["api_version"]) == (1, 0, "v3")
    assert (created["state"], created["source_id"], created["project_id"]) == ("", "", PROJECT)
    # Defaults the real service fills in, as in the seed's 201 answer.
    assert created["template"]["init_containers"] == []
    assert created["template"]["containers"][0]["privileged"] is False
    # No instance is ready in the create answer; with no ready delay, the next read has them.
    now = {**created, "ready_replicas": 1}
    assert iefs.show_deployment(created["id"]) == now == emu.deployments[0]

    template = copy.deepcopy(deployment_body()["deployment"]["template"])
    template["containers"][0]["image_url"] = "nginx:1.27"
    updated = iefs.update_deployment(
        created["id"], {"deployment": {"replicas": 1, "template": template}, "description": "v2"}
    )
    assert updated["description"] == "v2"
    assert updated["template"]["containers"][0]["image_url"] == "nginx:1.27"
    assert emu.deployments[0]["template"]["containers"][0]["image_url"] == "nginx:1.27"

    iefs.delete_deployment(created["id"], force=True)
    assert emu.deployments == []
    with pytest.raises(ief.IefError) as gone:
        iefs.show_deployment(created["id"])
    assert (gone.value.status, gone.value.error_code) == (404, "IEF.100004")
    assert emu.request_log[0] == LoggedRequest("POST", f"/v3/{PROJECT}/edgemgr/deployments", 201)


def test_list_by_name_is_fuzzy_on_the_server_and_exact_in_the_client(
    ief: ModuleType, emu: Emulator
) -> None:
    from huaweicloudsdkief.v1 import ListDeploymentsRequest

    iefs = session(ief, emu)
    for index in range(100):
        iefs.create_deployment(deployment_body(f"web-{index}"))
    iefs.create_deployment(deployment_body("web"))  # the 101st match: on the second page

    fuzzy = raw_client(emu).list_deployments(ListDeploymentsRequest(name="web", limit=100))
    assert (fuzzy.count, len(fuzzy.deployments)) == (101, 100)
    assert [d["name"] for d in iefs.list_deployments_by_name("web")] == ["web"]
    assert [d["name"] for d in iefs.list_deployments_by_name("web-7")] == ["web-7"]
    assert iefs.list_deployments_by_name("we") == []
    assert iefs.list_deployments_by_name("wéb ~/+") == []  # signed and checked with escapes


def test_update_refuses_fields_that_cannot_change(ief: ModuleType, emu: Emulator) -> None:
    iefs = session(ief, emu)
    created = iefs.create_deployment(deployment_body())
    for body in ({"name": "other"}, {"deployment": {"replicas": 1, "annotations": {}}}):
        with pytest.raises(ief.IefError) as refused:
            iefs.update_deployment(created["id"], body)
        assert (refused.value.status, refused.value.error_code) == (400, "IEF.100002")
        assert not refused.value.retryable


def test_configmap_and_secret_create_update_list(ief: ModuleType, emu: Emulator) -> None:
    iefs = session(ief, emu)
    configmap = iefs.create_configmap(
        {"configmap": {"name": "app-config", "description": "d", "configs": {"a": "1"}}}
    )
    iefs.create_configmap({"configmap": {"name": "app-config-2", "configs": {}}})
    updated = iefs.update_configmap(configmap["id"], {"configmap": {"configs": {"a": "2"}}})
    assert updated["configs"] == {"a": "2"} and updated["name"] == "app-config"
    assert [c["id"] for c in iefs.list_configmaps_by_name("app-config")] == [configmap["id"]]

    secret = iefs.create_secret(
        {"secret": {"name": "app-secret", "type": "Opaque", "secrets": {"pw": "cGFzcw=="}}}
    )
    iefs.update_secret(secret["id"], {"secret": {"secrets": {"pw": "bmV3"}}})
    assert [s["secrets"] for s in iefs.list_secrets_by_name("app-secret")] == [{"pw": "bmV3"}]
    assert emu.secrets[0]["type"] == "Opaque"
    iefs.delete_secret(secret["id"])
    iefs.delete_configmap(configmap["id"])
    assert [c["name"] for c in emu.configmaps] == ["app-config-2"] and emu.secrets == []


@pytest.mark.parametrize(
    ("call", "body"),
    [
        ("create_configmap", {"configmap": {"name": "Bad_Name"}}),
        ("create_configmap", {"configmap": {"name": "abc"}}),  # under 4 characters
        ("create_configmap", {"configmap": {"name": "ends-with-"}}),
        ("create_secret", {"secret": {"name": "app-secret", "secrets": {"pw": "not base64!"}}}),
        ("create_secret", {"secret": {"name": "app-secret", "type": "kubernetes.io/tls"}}),
    ],
)
def test_configmap_and_secret_rules(
    ief: ModuleType, emu: Emulator, call: str, body: dict[str, Any]
) -> None:
    with pytest.raises(ief.IefError) as refused:
        getattr(session(ief, emu), call)(body)
    assert (refused.value.status, refused.value.error_code) == (400, "IEF.100011")
    assert "not base64!" not in refused.value.error_msg  # secret values are never echoed


def test_configmap_update_cannot_rename(ief: ModuleType, emu: Emulator) -> None:
    iefs = session(ief, emu)
    configmap = iefs.create_configmap({"configmap": {"name": "app-config"}})
    with pytest.raises(ief.IefError) as refused:
        iefs.update_configmap(configmap["id"], {"configmap": {"name": "renamed"}})
    assert (refused.value.status, refused.value.error_code) == (400, "IEF.100002")


# --------------------------------------------------------------------------- what it refuses


def test_wrong_secret_key_is_refused(ief: ModuleType, emu: Emulator) -> None:
    with pytest.raises(ief.IefError) as refused:
        session(ief, emu, sk="not-the-secret-key").create_deployment(deployment_body())
    error = refused.value
    assert (error.status, error.error_code, error.retryable) == (401, "APIGW.0301", False)
    assert "not-the-secret-key" not in str(error)
    assert emu.deployments == []


def test_tampered_body_is_refused(emu: Emulator, ief: ModuleType) -> None:
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkief.v1 import CreateDeploymentsRequest

    def tamper(request: Any, **_context: Any) -> None:  # runs after signing, before sending
        request.body = request.body.replace(b'"replicas": 1', b'"replicas": 2')

    client = raw_client(emu, tamper)
    with pytest.raises(ClientRequestException) as refused:
        client.create_deployments(CreateDeploymentsRequest(body=deployment_body()))
    assert (refused.value.status_code, refused.value.error_code) == (401, "APIGW.0301")
    assert "signature" in refused.value.error_msg
    assert emu.deployments == []


def test_stale_date_is_refused(emu: Emulator, ief: ModuleType) -> None:
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkief.v1 import ListDeploymentsRequest

    client = raw_client(emu)
    stale = datetime.now(timezone.utc) - timedelta(minutes=16)
    client.preset_headers = {"X-Sdk-Date": stale.strftime(signing.DATE_FORMAT)}  # signed as is
    with pytest.raises(ClientRequestException) as refused:
        client.list_deployments(ListDeploymentsRequest())
    assert refused.value.status_code == 401 and "15 minutes" in refused.value.error_msg


def test_invalid_body_is_refused_with_the_first_violation(ief: ModuleType, emu: Emulator) -> None:
    body = deployment_body()
    body["deployment"]["replicas"] = 3  # the professional edition runs exactly one
    with pytest.raises(ief.IefError) as refused:
        session(ief, emu).create_deployment(body)
    error = refused.value
    assert (error.status, error.error_code, error.retryable) == (400, "IEF.100011", False)
    assert error.error_msg.startswith("$.deployment.replicas: ")


def test_duplicate_name_is_refused(ief: ModuleType, emu: Emulator) -> None:
    iefs = session(ief, emu)
    iefs.create_deployment(deployment_body())
    with pytest.raises(ief.IefError) as refused:
        iefs.create_deployment(deployment_body())
    assert (refused.value.status, refused.value.error_code) == (400, "IEF.100013")
    assert len(emu.deployments) == 1


def test_concurrent_creates_of_one_name_make_one_deployment(ief: ModuleType, emu: Emulator) -> None:
    def create(_: int) -> str:
        try:
            return str(session(ief, emu).create_deployment(deployment_body())["id"])
        except ief.IefError as error:
            return str(error.error_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(create, range(8)))
    assert outcomes.count("IEF.100013") == 7 and len(emu.deployments) == 1


def test_temporary_credentials_sign_their_token(ief: ModuleType, emu: Emulator) -> None:
    iefs = session(ief, emu, security_token="temporary-token")
    assert iefs.list_deployments_by_name("app") == []


def test_other_project_is_refused(ief: ModuleType, emu: Emulator) -> None:
    with pytest.raises(ief.IefError) as refused:
        session(ief, emu, project="another-project").list_deployments_by_name("app")
    assert refused.value.error_msg == "PROJECT_ID not found"
    assert (refused.value.status, refused.value.error_code) == (400, "IEF.100001")


def test_platinum_needs_the_instance_header(ief: ModuleType) -> None:
    body = deployment_body()
    body["deployment"]["replicas"] = 3  # fine on platinum
    with Emulator({AK: SK}, PROJECT, edition="platinum") as emu:
        with pytest.raises(ief.IefError) as refused:
            session(ief, emu).create_deployment(body)
        assert (refused.value.status, refused.value.error_code) == (400, "IEF.100003")
        created = session(ief, emu, instance_id="instance-1").create_deployment(body)
        assert created["replicas"] == 3


def test_body_over_12_mb_is_refused(emu: Emulator) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=2)
    connection.putrequest("POST", f"/v3/{PROJECT}/edgemgr/deployments")
    connection.putheader("Content-Length", str(12 * 1024 * 1024 + 1))
    connection.endheaders()  # the body never follows: the answer must not wait for it
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error_code"] == "APIGW.0201"
    connection.close()


def test_signature_check_agrees_with_the_sdk_signer(ief: ModuleType) -> None:
    """Edge cases of canonicalisation the IEF calls do not reach: encoded path, repeated keys."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    request = SdkRequest(
        method="GET",
        schema="http",
        host="127.0.0.1:8080",
        resource_path="/v3/p/a b/%C3%A9~x",
        query_params=[("name", "a b/é~+*"), ("limit", 5), ("k", ["z", "a"]), ("flag", True)],
        header_params={"Content-Type": "application/json", "X-Project-Id": "p"},
        body=b"",
    )
    Signer(BasicCredentials("ak", "sk")).sign(request)
    headers = http.client.HTTPMessage()  # what http.server hands the emulator
    for name, value in request.header_params.items():
        headers[name] = value

    assert signing.verify("GET", request.uri, headers, b"", {"ak": "sk"}) == "ak"
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify("GET", request.uri + "&x=1", headers, b"", {"ak": "sk"})
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify("GET", request.uri, headers, b"", {"ak": "other"})
    # An unknown access key is answered exactly as a wrong signature: nothing tells keys apart.
    with pytest.raises(signing.SignatureError) as unknown:
        signing.verify("GET", request.uri, headers, b"", {"another-ak": "sk"})
    with pytest.raises(signing.SignatureError) as wrong:
        signing.verify("GET", request.uri, headers, b"", {"ak": "other"})
    assert str(unknown.value) == str(wrong.value) == signing.MISMATCH


def test_unknown_key_and_bad_signature_get_the_same_answer(ief: ModuleType, emu: Emulator) -> None:
    answers = []
    for ak, sk in ((AK, "wrong-secret"), ("UNKNOWNAK000000", SK)):
        with pytest.raises(ief.IefError) as refused:
            session(ief, emu, ak=ak, sk=sk).list_deployments()
        answers.append((refused.value.status, refused.value.error_code, refused.value.error_msg))
    assert answers[0] == answers[1] and answers[0][:2] == (401, "APIGW.0301")


def test_signed_host_must_name_this_endpoint(ief: ModuleType, emu: Emulator) -> None:
    # Signed (correctly) for another host, as a request captured elsewhere and replayed here.
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    def send(host: str) -> int:
        path = f"/v3/{PROJECT}/edgemgr/deployments"
        request = SdkRequest(
            method="GET",
            schema="http",
            host=host,
            resource_path=path,
            query_params=[],
            header_params={"Content-Type": "application/json", "X-Project-Id": PROJECT},
            body=b"",
        )
        Signer(BasicCredentials(AK, SK)).sign(request)
        connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
        connection.request("GET", path, headers=request.header_params)
        return connection.getresponse().status

    assert send(f"127.0.0.1:{emu.port}") == 200
    assert send(f"localhost:{emu.port}") == 200
    assert send("ief.cn-north-4.myhuaweicloud.com") == 401
    assert send(f"127.0.0.1:{emu.port + 1}") == 401


def test_instances_get_ready_after_the_delay_unless_the_image_never_does(ief: ModuleType) -> None:
    with Emulator({AK: SK}, PROJECT, ready_delay_s=0.3, never_ready_image=r":broken$") as emu:
        iefs = session(ief, emu)
        good = iefs.create_deployment(deployment_body("good"))
        bad_body = deployment_body("bad")
        bad_body["deployment"]["template"]["containers"][0]["image_url"] = "nginx:broken"
        bad = iefs.create_deployment(bad_body)
        assert (
            good["ready_replicas"] == 0 and iefs.show_deployment(good["id"])["ready_replicas"] == 0
        )
        time.sleep(0.35)
        assert iefs.show_deployment(good["id"])["ready_replicas"] == 1
        assert iefs.show_deployment(bad["id"])["ready_replicas"] == 0
        listed = {d["name"]: d["ready_replicas"] for d in iefs.list_deployments()}
        assert listed == {"good": 1, "bad": 0}


# --------------------------------------------------------------------------- faults


def test_injected_500_is_retryable_and_commits_nothing(ief: ModuleType, emu: Emulator) -> None:
    emu.set_faults(Faults(error_rate=1.0))
    with pytest.raises(ief.IefError) as failed:
        session(ief, emu).create_deployment(deployment_body())
    error = failed.value
    assert (error.status, error.error_code, error.retryable) == (500, "IEF.100500", True)
    assert error.outcome_unknown  # a 5xx does not prove that nothing was written
    assert emu.deployments == []


def test_injected_429_is_retryable(ief: ModuleType, emu: Emulator) -> None:
    emu.set_faults(Faults(throttle_rate=1.0, retry_after_s=3))
    iefs = session(ief, emu)
    with pytest.raises(ief.IefError) as on_post:
        iefs.create_deployment(deployment_body())
    assert (on_post.value.status, on_post.value.error_code) == (429, "APIGW.0308")
    assert (on_post.value.retryable, on_post.value.retry_after) == (True, 3.0)
    assert not on_post.value.outcome_unknown
    # On GET, urllib3's retry policy swallows the answer: status only, no Retry-After.
    with pytest.raises(ief.IefError) as on_get:
        iefs.list_deployments_by_name("app")
    assert (on_get.value.status, on_get.value.retryable, on_get.value.retry_after) == (
        429,
        True,
        None,
    )


def test_timeout_after_commit_leaves_the_outcome_unknown(ief: ModuleType, emu: Emulator) -> None:
    emu.set_faults(Faults(commit_timeout_rate=1.0, commit_hold_s=2.0))
    started = time.monotonic()
    with pytest.raises(ief.IefError) as failed:
        session(ief, emu, timeout=(1.0, 0.3)).create_deployment(deployment_body())
    assert time.monotonic() - started < 1.5
    error = failed.value
    assert error.error_code == "READ_TIMEOUT" and error.retryable and error.outcome_unknown
    assert isinstance(error.__cause__, requests.exceptions.ReadTimeout)  # the SDK quirk
    assert [d["name"] for d in emu.deployments] == ["app"]  # committed all the same
    emu.set_faults(Faults())
    assert len(session(ief, emu).list_deployments_by_name("app")) == 1


def test_dropped_answer_after_commit(ief: ModuleType, emu: Emulator) -> None:
    emu.set_faults(Faults(commit_timeout_rate=1.0, commit_hold_s=0))
    with pytest.raises(ief.IefError) as failed:
        session(ief, emu).create_configmap({"configmap": {"name": "app-config"}})
    assert (failed.value.status, failed.value.outcome_unknown) == (None, True)
    assert [c["name"] for c in emu.configmaps] == ["app-config"]


def test_connection_reset(ief: ModuleType, emu: Emulator) -> None:
    emu.set_faults(Faults(reset_rate=1.0))
    iefs = session(ief, emu)
    with pytest.raises(ief.IefError) as on_write:
        iefs.create_deployment(deployment_body())
    assert (on_write.value.status, on_write.value.error_code) == (None, "CONNECTION_ERROR")
    assert on_write.value.retryable and on_write.value.outcome_unknown
    with pytest.raises(ief.IefError) as on_read:
        iefs.list_deployments_by_name("app")
    assert on_read.value.retryable and not on_read.value.outcome_unknown
    assert emu.deployments == []
    assert [entry.status for entry in emu.request_log] == [None, None]


def test_latency(ief: ModuleType, emu: Emulator) -> None:
    emu.set_faults(Faults(latency_ms=200))
    started = time.monotonic()
    session(ief, emu).list_deployments_by_name("app")
    assert time.monotonic() - started >= 0.2


def test_faults_are_reproducible(ief: ModuleType) -> None:
    def statuses() -> list[int | None]:
        with Emulator({AK: SK}, PROJECT, faults=Faults(error_rate=0.5, seed=7)) as emu:
            iefs = session(ief, emu)
            for _ in range(12):
                with contextlib.suppress(ief.IefError):
                    iefs.list_deployments_by_name("app")
            return [entry.status for entry in emu.request_log]

    first = statuses()
    assert first == statuses()
    assert {200, 500} <= set(first)


# --------------------------------------------------------------------------- the command line


def test_command_line_serves_in_the_foreground(ief: ModuleType) -> None:
    # The project id from the same variable apply reads.
    command = [sys.executable, "-m", "k8s2ief", "emulator"]
    environment = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "PATH": "/usr/bin",
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
        "HOME": os.environ["HOME"],
    }
    environment["PYTHONPATH"] = ":".join(sys.path)
    with subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            endpoint = server.stdout.readline().split()[-1]  # "... listening on http://..."
            iefs = ief.IefSession(AK, SK, PROJECT, endpoint=endpoint, timeout=FAST)
            assert iefs.create_deployment(deployment_body())["name"] == "app"
        finally:
            server.terminate()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"HUAWEICLOUD_SDK_AK": AK}, "HUAWEICLOUD_SDK_SK"),
        ({"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}, "HUAWEICLOUD_SDK_PROJECT_ID"),
    ],
)
def test_command_line_needs_credentials_and_project(
    variables: dict[str, str], message: str
) -> None:
    environment = {"PATH": "/usr/bin", "HOME": os.environ["HOME"], **variables}
    environment["PYTHONPATH"] = ":".join(sys.path)
    done = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "emulator"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr


def test_command_line_injects_faults(ief: ModuleType) -> None:
    command = [
        sys.executable,
        "-m",
        "k8s2ief",
        "emulator",
        "--project-id",
        PROJECT,
        "--error-rate",
        "1",
        "--seed",
        "3",
    ]
    environment = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "PATH": "/usr/bin",
        "HOME": os.environ["HOME"],
        "PYTHONPATH": ":".join(sys.path),
    }
    with subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            endpoint = server.stdout.readline().split()[-1]
            iefs = ief.IefSession(AK, SK, PROJECT, endpoint=endpoint, timeout=FAST)
            with pytest.raises(ief.IefError) as failed:
                iefs.list_deployments()
            assert (failed.value.status, failed.value.error_code) == (500, "IEF.100500")
        finally:
            server.terminate()


def test_session_refuses_empty_keys(ief: ModuleType) -> None:
    with pytest.raises(ValueError, match="access key"):
        ief.IefSession("", "", PROJECT, endpoint="http://127.0.0.1:1")
    with pytest.raises(ValueError, match="exactly one"):
        ief.IefSession(AK, SK, PROJECT)
