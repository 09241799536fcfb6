"""A nurse plays a branching case by keyboard: starts, leaves, comes back, finishes, reviews."""

from __future__ import annotations

from ..conftest import PASSWORD


def test_a_nurse_plays_a_branching_case_by_keyboard(journey, make_user):
    user = make_user(profession="nursing", name="Grace Adeyemi")
    page = journey.page
    journey.goto("/sign-in")
    journey.type_into("email", user.email)
    journey.type_into("password", PASSWORD)
    journey.press_enter_and_check()

    journey.goto("/quizzes")
    journey.tab_to(text="Mrs Khan goes home")
    journey.press_enter_and_check()
    journey.tab_to(text="Start")
    journey.press_enter_and_check()
    assert "Decision 1" in page.inner_text("main")

    # Deciding without choosing shows an error summary.
    journey.tab_to(text="Decide")
    journey.press_enter_and_check()
    assert page.locator(".error-summary").is_visible()

    journey.tab_to(id="step-admission-0")  # "On the day she is admitted"
    page.keyboard.press("Space")
    journey.tab_to(text="Decide")
    journey.press_enter_and_check()
    assert "Decision 2" in page.inner_text("main")

    # Leave for the dashboard, then come back and resume where we were.
    journey.tab_to(text="My learning")
    journey.press_enter_and_check()
    assert "In progress" in page.inner_text("main")
    journey.tab_to(text="Mrs Khan goes home")
    journey.press_enter_and_check()
    journey.tab_to(text="Resume")
    journey.press_enter_and_check()
    assert "Decision 2" in page.inner_text("main")

    journey.tab_to(id="step-home-visit-0")  # the home visit
    page.keyboard.press("Space")
    journey.tab_to(text="Decide")
    journey.press_enter_and_check()
    journey.tab_to(id="step-discharge-meeting-0")  # package from the day she leaves
    page.keyboard.press("Space")
    journey.tab_to(text="Decide")
    journey.press_enter_and_check()

    assert journey.path().endswith("/review")
    main = page.inner_text("main")
    assert "Mrs Khan is home, safe and well supported" in main
    assert "The path you took" in main and "The best path" in main

    journey.goto("/dashboard")
    assert "Passed" in page.inner_text("main")


def test_every_question_type_page_and_the_review_are_accessible(journey, make_user):
    user = make_user(profession="occupational-therapy")
    page = journey.page
    journey.sign_in(user.email, PASSWORD)
    journey.goto("/quizzes/safeguarding-basics")
    with page.expect_navigation():
        page.click("main button:text-is('Start')")
    journey.assert_accessible()

    def next_page() -> None:
        with page.expect_navigation():
            page.click("main button[value=next]")
        journey.assert_accessible()

    page.check("#q-who-leads-1")
    next_page()
    for n in (0, 1, 2):
        page.check(f"#q-neglect-signs-{n}")
    next_page()
    page.check("#q-dementia-1")
    next_page()
    for position, item in enumerate(
        [
            "make-sure-the-person-is-safe",
            "tell-your-safeguarding-lead",
            "record-what-you-saw-and-did",
        ]
    ):
        page.select_option(f"#q-raising-a-concern-{position}", item)
    next_page()
    page.select_option("#q-duties-0", "leads-the-care-act-assessment:social-worker")
    page.select_option("#q-duties-1", "coordinates-the-discharge-plan-on-the:ward-nurse")
    page.select_option("#q-duties-2", "assesses-the-home-for-equipment:occupational-therapist")
    next_page()
    page.fill("#q-enquiry-name-0", "section 42 enquiry")
    next_page()
    page.fill("#q-reflection-0", "Ask the person first.")
    next_page()
    assert "Check your answers" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("text=Submit answers")
    journey.assert_accessible()
    assert "100%" in page.inner_text("main")
    assert "Your profession: For occupational therapists" in page.inner_text("main")
