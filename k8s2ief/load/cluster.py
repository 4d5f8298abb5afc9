"""Reading Deployments (and the ConfigMaps and Secrets they use) from a running cluster.

The ``kubernetes`` package is imported only here, inside the functions, so the rest of the tool
starts without it. Objects are the API's own JSON (camelCase field names), decoded from the raw
response; each becomes a :class:`~k8s2ief.load.Document` whose source is
``cluster:<context>/<namespace>/<name>`` and whose line is 0 (there is no file).

Every failure a user can meet (no kubeconfig, unreachable server, 401/403, unknown namespace)
is raised as :class:`ClusterError`, whose message is one line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from k8s2ief.load import Document
from k8s2ief.references import get, references

SOURCE_PREFIX = "cluster:"
DEFAULT_NAMESPACE = "default"
TIMEOUT = (10, 60)  # seconds: connect, read
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
KINDS = {"Deployment": "apps/v1", "ConfigMap": "v1", "Secret": "v1"}


class ClusterError(Exception):
    """A one-line, user-facing reason the cluster could not be read."""


class Redacted(str):
    """A Secret value: usable as a string, but never shown by repr() (tracebacks, debugging)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<redacted>'"


@dataclass(frozen=True)
class ClusterTarget:
    """Where to read from: the options of --from-cluster."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    selector: str | None = None


def source_of(context: str, namespace: str, name: str) -> str:
    return f"{SOURCE_PREFIX}{context}/{namespace}/{name}"


def read_cluster(target: ClusterTarget, *, with_references: bool = False) -> list[Document]:
    """The Deployments the target selects, then (with_references) the ConfigMaps and Secrets
    they name in volumes, env and envFrom. Raises ClusterError."""
    try:
        from kubernetes import client  # noqa: F401 - imported here only: an optional dependency
    except ImportError:
        from k8s2ief.extras import missing_extra

        raise ClusterError(missing_extra("cluster", "--from-cluster") or "kubernetes") from None
    session = _Session(target)
    deployments = session.deployments()
    documents = [session.document(obj) for obj in deployments]
    if with_references:
        for namespace, kind, name in _references(deployments):
            obj = session.read(kind, namespace, name)
            if obj is not None:
                documents.append(session.document(obj))
    return documents


def _config_file(kubeconfig: str | None) -> str:
    if kubeconfig:
        if not os.path.isfile(kubeconfig):
            raise ClusterError(f"kubeconfig {kubeconfig} does not exist")
        return kubeconfig
    configured = os.environ.get("KUBECONFIG")
    if configured:
        paths = [p for p in configured.split(os.pathsep) if p]
        if not any(os.path.isfile(os.path.expanduser(p)) for p in paths):
            raise ClusterError(f"no kubeconfig found: KUBECONFIG={configured} names no file")
        return configured
    default = os.path.expanduser("~/.kube/config")
    if not os.path.isfile(default):
        raise ClusterError(
            "no kubeconfig found: set KUBECONFIG or pass --kubeconfig (~/.kube/config is missing)"
        )
    return default


class _Session:
    def __init__(self, target: ClusterTarget) -> None:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException
        from yaml import YAMLError

        self.target = target
        path = _config_file(target.kubeconfig)
        try:
            contexts, active = config.list_kube_config_contexts(config_file=path)
            chosen = active
            if target.context is not None:
                chosen = next((c for c in contexts if c.get("name") == target.context), None)
                if chosen is None:
                    raise ClusterError(f"context {target.context} is not in the kubeconfig")
            if not chosen:
                raise ClusterError("the kubeconfig has no current context: pass --context")
            configuration = client.Configuration()
            config.load_kube_config(
                config_file=path, context=chosen["name"], client_configuration=configuration
            )
        except ConfigException as exc:
            raise ClusterError(f"invalid kubeconfig: {_one_line(str(exc))}") from None
        except (OSError, ValueError, TypeError, KeyError, AttributeError, YAMLError) as exc:
            raise ClusterError(f"cannot read kubeconfig {path}: {_one_line(str(exc))}") from None
        configuration.retries = 1
        self.context: str = chosen["name"]
        self.host: str = configuration.host
        self.namespace: str = (
            target.namespace or (chosen.get("context") or {}).get("namespace") or DEFAULT_NAMESPACE
        )
        self.api = client.ApiClient(configuration)
        self.apps = client.AppsV1Api(self.api)
        self.core = client.CoreV1Api(self.api)

    # --- requests ------------------------------------------------------------------------
    def deployments(self) -> list[dict[str, Any]]:
        selector = {"label_selector": self.target.selector} if self.target.selector else {}
        if self.target.all_namespaces:
            listing = self._call(self.apps.list_deployment_for_all_namespaces, **selector)
        else:
            listing = self._call(self.apps.list_namespaced_deployment, self.namespace, **selector)
        items = [i for i in listing.get("items") or [] if isinstance(i, dict)]
        if not items and not self.target.all_namespaces:
            self._check_namespace()
        return [_with_type(item, "Deployment") for item in items]

    def read(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """One ConfigMap or Secret; None when it does not exist (the conversion reports it)."""
        method = (
            self.core.read_namespaced_config_map
            if kind == "ConfigMap"
            else self.core.read_namespaced_secret
        )
        obj = self._call(method, name, namespace, missing_ok=True)
        return None if obj is None else _with_type(obj, kind)

    def _check_namespace(self) -> None:
        """An empty list may mean a mistyped namespace: say so (when we may look)."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            self.core.read_namespace(
                self.namespace, _preload_content=False, _request_timeout=TIMEOUT
            )
        except ApiException as exc:
            if exc.status == 404:
                raise ClusterError(
                    f"namespace {self.namespace} does not exist in context {self.context}"
                ) from None
            if exc.status in (401,):
                raise self._api_error(exc) from None
            # 403: may list deployments but not read namespaces; the list was simply empty
        except (HTTPError, OSError) as exc:  # unreachable, refused, TLS, timeouts
            raise self._transport_error(exc) from None

    def _call(self, method: Any, *args: object, missing_ok: bool = False, **kwargs: object) -> Any:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            response = method(*args, _preload_content=False, _request_timeout=TIMEOUT, **kwargs)
            return json.loads(response.data)
        except ApiException as exc:
            if exc.status == 404 and missing_ok:
                return None
            raise self._api_error(exc) from None
        except ValueError as exc:
            raise ClusterError(f"{self.host} did not answer with JSON: {exc}") from None
        except (HTTPError, OSError) as exc:  # unreachable, refused, TLS, timeouts
            raise self._transport_error(exc) from None

    # --- errors --------------------------------------------------------------------------
    def _api_error(self, exc: Any) -> ClusterError:
        status = exc.status
        message = _status_message(exc.body) or exc.reason or "error"
        where = f"cluster {self.host} (context {self.context})"
        if status == 401:
            return ClusterError(
                f"{where}: unauthorized (401): the kubeconfig's credentials were refused"
            )
        if status == 403:
            return ClusterError(f"{where}: forbidden (403): {message}")
        if status == 404:
            if not self.target.all_namespaces:
                return ClusterError(
                    f"namespace {self.namespace} does not exist in context {self.context} "
                    f"(404: {message})"
                )
            return ClusterError(f"{where}: not found (404): {message}")
        return ClusterError(f"{where}: request failed ({status}): {message}")

    def _transport_error(self, exc: BaseException) -> ClusterError:
        reason = getattr(exc, "reason", None) or exc
        return ClusterError(
            f"cannot reach the cluster at {self.host} (context {self.context}): "
            f"{_one_line(str(reason))}"
        )

    # --- documents -----------------------------------------------------------------------
    def document(self, obj: dict[str, Any]) -> Document:
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        namespace = str(meta.get("namespace") or self.namespace)
        name = str(meta.get("name") or "?")
        if obj.get("kind") == "Secret":
            obj = _redact(obj)
        return Document(source_of(self.context, namespace, name), 0, obj)


def _with_type(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    """List items come without kind and apiVersion: put them back, first as in a manifest."""
    typed = {"apiVersion": obj.get("apiVersion") or KINDS[kind], "kind": obj.get("kind") or kind}
    typed.update((k, v) for k, v in obj.items() if k not in typed)
    return typed


def _redact(secret: dict[str, Any]) -> dict[str, Any]:
    """A Secret's values wrapped so repr() never shows them; kubectl's last-applied copy (which
    holds every value in clear) is dropped."""
    secret = dict(secret)
    for section in ("data", "stringData"):
        values = secret.get(section)
        if isinstance(values, dict):
            secret[section] = {
                k: Redacted(v) if isinstance(v, str) else v for k, v in values.items()
            }
    meta = secret.get("metadata")
    if isinstance(meta, dict):
        meta = dict(meta)
        meta.pop("managedFields", None)
        notes = meta.get("annotations")
        if isinstance(notes, dict) and LAST_APPLIED in notes:
            meta["annotations"] = {k: v for k, v in notes.items() if k != LAST_APPLIED}
        secret["metadata"] = meta
    return secret


def _references(deployments: list[dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """(namespace, kind, name) of every ConfigMap and Secret the Deployments use, once each."""
    seen: set[tuple[str, str, str]] = set()
    for deployment in deployments:
        namespace = str(get(deployment, "metadata", "namespace") or DEFAULT_NAMESPACE)
        for kind, name in references(deployment):
            key = (namespace, kind, name)
            if key not in seen:
                seen.add(key)
                yield key


def _status_message(body: object) -> str | None:
    """The ``message`` of a Kubernetes Status body, on one line."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return None
    try:
        status = json.loads(body)
    except ValueError:
        return _one_line(body)[:200] or None
    message = status.get("message") if isinstance(status, dict) else None
    return _one_line(message) if isinstance(message, str) else None


def _one_line(text: str) -> str:
    return " ".join(text.split())
