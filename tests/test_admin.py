"""Administrators manage people, roles and organisations."""

from __future__ import annotations

import sqlalchemy as sa

from learning.extensions import db
from learning.models import Organisation, OrganisationKind, Role, User


def test_an_admin_finds_people_by_name_email_or_registration(client, make_user, login):
    login(make_user(Role.ADMIN, name="Alex Admin"))
    make_user(name="Priya Sharma", email="priya@trust.example")
    make_user(name="Tom Brennan", email="tom@council.example")
    page = client.get("/admin/?q=sharma").get_data(as_text=True)
    assert "Priya Sharma" in page and "Tom Brennan" not in page
    page = client.get("/admin/?q=council").get_data(as_text=True)
    assert "Tom Brennan" in page and "Priya Sharma" not in page
    page = client.get("/admin/?q=%25").get_data(as_text=True)  # a bare % is text, not a wildcard
    assert "No one matches" in page


def test_an_admin_filters_people_by_role(client, make_user, login):
    login(make_user(Role.ADMIN, name="Alex Admin"))
    make_user(Role.TRAINER, name="Helen Trainer")
    make_user(name="Plain Learner")
    page = client.get("/admin/?role=trainer").get_data(as_text=True)
    assert "Helen Trainer" in page and "Plain Learner" not in page


def test_an_admin_grants_and_removes_roles_and_the_navigation_follows(app, make_user, login):
    admin = make_user(Role.ADMIN)
    person = make_user(name="Helen Okafor")
    login(admin)
    client = app.test_client()
    client.post("/sign-in", data={"email": person.email, "password": "correct horse battery"})
    assert "Trainer</a>" not in client.get("/dashboard").get_data(as_text=True)

    admin_client = app.test_client()
    admin_client.post("/sign-in", data={"email": admin.email, "password": "correct horse battery"})
    response = admin_client.post(
        f"/admin/users/{person.id}/roles", data={"roles": ["trainer", "employer"]}
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, person.id)
        assert saved.roles == {Role.TRAINER, Role.EMPLOYER}
        assert {g.granted_by_id for g in saved.role_grants} == {admin.id}
    assert "Trainer</a>" in client.get("/dashboard").get_data(as_text=True)
    assert client.get("/trainer/").status_code == 200

    admin_client.post(f"/admin/users/{person.id}/roles", data={"roles": ["employer"]})
    assert client.get("/trainer/").status_code == 403


def test_an_admin_cannot_remove_their_own_admin_role(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)
    response = client.post(
        f"/admin/users/{admin.id}/roles", data={"roles": []}, follow_redirects=True
    )
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).roles == {Role.ADMIN}


def test_an_admin_moves_a_person_to_another_organisation(
    app, client, make_user, make_organisation, login
):
    trust = make_organisation("Riverside NHS Foundation Trust")
    council = make_organisation("Northfield City Council", OrganisationKind.LOCAL_AUTHORITY)
    person = make_user(organisation=trust)
    login(make_user(Role.ADMIN))
    client.post(f"/admin/users/{person.id}/organisation", data={"organisation": council.id})
    with app.app_context():
        assert db.session.get(User, person.id).organisation_id == council.id
    client.post(f"/admin/users/{person.id}/organisation", data={"organisation": 0})
    with app.app_context():
        assert db.session.get(User, person.id).organisation_id is None


def test_an_admin_creates_and_renames_an_organisation(app, client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.post(
        "/admin/organisations/new", data={"name": "  Northfield Homes ", "kind": "housing-provider"}
    )
    assert response.status_code == 302
    with app.app_context():
        organisation = db.session.execute(sa.select(Organisation)).scalar_one()
        assert (organisation.name, organisation.kind) == (
            "Northfield Homes",
            OrganisationKind.HOUSING_PROVIDER,
        )
    client.post(
        f"/admin/organisations/{organisation.id}/edit",
        data={"name": "Northfield Homes Group", "kind": "housing-provider"},
    )
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "Northfield Homes Group" in page


def test_a_duplicate_or_blank_organisation_is_refused_with_the_typing_kept(
    client, make_user, make_organisation, login
):
    make_organisation("Northfield Homes")
    login(make_user(Role.ADMIN))
    response = client.post(
        "/admin/organisations/new", data={"name": "northfield homes", "kind": "housing-provider"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already exists" in page and 'value="northfield homes"' in page
    response = client.post("/admin/organisations/new", data={"name": "", "kind": ""})
    page = response.get_data(as_text=True)
    assert "Enter the organisation&#39;s name" in page and "Choose what kind" in page


def test_an_admin_makes_a_reset_link_that_works(app, client, make_user, login):
    person = make_user()
    login(make_user(Role.ADMIN))
    page = client.post(f"/admin/users/{person.id}/reset-link").get_data(as_text=True)
    link = page.split('id="reset-link" type="text" readonly value="')[1].split('"')[0]
    assert "/reset-password/" in link
    other = app.test_client()
    path = link.removeprefix("http://localhost")
    assert other.get(path).status_code == 302
    assert other.post("/new-password", data={"password": "admin issued pass"}).status_code == 302


def test_an_employer_sees_only_their_own_organisations_staff(
    client, make_user, make_organisation, login
):
    trust = make_organisation("Riverside NHS Foundation Trust")
    council = make_organisation("Northfield City Council", OrganisationKind.LOCAL_AUTHORITY)
    make_user(name="Grace Adeyemi", organisation=trust)
    make_user(name="Tom Brennan", organisation=council, profession="social-work")
    login(make_user(Role.EMPLOYER, name="Gareth Lloyd", organisation=trust))
    page = client.get("/employer/compliance").get_data(as_text=True)
    assert "Grace Adeyemi" in page and "Tom Brennan" not in page
    page = client.get("/employer/compliance?profession=social-work").get_data(as_text=True)
    assert "Grace Adeyemi" not in page and "No staff match" in page


def test_a_trainer_sees_learner_counts_by_profession(client, make_user, login):
    for _ in range(3):
        make_user(profession="housing")
    login(make_user(Role.TRAINER, profession="social-work"))
    page = client.get("/trainer/").get_data(as_text=True)
    row = page.split(">Housing</th>")[1].split("</tr>")[0]
    assert '<td class="numeric">3</td>' in row
