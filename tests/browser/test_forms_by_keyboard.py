"""Forms as a keyboard user meets them: Enter goes on, never back; a form that comes back with
errors puts the focus on its error summary; body text is GOV.UK's size."""

from __future__ import annotations

from ..conftest import PASSWORD


def _focused_is_the_error_summary(journey) -> bool:
    return journey.page.evaluate("() => document.activeElement.classList.contains('error-summary')")


def test_enter_in_a_field_on_a_later_question_saves_and_goes_on(journey, make_user):
    user = make_user(profession="nursing")
    page = journey.page
    journey.sign_in(user.email, PASSWORD)
    journey.goto("/quizzes/safeguarding-basics")
    with page.expect_navigation():
        page.click("main button:text-is('Start')")
    journey.assert_accessible()
    take = journey.path()

    journey.goto(f"{take}?page=6")  # "What is the enquiry called?", a text field
    assert "Step 6 of 7" in page.inner_text("main")
    journey.type_into("q-enquiry-name-0", "s42")
    journey.press_enter_and_check()
    assert "Step 7 of 7" in page.inner_text("main"), "Enter went back"
    # A later question is the page's heading.
    assert page.inner_text("h1") == "What will you do differently after this module?"
    journey.goto(f"{take}?page=6")
    assert page.input_value("#q-enquiry-name-0") == "s42"  # and it was saved


def test_enter_on_a_later_decision_decides(journey, make_user):
    user = make_user(profession="nursing")
    page = journey.page
    journey.sign_in(user.email, PASSWORD)
    journey.goto("/quizzes/discharge-case")
    with page.expect_navigation():
        page.click("main button:text-is('Start')")
    journey.assert_accessible()
    journey.tab_to(id=page.get_attribute("main input[type=radio]", "id"))
    page.keyboard.press("Space")
    journey.press_enter_and_check()
    assert "Decision 2" in page.inner_text("main")
    assert page.locator("main button[value=back]").count() == 1  # the case allows going back

    journey.tab_to(id=page.get_attribute("main input[type=radio]", "id"))
    page.keyboard.press("Space")
    journey.press_enter_and_check()
    assert "Decision 3" in page.inner_text(".caption"), "Enter went back"


def test_a_form_sent_back_with_errors_puts_the_focus_on_its_summary(journey, make_user):
    journey.goto("/sign-in")
    journey.tab_to(id="email")
    journey.press_enter_and_check()
    assert page_title(journey).startswith("Error: ")
    assert _focused_is_the_error_summary(journey)
    # Its first link takes the keyboard to the field.
    journey.page.keyboard.press("Tab")
    assert journey.focused()["text"] == "Enter your email address"

    user = make_user(profession="nursing")
    journey.sign_in(user.email, PASSWORD)
    journey.goto("/quizzes/safeguarding-basics")
    with journey.page.expect_navigation():
        journey.page.click("main button:text-is('Start')")
    journey.assert_accessible()
    journey.tab_to(text="Save and continue")
    journey.press_enter_and_check()
    assert _focused_is_the_error_summary(journey)


def page_title(journey) -> str:
    return journey.page.title()


def test_body_text_is_19px_on_a_large_screen_and_16px_on_a_small_one(journey):
    page = journey.page
    page.set_viewport_size({"width": 1280, "height": 800})
    journey.goto("/privacy")
    size = "el => getComputedStyle(el).fontSize"
    assert page.eval_on_selector("main p:not(.lead)", size) == "19px"
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.eval_on_selector("main p:not(.lead)", size) == "16px"
