"""Stories as users read them: listings, a story with its timeline and sources matrix,
and a timeline across stories."""

from __future__ import annotations

from typing import Any

from storyline.store import Store
from storyline.stories.corroborate import Corroboration, outlet_name
from storyline.stories.summary import Summarizer


class StoryReader:
    """Read-side views over the stories of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.corroboration = Corroboration(store)
        self.summarizer = Summarizer(store)

    def title(self, story_id: str, documents: list[dict[str, Any]] | None = None) -> str:
        """The first titled document's title, else the lead summary sentence."""
        documents = documents if documents is not None else self.store.stories.documents(
            story_id)
        for d in documents:
            if d["title"]:
                return str(d["title"])
        lead = self.summarizer.story(story_id)
        if lead:
            text = lead[0].text
            return text if len(text) <= 90 else text[:89].rsplit(" ", 1)[0] + "…"
        first = documents[0]["text"].strip().split("\n", 1)[0] if documents else ""
        return first[:89] or story_id

    def listing(self, limit: int | None = None) -> list[dict[str, Any]]:
        out = []
        for row in self.store.stories.rows(limit):
            docs = self.store.stories.documents(row["id"])
            out.append({
                "id": row["id"], "title": self.title(row["id"], docs),
                "first_date": row["first_date"], "last_date": row["last_date"],
                "documents": len(docs),
                "outlets": sorted({outlet_name(d["outlet"], d["id"]) for d in docs}),
                "events": len(self.store.stories.event_ids(row["id"])),
            })
        return out

    def event_extras(self, event_id: str) -> dict[str, Any]:
        """What the cross-document stages add to an event record."""
        members = self.store.events.members(event_id)
        facts = self.corroboration.facts(event_id, members)
        documents = sorted({m["document_id"] for m in members})
        outlets = sorted({outlet_name(m["outlet"], m["document_id"]) for m in members})
        occurred = next((f for f in facts if f.kind == "occurred"), None)
        everything = {s.origin.key for f in facts for s in f.support}
        origins = len({s.origin.key for s in occurred.support}) if occurred else len(everything)
        return {
            "documents": documents, "outlets": outlets, "origins": origins,
            "origin_names": occurred.origins if occurred else [],
            "single_origin": origins == 1,
            "facts": [f.to_json() for f in facts],
            "conflicts": [c.to_json() for c in self.corroboration.conflicts(event_id, members)],
            "merges": self.store.events.merges(event_id),
            "summary": [s.to_json() for s in self.summarizer.event(event_id)],
        }

    def story(self, key: str) -> dict[str, Any] | None:
        row = self.store.stories.row(key)
        if row is None:
            return None
        sid = row["id"]
        docs = self.store.stories.documents(sid)
        outlets = sorted({outlet_name(d["outlet"], d["id"]) for d in docs})
        timeline, matrix = [], []
        for eid in self.store.stories.event_ids(sid):
            event = self.store.events.get(eid)
            if event is None:
                continue
            extras = self.event_extras(eid)
            timeline.append({**_brief(event), **{k: extras[k] for k in (
                "documents", "outlets", "origins", "origin_names", "single_origin",
                "conflicts", "summary")}})
            for fact in extras["facts"]:
                matrix.append({
                    "event": eid, "fact": _fact_label(fact),
                    "outlets": {o: o in fact["outlets"] for o in outlets},
                    "origins": fact["origins"], "single_origin": fact["single_origin"]})
        return {
            "id": sid, "title": self.title(sid, docs), "first_date": row["first_date"],
            "last_date": row["last_date"],
            "documents": [{"id": d["id"], "title": d["title"],
                           "outlet": outlet_name(d["outlet"], d["id"]),
                           "published": d["published"], "similarity": d["similarity"],
                           "inferred_dates": self.store.events.inferred_dates(d["id"])}
                          for d in docs],
            "outlets": outlets,
            "summary": [s.to_json() for s in self.summarizer.story(sid)],
            "timeline": timeline, "matrix": matrix,
        }

    def timeline(self, actor_ids: list[str] | None = None, min_score: float = 0.5,
                 limit: int | None = None) -> list[dict[str, Any]]:
        """Canonical events, oldest first, with their story and how many report them."""
        rows = self.store.events.listing(actor_ids=actor_ids, min_score=min_score)
        rows.sort(key=lambda r: (r["date_start"] is None, r["date_start"] or "", r["id"]))
        out = []
        for r in rows[:limit] if limit else rows:
            members = self.store.events.members(r["id"])
            out.append({**_brief(r), "story": r["story_id"],
                        "documents": len({m["document_id"] for m in members}),
                        "outlets": sorted({outlet_name(m["outlet"], m["document_id"])
                                           for m in members})})
        return out


def _brief(event: dict[str, Any]) -> dict[str, Any]:
    parts = event["participants"]
    return {"id": event["id"], "type": event["type"], "mode": event["mode"],
            "date": event["date_value"], "date_precision": event["date_precision"],
            "actors": [p["name"] for p in parts.get("actor", [])],
            "recipients": [p["name"] for p in parts.get("recipient", [])],
            "location": event["location"], "modality": event["modality"],
            "score": event["score"]}


def _fact_label(fact: dict[str, Any]) -> str:
    if fact["kind"] == "occurred":
        return "it happened"
    role = f" ({fact['role']})" if fact["role"] else ""
    return f"{fact['kind']}: {fact['value']}{role}"
