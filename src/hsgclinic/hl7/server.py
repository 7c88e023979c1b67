"""The MLLP listener (asyncio, python-hl7's MLLP streams): one ACK per block, in order on each connection.

The handler's service call runs in a worker thread so that a slow database never stalls the other connections.
A block that is not MLLP-framed, too long or not HL7 is answered with an ``AR`` and the connection goes on; a
connection that drops mid-block is simply closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from asyncio import IncompleteReadError
from collections.abc import Callable

from hl7.mllp import InvalidBlockError, start_hl7_server
from hl7.mllp.streams import HL7StreamReader, HL7StreamWriter

from hsgclinic.config import Settings
from hsgclinic.hl7.inbound import AdtHandler, Answer

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 1 << 20  # one ADT is a few hundred bytes; anything near this is not one


class Listener:
    def __init__(self, handler: AdtHandler, settings: Settings) -> None:
        self.handler, self.settings = handler, settings
        self.server: asyncio.Server | None = None
        self.handled = 0

    @property
    def port(self) -> int:
        assert self.server is not None and self.server.sockets
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self, host: str | None = None, port: int | None = None) -> None:
        self.server = await start_hl7_server(
            self._connection,
            host or self.settings.hl7_listen_host,
            self.settings.hl7_listen_port if port is None else port,
            limit=MAX_MESSAGE_BYTES,
        )

    async def _answer(self, block: bytes) -> Answer:
        return await asyncio.to_thread(self.handler.handle, block)

    async def _connection(self, reader: HL7StreamReader, writer: HL7StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while True:
                try:
                    block = await reader.readblock()
                except IncompleteReadError:
                    return  # the peer closed the connection (between messages, or mid-block)
                except (InvalidBlockError, ValueError) as exc:  # not framed with <VT>, or too long
                    log.info("HL7 from %s: bad block: %s", peer, exc)
                    block = b"\x00"  # answered as unreadable
                answer = await self._answer(block)
                writer.writeblock(answer.data)
                await writer.drain()
                self.handled += 1
        except (ConnectionError, OSError) as exc:
            log.info("HL7 connection from %s ended: %s", peer, exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


async def serve(
    handler: AdtHandler,
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    ready: Callable[[Listener], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Listen until ``stop`` is set (or for ever)."""
    listener = Listener(handler, settings)
    await listener.start(host, port)
    if ready is not None:
        ready(listener)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await listener.stop()
