"""A thin wrapper over the official IEF SDK: plain dicts in and out, one exception type.

Only the submit commands import this module: importing the SDK takes a quarter of a second and
writes ``$HOME/.huaweicloud/application_id``.

Every method answers the resource as the API shows it on the wire (the answer's raw JSON, so
fields the SDK's models do not know survive). Every failure is an ``IefError`` that says whether
trying again makes sense and whether a write may have happened although it failed.

Create-deployment bodies go through ``k8s2ief.ief.sdk_models.to_sdk_model``, which proves they
fit the SDK's models. The other bodies (updates, ConfigMaps, Secrets) are small and fixed; they
are handed to the SDK as plain dicts, which it serialises unchanged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exception_handler import DefaultExceptionHandler
from huaweicloudsdkcore.exceptions.exceptions import (
    ConnectionException,
    HostUnreachableException,
    RequestTimeoutException,
    SdkException,
    ServiceResponseException,
    SslHandShakeException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig

from k8s2ief.ief.sdk_import import import_lazily, load_models

import_lazily()  # before the SDK's packages are first imported: only the models used load

from huaweicloudsdkief import v1  # noqa: E402
from huaweicloudsdkief.v1 import (  # noqa: E402
    CreateConfigMapRequest,
    CreateDeploymentsRequest,
    CreateSecretRequest,
    DeleteConfigMapRequest,
    DeleteDeploymentRequest,
    DeleteSecretRequest,
    IefClient,
    ListConfigMapsRequest,
    ListDeploymentsRequest,
    ListSecretsRequest,
    ShowDeploymentRequest,
    UpdateConfigMapRequest,
    UpdateDeploymentRequest,
    UpdateSecretRequest,
)
from huaweicloudsdkief.v1.region.ief_region import IefRegion  # noqa: E402

from k8s2ief.ief import prepared  # noqa: E402
from k8s2ief.ief.errors import (  # noqa: E402
    BAD_ANSWER,
    CONNECTION_ERROR,
    READ_TIMEOUT,
    SDK_ERROR,
    TLS_ERROR,
    IefError,
    Stopped,
)
from k8s2ief.ief.sdk_models import to_sdk_model  # noqa: E402

load_models(v1, [name for name in dir(v1) if name.endswith("Request") and name in globals()])

__all__ = ["IefError", "IefSession", "to_ief_error"]

JsonObject = dict[str, Any]

# The SDK logs each failure on this logger before raising it; without a handler Python would
# print those lines on stderr. The IefError raised carries the same facts.
logging.getLogger(f"HuaweiCloud-SDK-{IefClient.__name__}").addHandler(logging.NullHandler())

DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds
PAGE_SIZE = 100  # the list calls' largest limit


class _KeepRetryAfter(DefaultExceptionHandler):
    """The SDK's error handler, plus the Retry-After header, which its exceptions drop.

    It only sees answers that reach the SDK: for GET, PUT and DELETE, urllib3 turns a 429 into a
    RetryError first (the SDK's retry policy lists 429 even with zero retries), so those 429s
    come without the header and with error code "429".
    """

    def handle_exception(self, request: Any, response: requests.Response) -> None:
        try:
            super().handle_exception(request, response)
        except ServiceResponseException as error:
            retry_after = _seconds(response.headers.get("Retry-After"))
            error.retry_after = retry_after
            raise


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to the caller's own backoff


def _never_sent(error: ConnectionException) -> bool:
    """True when the connection failed before the request could reach the server."""
    if isinstance(error, HostUnreachableException):
        return True
    text = str(error.error_msg)
    return "Failed to establish a new connection" in text or "Connection refused" in text


def to_ief_error(error: Exception, *, write: bool) -> IefError | None:
    """The IefError for an exception the SDK raised or let escape; None if it is not one."""
    if isinstance(error, ServiceResponseException):
        status = int(error.status_code)
        server_side = status >= 500
        return IefError(
            status,
            str(error.error_code or status),
            str(error.error_msg or ""),
            retryable=status == 429 or server_side,
            # A 5xx may come from a gateway that gave up on a backend that did commit.
            outcome_unknown=write and server_side,
            retry_after=getattr(error, "retry_after", None),
            request_id=error.request_id,
        )
    if isinstance(error, SslHandShakeException):
        return IefError(None, TLS_ERROR, str(error.error_msg), False, False)
    if isinstance(error, ConnectionException):
        # urllib3 reports a GET's read timeout as a connection error: say which it was.
        text = str(error.error_msg)
        code = READ_TIMEOUT if "Read timed out" in text else CONNECTION_ERROR
        return IefError(None, code, text, True, write and not _never_sent(error))
    if isinstance(error, (requests.exceptions.Timeout, RequestTimeoutException)):
        # The SDK's quirk: a read timeout on POST escapes as requests' own ReadTimeout.
        return IefError(None, READ_TIMEOUT, str(error), True, write)
    if isinstance(error, requests.exceptions.RequestException):
        return IefError(None, CONNECTION_ERROR, str(error), True, write)
    if isinstance(error, SdkException):
        return IefError(None, SDK_ERROR, str(error.error_msg), False, write)
    return None


class IefSession:
    """One project's IEF API through the official SDK.

    Give ``region`` (a built-in IEF region such as ``cn-north-4``) or ``endpoint`` (a URL; one
    starting with ``http`` is used as given). ``instance_id`` is the platinum edition's instance,
    sent as the ``ief-instance-id`` header. TLS certificates are always verified, against
    ``ca_cert`` when given. The SDK retries nothing: the caller decides, knowing what is safe.
    """

    def __init__(
        self,
        ak: str,
        sk: str,
        project_id: str,
        *,
        region: str | None = None,
        endpoint: str | None = None,
        instance_id: str | None = None,
        ca_cert: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        security_token: str | None = None,
    ) -> None:
        # With no keys the SDK would ask the cloud's metadata address for some.
        if not ak or not sk:
            raise ValueError("an access key and a secret key are required")
        if not project_id:
            raise ValueError("a project id is required")
        if (region is None) == (endpoint is None):
            raise ValueError("give exactly one of region and endpoint")
        credentials = BasicCredentials(ak, sk, project_id)
        if security_token:
            credentials = credentials.with_security_token(security_token)
        config = HttpConfig.get_default_config()
        config.timeout = timeout
        config.retry_times = 0
        config.ignore_ssl_verification = False
        # requests would read these per request (below); read once, with the same meaning.
        config.ssl_ca_cert = (
            ca_cert or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        )
        builder = (
            IefClient.new_builder()
            .with_credentials(credentials)
            .with_http_config(config)
            .with_exception_handler(_KeepRetryAfter())
        )
        if region is not None:
            builder.with_region(_region(region))
        else:
            builder.with_endpoint(endpoint)
        self._client = builder.build()
        _read_environment_once(self._client)
        prepared.install(getattr(self._client.get_http_client(), "_session", None))
        _sign_in_caller(self._client)
        _keep_raw_answers(self._client)
        self._instance_id = instance_id
        self._gate: AbstractContextManager[object] = contextlib.nullcontext()
        self._gate_whole_call = True  # until limit_in_flight finds the SDK's HTTP adapters

    def limit_in_flight(self, gate: AbstractContextManager[object]) -> None:
        """Send every request of this session inside ``gate`` (shared by the caller's threads):
        only the HTTP exchange, so the SDK's building and signing of the next request and the
        reading of the last answer happen outside it, while other threads' requests are on
        the wire. The gate may raise ``Stopped`` instead of letting a request out."""
        self._gate = gate
        session = getattr(self._client.get_http_client(), "_session", None)
        if not isinstance(session, requests.Session):
            return  # an SDK that changed its insides: the gate holds the whole call (_call)
        for adapter in {id(a): a for a in session.adapters.values()}.values():
            adapter.send = _gated(adapter.send, gate)  # type: ignore[method-assign]
        self._gate_whole_call = False

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> IefSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- deployments

    def list_deployments_by_name(self, name: str) -> list[JsonObject]:
        """Deployments named exactly ``name`` (the API's own name filter is a substring match)."""
        call = self._client.list_deployments
        return self._list_by_name(call, ListDeploymentsRequest, "deployments", name)

    def list_deployments(self) -> list[JsonObject]:
        """Every deployment of the project, paged through ``PAGE_SIZE`` at a time."""
        call = self._client.list_deployments
        return self._list_by_name(call, ListDeploymentsRequest, "deployments", None)

    def list_deployments_page(self, offset: int) -> tuple[int, list[JsonObject]]:
        """One page of the project's deployments (``PAGE_SIZE`` from ``offset``), with the
        project's count: callers that know the count can fetch the other pages at once."""
        request = ListDeploymentsRequest(limit=PAGE_SIZE, offset=offset)
        answer = self._call(self._client.list_deployments, request, write=False)
        return int(answer.get("count") or 0), list(answer.get("deployments") or [])

    def show_deployment(self, deployment_id: str) -> JsonObject:
        request = ShowDeploymentRequest(deployment_id=deployment_id)
        return self._call(self._client.show_deployment, request, write=False)

    def create_deployment(self, body: Mapping[str, object], model: Any = None) -> JsonObject:
        """Create from a create-deployment body (or its SDK ``model``, built once by the caller
        with ``to_sdk_model``); raises SdkModelError if the body does not fit the SDK."""
        request = CreateDeploymentsRequest(body=model or to_sdk_model(dict(body)))
        return self._call(self._client.create_deployments, request, write=True)

    def update_deployment(self, deployment_id: str, body: Mapping[str, object]) -> JsonObject:
        """Update with ``{"deployment": {"replicas", "template"}, "description"}``."""
        request = UpdateDeploymentRequest(deployment_id=deployment_id, body=dict(body))
        return self._call(self._client.update_deployment, request, write=True)

    def delete_deployment(self, deployment_id: str, *, force: bool = False) -> None:
        request = DeleteDeploymentRequest(deployment_id=deployment_id)
        if force:
            request.force_delete = "true"
        self._call(self._client.delete_deployment, request, write=True)

    # ----------------------------------------------------------------- ConfigMaps

    def list_configmaps_by_name(self, name: str) -> list[JsonObject]:
        call = self._client.list_config_maps
        return self._list_by_name(call, ListConfigMapsRequest, "configmaps", name)

    def list_configmaps(self) -> list[JsonObject]:
        call = self._client.list_config_maps
        return self._list_by_name(call, ListConfigMapsRequest, "configmaps", None)

    def create_configmap(self, body: Mapping[str, object]) -> JsonObject:
        """Create from ``{"configmap": {"name", "description", "configs"}}``; answers the item."""
        request = CreateConfigMapRequest(body=dict(body))
        return self._call(self._client.create_config_map, request, write=True, item="configmap")

    def update_configmap(self, configmap_id: str, body: Mapping[str, object]) -> JsonObject:
        """Update with ``{"configmap": {"description", "configs"}}`` (no name)."""
        request = UpdateConfigMapRequest(configmap_id=configmap_id, body=dict(body))
        return self._call(self._client.update_config_map, request, write=True, item="configmap")

    def delete_configmap(self, configmap_id: str) -> None:
        request = DeleteConfigMapRequest(configmap_id=configmap_id)
        self._call(self._client.delete_config_map, request, write=True)

    # ----------------------------------------------------------------- Secrets

    def list_secrets_by_name(self, name: str) -> list[JsonObject]:
        return self._list_by_name(self._client.list_secrets, ListSecretsRequest, "secrets", name)

    def list_secrets(self) -> list[JsonObject]:
        return self._list_by_name(self._client.list_secrets, ListSecretsRequest, "secrets", None)

    def create_secret(self, body: Mapping[str, object]) -> JsonObject:
        """Create from ``{"secret": {"name", "type", "description", "secrets"}}``."""
        request = CreateSecretRequest(body=dict(body))
        return self._call(self._client.create_secret, request, write=True, item="secret")

    def update_secret(self, secret_id: str, body: Mapping[str, object]) -> JsonObject:
        """Update with ``{"secret": {"description", "secrets"}}`` (no name)."""
        request = UpdateSecretRequest(secret_id=secret_id, body=dict(body))
        return self._call(self._client.update_secret, request, write=True, item="secret")

    def delete_secret(self, secret_id: str) -> None:
        request = DeleteSecretRequest(secret_id=secret_id)
        self._call(self._client.delete_secret, request, write=True)

    # ----------------------------------------------------------------- plumbing

    def _list_by_name(
        self, call: Callable[[Any], Any], request_type: type, plural: str, name: str | None
    ) -> list[JsonObject]:
        """Every page of a fuzzy ``name`` listing, kept to the exact name (None: everything)."""
        found: list[JsonObject] = []
        offset = 0
        while True:
            # The ConfigMap and Secret models type limit and offset as str; the SDK str()s
            # every query value anyway. A name of None is left out of the query.
            request = request_type(name=name, limit=PAGE_SIZE, offset=offset)
            answer = self._call(call, request, write=False)
            page = answer.get(plural) or []
            found.extend(item for item in page if name is None or item.get("name") == name)
            offset += len(page)
            if not page or offset >= int(answer.get("count") or 0):
                return found

    def _call(
        self, call: Callable[[Any], Any], request: Any, *, write: bool, item: str | None = None
    ) -> JsonObject:
        """Send one request; answer its JSON object ({} when it has none), or ``[item]`` of it."""
        if self._instance_id is not None:
            request.ief_instance_id = self._instance_id
        try:
            if self._gate_whole_call:
                with self._gate:
                    response = call(request)
            else:
                response = call(request)
        except Stopped:
            raise
        except Exception as error:
            # Whatever the SDK lets escape (its deserialiser meeting an HTML page, say) is one
            # failed call, never the end of the run.
            raise (to_ief_error(error, write=write) or _unexpected(error, write)) from error
        try:
            answer = json.loads(response.raw_content or b"{}")
            unwrapped = answer[item] if item else answer
        except (ValueError, KeyError, TypeError):
            unwrapped = None
        if not isinstance(unwrapped, dict):
            raise _not_the_api(response, write)
        return unwrapped


def _unexpected(error: Exception, write: bool) -> IefError:
    return IefError(None, SDK_ERROR, f"{type(error).__name__}: {str(error)[:200]}", False, write)


def _not_the_api(response: Any, write: bool) -> IefError:
    """An answer that is not the API's JSON (a proxy's or a captive portal's page)."""
    status = getattr(response, "status_code", None)
    return IefError(
        status if isinstance(status, int) else None,
        BAD_ANSWER,
        "the endpoint answered something that is not the IEF API's JSON",
        retryable=False,
        outcome_unknown=write,
    )


def _read_environment_once(client: Any) -> None:
    """Read the proxy variables once per session instead of on every request.

    requests scans the whole environment for proxies on each request (``trust_env``): measured
    with the CPU time of an apply of 1,000 new deployments, 1.71 s with the scan and 1.53 s
    without (about 0.2 ms a request). A session talks to one endpoint, so its proxies
    (``no_proxy`` honoured) are known up front; the CA bundle variables are read in
    ``IefSession`` for the same reason.
    """
    session = getattr(client.get_http_client(), "_session", None)
    endpoints = getattr(client, "_endpoints", None) or []
    if not isinstance(session, requests.Session) or not endpoints:
        return  # an SDK that changed its insides: keep requests' own per-request reading
    session.proxies.update(requests.utils.get_environ_proxies(str(endpoints[0])))
    session.trust_env = False


def _gated(send: Callable[..., Any], gate: AbstractContextManager[object]) -> Callable[..., Any]:
    def gated_send(*args: Any, **kwargs: Any) -> Any:
        with gate:
            return send(*args, **kwargs)

    return gated_send


def _sign_in_caller(client: Any) -> None:
    """Sign each request in the thread that sends it, with the SDK's own signer.

    The SDK hands every signature to its executor thread and waits for it there: two thread
    switches per request, each one more wait for the GIL behind the other threads. The signer,
    the credentials and the signed request are the SDK's; only the thread changes. With
    ``_keep_raw_answers``: a create's client CPU 1.65 -> 1.24 ms (one thread, no latency).
    """
    credentials = client.get_credentials()
    sign, refresh = (getattr(credentials, n, None) for n in ("sign_request", "process_sts"))
    if not callable(sign) or not callable(refresh):
        return  # an SDK that changed its insides: keep its own executor

    def process_auth_request(request: Any, http_client: Any) -> Future[Any]:
        refresh(http_client)
        signed: Future[Any] = Future()
        signed.set_result(sign(request))
        return signed

    credentials.process_auth_request = process_auth_request


def _keep_raw_answers(client: Any) -> None:
    """Skip the SDK's building of response models: every method here reads the answer's raw
    JSON (``raw_content``), which the SDK still sets, so the models were built to be dropped
    (a third of a create's client CPU). Errors are raised before this step, as before."""
    if not callable(getattr(client, "deserialize", None)):
        return
    client.deserialize = lambda response, response_type, progress_callback: None


def _region(name: str) -> Any:
    try:
        return IefRegion.value_of(name)
    except KeyError as error:
        raise ValueError(str(error.args[0] if error.args else error)) from None
