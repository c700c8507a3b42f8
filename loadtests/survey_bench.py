"""Surveys under load (issue 17), a smaller measured run than the issue's 5,000 in 10 minutes.

    .venv/bin/python -m loadtests.survey_bench [--responses 1000] [--questions 40] [--clients 8]

Starts a real server (free port, temporary SQLite data), creates a survey of
``--questions`` questions of every kind (with conditions), submits
``--responses`` whole responses through the JSON API from ``--clients``
concurrent clients, then times the results page with a cross-breakdown (and
the JSON results and the XLSX). Prints one JSON object; docs/benchmarks.md
records a run. Stays under 60 s on the 2-core machine at the defaults.

``plausible_answers`` is also what tools/screenshots_surveys.py fills the
survey with.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import msgspec  # noqa: E402

from rooms.surveys.aggregate import aggregate  # noqa: E402
from rooms.surveys.answers import Answers, other_key, prune  # noqa: E402
from rooms.surveys.definition import (  # noqa: E402
    OTHER,
    Condition,
    Kind,
    Option,
    Question,
    Section,
    Survey,
)
from tests.e2e.liveserver import ADMIN_TOKEN, LiveServer  # noqa: E402

WORDS = [
    "Fachkräfte sichern",
    "Energiepreise senken",
    "Flächen für Ansiedlungen",
    "Wasserstoff-Netz",
    "Ausbildung stärken",
    "Kooperation mit Hochschulen",
    "Digitalisierung im Mittelstand",
]


NAMES = {
    "name": [
        "Industriebündnis Ruhr",
        "Allianz für Industrie Lausitz",
        "Zukunftsbündnis Südwestfalen",
        "Netzwerk Industrie Nordhessen",
        "Industrieforum Oberfranken",
        "Bündnis Wasserstoff Unterelbe",
        "Industriedialog Saar",
        "Initiative Zukunft Chemiedreieck",
    ],
    "contact_name": ["Anna Berger", "Kemal Yılmaz", "Jörg Weiß", "Sabine Müller", "Lukas Schmitt"],
    "area": ["Landkreis Görlitz", "Märkischer Kreis", "Kreis Kassel", "Stadt Bamberg"],
}


def plausible_answers(survey: Survey, rng: random.Random, skip: float = 0.15) -> Answers:
    """A fitting answer to most questions, then only what the given answers ask."""
    out: Answers = {}
    for q in survey.questions():
        if not q.required and rng.random() < skip:
            continue
        keys = [o.id for o in q.choices()]
        if q.kind in (Kind.SINGLE, Kind.REGION, Kind.ORGANISATION):
            # skewed, so that charts and breakdowns show differences
            value = rng.choices(keys, weights=[len(keys) - i for i in range(len(keys))])[0]
            if q.other and rng.random() < 0.05:
                value = OTHER
                out[other_key(q.id)] = rng.choice(WORDS)
            out[q.id] = value
        elif q.kind == Kind.MULTIPLE:
            top = min(q.max_choices or len(keys), len(keys))
            picks = rng.sample(keys, rng.randint(1, top))
            if q.other and rng.random() < 0.1 and (q.max_choices is None or len(picks) < top):
                picks.append(OTHER)
                out[other_key(q.id)] = rng.choice(WORDS)
            out[q.id] = picks
        elif q.kind == Kind.SCALE:
            out[q.id] = min(q.high, max(q.low, round(rng.gauss((q.low + q.high) / 2 + 0.7, 1))))
        elif q.kind == Kind.MATRIX:
            out[q.id] = {r.id: rng.choice(keys[1:]) for r in q.rows}
        elif q.kind == Kind.NUMBER:
            low = int(q.minimum if q.minimum is not None else 0)
            high = int(q.maximum if q.maximum is not None else 100)
            out[q.id] = rng.randint(low, min(high, low + 60))
        elif q.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            text = rng.choice(NAMES.get(q.id, WORDS))
            if q.id == "contact_email":
                text = f"kontakt{rng.randint(1, 999)}@example.org"
            out[q.id] = text[: q.text_limit()]
        elif q.kind == Kind.RANKING:
            out[q.id] = rng.sample(keys, len(keys))
        elif q.kind == Kind.DATE:
            out[q.id] = (date(2026, 11, 30) - timedelta(days=rng.randint(0, 200))).isoformat()
        elif q.kind == Kind.POSTCODE:
            out[q.id] = f"{rng.randint(1, 99):02d}{rng.randint(0, 999):03d}"
    return prune(survey, out)


def big_survey(n: int) -> Survey:
    """``n`` questions cycling through every kind, a third of them conditional."""
    kinds = list(Kind)
    questions: list[Question] = []
    gate = Question(
        "q0", Kind.SINGLE, "Gate", required=True, options=[Option("a", "A"), Option("b", "B")]
    )
    questions.append(gate)
    for i in range(1, n):
        kind = kinds[i % len(kinds)]
        opts = [Option(f"o{k}", f"Option {k}") for k in range(5)]
        questions.append(
            Question(
                f"q{i}",
                kind,
                f"Frage {i}",
                required=i % 4 == 0,
                options=opts
                if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.MATRIX, Kind.RANKING)
                else [],
                rows=opts[:3] if kind == Kind.MATRIX else [],
                other=kind in (Kind.SINGLE, Kind.MULTIPLE),
                minimum=0,
                maximum=1000,
                show_if=Condition("q0", ["a"]) if i % 3 == 0 else None,
            )
        )
    sections = [
        Section(f"s{k}", f"Abschnitt {k + 1}", questions[k * 8 : (k + 1) * 8])
        for k in range((n + 7) // 8)
    ]
    return Survey("Lasttest", sections)


async def submit_all(
    base: str, code: str, answers: list[Answers], clients: int, seconds: float = 0.0
) -> list[float]:
    """Submit every response; with ``seconds``, response i is sent no earlier than
    i/n of that period after the start (an even pace, as respondents arrive over
    days), else as fast as the clients can. Prints progress every 500 responses."""
    latencies: list[float] = []
    begun = time.perf_counter()
    pace = seconds / max(1, len(answers))
    queue: asyncio.Queue[tuple[int, Answers]] = asyncio.Queue()
    for i, a in enumerate(answers):
        queue.put_nowait((i, a))

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while not queue.empty():
                i, a = queue.get_nowait()
                due = begun + i * pace - time.perf_counter()
                if due > 0:
                    await asyncio.sleep(due)  # the schedule of arrivals, not a wait for a result
                started = time.perf_counter()
                r = await client.post(
                    f"/api/surveys/{code}/responses", json={"answers": a, "respondent": f"r{i}"}
                )
                latencies.append(time.perf_counter() - started)
                if r.status_code != 201:
                    raise RuntimeError(f"response {i}: {r.status_code} {r.text}")
                if len(latencies) % 500 == 0:
                    print(
                        f"# {len(latencies)} responses, {time.perf_counter() - begun:.0f} s",
                        flush=True,
                    )

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def timed_get(client: httpx.Client, url: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        r = client.get(url)
        r.raise_for_status()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--minutes",
        type=float,
        default=0.0,
        help="spread the responses over this long (0: at once)",
    )
    parser.add_argument(
        "--aggregate", type=int, default=5000, help="responses for the in-process aggregate timing"
    )
    args = parser.parse_args()
    survey = big_survey(args.questions)
    rng = random.Random(17)
    answers = [plausible_answers(survey, rng) for _ in range(args.responses)]
    # The results' computation alone, in-process, at the issue's size.
    many = [plausible_answers(survey, rng) for _ in range(args.aggregate)]
    started = time.perf_counter()
    aggregate(survey, many, by="q1")
    aggregate_ms = (time.perf_counter() - started) * 1000
    # one address sends everything here: lift the per-address limit on answers
    os.environ.setdefault("DIALOGRAUM_JOIN_BURST", "1000000")
    with LiveServer() as server:
        status, created = server.request(
            "POST", "/api/surveys", msgspec.to_builtins(survey), token=ADMIN_TOKEN
        )
        assert status == 201, created
        code, key = created["code"], created["moderator_token"]
        started = time.perf_counter()
        latencies = asyncio.run(
            submit_all(server.url, code, answers, args.clients, args.minutes * 60)
        )
        elapsed = time.perf_counter() - started
        with httpx.Client(base_url=server.url, timeout=60) as client:
            client.get(f"/u/{code}/ergebnisse?key={key}")  # the cookie
            page = timed_get(client, f"/u/{code}/ergebnisse?by=q1")
            plain = timed_get(client, f"/u/{code}/ergebnisse")
            api = timed_get(client, f"/api/surveys/{code}/results?by=q1")
            xlsx = timed_get(client, f"/api/surveys/{code}/responses.xlsx", runs=1)
    latencies.sort()
    print(
        json.dumps(
            {
                "responses": args.responses,
                "questions": args.questions,
                "clients": args.clients,
                "paced_minutes": args.minutes,
                "submit_seconds": round(elapsed, 2),
                "responses_per_second": round(args.responses / elapsed, 1),
                "submit_p50_ms": round(statistics.median(latencies) * 1000, 1),
                "submit_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
                "results_page_breakdown_ms": round(page * 1000, 1),
                "results_page_ms": round(plain * 1000, 1),
                "results_api_breakdown_ms": round(api * 1000, 1),
                "xlsx_ms": round(xlsx * 1000, 1),
                "aggregate_responses": args.aggregate,
                "aggregate_breakdown_ms": round(aggregate_ms, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
