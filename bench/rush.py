"""The 07:00 rush against a RUNNING server (it starts nothing): N attempts over C connections at
POST /api/v1/registrations, a share of them repeated persons (the same person clicking again).

    python bench/rush.py --url http://127.0.0.1:8000 [--attempts 2000] [--connections 64] [--repeat-share 0.15]

Prints: granted, refused by code, oversold (must be 0), duplicate persons (must be 0), duplicate numbers (must be
0), 5xx (must be 0), throughput, p50/p99 overall and for grants and for "sold out" answers separately.
The grab rate limit is counted per client in the database (one upsert per attempt). By default the bench is ONE
client (one address): start the server with HSGCLINIC_GRAB_RATE_PER_MINUTE above the attempts; every attempt then
bumps the same grab_windows row. With --forwarded-for each person sends her own X-Forwarded-For address (10.x.y.z)
— a real rush comes from thousands of phones — and the server must trust it (HSGCLINIC_TRUSTED_PROXY_HEADER=
X-Forwarded-For); bench/rush_fresh.sh does that.
The day's quota is read from /api/v1/registrations/availability/<date> before the rush.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: the bench must not be the bottleneck (httpx's
    pool slows down badly at 64 connections on 2 cores)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: dict[str, object] | None = None, extra: str = ""
    ) -> tuple[int, dict]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        payload = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept-Language: en\r\n"
            f"Content-Type: application/json\r\n{extra}Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        self.writer.write(head + payload)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        data = await self.reader.readexactly(length) if length else b""
        return status, (json.loads(data) if data else {})

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def rush(args: argparse.Namespace) -> int:
    day = args.date or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    url = urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    probe = Connection(host, port)
    _, avail = await probe.request("GET", f"/api/v1/registrations/availability/{day}")
    await probe.close()
    quota, before = int(avail.get("quota", args.numbers)), int(avail.get("remaining", args.numbers))
    rng = random.Random(args.seed)
    base = rng.randrange(10_000_000)
    people: list[int] = []
    plan: list[int] = []
    for i in range(args.attempts):
        if people and rng.random() < args.repeat_share:
            plan.append(rng.choice(people))
        else:
            people.append(base + i)
            plan.append(base + i)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for p in plan:
        queue.put_nowait(p)
    codes: Counter[str] = Counter()
    latency: dict[str, list[float]] = defaultdict(list)
    grants: dict[int, list[int]] = defaultdict(list)
    server_errors = 0
    sent_order: list[int] = []  # persons in the order their first attempt was sent (arrival order)
    seen: set[int] = set()

    async def worker() -> None:
        nonlocal server_errors
        conn = Connection(host, port)
        while True:
            try:
                n = queue.get_nowait()
            except asyncio.QueueEmpty:
                await conn.close()
                return
            body = {
                "date": day,
                "name": synthetic_name(n),
                "id_number": synthetic_resident_id(n),
                "phone": synthetic_phone(n),
            }
            if n not in seen:
                seen.add(n)
                sent_order.append(n)
            t0 = time.perf_counter()
            try:
                extra = (
                    f"X-Forwarded-For: 10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}\r\n" if args.forwarded_for else ""
                )
                status, data = await conn.request("POST", "/api/v1/registrations", body, extra)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                codes[f"transport:{type(exc).__name__}"] += 1
                await conn.close()
                conn = Connection(host, port)
                continue
            ms = (time.perf_counter() - t0) * 1000
            latency["all"].append(ms)
            if status == 201:
                codes["granted"] += 1
                latency["granted"].append(ms)
                grants[n].append(int(data["queue_number"]))
            elif status >= 500:
                server_errors += 1
                codes[f"http {status}"] += 1
            else:
                code = data.get("error", {}).get("code", str(status))
                codes[code] += 1
                latency[code].append(ms)

    async def warm() -> None:  # a server that has been up: pools connected, calendar and settings cached
        conn = Connection(host, port)
        for _ in range(max(1, args.warmup // args.connections)):
            await conn.request("GET", f"/api/v1/registrations/availability/{day}")
        await conn.close()

    if args.warmup:
        await asyncio.gather(*(warm() for _ in range(args.connections)))
    if args.empty:
        return await empty_endpoint(host, port, args)
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.connections)))
    wall = time.perf_counter() - t0
    numbers = [q for qs in grants.values() for q in qs]
    oversold = max(0, len(numbers) - before) + sum(1 for q in numbers if q > quota)
    dup_persons = sum(1 for qs in grants.values() if len(qs) > 1)
    dup_numbers = len(numbers) - len(set(numbers))
    print(f"server {args.url}  day {day}  quota {quota} (remaining before: {before})")
    print(
        f"attempts {args.attempts}  connections {args.connections}  distinct persons {len(people)}  "
        f"repeated-person attempts {args.attempts - len(people)}"
    )
    print(f"granted {codes['granted']}")
    print("refused by code: " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items()) if k != "granted"))
    print(
        f"oversold {oversold}   duplicate persons {dup_persons}   duplicate numbers {dup_numbers}   5xx {server_errors}"
    )
    print(f"wall {wall:.2f} s   throughput {args.attempts / wall:,.0f} req/s")
    first = sent_order[: codes["granted"]]
    if first:  # fairness: does arrival order predict who gets a number?
        got = sum(1 for n in first if grants.get(n))
        print(f"arrival order: of the first {len(first)} persons to ask, {got} were granted ({got / len(first):.0%})")
    for key in ("all", "granted", "sold_out", "already_registered"):
        v = latency.get(key, [])
        if v:
            print(
                f"latency {key:18} n={len(v):5}  p50 {pct(v, 50):7.1f} ms   p99 {pct(v, 99):7.1f} ms   "
                f"mean {statistics.fmean(v):7.1f} ms"
            )
    return 1 if (oversold or dup_persons or dup_numbers or server_errors) else 0


async def empty_endpoint(host: str, port: int, args: argparse.Namespace) -> int:
    """The same client and connections against the server's empty endpoint (GET /healthz): the HTTP stack's own
    ceiling on this box, the reference for the sold-out ratio."""
    left = args.attempts
    latency: list[float] = []

    async def worker() -> None:
        nonlocal left
        conn = Connection(host, port)
        while left > 0:
            left -= 1
            t0 = time.perf_counter()
            await conn.request("GET", "/healthz")
            latency.append((time.perf_counter() - t0) * 1000)
        await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.connections)))
    wall = time.perf_counter() - t0
    print(f"empty endpoint GET /healthz  requests {len(latency)}  connections {args.connections}")
    print(f"wall {wall:.2f} s   throughput {len(latency) / wall:,.0f} req/s")
    print(f"latency {'healthz':18} n={len(latency):5}  p50 {pct(latency, 50):7.1f} ms   p99 {pct(latency, 99):7.1f} ms")
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--attempts", type=int, default=2000)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--numbers", type=int, default=60, help="expected quota if the server does not say")
    ap.add_argument("--repeat-share", type=float, default=0.15, help="share of attempts by an earlier person")
    ap.add_argument("--date", help="clinic day (default: today in Asia/Shanghai)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--forwarded-for", action="store_true", help="one X-Forwarded-For address per person")
    ap.add_argument("--warmup", type=int, default=256, help="availability requests before the rush (0: none)")
    ap.add_argument("--empty", action="store_true", help="measure GET /healthz instead (the HTTP stack's ceiling)")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    sys.exit(asyncio.run(rush(ap.parse_args())))


if __name__ == "__main__":
    main()
