"""One pool of threads per process for work that mostly waits on the disk or the object store.

Starting threads for every batch of a million-file move cost more than the batch's own system calls.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

IO_THREADS = 8

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None


def io_pool() -> ThreadPoolExecutor:
    """The process's pool, made on first use; a forked child (a task worker) makes its own, as threads do not fork."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="io")
            _pool_pid = os.getpid()
        return _pool
