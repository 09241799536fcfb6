"""The main navigation's words say what is behind them."""

from __future__ import annotations

import re

from learning.models import Role


def _nav(client, path: str = "/dashboard") -> list[str]:
    html = client.get(path).get_data(as_text=True)
    nav = html.split('aria-label="Main"')[1].split("</nav>")[0]
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", nav)]


def test_a_trainer_is_offered_the_cohorts_they_are_in_and_the_cohorts_they_run(
    client, make_user, login
):
    login(make_user(Role.TRAINER))
    links = _nav(client)
    assert "Cohorts I'm in" in links and "Cohorts I run" in links
    assert "My cohorts" not in links and "Trainer" not in links
    learning = client.get("/cohorts").get_data(as_text=True)
    assert "<h1>Cohorts I'm in</h1>" in learning
    assert (
        'The cohorts you run as a trainer are in <a href="/trainer/">Cohorts I run</a>' in learning
    )
    running = client.get("/trainer/").get_data(as_text=True)
    assert "<h1>Cohorts I run</h1>" in running
    assert """are in <a href="/cohorts">Cohorts I'm in</a>""" in running


def test_a_learner_is_offered_only_the_cohorts_they_are_in(client, make_user, login):
    login(make_user())
    links = _nav(client)
    assert "Cohorts I'm in" in links and "Cohorts I run" not in links
    assert "Cohorts I run" not in client.get("/cohorts").get_data(as_text=True)
