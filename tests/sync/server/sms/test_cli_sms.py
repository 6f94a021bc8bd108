"""``daftar-server sms send-pending``: one pass for a scheduler, with the settings
of the environment; a setting that cannot work is one line on standard error."""

from __future__ import annotations

import json

from sync.server import operations as ops
from sync.server.cli import main


def test_send_pending_sends_what_waits_once(centre_url, sessions, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAFTAR_SMS_DIR", str(tmp_path / "out"))
    with sessions.begin() as session:
        ops.intake(session, district_code="1-1", category_code="asphalt", description="چاله",
                   actor="operator", citizen_phone="09121234567")
    assert main(["--database-url", centre_url, "sms", "send-pending"]) == 0
    assert capsys.readouterr().out.strip() == "sent: 1, failed: 0, to retry: 0, opted out: 0"
    (written,) = (tmp_path / "out").glob("*.json")
    assert json.loads(written.read_text(encoding="utf-8"))["receptor"] == "09121234567"
    assert main(["--database-url", centre_url, "sms", "send-pending"]) == 0
    assert capsys.readouterr().out.strip().startswith("sent: 0,")


def test_kavenegar_without_a_key_is_a_one_line_error(centre_url, sessions, monkeypatch, capsys):
    monkeypatch.delenv("DAFTAR_SMS_API_KEY", raising=False)
    assert main(["--database-url", centre_url, "sms", "send-pending", "--sms-provider", "kavenegar"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "daftar-server: error: the kavenegar SMS provider needs DAFTAR_SMS_API_KEY"
