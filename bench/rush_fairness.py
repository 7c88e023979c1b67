"""Who gets the numbers that come back? A retry storm against people who ask once, with and without the waiting
line (REG-LINE), against a RUNNING server (bench/rush_fairness.sh starts one). Prints numbers; asserts nothing.

    python bench/rush_fairness.py --url http://127.0.0.1:8112 [--returns 10] [--polite 20] [--storm-rate 10]

1. The day is sold out (the quota taken by the first people).
2. ``--polite`` women ask for a number once after the sell-out (they are refused) — and, in the "line" sitting,
   join the waiting line once instead.
3. A storm client (a bot cycling through identities) sends ``--storm-rate`` attempts per second all the while.
4. Every 0.5 s one of the holders cancels her number (through the API, as she would on her phone).
Then: how many of the returned numbers went to the storm, how many to the women who asked once, and whether the
women were served in the order they joined.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from rush import Connection

from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id


def person(n: int, day: str) -> dict[str, str]:
    return {"date": day, "name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


def xff(n: int) -> str:
    return f"X-Forwarded-For: 10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}\r\n"


async def sitting(host: str, port: int, day: str, base: int, args: argparse.Namespace, use_line: bool) -> dict:
    conn = Connection(host, port)
    _, avail = await conn.request("GET", f"/api/v1/registrations/availability/{day}")
    holders: list[tuple[int, dict]] = []
    n = base
    while True:  # 1. sell the day out
        status, data = await conn.request("POST", "/api/v1/registrations", person(n, day), xff(n))
        if status == 201:
            holders.append((n, data))
        elif data.get("error", {}).get("code") == "sold_out":
            break
        n += 1
    polite = list(range(base + 100_000, base + 100_000 + args.polite))
    line_order: list[str] = []
    for p in polite:  # 2. each woman asks once
        if use_line:
            status, data = await conn.request("POST", "/api/v1/registrations/waiting-line", person(p, day), xff(p))
            line_order.append(data.get("access_code", ""))
        else:
            await conn.request("POST", "/api/v1/registrations", person(p, day), xff(p))
    storm_got = 0
    storm_tries = 0
    stop = asyncio.Event()

    async def storm() -> None:  # 3. the bot
        nonlocal storm_got, storm_tries
        bot = Connection(host, port)
        k = base + 500_000
        while not stop.is_set():
            storm_tries += 1
            status, _ = await bot.request("POST", "/api/v1/registrations", person(k, day), xff(k))
            if status == 201:
                storm_got += 1
                k += 1
            await asyncio.sleep(1 / args.storm_rate)
        await bot.close()

    async def cancellations() -> None:  # 4. holders cancel, one every half second
        desk = Connection(host, port)
        for who, number in holders[: args.returns]:
            _, login = await desk.request(
                "POST",
                "/api/v1/patient/login",
                {"access_code": number["access_code"], "id_last4": synthetic_resident_id(who)[-4:]},
                xff(who),
            )
            token = login.get("token", "")
            await desk.request(
                "POST",
                f"/api/v1/registrations/{number['registration_id']}/cancel",
                {"reason": "patient"},
                f"Authorization: Bearer {token}\r\n" + xff(who),
            )
            await asyncio.sleep(0.5)
        await asyncio.sleep(0.5)
        stop.set()
        await desk.close()

    await conn.close()  # idle through the storm: the server would close it (keep-alive timeout)
    t0 = time.perf_counter()
    await asyncio.gather(storm(), cancellations())
    wall = time.perf_counter() - t0
    conn = Connection(host, port)
    served: list[int] = []
    for i, code in enumerate(line_order):
        if code:
            _, place = await conn.request("GET", f"/api/v1/registrations/waiting-line/{code}")
            if place.get("status") == "served":
                served.append(i + 1)
    await conn.close()
    return {
        "quota": avail.get("quota"),
        "returned": min(args.returns, len(holders)),
        "storm_got": storm_got,
        "storm_tries": storm_tries,
        "polite_got": len(served),
        "served_in_order": served == list(range(1, len(served) + 1)),
        "wall": wall,
    }


async def main(args: argparse.Namespace) -> None:
    url = urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    for use_line, offset, label in ((False, 0, "without the line"), (True, 1, "with the waiting line (REG-LINE)")):
        day = (today + dt.timedelta(days=offset)).isoformat()
        r = await sitting(host, port, day, 1_000_000 * (offset + 1), args, use_line)
        print(
            f"{label:34} day {day}: {r['returned']} numbers came back; storm ({args.storm_rate}/s, "
            f"{r['storm_tries']} tries) got {r['storm_got']}; {args.polite} women who asked once got "
            f"{r['polite_got']}" + (f" (served in joining order: {r['served_in_order']})" if use_line else "")
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8112")
    ap.add_argument("--returns", type=int, default=10)
    ap.add_argument("--polite", type=int, default=20)
    ap.add_argument("--storm-rate", type=float, default=10.0)
    asyncio.run(main(ap.parse_args()))
