"""The workspace in a real browser: a coordinator logs in with the keyboard alone, filters the
list and opens an entry; the pages read right to left in Arabic and Dari, fit a phone-width
screen and pass axe-core without serious or critical violations."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import PROJECT_ROOT
from tests.workspace.conftest import DEMO_PASSWORD

AXE = PROJECT_ROOT / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def workspace_url(workspace_app) -> Iterator[str]:
    """The workspace served on a free loopback port for this test (HTTP: no HTTPS-only cookie)."""
    workspace_app.config["SESSION_COOKIE_SECURE"] = False
    server = make_server("127.0.0.1", 0, workspace_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def serious_violations(browser) -> list[str]:
    """axe-core's serious and critical findings on the page shown."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (`make test` installs it from npm)")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script("const done = arguments[arguments.length - 1];"
                                          "axe.run(document).then(done, error => done({error: String(error)}));")
    assert "error" not in result and result["passes"], result  # axe ran its rules on this page
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}×)" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def logged_in(browser) -> None:
    """Waits until the login has led to the entry list (a key press does not wait for the page)."""
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(shown.url_matches(r"/entries$"))


def test_a_coordinator_works_with_the_keyboard_alone(browser, workspace_url):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{workspace_url}/login")
    assert serious_violations(browser) == []
    browser.find_element(By.ID, "username").click()
    ActionChains(browser).send_keys("koordination", Keys.TAB, DEMO_PASSWORD, Keys.ENTER).perform()
    logged_in(browser)
    assert serious_violations(browser) == []

    search = browser.find_element(By.ID, "q")
    search.send_keys("Ausländerbehörde", Keys.ENTER)
    WebDriverWait(browser, 30).until(shown.url_contains("q="))
    links = browser.find_elements(By.CSS_SELECTOR, "table.matrix tbody th a")
    assert [link.text for link in links] == ["Ausländerbehörde Bielefeld"]
    links[0].send_keys(Keys.ENTER)
    WebDriverWait(browser, 30).until(shown.url_matches(r"/entries/auslaenderbehoerde$"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ausländerbehörde Bielefeld"
    assert serious_violations(browser) == []


@pytest.mark.parametrize("language", ["ar", "prs"])
def test_arabic_and_dari_pages_read_right_to_left_on_a_phone_width_screen(browser, workspace_url, language):
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 844)
    browser.get(f"{workspace_url}/login?ui={language}")
    browser.find_element(By.ID, "username").send_keys("uebersetzung-ar")
    browser.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.stacked button").click()
    logged_in(browser)
    browser.get(f"{workspace_url}/entries/auslaenderbehoerde")
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl"
    card = browser.find_element(By.CSS_SELECTOR, '.card[lang="ar"]')
    assert card.value_of_css_property("direction") == "rtl" and "دائرة الأجانب" in card.text
    assert browser.execute_script("const page = document.documentElement; return page.scrollWidth <= page.clientWidth")
    assert serious_violations(browser) == []


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_admins_pages_pass_axe_in_both_directions(browser, workspace_url, language):
    from selenium.webdriver.common.by import By

    browser.get(f"{workspace_url}/login?ui={language}")
    browser.find_element(By.ID, "username").send_keys("admin")
    browser.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.stacked button").click()
    logged_in(browser)
    for page in ("/accounts", "/account/password", "/audit", "/entries?status=nothing"):
        browser.get(f"{workspace_url}{page}")
        assert browser.find_element(By.TAG_NAME, "h1").text
        assert serious_violations(browser) == [], page


def log_in_as(browser, workspace_url: str, name: str, language: str = "de") -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{workspace_url}/login?ui={language}")
    browser.find_element(By.ID, "username").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.stacked button").click()
    logged_in(browser)


def shown_on_page(browser, present: str | None = None, absent: str | None = None) -> None:
    """Waits for the entry page a sent form leads to: with a form for the action `present`,
    without one for `absent` (a change in review has no 'submit' form any more)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def forms(driver, action: str) -> list:
        return driver.find_elements(By.CSS_SELECTOR, f"form[action$='/{action}']")

    WebDriverWait(browser, 30).until(lambda driver: driver.current_url.endswith("/entries/auslaenderbehoerde")
                                     and (not present or forms(driver, present))
                                     and (not absent or not forms(driver, absent)))


def test_an_arabic_summary_changed_in_the_browser_is_reviewed_published_and_answered(browser, workspace_url,
                                                                                    workspace_engine):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    from knowledge.search import KnowledgeBase

    new_summary = "مسؤولة عن الإقامة (Aufenthalt) والدخول. المراجعة بموعد فقط."
    log_in_as(browser, workspace_url, "koordination", "ar")
    browser.get(f"{workspace_url}/entries/auslaenderbehoerde/edit?language=ar")
    summary = browser.find_element(By.ID, "summary")
    assert summary.get_attribute("dir") == "rtl" and summary.value_of_css_property("direction") == "rtl"
    german = browser.find_element(By.CSS_SELECTOR, "#summary-german bdi[lang=de]")
    assert "Zuständig für Aufenthaltsrechte" in german.text
    assert serious_violations(browser) == []
    summary.clear()
    summary.send_keys(new_summary)
    browser.find_element(By.ID, "comment").send_keys("kürzer")
    browser.find_element(By.CSS_SELECTOR, "form.edit button[type=submit]").click()
    shown_on_page(browser, present="submit")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/submit'] button").click()
    shown_on_page(browser, absent="submit")

    log_in_as(browser, workspace_url, "pruefung")
    browser.get(f"{workspace_url}/entries/auslaenderbehoerde")
    diff = browser.find_element(By.CSS_SELECTOR, "table.diff").text
    assert "translations.ar.summary" in diff and new_summary in diff
    assert serious_violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, "form[action$='/approve'] button").click()
    WebDriverWait(browser, 30).until(shown.text_to_be_present_in_element((By.ID, "main"), "Keine offene Änderung"))
    answer = KnowledgeBase(workspace_engine).index().services(["auslaenderbehoerde"], "ar")[0]
    assert answer.texts.summary == new_summary
