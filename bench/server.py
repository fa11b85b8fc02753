"""Start and stop the production web server (gunicorn, DEBUG off) for the benchmark."""

import os
import secrets
import signal
import socket
import subprocess  # noqa: S404 - we start our own gunicorn and wrk, with fixed arguments
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data"  # scratch files (logs, wrk inputs); ignored by git
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(*, database_url: str, redis_url: str | None, secret_key: str | None = None):
    """The environment a production deployment has, minus TLS: the load tool speaks plain
    HTTP to 127.0.0.1, so the HTTPS redirect and the proxy header are switched off. Cookies
    stay Secure, which is why the benchmark sends them in a header rather than a cookie jar.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        # Never inherit test or laptop switches that change behaviour.
        if not key.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secret_key or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "BEHIND_TLS_PROXY": "0",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "coprod_hub.settings",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def collectstatic(env: dict) -> None:
    """The production static files (hashed names, precompressed), as the Dockerfile makes."""
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


class Server:
    """gunicorn with sync workers on 127.0.0.1, as in the Dockerfile (3 workers there)."""

    def __init__(self, *, env: dict, workers: int = 3, port: int | None = None):
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.process = None
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = DATA_DIR / f"gunicorn-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "Server":
        log = self.log_path.open("w")
        command = [
            str(VENV_BIN / "gunicorn"),
            "coprod_hub.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            # Production logs every request to stdout; so do we, into a file.
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._wait_until_serving(timeout)
        return self

    def _wait_until_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn stopped while starting; see {self.log_path}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/hello/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")
        # Every worker loads the application when it boots; give the others a moment.
        for _ in range(self.workers * 4):
            urllib.request.urlopen(f"{self.base_url}/hello/", timeout=5).close()  # noqa: S310

    def worker_cpu_seconds(self) -> float:
        """CPU time used so far by the master's worker processes (Linux /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended while we looked
            # After the command name: state, ppid, ... utime is field 14, stime 15 (1-based).
            if int(fields[1]) == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
