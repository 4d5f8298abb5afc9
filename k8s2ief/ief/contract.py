"""The IEF create-deployment contract: every limit and pattern the API states, in one place.

Written from both editions of the API reference (/work/shared/seeds/: zh 2024-04, en 2023-11).
A body must be accepted by every edition in service, so where the editions differ the value here
is the one both accept (the stricter), and the comment says which edition set it.

Read by the converter's rules (k8s2ief/rules/), the body rules (k8s2ief/ief/body_rules.py),
the settings and the commands. ``scripts/gen_schema.py`` writes the JSON Schema
(k8s2ief/schemas/create-deployment.schema.json) from ``SCHEMA_VALUES`` below, and its checks as
code (k8s2ief/ief/schema_checks.py); tests/test_contract.py and tests/test_schema_checks.py check
both committed files are current. A new limit is one line here plus
a ``@{NAME}`` placeholder in scripts/create-deployment.schema.in.json.

Patterns are written without anchors (``fullmatch`` in code); the schema anchors them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from k8s2ief.records import FrozenRecord, set_field

# Service editions; only platinum has affinity, host port ranges and more than one replica.
EDITIONS = ("professional", "platinum")
PROFESSIONAL, PLATINUM = EDITIONS

# deployment.replicas: at least 1; professional exactly 1, platinum below 100 (both editions).
REPLICAS_MIN = 1
REPLICAS_MAX: Mapping[str, int] = {PROFESSIONAL: 1, PLATINUM: 99}

# name: a DNS label of at most 32 characters (both editions).
NAME_MAX = 32
NAME = rf"[a-z0-9]([-a-z0-9]{{0,{NAME_MAX - 2}}}[a-z0-9])?"
# description: at most 255 characters, none of the listed specials (both editions).
DESCRIPTION_MAX = 255
DESCRIPTION_FORBIDDEN = "^~#$%&*<>()[]{}'\"\\"
DESCRIPTION = r"""[^\^~#$%&*<>()\[\]{}'"\\]*"""

# tags: the en edition's lengths (key <= 36, value <= 43, at most 10), the zh edition's characters.
TAGS_MAX = 10
TAG_KEY_MAX, TAG_VALUE_MAX = 36, 43
TAG_KEY = rf"[A-Za-z0-9_-]{{1,{TAG_KEY_MAX}}}"
TAG_VALUE = rf"[A-Za-z0-9_-]{{1,{TAG_VALUE_MAX}}}"

# Container image tag (ContainerDef.version).
IMAGE_VERSION_MAX = 128

# command and args: each at most 65536 characters in all (both editions state them separately).
ARGV_MAX = 65536
# A probe's exec command line.
PROBE_COMMAND_MAX = 10240

# envs: a C identifier of at most 2048 characters; a value of at most 20480.
ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
ENV_NAME_MAX = 2048
ENV_VALUE_MAX = 20480

# Ports (container and host) and a platinum host port range: 1..65535, max above min.
PORT_MIN, PORT_MAX = 1, 65535
# security_context.run_as_user.
RUN_AS_USER_MIN, RUN_AS_USER_MAX = 0, 65534
# Probe timings in seconds.
PROBE_SECONDS_MIN, PROBE_SECONDS_MAX = 1, 3600
# Preferred affinity term weight.
WEIGHT_MIN, WEIGHT_MAX = 1, 100
# Affinity match-expression operators; In/NotIn need values, Exists/DoesNotExist none, Gt/Lt one
# integer.
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
OPERATORS_WITH_VALUES = ("In", "NotIn")
OPERATORS_WITHOUT_VALUES = ("Exists", "DoesNotExist")
OPERATORS_ONE_INTEGER = ("Gt", "Lt")
INTEGER = r"-?[0-9]+"

# Volumes: 1-63 lowercase letters or digits; a hostPath source is absolute, of safe characters;
# a file mode is 0..0777.
VOLUME_NAME_MAX = 63
VOLUME_NAME = rf"[a-z0-9]{{1,{VOLUME_NAME_MAX}}}"
HOST_PATH = r"/[-/_.A-Za-z0-9]*"
FILE_MODE_MAX = 0o777


class ResourceRange(FrozenRecord):
    """One resource key of ContainerDef.resources, in IEF's unit (en edition's ranges): a value,
    compared and shown by its fields (a record: every conversion imports the contract)."""

    __slots__ = ("low", "high", "unit", "form")  # noqa: RUF023 (the order of __init__)

    low: Decimal  # inclusive
    high: Decimal  # inclusive
    unit: str  # for messages: " cores", " MB", ""
    form: str  # the spelling the API takes: a plain decimal, or a whole count

    def __init__(self, low: Decimal, high: Decimal, unit: str, form: str) -> None:
        set_field(self, "low", low)
        set_field(self, "high", high)
        set_field(self, "unit", unit)
        set_field(self, "form", form)

    @property
    def text(self) -> str:
        """``0.01-1000``: the range as the reference writes it."""
        return f"{self.low}-{self.high}"


DECIMAL_QUANTITY = r"(0|[1-9][0-9]*)(\.[0-9]+)?"
COUNT_QUANTITY = r"[1-9][0-9]*"
RESOURCES: Mapping[str, ResourceRange] = {
    "cpu": ResourceRange(Decimal("0.01"), Decimal(1000), " cores", DECIMAL_QUANTITY),
    "memory": ResourceRange(Decimal("0.01"), Decimal(1024000), " MB", DECIMAL_QUANTITY),
    "gpu": ResourceRange(Decimal("0.01"), Decimal(1024000), " MB", DECIMAL_QUANTITY),
    "npu": ResourceRange(Decimal(1), Decimal(1000), "", COUNT_QUANTITY),
}
MEMORY_LIMIT_MIN = Decimal(4)  # a memory limit (not a request) is at least 4 MB


def compiled(pattern: str) -> re.Pattern[str]:
    """A contract pattern for ``fullmatch``."""
    return re.compile(pattern)


def anchored(pattern: str) -> str:
    """A contract pattern as JSON Schema writes it (patterns there are unanchored by default)."""
    return f"^{pattern}$"


# The values the schema generator substitutes for ``@{NAME}`` placeholders: a placeholder that
# is a whole string becomes the value itself (a number stays a number), one inside a text is
# replaced by the value's text.
SCHEMA_VALUES: Mapping[str, object] = {
    "NAME": anchored(NAME),
    "NAME_MAX": NAME_MAX,
    "DESCRIPTION": anchored(DESCRIPTION),
    "DESCRIPTION_FORBIDDEN": DESCRIPTION_FORBIDDEN,
    "DESCRIPTION_MAX": DESCRIPTION_MAX,
    "TAGS_MAX": TAGS_MAX,
    "TAG_KEY": anchored(TAG_KEY),
    "TAG_KEY_MAX": TAG_KEY_MAX,
    "TAG_VALUE": anchored(TAG_VALUE),
    "TAG_VALUE_MAX": TAG_VALUE_MAX,
    "IMAGE_VERSION_MAX": IMAGE_VERSION_MAX,
    "ARGV_MAX": ARGV_MAX,
    "PROBE_COMMAND_MAX": PROBE_COMMAND_MAX,
    "ENV_NAME": anchored(ENV_NAME),
    "ENV_NAME_MAX": ENV_NAME_MAX,
    "ENV_VALUE_MAX": ENV_VALUE_MAX,
    "PORT_MIN": PORT_MIN,
    "PORT_MAX": PORT_MAX,
    "RUN_AS_USER_MIN": RUN_AS_USER_MIN,
    "RUN_AS_USER_MAX": RUN_AS_USER_MAX,
    "PROBE_SECONDS_MIN": PROBE_SECONDS_MIN,
    "PROBE_SECONDS_MAX": PROBE_SECONDS_MAX,
    "WEIGHT_MIN": WEIGHT_MIN,
    "WEIGHT_MAX": WEIGHT_MAX,
    "OPERATORS": list(OPERATORS),
    "REPLICAS_MIN": REPLICAS_MIN,
    "REPLICAS_BELOW_PLATINUM": REPLICAS_MAX[PLATINUM] + 1,
    "VOLUME_NAME": anchored(VOLUME_NAME),
    "VOLUME_NAME_MAX": VOLUME_NAME_MAX,
    "HOST_PATH": anchored(HOST_PATH),
    "FILE_MODE_MAX": FILE_MODE_MAX,
    "FILE_MODE_OCTAL": f"0{FILE_MODE_MAX:o}",
    "CPU_RANGE": RESOURCES["cpu"].text,
    "MEMORY_RANGE": RESOURCES["memory"].text,
    "NPU_RANGE": RESOURCES["npu"].text,
    "DECIMAL_QUANTITY": anchored(DECIMAL_QUANTITY),
    "COUNT_QUANTITY": anchored(COUNT_QUANTITY),
}
