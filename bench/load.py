"""Drive wrk against one page and read back throughput and latency percentiles."""

import json
import shutil
import subprocess  # noqa: S404 - wrk with arguments we build ourselves
from dataclasses import dataclass
from pathlib import Path

from bench.server import DATA_DIR

LUA_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"


class LoadToolMissing(RuntimeError):
    pass


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise LoadToolMissing("wrk is not installed. On Debian or Ubuntu: apt-get install -y wrk")
    return path


@dataclass
class Request:
    """One request wrk sends. `cookie` is a whole Cookie header value."""

    method: str
    path: str
    cookie: str = ""
    body: str = ""

    def line(self) -> str:
        for part in (self.method, self.path, self.cookie, self.body):
            if "\t" in part or "\n" in part:
                raise ValueError(f"A request part cannot hold tabs or new lines: {part!r}")
        return "\t".join((self.method, self.path, self.cookie, self.body))


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_detail: dict
    hello_rps: float | None = None  # the hello view measured just before, if it was

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    base_url: str,
    requests: list[Request],
    *,
    name: str,
    duration: float,
    connections: int = 8,
    threads: int = 1,
    timeout: float = 10.0,
) -> LoadResult:
    """Load `requests` (cycled in order) for `duration` seconds over `connections`."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    requests_file = DATA_DIR / f"requests-{name}.tsv"
    requests_file.write_text("\n".join(r.line() for r in requests) + "\n")
    # wrk counts whole seconds; anything shorter than one is one.
    seconds = max(1, round(duration))
    command = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout:g}s",
        "-s",
        str(LUA_SCRIPT),
        base_url + requests[0].path,
        "--",
        str(requests_file),
    ]
    completed = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + timeout + 30, check=False
    )
    marker = next(
        (line for line in completed.stdout.splitlines() if line.startswith("BENCH_JSON ")), None
    )
    if completed.returncode != 0 or marker is None:
        raise RuntimeError(
            f"wrk failed for {name} (exit {completed.returncode}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        )
    data = json.loads(marker.removeprefix("BENCH_JSON "))
    error_detail = {
        key: data[key]
        for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
        if data[key]
    }
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors=sum(error_detail.values()),
        error_detail=error_detail,
    )
