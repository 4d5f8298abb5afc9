"""The SDK's model packages imported lazily (k8s2ief.ief.sdk_import): same classes, fewer."""

from __future__ import annotations

import subprocess
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path

from k8s2ief.ief.sdk_import import _eager_imports

CHECK = """
import sys
import k8s2ief.ief.client
loaded = [m for m in sys.modules if m.startswith("huaweicloudsdkief.v1.model.")]
assert 30 < len(loaded) < 120, len(loaded)  # the submit models, not all 386
assert "huaweicloudsdkief.v1.model.container_def" in sys.modules  # loaded in this thread
from huaweicloudsdkief import v1
from huaweicloudsdkief.v1 import CreateDeploymentsRequest, IefClient
from huaweicloudsdkief.v1.model import Deployment
from huaweicloudsdkief.v1.model.create_deployments_request import CreateDeploymentsRequest as C
from huaweicloudsdkief.v1.model.deployment import Deployment as D
assert CreateDeploymentsRequest is C and Deployment is D and v1.model.Deployment is D
assert IefClient.__module__ == "huaweicloudsdkief.v1.ief_client"
names = dir(v1)
assert "ListSecretsRequest" in names and "IefAsyncClient" in names
try:
    v1.NoSuchModel
except AttributeError:
    pass
else:
    raise AssertionError("an unknown name must raise AttributeError")
print(len(loaded))
"""


def test_the_client_loads_only_the_models_it_uses_and_they_are_the_sdk_classes(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_an_init_that_does_more_than_import_keeps_the_ordinary_import(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    spec = ModuleSpec("pkg", None, origin=str(init), is_package=True)
    spec.submodule_search_locations = [str(tmp_path)]
    init.write_text(
        "# coding: utf-8\n\nfrom __future__ import absolute_import\n\n"
        "from huaweicloudsdkief.v1.model.app import App\n"
    )
    assert _eager_imports(spec) == {"App": "huaweicloudsdkief.v1.model.app"}
    init.write_text("from huaweicloudsdkief.v1.model.app import App\nAPP = App()\n")
    assert _eager_imports(spec) is None
