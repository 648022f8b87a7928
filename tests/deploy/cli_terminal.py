"""Running the leafsynth CLI with stdin, stdout and stderr on one pseudo-terminal, which is also its
controlling terminal (/dev/tty), answering one question (reusable by the deploy and credential tests)."""
import fcntl
import os
import pty
import select
import subprocess
import termios


def _take_terminal():
    """In the child, before exec: a new session whose controlling terminal is the pty (stdin)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_on_terminal(command, env, cwd=None, answer=None, prompt=b"[y/N] ", timeout=120):
    """Runs `command` on a pseudo-terminal; when `answer` is given, types it (and Enter) once the
    terminal shows `prompt` (the y/N question by default). Returns (exit code, everything the
    terminal showed). Fails with an AssertionError when the terminal stays silent for `timeout`
    seconds."""
    master, slave = pty.openpty()
    p = subprocess.Popen([str(c) for c in command], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                         preexec_fn=_take_terminal)
    os.close(slave)
    text, answered = b"", False
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            p.kill()
            raise AssertionError(f"no output from the CLI on the terminal within {timeout} s:\n" + text.decode()[-3000:])
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        text += data
        if answer is not None and not answered and prompt in text:
            os.write(master, answer.encode() + b"\n")
            answered = True
    os.close(master)
    return p.wait(timeout=60), text.decode("utf-8", "replace")
