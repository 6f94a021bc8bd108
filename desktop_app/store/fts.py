"""Full-text search over requests: an FTS5 trigram index of ``requests.search_text``.

Why trigram: clerks search for fragments — the middle of a phone number, part of a
street name, a few letters of a surname — and the trigram tokenizer answers any
substring of three characters or more from its index (platform.md: 6 ms where
``LIKE '%…%'`` takes over a second on a million rows).  The indexed text is already
folded by :func:`sync.text.search_key`, so ی/ي, ک/ك, ZWNJ and digit scripts match
alike as long as the query is folded the same way (:func:`match_expression`).

The index is an *external-content* table: it stores only the index, reading the
text from ``requests`` itself, and triggers keep it in step with every writer (the
desk, sync, imports).  It lives outside Alembic on purpose — it is derived data,
rebuilt from ``requests`` at any time — so :func:`ensure_fts` is idempotent and runs
on every open.  Alembic's SQLite batch migrations copy ``requests`` into a new
table, which drops its triggers and may renumber its rowids; ``open_store`` passes
``rebuild=True`` after any migration so the index is made anew from the copy.
Migration tooling must ignore these tables (:func:`is_fts_table`).

Writers of many rows at once (sync's pages) use :func:`indexing_in_bulk` instead of
the row triggers.  A bulk write bigger than what the office holds (a first sync) sets
the index aside instead (:func:`set_aside`) and makes it again afterwards, a rowid
range a transaction (:func:`build_step`); meanwhile the desk searches row by row
(:func:`built_to`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Iterator, Mapping

import sqlalchemy as sa

from sync.text import search_key

FTS_TABLE = "requests_fts"
#: The table whose text it indexes.
FTS_CONTENT = "requests"

#: Trigrams need three characters; a two-character word is searched as the start
#: of a word (a space and the word make three).  Shorter input has no trigram.
MIN_TRIGRAM = 3

#: ``case_sensitive 1``: the tokenizer takes the text as it is, without folding case
#: on its own — the text is folded already, and so is every query, by
#: :func:`sync.text.search_key`, which folds more than case.  Indexing costs less
#: (a fifth, measured on a first sync), and the index then finds exactly what
#: ``instr`` does, its row test in the desk's queries.  Changing the definition
#: takes a migration that drops the index (20261202_c4e1a9d27b58).
_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"search_text, content='{FTS_CONTENT}', content_rowid='rowid', "
    "tokenize='trigram case_sensitive 1')"
)

#: ``sync_state`` key, there while the index is set aside or being made again
#: (:func:`set_aside`): the highest rowid of ``requests`` it holds.
BUILT_TO = "search_index_built_to"
_BUILT = f"(SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = '{BUILT_TO}')"

# External content: the index must be told the *old* text to remove an entry.
_ADD = f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.rowid, new.search_text);"
_REMOVE = (f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
           "VALUES ('delete', old.rowid, old.search_text);")
#: Each trigger: its event, the condition it fires on (if any), what it does, and
#: the row whose rowid tells whether the index holds it already.
_TRIGGER_PARTS = {
    f"{FTS_TABLE}_ai": ("AFTER INSERT ON requests", None, _ADD, "new"),
    f"{FTS_TABLE}_ad": ("AFTER DELETE ON requests", None, _REMOVE, "old"),
    f"{FTS_TABLE}_au": ("AFTER UPDATE OF search_text ON requests",
                        "old.search_text IS NOT new.search_text", f"{_REMOVE} {_ADD}", "old"),
}


def _triggers(*, partial: bool) -> dict[str, str]:
    """The index's triggers: the usual ones, or (``partial``) those that keep only
    the rows it holds already while it is made again (:func:`build_step`)."""
    made = {}
    for name, (event, condition, action, row) in _TRIGGER_PARTS.items():
        conditions = [c for c in (condition, f"{row}.rowid <= {_BUILT}" if partial else None) if c]
        when = f" WHEN {' AND '.join(conditions)}" if conditions else ""
        made[name] = (f"CREATE TRIGGER {'' if partial else 'IF NOT EXISTS '}{name} "
                      f"{event}{when} BEGIN {action} END")
    return made


TRIGGERS = _triggers(partial=False)
#: While the index is being made again, its triggers keep only the rows it holds
#: already (rowid up to :data:`BUILT_TO`); the steps to come index the others as
#: they stand then.  Same names as :data:`TRIGGERS`, which replace them at the end.
_PARTIAL_TRIGGERS = _triggers(partial=True)


#: How much of a transaction's new entries FTS5 keeps in memory before it writes
#: them out as a segment.  Its default, 1 MiB, is a few hundred requests: a page
#: of a first sync was written as a string of small segments, merged again and
#: again; at 64 MiB a page is one segment, and the index of a 100,000-request
#: first sync takes a sixth to a third less time.  Only a big write fills it.
HASH_SIZE = 64 << 20

#: FTS5's own merge settings (fts5.html, "The 'automerge' Configuration Option" and
#: "The 'crisismerge' …"): a level's segments are merged once it has this many…
AUTOMERGE = 4
#: … and at once, in the writing transaction, when it has this many.
CRISISMERGE = 16
#: While a bulk write is under way (:func:`defer_merging`): no merging as it goes,
#: and a crisis merge only this far.  A first sync makes a segment a page: seven
#: for 100,000 requests, fifty to a hundred and fifty for a million.
BULK_CRISISMERGE = 64

#: Leaf pages a step of merging writes at most (FTS5's ``merge`` command): a few
#: tens of milliseconds of the write lock (:func:`merge_step`).
MERGE_STEP_PAGES = 500

#: Rowids of ``requests`` indexed a transaction when the index is made again
#: (:func:`build_step`): about a second of the write lock on this machine, like
#: one of the plain indexes of a million requests.
BUILD_CHUNK = 100_000

#: The triggers :func:`indexing_in_bulk` stands in for (the delete trigger stays).
_BULK_REPLACED = (f"{FTS_TABLE}_ai", f"{FTS_TABLE}_au")


@contextlib.contextmanager
def indexing_in_bulk(conn: sa.Connection, texts: Mapping[str, str],
                     new: Collection[str] = ()) -> Iterator[None]:
    """Write requests inside this block and the index follows them in two statements
    instead of one trigger a row: ``new`` are the stored ids (32 hex digits) of the
    requests the block adds, ``texts`` maps those of requests the table may hold
    already to the search texts they get.

    Why: FTS5 writes its pending entries out as a new segment at every statement
    savepoint, and a row trigger inside an ``executemany`` runs in one for every
    row.  A first sync's 100,000 requests made 100,000 one-row segments to merge
    (14 s); two ``INSERT … SELECT`` a page make one segment a page (1.7 s).

    Of the rows in ``texts``, only those whose text is new or differs from the stored
    one are touched: a page of status changes leaves the index alone; new rows are
    not compared at all (a first sync's page would send every text twice).  The
    insert and update triggers are dropped for the block and created again after
    it; the caller's transaction holds it all, so a failure or a crash in the middle
    rolls the triggers back with the rows.  Before the block those of the touched
    rows that exist leave the index with their old text; after it every touched row
    enters it with its text as it now stands (one the block did not overwrite after
    all comes back unchanged).  Other writers are locked out meanwhile: the block
    runs in the write transaction."""
    # json_extract rather than ``->>``: that operator needs SQLite 3.38, and a
    # Linux Python may use an older system library (Ubuntu 22.04: 3.37.2).
    touched = conn.exec_driver_sql(
        "SELECT json_extract(j.value, '$[0]') FROM json_each(?) AS j "
        "LEFT JOIN requests AS r ON r.id = json_extract(j.value, '$[0]') "
        "WHERE r.search_text IS NOT json_extract(j.value, '$[1]')",
        (json.dumps(list(texts.items())),)).scalars().all() if texts else []
    if not touched and not new:
        yield
        return
    listed = "SELECT rowid, search_text FROM requests WHERE id IN (SELECT value FROM json_each(?))"
    for trigger in _BULK_REPLACED:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    if touched:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
                             f"SELECT 'delete', rowid, search_text FROM ({listed})", (json.dumps(touched),))
    yield
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}(rowid, search_text) {listed}",
                         (json.dumps([*touched, *new]),))
    for trigger in _BULK_REPLACED:
        conn.exec_driver_sql(TRIGGERS[trigger])


def _configure(conn: sa.Connection, **settings: int) -> None:
    for key, value in settings.items():
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES (?, ?)", (key, value))


def _exists(conn: sa.Connection) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (FTS_TABLE,)).first() is not None


def defer_merging(conn: sa.Connection) -> None:
    """For a bulk write over many transactions (a first sync's pages): each
    transaction's entries stay a segment of their own until :func:`resume_merging`.

    Why: FTS5 merges a level's segments, a little after each write, once it holds
    :data:`AUTOMERGE` of them, so a first sync's pages were merged into one another
    again and again while they came — a quarter of the index's cost (1.2 s for seven
    pages of 100,000 requests, 0.9 s unmerged).  Afterwards a :func:`crowded` index
    is merged by bounded steps (:func:`merge_step`) before the usual settings are
    back, and the office's next writes merge the rest a little at a time, as they
    merge everything.  Part of the caller's transaction, so a crash takes it back,
    or leaves it for :func:`resume_merging` with the rest of the bulk write's state."""
    if _exists(conn):
        _configure(conn, automerge=0, crisismerge=BULK_CRISISMERGE)


def resume_merging(conn: sa.Connection) -> None:
    """FTS5's usual merging again, after :func:`defer_merging`.  Call it once the
    index is no longer :func:`crowded`, or the next write merges it all at once."""
    if _exists(conn):
        _configure(conn, automerge=AUTOMERGE, crisismerge=CRISISMERGE)


def crowded(conn: sa.Connection) -> bool:
    """Whether a bulk write left the index so many segments (:data:`CRISISMERGE`)
    that, with FTS5's usual settings, the next write — a clerk saving a walk-in —
    would merge them all inside its own transaction: seconds, after a first sync
    of a million requests (some fifty segments)."""
    return _exists(conn) and conn.exec_driver_sql(
        f"SELECT count(DISTINCT segid) FROM {FTS_TABLE}_idx").scalar_one() >= CRISISMERGE


def merge_step(conn: sa.Connection) -> bool:
    """Merge segments until about :data:`MERGE_STEP_PAGES` pages are written; False
    when there was nothing left to merge (FTS5 changes fewer than two rows then:
    fts5.html, "The 'merge' Command")."""
    before = conn.exec_driver_sql("SELECT total_changes()").scalar_one()
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('merge', ?)",
                         (MERGE_STEP_PAGES,))
    return conn.exec_driver_sql("SELECT total_changes()").scalar_one() - before >= 2


def built_to(conn: sa.Connection) -> int | None:
    """The highest rowid of ``requests`` the index holds while it is set aside or
    being made again (:func:`set_aside`); ``None`` when it holds every request.
    Readers search the rows after it without the index (or all, simply)."""
    value = conn.exec_driver_sql("SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?",
                                 (BUILT_TO,)).scalar()
    return None if value is None else int(value)


def _drop_triggers(conn: sa.Connection) -> None:
    for name in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def set_aside(conn: sa.Connection) -> None:
    """Empty the index and drop its triggers for a bulk write bigger than what the
    office holds (a first sync), in the caller's transaction; :func:`build_step`
    makes it again once the write is in.

    Why: indexing a first sync page by page cost more than indexing the finished
    table — each page looked its rows up by id, and the index came out in a
    segment a page, which then had to be merged (py-spy of a 100,000-request
    ``daftar sync``: 15% of the office's time in the pages' indexing, 3.5% in
    merging).  Indexed by rowid ranges afterwards, the office's CPU for that sync
    went from 9.21 to 8.26 s (median of four, alternating with the old code); its
    peak memory rose from about 215 to 245 MB, the index of a range held in memory
    (:data:`HASH_SIZE`).  Until then :func:`built_to` tells readers which rows the
    index lacks."""
    if not _exists(conn) or built_to(conn) is not None:
        return
    _drop_triggers(conn)
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES (?, 0)", (BUILT_TO,))


def build_step(conn: sa.Connection) -> bool:
    """One transaction's share of making the index again after :func:`set_aside`:
    the requests of the next :data:`BUILD_CHUNK` rowids enter it.  The first step puts
    triggers in place that keep what is indexed already in step with the desk's
    writes (:data:`_PARTIAL_TRIGGERS`); the last one, once no rowid is left, puts
    the usual triggers back and forgets :data:`BUILT_TO`.  A crash in between
    leaves the work done so far; the next step goes on from there.  True when the
    index is whole (or was)."""
    done = built_to(conn)
    if done is None:
        return True
    last = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM requests").scalar_one()
    upto = done + BUILD_CHUNK
    if last > done:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
                             "SELECT rowid, search_text FROM requests WHERE rowid > ? AND rowid <= ?",
                             (done, upto))
    whole = upto >= last
    triggers = TRIGGERS if whole else _PARTIAL_TRIGGERS
    if whole or done == 0:
        _drop_triggers(conn)
        for ddl in triggers.values():
            conn.exec_driver_sql(ddl)
    if whole:
        conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (BUILT_TO,))
    else:
        conn.exec_driver_sql("UPDATE sync_state SET value = ? WHERE key = ?", (upto, BUILT_TO))
    return whole


def is_fts_table(name: str) -> bool:
    """True for the index and its shadow tables (``requests_fts_data`` …), which
    Alembic's autogenerate must leave alone."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


def ensure_fts(engine: sa.Engine, *, rebuild: bool = False) -> None:
    """Create the index and its triggers if missing, with :data:`HASH_SIZE`; fill it
    when it is new or when ``rebuild`` (after a migration) asks for it.  A no-op on
    other databases."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        existed = _exists(conn)
        conn.exec_driver_sql(_CREATE)
        if existed and built_to(conn) is not None:
            if not rebuild:
                return  # set aside by a bulk write: build_step makes it, triggers and all
            _drop_triggers(conn)  # the partial ones, if any
            conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (BUILT_TO,))
        for ddl in TRIGGERS.values():
            conn.exec_driver_sql(ddl)
        if conn.exec_driver_sql(f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'hashsize'").scalar() != HASH_SIZE:
            _configure(conn, hashsize=HASH_SIZE)
        if rebuild or not existed:
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _quoted(term: str) -> str:
    """An FTS5 string literal: the whole term is one phrase, operators inert."""
    return '"' + term.replace('"', '""') + '"'


def phrases(query: str) -> list[str]:
    """The phrases a query asks for, each of which must appear in the text (see
    :func:`match_expression`); empty when nothing is long enough to search for."""
    groups: list[list[str]] = []
    leading: list[str] = []  # short words before the first long one
    for word in search_key(query).split():
        if len(word) >= MIN_TRIGRAM:
            groups.append([*leading, word])
            leading = []
        elif groups:
            groups[-1].append(word)
        else:
            leading.append(word)
    if not groups:
        phrase = " ".join(leading)
        if len(phrase) < MIN_TRIGRAM:
            phrase = " " + phrase  # a lone short word: the start of a word
        return [phrase] if len(phrase) >= MIN_TRIGRAM else []
    return [" ".join(group) for group in groups]


def match_expression(query: str) -> str | None:
    """The FTS5 ``MATCH`` text for what a clerk typed, or ``None`` when nothing in
    it is long enough for the trigram index.

    Words of three characters or more must each appear, in any order: «حسینی محمد»
    finds «محمد حسینی».  A shorter word stays joined to the word before it (or
    after it, at the start), as typed: «کوچه ۱۲» is one phrase, so the number still
    narrows the search.  A lone two-character word matches the start of a word (a
    space and the word make a trigram); a lone letter finds nothing here.
    """
    found = phrases(query)
    return " AND ".join(_quoted(phrase) for phrase in found) or None
