"""POST /api/v1/registrations: the contract of issue 3 (201 / 409 with code / 422), idempotency, language, limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

DAY = "2026-11-20"


def body(n: int, day: str = DAY) -> dict[str, str]:
    return {"date": day, "name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


def test_taking_a_number_answers_201_with_queue_number_and_access_code(client):
    r = client.post("/api/v1/registrations", json=body(1))
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["queue_number"] == 1 and len(data["access_code"]) == 8
    assert data["masked_id"].endswith(synthetic_resident_id(1)[-4:]) and "*" in data["masked_id"]
    assert synthetic_resident_id(1) not in r.text


def test_sold_out_is_409_with_a_code(client):
    for n in range(5):
        assert client.post("/api/v1/registrations", json=body(n)).status_code == 201
    r = client.post("/api/v1/registrations", json=body(10))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "sold_out" and r.json()["error"]["rule"] == "REG-QUOTA"


def test_the_same_person_twice_is_409_already_registered(client):
    client.post("/api/v1/registrations", json=body(1))
    r = client.post("/api/v1/registrations", json=body(1))
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_registered"


def test_not_released_yet_gives_the_release_time(client, clock):
    clock.advance(dt.timedelta(hours=-1))
    r = client.post("/api/v1/registrations", json=body(1))
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "not_released" and err["details"]["releases_at"] == "2026-11-20T07:00"


def test_a_closed_day_is_409_closed(client, clock):
    clock.set(dt.datetime(2026, 10, 1, 0, 0, tzinfo=dt.UTC))
    r = client.post("/api/v1/registrations", json=body(1, "2026-10-01"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "closed"


def test_invalid_input_is_422_in_the_readers_language(client):
    bad = body(1) | {"id_number": "110101199003071234"}
    en = client.post("/api/v1/registrations", json=bad)
    zh = client.post("/api/v1/registrations", json=bad, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert en.status_code == zh.status_code == 422
    assert en.json()["error"]["code"] == "invalid_id"
    assert "check digit" in en.json()["error"]["message"]
    assert en.json()["error"]["message"] != zh.json()["error"]["message"]
    missing = client.post("/api/v1/registrations", json={"date": "not a date"})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_input"
    assert "Traceback" not in missing.text
    garbage = client.post("/api/v1/registrations", content=b"{oops", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 422


def test_an_idempotency_key_replays_the_first_answer(client):
    first = client.post("/api/v1/registrations", json=body(1), headers={"Idempotency-Key": "k-1"})
    again = client.post("/api/v1/registrations", json=body(1), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers.get("Idempotent-Replayed") == "true"


def test_number_grabs_are_rate_limited_per_client_in_the_database(client, clinic, clock):
    clinic.settings.grab_rate_per_minute = 3
    answers = [client.post("/api/v1/registrations", json=body(n)) for n in range(5)]
    assert [r.status_code for r in answers] == [201, 201, 201, 429, 429]
    err = answers[3].json()["error"]
    assert err["code"] == "rate_limited" and "seconds" in err["message"]
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    assert int(answers[3].headers["Retry-After"]) == err["details"]["retry_after"]
    zh = client.post("/api/v1/registrations", json=body(6), headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 429 and "秒后再试" in zh.json()["error"]["message"]
    with clinic.ctx.read() as uow:  # ONE row for the client and minute, in the database every server shares
        rows = uow.session.execute(text("SELECT client_key, count FROM grab_windows")).all()
    assert [tuple(r) for r in rows] == [("testclient", 6)]
    clock.advance(dt.timedelta(minutes=1))  # a new minute: allowed again
    assert client.post("/api/v1/registrations", json=body(7)).status_code == 201


def test_a_trusted_proxy_header_is_the_client_only_when_the_setting_says_so(client, clinic, clock):
    clinic.settings.grab_rate_per_minute = 1
    forged = {"X-Forwarded-For": "198.51.100.1"}
    assert client.post("/api/v1/registrations", json=body(1), headers=forged).status_code == 201
    assert (
        client.post("/api/v1/registrations", json=body(2), headers=forged | {"X-Forwarded-For": "x"}).status_code == 429
    )
    clock.advance(dt.timedelta(minutes=1))
    clinic.settings.trusted_proxy_header = "X-Forwarded-For"
    for n, chain in enumerate(["198.51.100.1", "203.0.113.9, 198.51.100.2", "198.51.100.3"], start=3):
        r = client.post("/api/v1/registrations", json=body(n), headers={"X-Forwarded-For": chain})
        assert r.status_code == 201, r.text
    # the proxy appends the real client last: a client-supplied first entry does not make a new client
    again = client.post("/api/v1/registrations", json=body(9), headers={"X-Forwarded-For": "10.9.9.9, 198.51.100.2"})
    assert again.status_code == 429


def test_availability_and_openapi(client):
    r = client.get(f"/api/v1/registrations/availability/{DAY}")
    assert r.status_code == 200 and r.json()["remaining"] == 5 and r.json()["availability"] == "open"
    spec = client.get("/openapi.json").json()
    assert "/api/v1/registrations" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_unknown_address_is_a_json_404(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_an_optional_email_and_language_are_accepted_and_old_bodies_still_work(client):
    assert client.post("/api/v1/registrations", json=body(1)).status_code == 201
    r = client.post("/api/v1/registrations", json=body(2) | {"email": "wang@example.invalid", "language": "en"})
    assert r.status_code == 201, r.text
    assert set(r.json()) == set(client.post("/api/v1/registrations", json=body(3)).json())
    assert client.post("/api/v1/registrations", json=body(4) | {"language": "fr"}).status_code == 422
    assert client.post("/api/v1/registrations", json=body(5) | {"email": "nope"}).status_code == 422
