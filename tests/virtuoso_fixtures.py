"""A throw-away Virtuoso open source (Debian's ``virtuoso-opensource``) for tests.

``running_virtuoso(dir)`` writes a ``virtuoso.ini`` whose every file lives in
``dir``, binds the SQL and HTTP ports to free loopback ports, starts
``virtuoso-t +foreground``, waits until ``/sparql`` answers, and stops it at
the end. A fresh database is created on first start (a few seconds).

Endpoints of a stock Virtuoso 7 (no extra configuration):
- ``/sparql``                 SPARQL query (anonymous user ``SPARQL``: read-only)
- ``/sparql-auth``            SPARQL query and update, Digest auth (``dba``/``dba``)
- ``/sparql-graph-crud``      Graph Store Protocol, anonymous: reads only (writes → 403)
- ``/sparql-graph-crud-auth`` Graph Store Protocol, Digest auth: reads and writes
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from live import free_port

DBA_PASSWORD = "dba"  # the stock password of a fresh database; it only ever listens on loopback here


def virtuoso_binary() -> tuple[str | None, str]:
    """The ``virtuoso-t`` path, or None and why not."""
    found = shutil.which("virtuoso-t")
    if found:
        return found, ""
    try:
        listed = subprocess.run(
            ["dpkg", "-L", "virtuoso-opensource-7-bin"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
    except FileNotFoundError:
        listed = []
    for line in listed:
        if line.endswith("/virtuoso-t") and Path(line).is_file():
            return line, ""
    return None, "virtuoso-t not found: the Debian package virtuoso-opensource is not installed (apt-get install -y virtuoso-opensource)"


INI = """\
; Written by tests/virtuoso_fixtures.py: every file under one temporary directory,
; loopback ports only, small buffers (2 cores, a few hundred MB), no plugins.
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
AllowOSCalls         = 0
DirsAllowed          = {d}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2
MaxQueryMem          = 256M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {d}
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryExecutionTime      = 30
MaxQueryCostEstimationTime = 30
"""


@dataclass(frozen=True)
class Virtuoso:
    http: str  # http://127.0.0.1:PORT
    sql_port: int
    directory: Path

    @property
    def sparql(self) -> str:
        return f"{self.http}/sparql"

    @property
    def sparql_auth(self) -> str:
        return f"{self.http}/sparql-auth"

    @property
    def gsp(self) -> str:
        return f"{self.http}/sparql-graph-crud"

    @property
    def gsp_auth(self) -> str:
        return f"{self.http}/sparql-graph-crud-auth"

    def gsp_auth_with_credentials(self) -> str:
        return self.gsp_auth.replace("http://", f"http://dba:{DBA_PASSWORD}@", 1)

    def log(self) -> str:
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextmanager
def running_virtuoso(directory: Path, binary: str, *, start_timeout: float = 90.0) -> Iterator[Virtuoso]:
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(d=directory, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    out = open(directory / "stdout.log", "wb")  # noqa: SIM115 - the server writes to it after we return
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)], cwd=directory, stdout=out, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    v = Virtuoso(f"http://127.0.0.1:{http_port}", sql_port, directory)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {process.returncode}:\n{v.log()}")
            try:
                if httpx.get(v.sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso did not answer on {v.sparql} within {start_timeout:g} s:\n{v.log()}")
            time.sleep(0.25)
        yield v
    finally:
        process.terminate()  # Virtuoso checkpoints and exits on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        out.close()
