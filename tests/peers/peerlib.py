"""Helpers for the peer tests: clients we did not write (kcat, kafka-python) against a
kclient-broker process of their own.

Each test starts `kclient-broker --port 0` on loopback, reads `bootstrap.servers=` from its stdout,
and always stops it at the end, also on failure. A failing test prints the broker's stderr log.
Nothing sleeps for a fixed time: conditions are polled against deadlines.

Run with Debian's /usr/bin/python3, which has python3-kafka.
"""

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback

# Generous, for a loaded 2-core machine and sanitizer builds.
START_TIMEOUT_S = 60
DEFAULT_TIMEOUT_S = 60


class PeerTestFailure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise PeerTestFailure(message)


def wait_until(condition, timeout_s=DEFAULT_TIMEOUT_S, what="condition", interval_s=0.05):
    """Polls `condition` (a callable) until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout_s
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 -- the condition may fail until it holds
            last_error = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise PeerTestFailure(f"timed out after {timeout_s}s waiting for {what}{detail}")
        time.sleep(interval_s)


class Broker:
    """A kclient-broker process on an ephemeral loopback port."""

    def __init__(self, binary, *args):
        self.binary = binary
        self.args = list(args)
        self.proc = None
        self.bootstrap = None
        self.stderr_file = tempfile.NamedTemporaryFile(prefix="kclient-broker-", suffix=".log", delete=False)

    def start(self):
        cmd = [self.binary, "--port", "0", "--host", "127.0.0.1", *self.args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr_file, text=True, bufsize=1)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PeerTestFailure(f"kclient-broker exited with {self.proc.returncode} before it was ready")
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith("bootstrap.servers="):
                    self.bootstrap = line.strip().split("=", 1)[1]
                    return self
        raise PeerTestFailure(f"kclient-broker printed no bootstrap.servers line within {START_TIMEOUT_S}s")

    def stop(self):
        """Stops the broker; returns None when it shut down cleanly, else what went wrong (a
        sanitizer report at exit, a crash, a hang)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return f"kclient-broker died early with exit code {self.proc.returncode}"
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "kclient-broker did not stop within 30s of SIGTERM"
        if self.proc.returncode != 0:
            return f"kclient-broker exited with {self.proc.returncode} after SIGTERM"
        return None

    def stderr_text(self):
        self.stderr_file.flush()
        with open(self.stderr_file.name, "r", errors="replace") as f:
            return f.read()

    def cleanup(self):
        self.stderr_file.close()
        try:
            os.unlink(self.stderr_file.name)
        except OSError:
            pass


class Processes:
    """Child processes a test starts (kcat members); all are killed at the end."""

    def __init__(self):
        self.procs = []

    def spawn(self, cmd, **kwargs):
        p = subprocess.Popen(cmd, **kwargs)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def run(cmd, timeout_s=DEFAULT_TIMEOUT_S, input_text=None, check_rc=True):
    """Runs a command to completion; returns CompletedProcess (text)."""
    try:
        cp = subprocess.run(cmd, input=input_text, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as e:
        raise PeerTestFailure(f"{cmd[0]} timed out after {timeout_s}s: {' '.join(cmd)}\n"
                              f"stdout: {e.stdout}\nstderr: {e.stderr}") from e
    if check_rc and cp.returncode != 0:
        raise PeerTestFailure(f"{' '.join(cmd)} exited with {cp.returncode}\nstdout: {cp.stdout}\nstderr: {cp.stderr}")
    return cp


def main(scenarios, broker_args=None):
    """Entry point: `script BROKER_BINARY SCENARIO`. Runs one scenario (a function taking the
    started Broker and a Processes) with a broker of its own; prints the broker log on failure."""
    if len(sys.argv) != 3 or sys.argv[2] not in scenarios:
        print(f"usage: {sys.argv[0]} KCLIENT_BROKER {{{'|'.join(scenarios)}}}", file=sys.stderr)
        return 2
    binary, name = sys.argv[1], sys.argv[2]
    args = (broker_args or {}).get(name, [])
    broker = Broker(binary, *args)
    procs = Processes()
    ok = False
    try:
        broker.start()
        print(f"{name}: broker at {broker.bootstrap}", flush=True)
        scenarios[name](broker, procs)
        ok = True
    except Exception:  # noqa: BLE001 -- report any failure with the broker's side of it
        traceback.print_exc()
    finally:
        procs.stop_all()
        problem = broker.stop()
        if problem:
            print(problem, file=sys.stderr)
            ok = False
        if not ok:
            print("----- kclient-broker stderr -----", file=sys.stderr)
            print(broker.stderr_text(), file=sys.stderr)
            print("----- end of kclient-broker stderr -----", file=sys.stderr)
        broker.cleanup()
    print(f"{name}: {'PASS' if ok else 'FAIL'}", flush=True)
    return 0 if ok else 1
