"""The MLLP sender on its own, against a small python-hl7 receiver that misbehaves on purpose: a kept connection
the peer closed while idle is reopened at once; an ACK for another message is an error, not a delivery."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import hl7
import pytest

from hsgclinic.hl7.outbound import Hl7Sender
from hsgclinic.notifications.channels import DeliveryRefused, OutgoingMessage
from hsgtest import make_settings

EVENT = {
    "at": "2026-11-20T00:00:00+00:00",
    "patient": {"record_number": "HSG00000001", "name": "王小红", "birth_date": "1992-01-01", "sex": "F", "phone": ""},
    "appointment": {
        "id": 1,
        "kind": "procedure",
        "start": "2026-11-21T08:00:00",
        "minutes": 15,
        "slot_number": 1,
        "status": "booked",
        "form_number": "AF1",
        "accession_number": "A000000001",
    },
}


def outgoing(n: int) -> OutgoingMessage:
    payload = {"message_type": "SIU^S12", "event": EVENT}
    return OutgoingMessage(n, "hl7", "peer", "SIU^S12", "", f"HSG{n:012d}", payload=payload)


def read_block(conn: socket.socket) -> bytes:
    data = b""
    while b"\x1c\r" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data.split(b"\x0b", 1)[1].split(b"\x1c", 1)[0]


@contextmanager
def peer(behaviour: str) -> Iterator[tuple[int, list[str]]]:
    """``close-after-each``: ACK one message per connection, then hang up; ``wrong-id``: ACK another control ID;
    ``ar``: reject with AR and an ERR."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    seen: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(10)
            with conn:
                while block := read_block(conn):
                    message = hl7.parse(block.decode("utf-8"))
                    seen.append(str(message["MSH.F10"]))
                    if behaviour == "wrong-id":
                        ack = message.create_ack("AA")
                        ack["MSA.F2"] = "SOMETHING-ELSE"
                    elif behaviour == "ar":
                        ack = message.create_ack("AR")
                        ack.append(
                            ack.create_segment(
                                [
                                    ack.create_field(["ERR"]),
                                    ack.create_field([""]),
                                    ack.create_field([""]),
                                    ack.create_field(["200"]),
                                ]
                            )
                        )
                    else:
                        ack = message.create_ack("AA")
                    conn.sendall(b"\x0b" + str(ack).encode("utf-8") + b"\x1c\r")
                    if behaviour == "close-after-each":
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(5)
        server.close()


def sender(port: int, tmp: Path) -> Hl7Sender:
    return Hl7Sender(make_settings("sqlite://", tmp, hl7_peer_host="127.0.0.1", hl7_peer_port=port))


def test_a_connection_the_peer_closed_while_idle_is_reopened_at_once(tmp_path):
    with peer("close-after-each") as (port, seen):
        s = sender(port, tmp_path)
        assert s.send(outgoing(1)) == "HSG000000000001"
        assert s.send(outgoing(2)) == "HSG000000000002"  # the kept connection is dead: a fresh one, no failure
        s.close()
    assert seen == ["HSG000000000001", "HSG000000000002"]


def test_an_ack_for_another_message_is_not_a_delivery(tmp_path):
    with peer("wrong-id") as (port, _):
        s = sender(port, tmp_path)
        with pytest.raises(ConnectionError, match="SOMETHING-ELSE"):
            s.send(outgoing(3))
        s.close()


def test_a_reject_is_a_refusal_with_the_peers_reason(tmp_path):
    with peer("ar") as (port, _):
        s = sender(port, tmp_path)
        with pytest.raises(DeliveryRefused, match=r"^AR: 200"):
            s.send(outgoing(4))
        s.close()


def test_nobody_listening_is_an_error_to_retry(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OSError):
        sender(port, tmp_path).send(outgoing(5))
