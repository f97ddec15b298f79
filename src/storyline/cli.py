"""The `storyline` command: thin wrappers over the library (see docs/commands.md)."""

from __future__ import annotations

import functools
import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from storyline.errors import StorylineError
from storyline.events.ontology import ontology
from storyline.store import DEFAULT_DB, SearchError, Store
from storyline.stories import StoryBuilder
from storyline.stories.story import StoryReader

app = typer.Typer(help="Storyline: news articles in, a provenance-tracked event knowledge base "
                       "out.", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
out = Console(soft_wrap=False)
err = Console(stderr=True)

DbOption = Annotated[str, typer.Option("--db", help="SQLite database file.",
                                       envvar="STORYLINE_DB")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

EXIT_REJECTED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def _open(db: str, *, create: bool = False) -> Store:
    try:
        return Store(db, create=create)
    except StorylineError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (read recursively), or - "
                                                   "for standard input.")],
    db: DbOption = DEFAULT_DB,
    max_article_mb: Annotated[float, typer.Option(
        help="Largest article accepted, in MB (a bigger file is rejected).")] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no warnings.")
                     ] = False,
    aliases: Annotated[str | None, typer.Option(
        help="Alias file (YAML or CSV: name, aliases, kind, id) loaded before the run; its "
             "names seed and override actor resolution.")] = None,
    workers: Annotated[int | None, typer.Option(
        min=0, help="Processes for the per-document stages (cleaning, NLP, events) beside "
                    "this one, which alone writes the database, in input order; 0 runs "
                    "them in this process. \\[default: 1]", show_default=False)] = None,
    ray: Annotated[bool, typer.Option(
        "--ray", help="Run the per-document stages on Ray, one actor per free CPU: on the "
                      "cluster at --ray-address, else at $RAY_ADDRESS, else on a Ray "
                      "started on this machine for the run; this process alone writes "
                      "the database. Needs storyline\\[ray].")] = False,
    ray_address: Annotated[str | None, typer.Option(
        help="Ray cluster for --ray (implies it): auto, HOST:PORT or ray://HOST:10001; "
             "local starts one on this machine.", show_default=False)] = None,
) -> None:
    """Read articles (.txt, .html, .json, .jsonl) into the knowledge base.

    Exit status: 0 when every item was stored, 1 when some were rejected (the others
    are stored), 2 on a usage or database error or a worker process (or Ray actor) that
    died, 130 when interrupted.
    """
    import os
    from concurrent.futures import BrokenExecutor

    from storyline.ingest.readers import ReadOptions
    from storyline.ingest.run import ingest as run_ingest

    address = None
    if ray or ray_address:
        address = ray_address or os.environ.get("RAY_ADDRESS") or "local"
        if workers is not None:
            raise typer.BadParameter("not with --ray, which runs one Ray actor per free CPU "
                                     "of the cluster", param_hint="'--workers'")
        workers = 0
    elif workers is None:
        workers = 1
    options = ReadOptions(max_article_bytes=int(max_article_mb * 1024 * 1024))
    store = _open(db, create=True)
    if aliases:
        _load_aliases(store, aliases)
    show = err.is_terminal and not quiet
    try:
        if show:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                          TimeElapsedColumn(), console=err, transient=True) as bar:
                task = bar.add_task("reading")

                def hook(report: Any, source: str) -> None:
                    bar.update(task, description=f"{report.summary()}  [dim]{source}[/]")

                report = run_ingest(paths, store, options=options, progress=hook,
                                    workers=workers, ray_address=address)
        else:
            report = run_ingest(paths, store, options=options, workers=workers,
                                ray_address=address)
    except BrokenExecutor as exc:
        err.print(f"error: a worker process ended abruptly ({exc}); the documents stored so "
                  "far are kept: re-run the same command to store the rest",
                  markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    finally:
        store.close()
    for rejection in report.rejections:
        err.print(f"rejected: {rejection}", markup=False, highlight=False)
    if not quiet:
        for warning in report.warnings:
            err.print(f"warning: {warning}", markup=False, highlight=False)
    out.print(report.summary(), markup=False, highlight=False)
    if report.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


def _load_aliases(store: Store, path: str) -> int:
    from storyline.actors.aliases import load_aliases, read_alias_file

    try:
        entries = read_alias_file(path)
    except StorylineError as exc:
        store.close()
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    with store.transaction():
        load_aliases(store.actors, entries)
    return len(entries)


@app.command()
def aliases(path: Annotated[str, typer.Argument(help="Alias file: YAML list or CSV with "
                                                     "columns name, aliases, kind, id.")],
            db: DbOption = DEFAULT_DB) -> None:
    """Load an alias file: canonical names with their aliases, kinds and external ids."""
    with _open(db, create=True) as store:
        count = _load_aliases(store, path)
    out.print(f"loaded {count} actors from {path}", markup=False, highlight=False)


@app.command()
def actors(db: DbOption = DEFAULT_DB, as_json: JsonOption = False,
           kind: Annotated[str | None, typer.Option(
               help="Only this kind: person, organization, place, group, platform.")] = None,
           limit: Annotated[int, typer.Option(help="Show at most this many.")] = 0) -> None:
    """List actors, most mentioned first, with kind, aliases (with counts) and roles."""
    with _open(db) as store:
        rows = store.actors.listing(kind=kind, limit=limit or None)
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"{len(rows)} actors in {db}", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("name", no_wrap=True, max_width=32, overflow="ellipsis")
    table.add_column("docs", justify="right")
    table.add_column("aliases (count)", max_width=70)
    table.add_column("roles", max_width=50)
    for row in rows:
        table.add_row(row["id"], row["kind"], row["name"], str(row["documents"]),
                      _aliases(row), _roles(row))
    if not out.is_terminal:
        out.width = 200
    out.print(table)


def _aliases(row: dict[str, Any]) -> str:
    return "; ".join(f"{a['alias']} ({a['count']})" for a in row["aliases"])


def _roles(row: dict[str, Any]) -> str:
    seen: list[str] = []
    for r in row["roles"]:
        text = " ".join(x for x in (r["qualifier"], r["title"]) if x)
        if r["organization"]:
            text += f", {r['organization']}"
        if r["as_of"]:
            text += f" ({r['as_of']})"
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


@app.command()
def actor(name: Annotated[str, typer.Argument(help="Any alias of the actor (any script), or "
                                                   "its id.")],
          db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Show one actor: aliases, roles, and where it is mentioned (with source spans)."""
    with _open(db) as store:
        record = store.actors.find(name)
        if record is not None:
            record["mentioned_in"] = store.actors.mentions_of(record["id"])
    if record is None:
        err.print(f"error: no actor called {name!r} in {db}", markup=False)
        raise typer.Exit(EXIT_ERROR)
    if as_json:
        _print_json(record)
        return
    for key in ("id", "name", "kind", "romanized", "external_id", "origin"):
        if record[key] is not None:
            out.print(f"{key:>12}: {record[key]}", markup=False, highlight=False)
    out.print(f"{'aliases':>12}: {_aliases(record)}", markup=False, highlight=False)
    if record["roles"]:
        out.print(f"{'roles':>12}: {_roles(record)}", markup=False, highlight=False)
    out.print(f"{'mentions':>12}: {record['mentions']} in {record['documents']} documents",
              markup=False, highlight=False)
    for m in record["mentioned_in"]:
        how = json.loads(m["resolution"]).get("evidence", "")
        out.print(f"  {m['document_id'][:12]} {m['outlet'] or '-':<22} "
                  f"@{m['source_start']}-{m['source_end']} {m['text']!r}  [{m['method']}; "
                  f"{how}]", markup=False, highlight=False)


def _actor_ids(store: Store, name: str) -> list[str]:
    """Actors a --actor filter names: by id or alias, else every alias containing it."""
    return store.actors.matching(name)


def _date_cell(value: str | None, precision: str | None) -> str:
    """A date for a table; `<=` when only the publication date bounds it."""
    return f"<={value}" if precision == "published" else (value or "-")


def _names(people: list[dict[str, Any]]) -> str:
    return ", ".join(p["name"] for p in people)


@app.command()
def events(db: DbOption = DEFAULT_DB, as_json: JsonOption = False,
           actor: Annotated[str | None, typer.Option(
               help="Only events with this actor in any role (id or any alias).")] = None,
           type: Annotated[str | None, typer.Option(
               "--type", help="Only this event type, e.g. CONSULT (docs/ontology.md).")] = None,
           date_from: Annotated[str | None, typer.Option(
               "--from", help="Only events on or after this date (YYYY, YYYY-MM or "
                              "YYYY-MM-DD).")] = None,
           date_to: Annotated[str | None, typer.Option(
               "--to", help="Only events on or before this date.")] = None,
           min_score: Annotated[float, typer.Option(
               help="Only events coded with at least this confidence (0-1; 0 shows every "
                    "coding kept).")] = 0.5,
           limit: Annotated[int, typer.Option(help="Show at most this many.")] = 0) -> None:
    """List events, newest first, with participants, place, date and who reports them."""
    if type is not None and type.upper() not in ontology().types:
        err.print(f"error: unknown event type {type!r}; types: "
                  f"{', '.join(ontology().types)}", markup=False)
        raise typer.Exit(EXIT_ERROR)
    to = date_to + "-99" if date_to and len(date_to) < 10 else date_to
    with _open(db) as store:
        ids = _actor_ids(store, actor) if actor else None
        rows = store.events.listing(actor_ids=ids, type=type, date_from=date_from,
                                    date_to=to, min_score=min_score, limit=limit or None)
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"{len(rows)} events in {db}", title_justify="left")
    for name in ("id", "date", "type", "who", "with", "where", "modality", "score",
                 "reported by"):
        table.add_column(name, overflow="fold")
    for r in rows:
        parts = r["participants"]
        table.add_row(r["id"], _date_cell(r["date_value"], r["date_precision"]),
                      f"{r['type']}/{r['mode'] or '-'}",
                      _names(parts.get("actor", [])), _names(parts.get("recipient", [])),
                      r["location"] or "", r["modality"], f"{r['score']:.2f}",
                      "; ".join(" <- ".join(reversed(chain)) for chain in r["sources"]))
    if not out.is_terminal:
        out.width = 220
    out.print(table)


@app.command()
def event(event_id: Annotated[str, typer.Argument(help="Event id (or a unique prefix).")],
          db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Show one event: its facts, then every supporting quote with its attribution chain."""
    with _open(db) as store:
        record = store.events.get(event_id)
        if record is not None:
            record.update(StoryReader(store).event_extras(record["id"]))
    if record is None:
        err.print(f"error: no event {event_id!r} in {db}", markup=False)
        raise typer.Exit(EXIT_ERROR)
    if as_json:
        _print_json(record)
        return
    say = functools.partial(out.print, markup=False, highlight=False)
    say(f"{'id':>12}: {record['id']}")
    say(f"{'type':>12}: {record['type']}" + (f" ({record['mode']})" if record["mode"] else ""))
    precision = record["date_precision"]
    date = record["date_value"] or "unknown"
    if precision == "published":
        date = f"on or before {date} (publication date; no date in the text)"
    elif precision:
        date = f"{date} ({precision}: {record['date_start']} .. {record['date_end']})"
    say(f"{'date':>12}: {date}")
    for role, people in record["participants"].items():
        say(f"{role:>12}: {_names(people)}")
    if record["location"]:
        say(f"{'location':>12}: {record['location']}")
    say(f"{'modality':>12}: {record['modality']}")
    if record["topics"]:
        say(f"{'topics':>12}: {', '.join(record['topics'])}")
    say(f"{'score':>12}: {record['score']:.2f}")
    say(f"{'story':>12}: {record['story_id'] or '-'}")
    say(f"{'reported by':>12}: {len(record['documents'])} documents, "
        f"{len(record['outlets'])} outlets ({', '.join(record['outlets'])}), "
        f"{record['origins']} independent origin{'s' if record['origins'] != 1 else ''} "
        f"({', '.join(record['origin_names'])})"
        + (" - single origin" if record["single_origin"] else ""))
    for merge in record["merges"]:
        why = ", ".join(f"{e['feature']} {e['weight']:+.2f}" for e in merge["evidence"])
        say(f"{'merged':>12}: {merge['event_id']} ({merge['document_id'][:12]}) score "
            f"{merge['score']:.2f}: {why}")
    for conflict in record["conflicts"]:
        sides = " vs ".join(f"{v['value']!r} ({', '.join(d[:12] for d in v['documents'])})"
                            for v in conflict["values"])
        say(f"{'conflict':>12}: {conflict['subject']}: {sides}")
    for fact in record["facts"]:
        label = "it happened" if fact["kind"] == "occurred" else (
            f"{fact['kind']}: {fact['value']}" + (f" ({fact['role']})" if fact["role"] else ""))
        say(f"{'fact':>12}: {label} - {len(fact['outlets'])} outlets, "
            f"{len(fact['origins'])} origins" + (" [single origin]" if fact["single_origin"]
                                                 else ""))
    for m in record["mentions"]:
        say("")
        say(f"  {m['document_id'][:12]} {m['outlet'] or '-'} {m['published'] or ''} "
            f"@{m['source_start']}-{m['source_end']} (trigger {m['trigger']!r}, "
            f"{m['modality']}, {m['score']:.2f})")
        quote = Text("  “")
        a, b = m["trigger_in_quote"]
        quote.append(m["quote"][:a])
        quote.append(m["quote"][a:b], style="bold reverse")
        quote.append(m["quote"][b:] + "”")
        out.print(quote, highlight=False)
        chain = []
        for link in m["attribution"]:
            text = link["source"]
            if link.get("cue"):
                text += f" ({link['cue']}" + (f", {link['channel']}" if link.get("channel")
                                              else "") + (", quoted" if link.get("direct")
                                                          else "") + ")"
            chain.append(text)
        say("  reported by: " + " <- ".join(reversed(chain)))


@app.command()
def stories(db: DbOption = DEFAULT_DB, as_json: JsonOption = False,
            limit: Annotated[int, typer.Option(help="Show at most this many.")] = 0) -> None:
    """List stories, the most recent first, with their outlets and event counts."""
    with _open(db) as store:
        rows = StoryReader(store).listing(limit or None)
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"{len(rows)} stories in {db}", title_justify="left")
    for name in ("id", "dates", "documents", "outlets", "events", "title"):
        table.add_column(name, overflow="fold")
    for r in rows:
        dates = r["first_date"] or "-"
        if r["last_date"] and r["last_date"] != r["first_date"]:
            dates += f" .. {r['last_date']}"
        table.add_row(r["id"], dates, str(r["documents"]), ", ".join(r["outlets"]),
                      str(r["events"]), r["title"])
    if not out.is_terminal:
        out.width = 200
    out.print(table)


@app.command()
def story(story_id: Annotated[str, typer.Argument(help="Story id (or a unique prefix).")],
          db: DbOption = DEFAULT_DB, as_json: JsonOption = False,
          min_score: Annotated[float, typer.Option(
              help="Timeline and matrix: only events coded with at least this "
                   "confidence.")] = 0.5) -> None:
    """Show a story: cited summary, timeline of its events, sources matrix (facts x
    outlets, single-origin facts and conflicts marked)."""
    with _open(db) as store:
        record = StoryReader(store).story(story_id)
    if record is None:
        err.print(f"error: no story {story_id!r} in {db}", markup=False)
        raise typer.Exit(EXIT_ERROR)
    if as_json:
        _print_json(record)
        return
    say = functools.partial(out.print, markup=False, highlight=False)
    say(f"{record['id']}: {record['title']}")
    say(f"{len(record['documents'])} documents from {', '.join(record['outlets'])}")
    for d in record["documents"]:
        inferred = "".join(f" (published {i['published_start']}..{i['published_end']}, "
                           f"inferred from {i['evidence']['time_text']!r} = {i['value']})"
                           for i in d["inferred_dates"][:1])
        say(f"  {d['id'][:20]}  {d['outlet']}  {d['published'] or '-'}{inferred}  "
            f"{d['title'] or ''}")
    say("")
    say("Summary:")
    for s in record["summary"]:
        cites = ", ".join(c["outlet"] + (f" @{c['start']}-{c['end']}" if c["role"] == "source"
                                         else "") for c in s["citations"])
        say(f"  {s['text']} [{cites}]")
    events = [e for e in record["timeline"] if e["score"] >= min_score]
    table = Table(title="Timeline", title_justify="left")
    for name in ("date", "event", "type", "who", "with", "where", "outlets", "origins",
                 "flags"):
        table.add_column(name, overflow="fold")
    for e in events:
        date = _date_cell(e["date"], e["date_precision"])
        flags = (["single origin"] if e["single_origin"] else []) + [
            f"conflict: {c['subject']}" for c in e["conflicts"]]
        table.add_row(date, e["id"], f"{e['type']}/{e['mode'] or '-'}", ", ".join(e["actors"]),
                      ", ".join(e["recipients"]), e["location"] or "", str(len(e["outlets"])),
                      str(e["origins"]), "; ".join(flags))
    if not out.is_terminal:
        out.width = 200
    out.print(table)
    shown = {e["id"] for e in events}
    matrix = Table(title="Sources (rows: facts; columns: outlets)", title_justify="left")
    matrix.add_column("event")
    matrix.add_column("fact", overflow="fold")
    for outlet in record["outlets"]:
        matrix.add_column(outlet, justify="center", overflow="fold")
    matrix.add_column("origins", overflow="fold")
    for row in record["matrix"]:
        if row["event"] not in shown:
            continue
        matrix.add_row(row["event"], row["fact"],
                       *["x" if row["outlets"][o] else "." for o in record["outlets"]],
                       ", ".join(row["origins"]) + (" (single origin)" if row["single_origin"]
                                                   else ""))
    out.print(matrix)


@app.command()
def timeline(db: DbOption = DEFAULT_DB, as_json: JsonOption = False,
             actor: Annotated[str | None, typer.Option(
                 help="Only events with this actor in any role (id or any alias).")] = None,
             min_score: Annotated[float, typer.Option(
                 help="Only events coded with at least this confidence.")] = 0.5,
             limit: Annotated[int, typer.Option(help="Show at most this many.")] = 0) -> None:
    """Events across stories, oldest first, with how many outlets report each."""
    with _open(db) as store:
        ids = _actor_ids(store, actor) if actor else None
        if actor and not ids:
            err.print(f"error: no actor {actor!r} in {db}", markup=False)
            raise typer.Exit(EXIT_ERROR)
        rows = StoryReader(store).timeline(ids, min_score, limit or None)
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"{len(rows)} events" + (f" with {actor}" if actor else ""),
                  title_justify="left")
    for name in ("date", "event", "type", "who", "with", "where", "outlets", "story"):
        table.add_column(name, overflow="fold")
    for e in rows:
        date = _date_cell(e["date"], e["date_precision"])
        table.add_row(date, e["id"], f"{e['type']}/{e['mode'] or '-'}", ", ".join(e["actors"]),
                      ", ".join(e["recipients"]), e["location"] or "", ", ".join(e["outlets"]),
                      e["story"] or "-")
    if not out.is_terminal:
        out.width = 200
    out.print(table)


@app.command()
def rebuild(db: DbOption = DEFAULT_DB) -> None:
    """Cluster every stored document into stories again and merge events again (after a
    change of data/stories.yaml or an upgrade); per-document results are kept."""
    with _open(db) as store:
        count = StoryBuilder(store).rebuild()
        docs = store.count_documents()
        events = store.events.count()
    out.print(f"{docs} documents in {count} stories, {events} events", markup=False,
              highlight=False)


evaluate_app = typer.Typer(help="Measure quality on the shared evaluation corpora.",
                           no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")


@evaluate_app.command("entities")
def evaluate_entities(
    corpus: Annotated[str, typer.Argument(help="ECB+ archive (ecbplus.tgz) or its folder.")],
    split: Annotated[str, typer.Option(help="train | dev | test (topics 36-45) | all")] = "dev",
    system: Annotated[str, typer.Option(
        help="storyline (the full rule layer) or spacy (the bare model, for comparison)")
    ] = "storyline",
    as_json: JsonOption = False,
) -> None:
    """Entity and time-expression precision/recall/F1 against ECB+ gold mentions."""
    from storyline.evaluate.system import run

    try:
        report = run(corpus, split, system)
    except (OSError, ValueError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        return
    if not out.is_terminal:
        out.width = 200
    out.print(f"ECB+ {split} split, system {system}", markup=False, highlight=False)
    out.print(report.format_table(), markup=False, highlight=False)


@evaluate_app.command("attribution")
def evaluate_attribution(
    corpus: Annotated[str, typer.Option(help="PolNeAR folder (holding train, dev, test).")
                      ] = "../shared/corpora/polnear",
    split: Annotated[str, typer.Option(help="train | dev | test")] = "dev",
    limit: Annotated[int | None, typer.Option(help="Score only the first N documents.")
                     ] = None,
    as_json: JsonOption = False,
    output: Annotated[str | None, typer.Option(help="Also write the JSON report here.")
                      ] = None,
) -> None:
    """Source, cue and content precision/recall/F1 against PolNeAR gold attributions."""
    from storyline.evaluate.polnear import run, storyline_extractor

    try:
        report = run(corpus, split, storyline_extractor(), limit)
    except (OSError, ValueError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(report.to_json() + "\n")
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        return
    if not out.is_terminal:
        out.width = 200
    out.print(f"PolNeAR {split} split, {report.extra['documents']} documents, "
              f"{report.extra['seconds']} s", markup=False, highlight=False)
    out.print(report.table(), markup=False, highlight=False)


@evaluate_app.command("stories")
def evaluate_stories(
    corpus: Annotated[str, typer.Option(help="ECB+ archive (ecbplus.tgz) or folder.")
                      ] = "../shared/corpora/ecbplus/ecbplus.tgz",
    split: Annotated[str, typer.Option(help="train | dev | test | all")] = "dev",
    seed: Annotated[int, typer.Option(help="Seed of the shuffled arrival order.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Story clustering on ECB+: pairwise and B-cubed scores against the seminal events,
    beside the TF-IDF average-link baseline tuned on the same documents (an oracle)."""
    from storyline.evaluate.stories import run

    try:
        report = run(corpus, split, seed=seed)
    except (OSError, ValueError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    if as_json:
        _print_json(report.to_json())
        return
    out.print(report.format(), markup=False, highlight=False)


@evaluate_app.command("collection")
def evaluate_collection(
    collection: Annotated[str, typer.Argument(help="Folder (or file) of articles.")],
    gold: Annotated[str, typer.Argument(
        help="TSV or CSV with a header: a file (or document, source, id) column and a "
             "story (or label, cluster) column.")],
    orders: Annotated[int, typer.Option(help="Shuffled arrival orders to score.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the first arrival order.")] = 0,
    one_at_a_time: Annotated[bool, typer.Option(
        "--one-at-a-time", help="Place each article as it arrives, with no second look, "
                                "split or join (placement alone), not at the end of the run "
                                "in date order (as ingest and the web API do).")
    ] = False,
    runs: Annotated[int, typer.Option(
        help="Ingest runs each order comes in, one after the other (as daily feeds).")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Story clustering on a labelled collection of your own: pairwise and B-cubed scores
    against its gold story labels, beside the TF-IDF average-link baseline tuned on the
    same labels (an oracle)."""
    from storyline.evaluate.collection import run

    try:
        report = run(collection, gold, orders=orders, seed=seed, one_at_a_time=one_at_a_time,
                     runs=runs)
    except (StorylineError, OSError, ValueError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR) from exc
    if as_json:
        _print_json(report.to_json())
        return
    if not out.is_terminal:
        out.width = 200
    out.print(report.format(), markup=False, highlight=False)


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "external_id", "source", "title", "outlet", "outlet_from", "published",
            "published_from", "language", "dateline", "duplicate_of", "duplicate_kind")
    summary = {k: record[k] for k in keys}
    summary["words"] = len(record["text"].split())
    return summary


@app.command()
def documents(db: DbOption = DEFAULT_DB, as_json: JsonOption = False,
              limit: Annotated[int, typer.Option(help="Show at most this many.")] = 0) -> None:
    """List the stored documents: outlet, publication date, language, title."""
    with _open(db) as store:
        rows = []
        for i, record in enumerate(store.iter_documents()):
            if limit and i >= limit:
                break
            rows.append(_summary(record))
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"{len(rows)} documents in {db}", title_justify="left")
    table.add_column("id", no_wrap=True, min_width=20)
    table.add_column("outlet", max_width=24, no_wrap=True, overflow="ellipsis")
    table.add_column("published", no_wrap=True, min_width=11)
    table.add_column("lang", no_wrap=True, min_width=4)
    table.add_column("words", justify="right", no_wrap=True)
    table.add_column("title", max_width=60, no_wrap=True, overflow="ellipsis")
    table.add_column("duplicate of", no_wrap=True)
    for row in rows:
        table.add_row(
            row["id"],
            _with_source(row["outlet"], row["outlet_from"]),
            _with_source(row["published"], row["published_from"]),
            row["language"] or "?",
            str(row["words"]),
            row["title"] or "",
            f"{row['duplicate_of'][:12]} {row['duplicate_kind']}" if row["duplicate_of"] else "",
        )
    if not out.is_terminal:
        out.width = 170
    out.print(table)
    out.print("* = inferred from the text or page, not given by the input", style="dim")


def _with_source(value: str | None, found_by: str | None) -> str:
    if value is None:
        return "-"
    return f"{value}*" if found_by and not found_by.startswith("field:") else value


@app.command()
def show(doc_id: Annotated[str, typer.Argument(help="Document id (or a prefix of it, or the "
                                                    "input's own id).")],
         db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Show one document: metadata with provenance, captions, and paragraphs."""
    with _open(db) as store:
        record = store.document(doc_id)
    if record is None:
        err.print(f"error: no document {doc_id!r} in {db}", markup=False)
        raise typer.Exit(EXIT_ERROR)
    if as_json:
        _print_json(record)
        return
    for key in ("id", "external_id", "source", "title", "outlet", "published", "language",
                "dateline", "duplicate_of"):
        value = record[key]
        found = record["evidence"].get(key.replace("duplicate_of", "-"))
        how = f"  ({found['method']}{_span(found)})" if found else ""
        out.print(f"{key:>12}: {value if value is not None else '-'}{how}", markup=False,
                  highlight=False)
    for caption in record["captions"]:
        out.print(f"     caption: {caption['text']}", markup=False, highlight=False)
    out.print()
    for p in record["paragraphs"]:
        text = record["text"][p["start"]:p["end"]]
        out.print(f"[{p['kind']} {p['language'] or '?'} {p['direction']} "
                  f"@{p['source_start']}-{p['source_end']}] {text}", markup=False,
                  highlight=False)


def _span(found: dict[str, Any]) -> str:
    return f" at {found['span'][0]}-{found['span'][1]}" if found.get("span") else ""


@app.command()
def search(query: Annotated[str, typer.Argument(help='FTS5 query: words, "a phrase", OR, '
                                                     "NOT, prefix*.")],
           db: DbOption = DEFAULT_DB, as_json: JsonOption = False,
           limit: Annotated[int, typer.Option(help="Show at most this many.")] = 20) -> None:
    """Full-text search over the stored documents, best matches first."""
    with _open(db) as store:
        try:
            hits = store.search(query, limit)
        except SearchError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(EXIT_ERROR) from exc
    if as_json:
        _print_json(hits)
        return
    for hit in hits:
        out.print(f"{hit['id']}  {hit['outlet'] or '-'}  {hit['published'] or '-'}  "
                  f"{hit['snippet']}", markup=False, highlight=False)
    if not hits:
        err.print("no matches")


@app.command()
def export(
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="json | jsonl | csv | plover (events as PLOVER/POLECAT "
                               "records) | graphml (the actor network)")] = "json",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="json/plover/graphml: the file to write; jsonl/csv: a "
                               "folder, one file per table. Default: standard output.")
                      ] = None,
    table: Annotated[str | None, typer.Option(
        help="jsonl/csv: only this table (default on standard output: documents).")] = None,
    include_raw: Annotated[bool, typer.Option(
        help="Also export each document's original input (`raw`).")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the knowledge base out (schema in docs/export.md)."""
    from storyline.export import export as run_export

    with _open(db) as store:
        try:
            written = run_export(store, fmt, output, table=table, include_raw=include_raw,
                                 stdout=sys.stdout)
        except ValueError as exc:
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(EXIT_ERROR) from exc
    if output:
        what = "edges" if fmt == "graphml" else "records"
        for path, count in written.items():
            err.print(f"wrote {count} {what} to {path}", markup=False, highlight=False)


@app.command()
def brief(
    story_id: Annotated[str, typer.Argument(help="Story id (or a unique prefix).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md | html")] = "md",
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="The file to write. Default: standard output.")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write one story as a standalone brief (Markdown or HTML): summary with citations,
    timeline, sources."""
    from storyline.brief import StoryNotFound, story_brief

    with _open(db) as store:
        try:
            text = story_brief(store, story_id, fmt)
        except (StoryNotFound, ValueError) as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(EXIT_ERROR) from exc
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        err.print(f"wrote the brief of {story_id} to {output}", markup=False, highlight=False)
    else:
        sys.stdout.write(text)


@app.command()
def rejections(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List the input items earlier runs rejected, with the reason."""
    with _open(db) as store:
        rows = store.rejections()
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        where = f"{row['source']}:{row['line']}" if row["line"] is not None else row["source"]
        out.print(f"run {row['run_id']}  {row['kind']:<12} {where}: {row['reason']}",
                  markup=False, highlight=False)


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs a "
                                           "token for writes.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option(
        help="Access token for write endpoints (POST /api/documents); made up and printed "
             "when binding off loopback without one.", envvar="STORYLINE_TOKEN")] = None,
) -> None:
    """Serve the web app and the REST API (OpenAPI at /openapi.json) over one store."""
    from storyline.web.app import is_loopback, new_token
    from storyline.web.app import serve as run_server

    if token is None and not is_loopback(host):
        token = new_token()
        print(f"binding to {host}: writes need this access token: {token}", file=sys.stderr,
              flush=True)
    _open(db).close()  # a missing store fails here, with the usual message
    err.print(f"Storyline on http://{host}:{port}/ (API described at /openapi.json); "
              "Ctrl-C stops it",
              markup=False, highlight=False)
    run_server(db, host=host, port=port, token=token)


def main() -> None:
    try:
        app()
    except StorylineError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise SystemExit(EXIT_ERROR) from exc


if __name__ == "__main__":
    main()
