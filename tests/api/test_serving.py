"""Serving details: connections accepted by uvicorn workers get TCP_NODELAY."""

from __future__ import annotations

import socket

from api.app import no_delay_on_listeners


def test_listening_sockets_get_no_delay_for_the_connections_they_accept() -> None:
    # As uvicorn --workers binds it: no protocol named, so asyncio leaves Nagle on.
    listener = socket.socket(socket.AF_INET)
    with listener:
        listener.bind(("127.0.0.1", 0))
        no_delay_on_listeners()  # a worker loads the app before it listens
        listener.listen()
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.proto == 0
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
