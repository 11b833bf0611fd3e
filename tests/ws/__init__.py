"""Shared helpers for the websocket tests in tests/chat/test_ws_*.py."""
