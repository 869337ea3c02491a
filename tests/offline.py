"""A fixture that cuts the network: the data tests import it (autouse) to prove dlkit.data never downloads."""

import socket

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a network connection raises, for the duration of the test."""

    def refuse(*args, **kwargs):
        raise RuntimeError("network access attempted in a dlkit.data test: loaders must work offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
