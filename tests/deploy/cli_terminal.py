"""Running the leafsynth CLI with stdin, stdout and stderr on one pseudo-terminal, answering its
y/N question (reusable by the deploy tests)."""
import os
import pty
import select
import subprocess


def run_on_terminal(command, env, cwd, answer=None, timeout=120):
    """Runs `command` on a pseudo-terminal; when `answer` is given, types it (and Enter) once the
    terminal shows "[y/N] ". Returns (exit code, everything the terminal showed). Fails with an
    AssertionError when the terminal stays silent for `timeout` seconds."""
    master, slave = pty.openpty()
    p = subprocess.Popen([str(c) for c in command], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd)
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
        if answer is not None and not answered and b"[y/N] " in text:
            os.write(master, answer.encode() + b"\n")
            answered = True
    os.close(master)
    return p.wait(timeout=60), text.decode()
