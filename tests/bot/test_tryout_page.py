"""A person trying Lotse in a browser (`make run` without a token): they type a question in
the newcomer's pane and see Lotse's answer there, with its buttons."""

from __future__ import annotations


def test_a_question_typed_on_the_page_gets_lotses_answer_with_buttons(browser, lotse_stack):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(lotse_stack.tryout)
    Select(browser.find_element(By.ID, "language")).select_by_value("uk")
    browser.find_element(By.ID, "newcomer-text").send_keys("де знайти курси німецької мови?")
    browser.find_element(By.CSS_SELECTOR, "#newcomer-form button").click()
    WebDriverWait(browser, 60).until(shown.text_to_be_present_in_element(
        (By.ID, "newcomer-log"), "Ці установи в Білефельді допомагають із мовними курсами"))
    log = browser.find_element(By.ID, "newcomer-log")
    assert "де знайти курси німецької мови?" in log.text
    assert log.find_elements(By.CSS_SELECTOR, ".bot b")  # the office names, bold as in Telegram
    assert "👍" in [b.text for b in log.find_elements(By.CSS_SELECTOR, ".buttons button")]
