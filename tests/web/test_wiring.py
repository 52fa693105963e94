"""Entry points and settings: the WSGI application, ``needlewise serve``, secrets and error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from django.test import RequestFactory

from needlewise.cli import serve as serve_module
from needlewise.errors import DataKeyError, Problem
from needlewise.storage.models import SavedResult
from needlewise.web import settings as web_settings
from needlewise.web.views.pages import server_error


def test_wsgi_application_is_importable_with_the_long_lived_objects_out_of_full_collections() -> None:
    import gc  # noqa: PLC0415

    from needlewise.web.wsgi import application, settle  # noqa: PLC0415 - importing it is the test

    assert callable(application)
    assert gc.get_freeze_count() > 10_000  # the views, Django and the knowledge base: loaded, then frozen
    assert settle() > 10_000
    assert len(gc.get_objects(generation=2)) < 1_000  # what a full collection still walks


def test_serve_migrates_then_runs_granian_with_the_production_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, object] = {}

    class FakeGranian:
        def __init__(self, target: str, **options: object) -> None:
            calls["target"], calls["options"] = target, options

        def serve(self) -> None:
            calls["served"] = True

    monkeypatch.setattr("granian.Granian", FakeGranian)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: calls.setdefault("migrate", (a, k)))
    monkeypatch.setattr("needlewise.bootstrap.check_data_keys", lambda: calls.setdefault("keys checked", True))
    serve_module.serve(host="127.0.0.1", port=8123, workers=0, queue_worker=False)  # its worker: tests/messaging
    assert calls["keys checked"] is True
    assert calls["target"] == "needlewise.web.wsgi:application"
    options = calls["options"]
    assert isinstance(options, dict)
    assert options["port"] == 8123
    assert options["blocking_threads"] == 1
    assert options["workers"] == serve_module.default_workers()
    assert options["workers_kill_timeout"] == serve_module.WORKERS_KILL_TIMEOUT_S  # a stop never waits forever
    assert str(options["interface"]).endswith("wsgi")
    assert calls["migrate"] == (("migrate",), {"interactive": False, "verbosity": 0})
    assert calls["served"] is True


def test_serve_runs_two_workers_per_core_by_default_up_to_sixteen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1})
    assert serve_module.default_workers() == 4
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: set(range(64)))
    assert serve_module.default_workers() == serve_module.MAX_DEFAULT_WORKERS == 16


def test_serve_refuses_to_start_with_a_data_key_that_does_not_open_the_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def wrong_key() -> None:
        raise DataKeyError([Problem("client.notes", "was encrypted with data key 0a0b0c0d, which is not configured")])

    monkeypatch.setattr("granian.Granian", lambda *_a, **_k: pytest.fail("served with the wrong key"))
    monkeypatch.setattr("django.core.management.call_command", lambda *_a, **_k: None)
    monkeypatch.setattr("needlewise.bootstrap.check_data_keys", wrong_key)
    with pytest.raises(typer.Exit) as stopped:
        serve_module.serve(host="127.0.0.1", port=8123, workers=0)
    assert stopped.value.exit_code == serve_module.EXIT_KEY
    assert capsys.readouterr().err.strip() == (
        "error: client.notes: was encrypted with data key 0a0b0c0d, which is not configured"
    )


def test_secret_key_is_generated_once_and_private(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NEEDLEWISE_SECRET_KEY", raising=False)
    monkeypatch.setattr(web_settings, "DATA_DIR", tmp_path / "data")
    first = web_settings._secret_key()
    assert len(first) > 40
    assert web_settings._secret_key() == first
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("NEEDLEWISE_SECRET_KEY", "from-the-environment")
    assert web_settings._secret_key() == "from-the-environment"


def test_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDLEWISE_X", "1")
    assert web_settings._flag("NEEDLEWISE_X")
    monkeypatch.setenv("NEEDLEWISE_X", "0")
    assert not web_settings._flag("NEEDLEWISE_X")


def test_server_error_page_shows_no_detail() -> None:
    response = server_error(RequestFactory().get("/boom"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page


def test_saved_result_never_prints_its_digest() -> None:
    row = SavedResult(pk=7, token_digest="d" * 64, tier="stop")
    assert str(row) == "saved result 7 (stop)"


def test_database_url_selects_postgresql() -> None:
    config = web_settings._database("postgresql://nw:s%40cret@db.example:5433/needlewise")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "needlewise",
        "nw",
        "s@cret",
        "db.example",
        "5433",
    )
    sqlite = web_settings._database(None)
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert "synchronous=FULL" in str(sqlite["OPTIONS"])
    with pytest.raises(ValueError, match="must start with postgresql://"):
        web_settings._database("mysql://root@localhost/db")


def test_postgresql_statements_are_prepared_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = web_settings._database("postgresql://nw@db.example/needlewise")
    assert prepared["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    monkeypatch.setenv("NEEDLEWISE_DB_PREPARE", "0")  # a pooler in transaction mode
    assert web_settings._database("postgresql://nw@db.example/needlewise")["OPTIONS"] == {}
