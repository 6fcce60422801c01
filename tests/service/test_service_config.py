"""Keys, scopes and origins from the environment."""

from __future__ import annotations

import pytest

from recsys.errors import ParameterError
from recsys.service.config import ServiceConfig, parse_api_keys, parse_origins


def test_keys_have_scopes_and_write_includes_read():
    keys = parse_api_keys(" reader-key-123456789:read , writer-key-123456789:WRITE ")
    assert keys.scope_of("reader-key-123456789") == "read"
    assert keys.allows("reader-key-123456789", "read") is True
    assert keys.allows("reader-key-123456789", "write") is False
    assert keys.allows("writer-key-123456789", "read") is True
    assert keys.allows("writer-key-123456789", "write") is True
    assert keys.allows("reader-key-12345678", "read") is None
    assert keys.allows("", "read") is None and keys.allows(None, "read") is None
    assert len(keys) == 2 and keys.short_keys == 0


@pytest.mark.parametrize(("text", "words"), [
    ("", "not set"),
    ("secret-one:admin", "entry 1"),
    ("ok-key:read,secret-two", "entry 2"),
    ("secret-three:read,secret-three:write", "entry 2"),
])
def test_bad_key_settings_are_refused_without_showing_the_key(text, words):
    with pytest.raises(ParameterError, match=words) as info:
        parse_api_keys(text)
    assert "secret" not in str(info.value)


def test_origins_allow_list():
    assert parse_origins("https://shop.example.com/, http://localhost:3000") == (
        "https://shop.example.com", "http://localhost:3000")
    assert parse_origins(None) == ()
    with pytest.raises(ParameterError, match="any website"):
        parse_origins("*")
    with pytest.raises(ParameterError, match="not an origin"):
        parse_origins("shop.example.com")


def test_config_reads_the_environment(tmp_path):
    cfg = ServiceConfig.from_env(tmp_path, tmp_path / "s", environ={
        "RECSYS_API_KEYS": "k-0123456789abcdef:read", "RECSYS_MAX_BODY_BYTES": "1000",
        "RECSYS_CORS_ORIGINS": "https://a.example"})
    assert cfg.max_body_bytes == 1000 and cfg.cors_origins == ("https://a.example",)
    with pytest.raises(ParameterError, match="RECSYS_MAX_BODY_BYTES"):
        ServiceConfig.from_env(tmp_path, tmp_path, environ={
            "RECSYS_API_KEYS": "k:read", "RECSYS_MAX_BODY_BYTES": "-5"})
