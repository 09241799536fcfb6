"""Certificates anyone can verify, and a CPD record in the shape each regulator asks for."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time
from pypdf import PdfReader

from learning.extensions import db
from learning.models import Certificate, Role


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_learner_downloads_a_certificate_that_anyone_can_verify(app, client, make_user, login):
    learner = make_user(name="Zoë Łukasiewicz", profession="nursing")
    login(learner)
    client.post("/modules/hospital-discharge/complete")
    page = text(client.get("/certificates"))
    assert "Hospital discharge" in page
    response = client.post("/certificates", data={"kind": "module", "ref": "hospital-discharge"})
    assert response.status_code == 302
    pdf = client.get(response.location)
    assert pdf.mimetype == "application/pdf"
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    with app.app_context():
        certificate = db.session.execute(sa.select(Certificate)).scalar_one()
        code = certificate.code
    assert "Zoë Łukasiewicz" in words and code in words
    # Asking again gives the same certificate.
    again = client.post("/certificates", data={"kind": "module", "ref": "hospital-discharge"})
    assert again.location == response.location
    anonymous = app.test_client()
    genuine = text(anonymous.get(f"/verify/{code.lower().replace('-', ' ')}"))
    assert "Genuine" in genuine and "Zoë Łukasiewicz" in genuine and "Hospital discharge" in genuine
    assert learner.email not in genuine


def test_a_revoked_or_unknown_code_says_so(app, client, make_user, login):
    learner = make_user()
    login(learner)
    client.post("/modules/hospital-discharge/complete")
    client.post("/certificates", data={"kind": "module", "ref": "hospital-discharge"})
    with app.app_context():
        certificate = db.session.execute(sa.select(Certificate)).scalar_one()
        code, certificate_id = certificate.code, certificate.id
    unknown = app.test_client().get("/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert unknown.status_code == 404 and "No certificate has this code" in text(unknown)
    admin = app.test_client()
    boss = make_user(Role.ADMIN)
    admin.post("/sign-in", data={"email": boss.email, "password": "correct horse battery"})
    admin.post(f"/admin/certificates/{certificate_id}/revoke")
    revoked = text(app.test_client().get(f"/verify/{code}"))
    assert "Revoked" in revoked and "Genuine" not in revoked


def test_nobody_else_can_download_a_learners_certificate(app, client, make_user, login):
    owner, other = make_user(), make_user()
    login(owner)
    client.post("/modules/hospital-discharge/complete")
    url = client.post(
        "/certificates", data={"kind": "module", "ref": "hospital-discharge"}
    ).location
    client.post("/sign-out")
    login(other)
    assert client.get(url).status_code == 404


def test_only_what_was_achieved_can_be_certified(client, make_user, login):
    login(make_user())
    response = client.post("/certificates", data={"kind": "module", "ref": "hospital-discharge"})
    assert response.status_code == 404


@freeze_time("2026-11-22")
def test_a_nurse_keeps_a_cpd_record_and_exports_it_for_the_nmc(app, client, make_user, login):
    login(make_user(profession="nursing"))
    client.post("/modules/hospital-discharge/complete")  # 1 CPD hour in the fixture course
    response = client.post(
        "/cpd/new",
        data={
            "on": "2026-10-01",
            "activity": "group",
            "topic": "Joint discharge planning workshop",
            "hours": "3.5",
            "participatory": "y",
            "learned": "How the duty to refer works",
            "impact": "I refer earlier",
            "standard": "NMC Code: Practise effectively",
        },
    )
    assert response.status_code == 302
    page = text(client.get("/cpd"))
    assert "4.5</strong> hours, 3.5 participatory" in page
    assert "4.5 of 35 hours, 3.5 of 20 participatory" in page
    exported = text(client.get("/cpd/export.csv"))
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0][:6] == [
        "Date",
        "Method",
        "Topic",
        "Link to the Code",
        "Hours",
        "Participatory hours",
    ]
    assert any(r[2] == "Joint discharge planning workshop" and r[5] == "3.5" for r in rows[1:])
    printable = text(client.get("/cpd/export"))
    assert "NMC CPD record" in printable and "How the duty to refer works" in printable


def test_a_cpd_entry_with_mistakes_keeps_what_was_typed(client, make_user, login):
    login(make_user())
    response = client.post(
        "/cpd/new",
        data={"on": "2999-01-01", "activity": "", "topic": "Keep me", "hours": "0"},
    )
    page = text(response)
    assert response.status_code == 422
    assert "cannot be in the future" in page and "Choose the type of activity" in page
    assert "from 0.25 to 100" in page and 'value="Keep me"' in page


def test_each_regulator_gets_its_own_export(client, make_user, login):
    login(make_user(profession="social-work"))
    assert "Social Work England CPD record" in text(client.get("/cpd/export"))
    header = text(client.get("/cpd/export.csv")).lstrip("\ufeff").splitlines()[0]
    assert "Discussed with a peer" in header
    client.post("/sign-out")
    login(make_user(profession="occupational-therapy"))
    assert "HCPC CPD record" in text(client.get("/cpd/export"))
    client.post("/sign-out")
    login(make_user(profession="housing"))
    assert re.search(r"<h1>CPD record</h1>", text(client.get("/cpd/export")))


def test_reflections_written_in_scenarios_arrive_as_drafts(client, make_user, login):
    from .test_quiz_pages import answer_all, start

    login(make_user())
    url = start(client, "safeguarding-basics")
    answer_all(client, url)
    client.post(f"{url}/submit")
    page = text(client.get("/cpd"))
    assert "Reflection: Safeguarding basics" in page and "Draft" in page
    assert "I will &lt;b&gt;ask&lt;/b&gt; sooner." in page


def test_cohort_learning_counts_as_participatory(app, client, make_user, login):
    from learning import cohorts
    from learning.models import EnrolmentRoute, User

    trainer = make_user(Role.TRAINER)
    learner = make_user(profession="nursing")
    with app.app_context():
        cohort = cohorts.create(
            db.session.get(User, trainer.id),
            cohorts.CohortDetails("Discharge together", "", None, None, 4, {}),
        )
        cohorts.add_item(cohort, "module", "hospital-discharge", date(2027, 1, 1))
        for invitation in cohorts.invite(
            cohort, [db.session.get(User, learner.id)], EnrolmentRoute.PICKED
        ):
            cohorts.accept(invitation)
        db.session.commit()
    login(learner)
    client.post("/modules/hospital-discharge/complete")
    page = text(client.get("/cpd"))
    row = page.split('<th scope="row">Hospital discharge')[1].split("</tr>")[0]
    assert "Yes" in row and "Cohort" in row
    assert "Discharge together" in text(client.get("/certificates"))  # programme finished


def test_an_admin_sees_a_persons_certificates_under_the_right_title(app, client, make_user, login):
    learner = make_user(name="Grace Adeyemi")
    login(learner)
    client.post("/modules/hospital-discharge/complete")
    client.post("/certificates", data={"kind": "module", "ref": "hospital-discharge"})
    client.post("/sign-out")
    login(make_user(Role.ADMIN))
    page = text(client.get(f"/admin/users/{learner.id}"))
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.strip().startswith("Grace Adeyemi") and "<" not in title
    assert "Revoke" in page.split('id="certificates-heading"')[1]
