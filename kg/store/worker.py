"""A query worker process: ``python -m kg.store.worker READ_FD WRITE_FD``.

Loads the store once from the files named in its first message, then answers
``Request``s one at a time. A plain subprocess (not ``multiprocessing``'s
spawn), so it never re-imports whatever ``__main__`` the server runs under.
The parent (``kg.store.backends.ProcessBackend``) kills it at a query's
timeout, which is how a runaway query is stopped.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection


def main(read_fd: int, write_fd: int) -> int:
    from kg.store.backends import run_request
    from kg.store.embedded import OxigraphStore

    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    files = inbox.recv()
    store = OxigraphStore.load(files)
    outbox.send(("ready", None))
    while True:
        try:
            req = inbox.recv()
        except (EOFError, OSError):
            return 0
        outbox.send(run_request(store, req))


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
