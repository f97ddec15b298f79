"""Named, numbered schema migrations. Each runs once, in order, in one transaction, and
is recorded in `schema_migrations`; `PRAGMA user_version` holds the latest number."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "documents", """
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    external_id TEXT,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    line INTEGER,
    format TEXT NOT NULL,
    markup TEXT NOT NULL,
    encoding TEXT,
    title TEXT,
    title_from TEXT,
    outlet TEXT,
    outlet_from TEXT,
    published TEXT,
    published_from TEXT,
    language TEXT,
    dateline TEXT,
    raw TEXT NOT NULL,
    text TEXT NOT NULL,
    offsets TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    minhash BLOB,
    duplicate_of TEXT REFERENCES documents(id),
    duplicate_kind TEXT,
    similarity REAL,
    evidence TEXT NOT NULL DEFAULT '{}',
    extra TEXT NOT NULL DEFAULT '{}',
    page TEXT NOT NULL DEFAULT '{}',
    warnings TEXT NOT NULL DEFAULT '[]',
    ingested_at TEXT NOT NULL
);
CREATE INDEX documents_content_hash ON documents(content_hash);
CREATE INDEX documents_published ON documents(published);
CREATE INDEX documents_outlet ON documents(outlet);
CREATE INDEX documents_duplicate_of ON documents(duplicate_of);

CREATE TABLE paragraphs (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    source_start INTEGER NOT NULL,
    source_end INTEGER NOT NULL,
    language TEXT,
    language_from TEXT,
    direction TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (document_id, idx)
) WITHOUT ROWID;

CREATE TABLE passages (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    offsets TEXT NOT NULL,
    source_start INTEGER,
    source_end INTEGER,
    found_by TEXT NOT NULL,
    PRIMARY KEY (document_id, kind, idx)
) WITHOUT ROWID;

CREATE TABLE minhash_bands (
    band INTEGER NOT NULL,
    key INTEGER NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (band, key, document_id)
) WITHOUT ROWID;

CREATE TABLE ingest_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    stored INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE rejections (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES ingest_runs(id),
    source TEXT NOT NULL,
    line INTEGER,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text, content='documents', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
"""),
    Migration(2, "actors", """
CREATE TABLE actors (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    romanized TEXT,
    external_id TEXT,
    origin TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX actors_kind ON actors(kind);

CREATE TABLE actor_aliases (
    actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    folded TEXT NOT NULL,
    script TEXT NOT NULL,
    origin TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (actor_id, alias)
) WITHOUT ROWID;
CREATE INDEX actor_aliases_folded ON actor_aliases(folded);

CREATE TABLE actor_keys (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    PRIMARY KEY (kind, key, actor_id)
) WITHOUT ROWID;

CREATE TABLE mentions (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    source_start INTEGER NOT NULL,
    source_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    paragraph INTEGER NOT NULL,
    language TEXT,
    entity INTEGER,
    long_form INTEGER,
    actor_id TEXT REFERENCES actors(id),
    resolution TEXT NOT NULL DEFAULT '{}',
    tense TEXT,
    time_value TEXT,
    time_precision TEXT,
    time_start TEXT,
    time_end TEXT,
    time TEXT,
    PRIMARY KEY (document_id, idx)
) WITHOUT ROWID;
CREATE INDEX mentions_actor ON mentions(actor_id);
CREATE INDEX mentions_time_start ON mentions(time_start);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    mention INTEGER NOT NULL,
    title TEXT NOT NULL,
    title_group TEXT NOT NULL,
    qualifier TEXT,
    organization TEXT,
    organization_actor_id TEXT REFERENCES actors(id),
    as_of TEXT,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    source_start INTEGER NOT NULL,
    source_end INTEGER NOT NULL
);
CREATE INDEX roles_actor ON roles(actor_id);
CREATE INDEX roles_title_group ON roles(title_group);
CREATE INDEX roles_document ON roles(document_id);
"""),
)

MIGRATIONS += (
    Migration(3, "events and claims", """
CREATE TABLE claims (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    cue TEXT NOT NULL,
    cue_start INTEGER NOT NULL,
    cue_end INTEGER NOT NULL,
    content TEXT NOT NULL,
    content_text TEXT NOT NULL,
    source TEXT,
    source_start INTEGER,
    source_end INTEGER,
    source_mention INTEGER,
    direct INTEGER NOT NULL,
    kind TEXT NOT NULL,
    stance TEXT NOT NULL,
    via INTEGER,
    source_ref INTEGER,
    channel TEXT,
    paragraph INTEGER NOT NULL,
    score REAL NOT NULL,
    original TEXT NOT NULL,
    PRIMARY KEY (document_id, idx)
) WITHOUT ROWID;

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    mode TEXT,
    date_value TEXT,
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT,
    location TEXT,
    location_document TEXT,
    location_mention INTEGER,
    modality TEXT NOT NULL,
    topics TEXT NOT NULL DEFAULT '[]',
    score REAL NOT NULL,
    story_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX events_type ON events(type);
CREATE INDEX events_date_start ON events(date_start);

CREATE TABLE event_mentions (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    mode TEXT,
    trigger TEXT NOT NULL,
    trigger_start INTEGER NOT NULL,
    trigger_end INTEGER NOT NULL,
    sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL,
    source_start INTEGER NOT NULL,
    source_end INTEGER NOT NULL,
    quote TEXT NOT NULL,
    location_mention INTEGER,
    time_mention INTEGER,
    theme TEXT,
    modality TEXT NOT NULL,
    topics TEXT NOT NULL DEFAULT '[]',
    claim INTEGER,
    attribution TEXT NOT NULL DEFAULT '[]',
    score REAL NOT NULL,
    rule TEXT NOT NULL,
    paragraph INTEGER NOT NULL,
    same_as INTEGER,
    PRIMARY KEY (document_id, idx)
) WITHOUT ROWID;
CREATE INDEX event_mentions_event ON event_mentions(event_id);

CREATE TABLE event_participants (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    event_mention INTEGER NOT NULL,
    role TEXT NOT NULL,
    mention INTEGER NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    PRIMARY KEY (document_id, event_mention, role, mention)
) WITHOUT ROWID;
CREATE INDEX event_participants_event ON event_participants(event_id);
CREATE INDEX event_participants_mention ON event_participants(document_id, mention);
"""),
)


MIGRATIONS += (
    Migration(4, "stories and canonical events", """
CREATE TABLE signatures (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    terms TEXT NOT NULL,
    date TEXT
) WITHOUT ROWID;

CREATE TABLE term_stats (
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    first_date TEXT,
    last_date TEXT,
    size INTEGER NOT NULL,
    centroid TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX stories_version ON stories(version);
CREATE INDEX stories_last_date ON stories(last_date);

CREATE TABLE story_documents (
    document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    similarity REAL,
    evidence TEXT NOT NULL,
    seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX story_documents_story ON story_documents(story_id, seq);

CREATE TABLE story_keys (
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    PRIMARY KEY (key, version, story_id)
) WITHOUT ROWID;
CREATE INDEX story_keys_story ON story_keys(story_id);

ALTER TABLE events ADD COLUMN canonical TEXT;
ALTER TABLE events ADD COLUMN own TEXT;
UPDATE events SET canonical = id;
CREATE INDEX events_canonical ON events(canonical);
CREATE INDEX events_story ON events(story_id);

CREATE TABLE event_merges (
    event_id TEXT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    into_id TEXT NOT NULL,
    score REAL NOT NULL,
    evidence TEXT NOT NULL,
    merged_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX event_merges_into ON event_merges(into_id);

CREATE TABLE inferred_dates (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    mention INTEGER NOT NULL,
    value TEXT NOT NULL,
    published_start TEXT NOT NULL,
    published_end TEXT NOT NULL,
    event_id TEXT NOT NULL,
    from_document TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (document_id, mention)
) WITHOUT ROWID;
"""),
)

MIGRATIONS += (
    # Look-ups made for every new document, whose cost must not grow with the store:
    # the newest canonical events of one type in a story (without walking the story's
    # merged reports and other types); the distinct holders of a title (without reading
    # every role that names one); and the dates of candidate stories and the dates
    # and outlets of reports, read from small covering indexes rather than from rows
    # that hold a centroid or a whole article.
    Migration(5, "indexes for flat per-document cost", """
CREATE INDEX events_story_canonical ON events(story_id, type) WHERE canonical = id;
CREATE INDEX roles_title_holder ON roles(title_group, organization, actor_id);
CREATE INDEX stories_span ON stories(id, first_date, last_date);
CREATE INDEX documents_dated ON documents(id, published, outlet);
"""),
)

MIGRATIONS += (
    # What a canonical event's reports say, kept with it (`storyline.stories.digest`),
    # so that comparing a new report with it reads one row, not every report. Linking
    # a report's mention to another actor clears the digests of the canonical events
    # of that document's reports; they are computed again when next needed.
    Migration(6, "canonical event digests", """
ALTER TABLE events ADD COLUMN digest TEXT;
CREATE TRIGGER mentions_relinked_digest AFTER UPDATE OF actor_id ON mentions
WHEN NEW.actor_id IS NOT OLD.actor_id BEGIN
    UPDATE events SET digest = NULL WHERE digest IS NOT NULL AND id IN (
        SELECT e.canonical FROM event_mentions m JOIN events e ON e.id = m.event_id
        WHERE m.document_id = NEW.document_id);
END;
"""),
)

MIGRATIONS += (
    # A story's posting lists carry its dates (they are written again with every version
    # of it), so candidate stories are dated without a look-up per story in a B-tree
    # keyed by story hashes.
    Migration(7, "story dates in the posting lists", """
ALTER TABLE story_keys ADD COLUMN first_date TEXT;
ALTER TABLE story_keys ADD COLUMN last_date TEXT;
UPDATE story_keys SET
    first_date = (SELECT first_date FROM stories s WHERE s.id = story_keys.story_id),
    last_date = (SELECT last_date FROM stories s WHERE s.id = story_keys.story_id);
DROP INDEX stories_span;
"""),
)

#: An actor key of story clustering as versions before 8 wrote it (`@` + actor id) ...
_OLD_ACTOR_KEY = "{key} LIKE '@%' AND instr({key}, ':') = 0"
#: ... and as it is now: `@kind:id`, the kind being the actor's (its channel); an actor
#: merged into another since is no longer in `actors`, and its id begins with its kind.
_NEW_ACTOR_KEY = ("'@' || coalesce((SELECT kind FROM actors WHERE id = substr({key}, 2)), "
                  "CASE substr({key}, 2, 4) WHEN 'per-' THEN 'person' WHEN 'org-' THEN "
                  "'organization' WHEN 'pla-' THEN 'place' ELSE 'actor' END) || ':' || "
                  "substr({key}, 2)")


def _rename_actor_keys(key: str) -> str:
    return f"CASE WHEN {_OLD_ACTOR_KEY.format(key=key)} THEN {_NEW_ACTOR_KEY.format(key=key)} " \
           f"ELSE {key} END"


MIGRATIONS += (
    # Story clustering compares a document with a story channel by channel, an actor's
    # kind being its channel: actor keys name it. Document frequencies, posting lists
    # and centroids are renamed in place, so stories built before keep their actors.
    Migration(8, "actor keys name their kind", f"""
UPDATE term_stats SET term = {_rename_actor_keys("term")}
    WHERE {_OLD_ACTOR_KEY.format(key="term")};
UPDATE story_keys SET key = {_rename_actor_keys("key")}
    WHERE {_OLD_ACTOR_KEY.format(key="key")};
UPDATE stories SET centroid = (
    SELECT json_group_object({_rename_actor_keys("j.key")}, j.value)
    FROM json_each(stories.centroid) AS j)
    WHERE centroid LIKE '%"@%';
"""),
)

MIGRATIONS += (
    # An ingest run places its documents in stories at its end, in date order: until
    # then each waits here (a run cut off before its end leaves them for the next).
    Migration(9, "documents waiting for a story", """
CREATE TABLE story_pending (
    seq INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    date TEXT
);
"""),
)

MIGRATIONS += (
    # The names of the English reports' leads, by consonant skeleton: a report in
    # another language or script is placed with its names spelled as they spell them
    # (`storyline.stories.spelling`). A store migrated from before has none until
    # `storyline rebuild` reads them from the stored signatures.
    Migration(10, "name spellings of English leads", """
CREATE TABLE name_spellings (
    skeleton TEXT NOT NULL,
    name TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (skeleton, name, document_id)
) WITHOUT ROWID;
CREATE INDEX name_spellings_document ON name_spellings(document_id);
"""),
)

LATEST = MIGRATIONS[-1].version
