"""User alias files: canonical names, their aliases, kinds and external ids.

YAML: a list of mappings (`name`, `aliases`, `kind`, optional `id` such as a Wikidata
QID). CSV: columns `name,aliases,kind,id` with aliases separated by `|`. Loading a file
creates or updates one actor per entry; its aliases are looked up before any other rule
when documents are resolved, so the file both seeds and overrides resolution.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from storyline.errors import AliasFileError
from storyline.store.actors import ActorTable

KINDS = ("person", "organization", "place", "group", "platform")


@dataclass(frozen=True)
class AliasEntry:
    name: str
    kind: str
    aliases: tuple[str, ...] = field(default_factory=tuple)
    external_id: str | None = None


def read_alias_file(path: str | Path) -> list[AliasEntry]:
    """Parse an alias file; every bad entry is named with its reason."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AliasFileError(f"cannot read alias file: {exc}", source=str(path)) from exc
    rows: list[dict[str, object]]
    if path.suffix.lower() == ".csv":
        rows = [dict(r) for r in csv.DictReader(io.StringIO(text))]
        for r in rows:
            r["aliases"] = [a.strip() for a in str(r.get("aliases") or "").split("|")
                            if a.strip()]
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise AliasFileError(f"not valid YAML: {exc}", source=str(path)) from exc
        if not isinstance(data, list):
            raise AliasFileError("expected a list of entries (name, aliases, kind, id)",
                                 source=str(path))
        rows = data
    entries = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not str(row.get("name") or "").strip():
            raise AliasFileError(f"entry {n} has no name", source=str(path))
        kind = str(row.get("kind") or "person").strip()
        if kind not in KINDS:
            raise AliasFileError(f"entry {n} ({row['name']}) has unknown kind {kind!r}; "
                                 f"use one of {', '.join(KINDS)}", source=str(path))
        aliases = row.get("aliases") or []
        if not isinstance(aliases, list):
            raise AliasFileError(f"entry {n} ({row['name']}): aliases must be a list",
                                 source=str(path))
        ext = row.get("id") or row.get("external_id")
        entries.append(AliasEntry(str(row["name"]).strip(), kind,
                                  tuple(str(a).strip() for a in aliases if str(a).strip()),
                                  str(ext).strip() if ext else None))
    return entries


def load_aliases(table: ActorTable, entries: list[AliasEntry]) -> list[str]:
    """Create or update the actors of an alias file; returns their ids."""
    from storyline.actors.resolve import entity_keys

    ids = []
    for entry in entries:
        existing = [a for a, origin, _ in table.by_alias(entry.name, entry.kind)
                    if origin == "alias-file"]
        if existing:
            actor = existing[0]
            table.update(actor, name=entry.name, external_id=entry.external_id)
        else:
            actor = table.create(entry.kind, entry.name, seed="alias-file",
                                 origin="alias-file", external_id=entry.external_id)
        keys: set[str] = set()
        for alias in (entry.name, *entry.aliases):
            table.add_alias(actor, alias, origin="alias-file", count=0)
            keys |= entity_keys(entry.kind, alias)
        table.add_keys(actor, entry.kind, keys)
        ids.append(actor)
    return ids
