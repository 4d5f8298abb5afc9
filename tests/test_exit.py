"""How the ``k8s2ief`` script ends (cli.run): at once when nothing is left for the interpreter's
exit, which would only free memory, and through that exit when something is (exit callbacks,
threads still running). Each case runs the real entry point in a subprocess."""

from __future__ import annotations

from tests.clirun import GOLDEN, k8s2ief

BASIC = GOLDEN / "basic" / "input.yaml"

# An object whose finalizer writes a mark: the interpreter's teardown runs it, a direct exit not.
FINALIZED = """\
import os
class Mark:
    def __del__(self):
        os.write(2, b"finalized\\n")
mark = Mark()
"""


def test_a_plain_conversion_skips_the_teardown_and_loses_nothing() -> None:
    done = k8s2ief("convert", BASIC, "--node-id", "node-1", prelude=FINALIZED)
    assert done.returncode == 0, done.stderr
    # Every byte of both streams arrived: the whole body, the report to its summary line.
    assert done.stdout == (BASIC.parent / "body.json").read_text()
    assert done.stderr.endswith("k8s2ief: 1 document(s): 1 converted\n"), done.stderr
    assert "finalized" not in done.stderr


def test_exit_callbacks_still_run() -> None:
    prelude = FINALIZED + "import atexit\natexit.register(lambda: os.write(2, b'callback\\n'))\n"
    done = k8s2ief("convert", BASIC, "--node-id", "n1", prelude=prelude)
    assert done.returncode == 0, done.stderr
    assert "callback" in done.stderr and "finalized" in done.stderr


def test_a_running_thread_is_waited_for() -> None:
    # The thread outlives the command whatever the machine's speed: it waits for the main
    # thread to finish, which the interpreter's exit marks before it joins the other threads.
    prelude = (
        FINALIZED
        + "import threading\n"
        + "def late():\n"
        + "    threading.main_thread().join()\n"
        + "    os.write(2, b'thread\\n')\n"
        + "threading.Thread(target=late).start()\n"
    )
    done = k8s2ief("convert", BASIC, "--node-id", "n1", prelude=prelude)
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("converted\nthread\nfinalized\n"), done.stderr


def test_the_exit_code_is_kept() -> None:
    done = k8s2ief("convert", GOLDEN / "containers" / "input.yaml", "--node-id", "n1")
    usage = k8s2ief("convert", "--no-such-option")
    assert (done.returncode, usage.returncode) == (1, 2), done.stderr + usage.stderr
