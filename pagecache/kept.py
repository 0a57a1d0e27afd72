"""Reads of page content kept per process, under the content version.

The reading pages rebuild the same few queries on every request (a lesson with its reading
order, the trees a lesson embeds, the list of trees), and building them in the ORM costs more
than the database's work (bench/history.md, issue 20). The content version
(`pagecache.versions`) changes in the same transaction as any write to that content, so a
result read under a version is the answer for as long as the version stands.

`kept_for_content(key, read)` returns what `read()` returned under the current version, or
calls it. The key must hold everything else the read depends on: a reader's rights (draft
previews, their own private lessons), the slug. A read that raises (a 404) is not kept.
Bounded (entries), thread-safe; a process keeps at most `KEPT` results.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from pagecache.versions import request_content_version

KEPT = 4096

_kept: OrderedDict[Hashable, tuple[str, object]] = OrderedDict()
_lock = threading.Lock()


def kept_for_content[T](key: Hashable, read: Callable[[], T]) -> T:
    version = request_content_version()
    with _lock:
        found = _kept.get(key)
        if found is not None and found[0] == version:
            _kept.move_to_end(key)
            return found[1]  # type: ignore[return-value]
    value = read()
    with _lock:
        _kept[key] = (version, value)
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return value


def forget() -> None:
    with _lock:
        _kept.clear()
