"""Starting programs and making sure none outlives the harness.

Each program runs in its own session (process group), registered until reaped; all
groups are killed on exit. PR_SET_PDEATHSIG also takes a child down if we die hard.
The registered groups are also written to a pid file, so that run.sh can kill them
should the harness itself die first.
"""

import ctypes
import os
import signal
import subprocess
import tempfile
import time

_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_children = []
_pid_file = None


def record_pids_in(path):
    """From now on, keeps the process groups of the running children listed in `path`."""
    global _pid_file
    _pid_file = path


def _child_setup():
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _record_pids():
    if not _pid_file:
        return
    with open(_pid_file, "w") as f:
        for child in _children:
            f.write(f"{child.pid}\n")


class Child:
    """A program run in its own process group; `finish()` reaps it and keeps its rusage."""

    def __init__(self, argv, limit):
        self.argv = [str(a) for a in argv]
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.started = time.monotonic()
        self.deadline = self.started + limit
        self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self.out,
                                      stderr=self.err, start_new_session=True,
                                      preexec_fn=_child_setup)
        self.pid = self.popen.pid
        self.status = None
        self.rusage = None
        self.ended = None
        _children.append(self)
        _record_pids()

    def signal(self, sig):
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def poll(self):
        if self.status is not None:
            return True
        pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.status, self.rusage, self.ended = status, rusage, time.monotonic()
        self.popen.returncode = os.waitstatus_to_exitcode(status)
        return True

    def finish(self, grace=2.0):
        """Waits until the child exits; past its deadline (+grace) TERM, then KILL, its group."""
        if self not in _children:
            return self
        term_sent = False
        while not self.poll():
            now = time.monotonic()
            if now > self.deadline + grace and not term_sent:
                self.signal(signal.SIGTERM)
                term_sent = True
            elif term_sent and now > self.deadline + grace + 2:
                self.signal(signal.SIGKILL)
            time.sleep(0.005)
        self.signal(signal.SIGKILL)  # anything left in its group (e.g. under `timeout`)
        _children.remove(self)
        _record_pids()
        return self

    def stop(self):
        """Asks the child's group to end now (SIGTERM) and reaps it."""
        self.signal(signal.SIGTERM)
        self.deadline = min(self.deadline, time.monotonic())
        return self.finish(grace=1.0)

    @property
    def exit_code(self):
        return self.popen.returncode

    @property
    def cpu_seconds(self):
        return self.rusage.ru_utime + self.rusage.ru_stime

    def stdout(self):
        self.out.seek(0)
        return self.out.read().decode(errors="replace")

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")


def kill_all():
    for child in list(_children):
        child.signal(signal.SIGTERM)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and any(not c.poll() for c in _children):
        time.sleep(0.01)
    for child in list(_children):
        child.signal(signal.SIGKILL)
        try:
            os.waitpid(child.pid, 0)
        except ChildProcessError:
            pass
    _children.clear()
    _record_pids()


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


def exit_on_signals():
    """INT, TERM and HUP end the harness through SystemExit, so `finally: kill_all()` runs."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


def command_output(argv):
    """The standard output of a short command, or "" if it cannot be run."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
