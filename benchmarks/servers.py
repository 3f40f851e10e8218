"""Start the servers under test on loopback, each as its own process group.

Why a module: ours (``kg serve``), the peer rdflib-endpoint, Virtuoso open
source and the hello-world ceiling must be started, waited for and stopped
the same way, and their load time and memory read the same way.

Each ``start_*`` returns a ``Server``: the URL the load generator queries,
how long the server took until it answered, and a ``stop()`` that ends only
the processes this module started (by process-group id).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen
    ready_s: float = 0.0
    tmp: Path | None = None
    log: Path | None = None
    extra: dict = field(default_factory=dict)

    def rss_mb(self) -> float:
        """Peak resident memory (VmHWM) of the server and its children, in MB."""
        return round(sum(_hwm_kb(pid) for pid in _tree(self.proc.pid)) / 1024, 1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _spawn(cmd: list[str], log: Path, **kw) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    fh = open(log, "wb")  # noqa: SIM115 - the child writes to it after we return
    return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, **kw)


def _wait(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> float:
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited ({proc.returncode}); see {log}:\n{log.read_text(errors='replace')[-800:]}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return time.perf_counter() - t
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}: not ready after {timeout} s; see {log}")


def start_kg(var: Path, seeds: Path, logdir: Path, *, workers: int = 2, timeout: float = 900) -> Server:
    port = free_port()
    log = logdir / "kg-serve.log"
    cmd = [PY, "-m", "kg", "--var", str(var), "--seeds", str(seeds), "serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--max-concurrent", "64", "--timeout", "30",
           "--no-access-log"]  # as the hello-world and the peers run: none of them logs each request
    proc = _spawn(cmd, log, cwd=ROOT)
    s = Server("kg", f"http://127.0.0.1:{port}/sparql", proc, log=log)
    s.ready_s = _wait(f"http://127.0.0.1:{port}/health", proc, timeout, log)
    return s


def start_rdflib_endpoint(nq: Path, logdir: Path, *, timeout: float = 900) -> Server:
    port = free_port()
    log = logdir / "rdflib-endpoint.log"
    exe = Path(PY).with_name("rdflib-endpoint")
    proc = _spawn([str(exe), "serve", str(nq), "--host", "127.0.0.1", "--port", str(port)], log)
    s = Server("rdflib-endpoint", f"http://127.0.0.1:{port}/", proc, log=log)
    s.ready_s = _wait(f"http://127.0.0.1:{port}/?query=ASK%7B%7D", proc, timeout, log)
    return s


def start_hello(logdir: Path) -> Server:
    port = free_port()
    log = logdir / "hello.log"
    proc = _spawn([PY, "-m", "uvicorn", "benchmarks.hello:create_app", "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--log-level", "warning", "--no-access-log"], log, cwd=ROOT)
    s = Server("hello", f"http://127.0.0.1:{port}/", proc, log=log)
    s.ready_s = _wait(s.url, proc, 60, log)
    return s


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = 340000
MaxDirtyBuffers = 250000
DirsAllowed = ., {d}, {data}, /usr/share/virtuoso-opensource-7/vad
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 32
ServerThreads = 32
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
DefaultQuery = SELECT * WHERE {{?s ?p ?o}} LIMIT 1
"""


def isql(port: int, sql: str, timeout: float = 3600) -> str:
    r = subprocess.run(["isql-vt", str(port), "dba", "dba", f"exec={sql}"], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or "*** Error" in r.stdout:
        raise RuntimeError(f"isql {sql!r}: {r.stdout[-500:]} {r.stderr[-500:]}")
    return r.stdout


def start_virtuoso(nq: Path, logdir: Path, *, timeout: float = 1800) -> Server:
    """Virtuoso in a fresh temporary directory; bulk-loads ``nq`` with ld_dir/rdf_loader_run."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        raise RuntimeError("virtuoso-t not installed (apt-get install virtuoso-opensource)")
    d = Path(tempfile.mkdtemp(prefix="bench-virtuoso-"))
    data = d / "data"
    data.mkdir()
    os.link(nq, data / "dataset.nq") if os.stat(nq).st_dev == os.stat(d).st_dev else shutil.copy(nq, data / "dataset.nq")
    isql_port, http_port = free_port(), free_port()
    (d / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=d, data=data, isql=isql_port, http=http_port))
    log = logdir / "virtuoso.log"
    t = time.perf_counter()
    proc = _spawn([exe, "-f", "-c", str(d / "virtuoso.ini")], log, cwd=d)
    s = Server("virtuoso", f"http://127.0.0.1:{http_port}/sparql", proc, tmp=d, log=log)
    deadline = time.perf_counter() + 120
    while True:
        try:
            isql(isql_port, "status();", timeout=10)
            break
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            if proc.poll() is not None or time.perf_counter() > deadline:
                s.stop()
                raise RuntimeError(f"virtuoso did not start; see {log}") from exc
            time.sleep(0.5)
    started = time.perf_counter()
    isql(isql_port, f"ld_dir('{data}', 'dataset.nq', 'urn:bench:default');")
    isql(isql_port, "rdf_loader_run();", timeout=timeout)
    isql(isql_port, "checkpoint;")
    s.extra["bulk_load_s"] = round(time.perf_counter() - started, 3)
    s.ready_s = round(time.perf_counter() - t, 3)
    out = isql(isql_port, "SPARQL SELECT COUNT(*) WHERE { GRAPH ?g { ?s ?p ?o } };")
    s.extra["count_output"] = " ".join(out.split())[-120:]
    _wait(s.url + "?query=ASK%7B%7D", proc, 60, log)
    return s




def start_kg_checkout(name: str, root: Path, var: Path, logdir: Path, *, extra: list[str] | None = None,
                      timeout: float = 900) -> Server:
    """``kg serve`` with its settings' defaults, run from the checkout ``root``
    (``python -m kg`` with ``cwd=root``: that checkout's ``kg`` package shadows
    the installed one), so two versions can be measured side by side in one run.
    Only ``--no-access-log`` is set, as the peers log no request either."""
    port = free_port()
    log = logdir / f"{name}.log"
    cmd = [PY, "-m", "kg", "--var", str(var), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
           *(extra or [])]
    proc = _spawn(cmd, log, cwd=root)
    s = Server(name, f"http://127.0.0.1:{port}", proc, log=log)
    s.ready_s = round(_wait(f"{s.url}/health", proc, timeout, log), 3)
    return s


NGINX_CONF = """\
worker_processes {workers};
daemon off;
master_process on;
user root;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  types {{ text/html html; text/plain txt; }}
{gzip}  server {{
    listen 127.0.0.1:{port};
    root {root};
    etag on;
  }}
}}
"""


def start_bare_asgi(body: Path, headers: Path, logdir: Path) -> Server:
    """``benchmarks/bare_asgi.py`` on Granian (one worker and uvloop, as ``kg serve --server granian``):
    one page's bytes and headers, whatever is asked."""
    port = free_port()
    log = logdir / "bare-asgi.log"
    env = {**os.environ, "KG_BARE_FILE": str(body), "KG_BARE_HEADERS": str(headers), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = _spawn([sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", "1", "--loop", "uvloop", "--no-ws", "benchmarks.bare_asgi:app"], log, env=env)
    s = Server("bare-asgi", f"http://127.0.0.1:{port}", proc, log=log)
    s.ready_s = round(_wait(s.url + "/", proc, 30, log), 3)
    return s


def start_nginx(root: Path, logdir: Path, *, workers: int = 2, gzip: bool = False) -> Server:
    """Debian's nginx serving ``root`` as static files: the read path's ceiling
    on this machine (``workers`` processes, one a core, no access log). With
    ``gzip``, HTML is gzip-coded per request for a client that asks, at kg's
    level (6, ``kg.web.coding.LEVEL``): the peer of kg's compressed-once pages."""
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if exe is None:
        raise RuntimeError("nginx not installed (apt-get install nginx-light)")
    d = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    port = free_port()
    (d / "nginx.conf").write_text(NGINX_CONF.format(workers=workers, d=d, port=port, root=root,
                                                       gzip="  gzip on; gzip_comp_level 6; gzip_types text/html;\n" if gzip else ""))
    log = logdir / "nginx.log"
    proc = _spawn([exe, "-p", str(d), "-c", str(d / "nginx.conf")], log)
    s = Server("nginx", f"http://127.0.0.1:{port}", proc, tmp=d, log=log)
    s.ready_s = round(_wait(s.url + "/", proc, 30, log), 3)
    return s
