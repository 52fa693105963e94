"""The landing page's safety facts and home-device claims say what the evidence says (issue 10, section 3)."""

from __future__ import annotations

from django.test import Client


def test_the_landing_safety_facts_name_no_device_the_visitor_never_mentioned(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "Do not use this device at home" not in page
    assert "Do not use a needle longer than 0.5 mm at home" in page
    assert "may reach nerves and blood vessels" in page
    assert "reach living skin with nerves" not in page


def test_the_landing_page_calls_10_to_15_uses_a_rule_of_thumb(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "cannot treat scars" not in page
    assert "Home devices are not shown to treat scars" in page
    assert "needlewise&#39;s own rule of thumb" in page or "needlewise's own rule of thumb" in page


def test_the_spanish_landing_page_says_rodillo_and_not_este_dispositivo() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/").content.decode()
    assert '<html lang="es">' in page
    assert "No uses este dispositivo en casa" not in page
    assert "No uses en casa agujas de más de 0,5 mm" in page  # Spanish writes decimals with a comma
    assert "Un rodillo (dermaroller) de uso doméstico" in page
    assert "roller de uso doméstico" not in page.replace("dermaroller", "")
