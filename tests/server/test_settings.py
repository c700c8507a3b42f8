"""Settings from the environment and the command line, and the links they produce."""

from __future__ import annotations

import msgspec
import pytest

from server.app import make_backends
from server.cli import parse_args
from server.links import links_for
from server.netinfo import lan_address, public_base
from server.settings import from_env
from server.stores.redis import RedisStore, cluster_target


def test_environment_values_are_converted_and_overrides_win() -> None:
    settings = from_env(
        {"DIALOGRAUM_PORT": "9000", "REDIS_URL": "", "DIALOGRAUM_SAMPLE_EVENT": "false"},
        host="127.0.0.1",
    )
    assert settings.port == 9000
    assert settings.redis is None
    assert settings.sample_event is False
    assert settings.host == "127.0.0.1"


def test_a_redis_cluster_is_chosen_by_the_url_or_the_setting() -> None:
    assert cluster_target("redis+cluster://:pw@10.0.0.5:7000") == (
        "redis://:pw@10.0.0.5:7000",
        True,
    )
    assert cluster_target("rediss+cluster://10.0.0.5:7000") == ("rediss://10.0.0.5:7000", True)
    assert cluster_target("redis://10.0.0.5:6379/0") == ("redis://10.0.0.5:6379/0", False)
    settings = from_env({"REDIS_URL": "redis://10.0.0.5:7000", "DIALOGRAUM_REDIS_CLUSTER": "1"})
    assert settings.redis_cluster is True
    assert from_env({"REDIS_URL": "redis://10.0.0.5:6379/0"}).redis_cluster is False
    by_setting, _ = make_backends(settings)
    by_url, _ = make_backends(from_env({"REDIS_URL": "redis+cluster://10.0.0.5:7000"}))
    single, _ = make_backends(from_env({"REDIS_URL": "redis://10.0.0.5:6379/0"}))
    assert isinstance(by_setting, RedisStore) and isinstance(by_url, RedisStore)
    assert isinstance(single, RedisStore)
    assert by_setting.keys.log("AB") == by_url.keys.log("AB") == "dg:room:{AB}:log"
    assert single.keys.log("AB") == "dg:room:AB:log"  # what existing deployments hold


def test_a_bad_value_names_the_setting() -> None:
    with pytest.raises(msgspec.ValidationError, match="port"):
        from_env({"DIALOGRAUM_PORT": "abc"})


def test_the_command_line_takes_every_documented_option() -> None:
    args = parse_args(
        ["serve", "--host", "127.0.0.1", "--port", "9001", "--db", "x.sqlite3",
         "--redis", "redis://127.0.0.1:6379/0", "--public-url", "http://10.0.0.5:9001"]
    )  # fmt: skip
    assert (args.host, args.port, args.db) == ("127.0.0.1", 9001, "x.sqlite3")
    assert args.redis == "redis://127.0.0.1:6379/0"
    assert args.public_url == "http://10.0.0.5:9001"


def test_links_use_the_public_url_and_never_localhost_by_default() -> None:
    assert public_base("http://dialog.example/", "0.0.0.0", 8000) == "http://dialog.example"
    base = public_base(None, "0.0.0.0", 8000)
    address = lan_address()
    if address is not None:
        assert base == f"http://{address}:8000"
        assert not address.startswith("127.")
    links = links_for("http://10.0.0.5:8000", "ABCDEF", "k/ey")
    assert links.join == "http://10.0.0.5:8000/j/ABCDEF"
    assert links.moderator == "http://10.0.0.5:8000/m/ABCDEF?key=k%2Fey"
