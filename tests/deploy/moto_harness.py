"""Starts and stops a `moto_server` on 127.0.0.1 for tests (reusable by any deploy test).

    with MotoServer(log_path=...) as moto:
        deploy_assembly.deploy(assembly_dir, moto.endpoint, "123456789012")

The server is the `moto_server` on PATH (missing = MotoServerError, i.e. a test failure), bound to
127.0.0.1 on a free port, with fake credentials and no proxy; readiness is awaited with a bounded
loop and stop() always ends it (terminate, then kill). With compat=True (the default; environment
LEAFSYNTH_MOTO_COMPAT=0 turns it off) the server runs with moto_compat/ on PYTHONPATH, whose
sitecustomize.py applies moto_cfn_compat: fixes for moto CloudFormation bugs that real
CloudFormation does not have (see moto_compat/moto_cfn_compat.py).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parent / "moto_compat"
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


class MotoServerError(Exception):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class MotoServer:
    def __init__(self, compat: bool | None = None, host: str = "127.0.0.1", port: int | None = None,
                 log_path: str | os.PathLike | None = None, startup_timeout: float = 30.0,
                 env: dict[str, str] | None = None):
        if compat is None:
            compat = os.environ.get("LEAFSYNTH_MOTO_COMPAT", "1") != "0"
        self.compat = compat
        self.host = host
        self.port = port
        self.log_path = Path(log_path) if log_path else None
        self.startup_timeout = startup_timeout
        self.extra_env = dict(env or {})  # more environment for the server (e.g. LEAFSYNTH_MOTO_STRICT_ROLES)
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARS}
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            env.pop(var, None)
        env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1", "NO_PROXY": "127.0.0.1,localhost",
                    "no_proxy": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"})
        env.update(self.extra_env)
        if self.compat:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COMPAT_DIR), env.get("PYTHONPATH")]))
            env["LEAFSYNTH_MOTO_COMPAT"] = "1"
        else:
            env["LEAFSYNTH_MOTO_COMPAT"] = "0"
        return env

    def start(self) -> "MotoServer":
        exe = shutil.which("moto_server")
        if not exe:
            raise MotoServerError("moto_server was not found on PATH (install moto[server]; see cmake/setup.sh)")
        if self.port is None:
            self.port = free_port(self.host)
        if self.log_path:
            self._log = open(self.log_path, "wb")
        out = self._log or subprocess.DEVNULL
        self.process = subprocess.Popen([exe, "-H", self.host, "-p", str(self.port)], env=self.environment(),
                                        stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + self.startup_timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise MotoServerError(f"moto_server exited with {self.process.returncode} before it was ready"
                                      f"{self._log_hint()}")
            try:
                with opener.open(f"{self.endpoint}/moto-api/data.json", timeout=2) as response:
                    response.read()
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError as e:
                last = str(e)
            time.sleep(0.2)
        raise MotoServerError(f"moto_server not ready on {self.endpoint} after {self.startup_timeout:g} s "
                              f"({last}){self._log_hint()}")

    def _log_hint(self) -> str:
        return f"; log: {self.log_path}" if self.log_path else ""

    def log_text(self) -> str:
        if self._log:
            self._log.flush()
        try:
            return self.log_path.read_text(errors="replace") if self.log_path else ""
        except OSError:
            return ""

    def stop(self) -> None:
        # The server leads its own process group (start_new_session): signal that group, so a
        # wrapper (e.g. a pyenv shim that did not exec) cannot leave the real server running.
        if self.process is not None and self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if self._log:
            self._log.close()
            self._log = None

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
