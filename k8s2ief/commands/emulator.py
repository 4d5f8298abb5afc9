"""``k8s2ief emulator``: serve the local IEF API emulator in the foreground."""

from __future__ import annotations

import os

import click

from k8s2ief.settings import EDITIONS


@click.command()
@click.option("--port", type=click.IntRange(min=0, max=65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0: any free one).")
@click.option("--project-id", default="0" * 32, show_default=True, help="The project it serves.")
@click.option("--edition", type=click.Choice(EDITIONS), default="professional", show_default=True)
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, help="Delay every answer.")
def emulator(port: int, project_id: str, edition: str, latency_ms: int) -> int:
    """Serve a local IEF API emulator until interrupted (keys: HUAWEICLOUD_SDK_AK/_SK)."""
    ak = os.environ.get("HUAWEICLOUD_SDK_AK", "")
    sk = os.environ.get("HUAWEICLOUD_SDK_SK", "")
    if not ak or not sk:
        click.echo("k8s2ief emulator: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK", err=True)
        return 2
    from k8s2ief.testing.emulator import serve

    serve(port, ak, sk, project_id, edition, latency_ms)
    return 0
