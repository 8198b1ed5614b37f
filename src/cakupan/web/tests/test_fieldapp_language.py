"""The field app's shell judged as every page is (web/tests/test_display_pages.py): no code, no word of the
other language; the words its scripts write come from the page too, in its language. Here, beside the page
test's judge, as the shell's helpers may not be imported by the apps (accounts/tests/test_import_graph.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cakupan.fieldapp.tests.agents import make_agent
from cakupan.web.tests.page_language import problems, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(world: Any) -> Any:
    return make_agent(world)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_shell_reads_in_one_language(agent: Any, lang: str) -> None:
    """As the page test (web/tests/test_display_pages.py) judges every page: no code, no word of the other
    language. The words the scripts write come from the page too, in its language: judged with it."""
    client = signed_in(agent)
    client.cookies["django_language"] = lang
    html = client.get(reverse("fieldapp:shell")).content.decode()
    # The app's own part: the header and menu are every page's, judged by the page test.
    text, numbers, islands = visible_text(html.split('<div class="fa">', 1)[1].split("</main>", 1)[0])
    strings = json.loads(
        html.split('id="fieldapp-strings" type="application/json">')[1].split("</script>")[0]
    )
    reference = signed_in_as_language(agent, lang).get(reverse("fieldapp:reference")).json()
    words = [
        *strings.values(),
        *[choice["label"] for key in ("programs", "sexes", "sectors", "payers") for choice in reference[key]],
        *reference["nik_messages"].values(),
    ]
    assert "Cakupan Lapangan" in text
    assert len(words) > 30
    assert problems(text + "\n" + "\n".join(words), lang, numbers=numbers) == []
    assert not islands


def signed_in_as_language(user: Any, lang: str) -> Client:
    client = signed_in(user)
    client.cookies["django_language"] = lang
    return client
