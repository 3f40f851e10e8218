"""The header search box in a real headless Chromium (tests/test_pages_browser.py
has the driver): a person who knows neither SPARQL nor the IRIs types a name,
misspelt or not, in Arabic or English, and reaches the page of the thing —
with the autocomplete list, by keyboard, and with JavaScript switched off."""

from __future__ import annotations

import pytest
from ld_fixtures import ld_url  # noqa: F401  (fixture)
from test_pages_browser import ARTIFACTS, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def _wait(browser, condition):  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 20).until(condition)


def _options(browser):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return _wait(browser, lambda b: [o for o in b.find_elements(By.CSS_SELECTOR, "#site-search-list li a") if o.is_displayed()])


def test_typing_a_misspelt_arabic_name_reaches_stoltenberg(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{ld_url}/doc/state/qat?lang=en")
    box = browser.find_element(By.ID, "site-search-q")
    box.send_keys("شتولتنبرغ")  # Stoltenberg with ش: the articles write ستولتنبرغ
    options = _options(browser)
    assert "Jens Stoltenberg" in options[0].text and "ينس ستولتنبرغ" in options[0].text
    assert box.get_attribute("aria-expanded") == "true"
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "search-autocomplete.png"))
    options[0].click()
    _wait(browser, lambda b: b.current_url.endswith("/doc/person/jens-stoltenberg"))
    assert "Jens Stoltenberg" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "#facts li.fact blockquote.quote")  # what the sources say, with their quotes


def test_keyboard_choice_reaches_doha(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{ld_url}/?lang=en")
    box = browser.find_element(By.ID, "site-search-q")
    box.send_keys("doha")
    assert "Doha" in _options(browser)[0].text
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == "site-search-option-0"
    box.send_keys(Keys.ENTER)
    _wait(browser, lambda b: b.current_url.endswith("/doc/place/doha"))
    assert "Doha" in browser.find_element(By.TAG_NAME, "h1").text


def test_without_javascript_the_form_leads_to_results(browser, ld_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(f"{ld_url}/types/?lang=ar")
        box = browser.find_element(By.ID, "site-search-q")
        box.send_keys("الدوحه")  # taa marbuta written as haa
        box.send_keys(Keys.ENTER)
        _wait(browser, lambda b: "/search?q=" in b.current_url)
        assert browser.find_element(By.ID, "site-search-list").get_attribute("hidden") is not None  # no script ran
        hit = browser.find_element(By.CSS_SELECTOR, "ol.search-results a.search-hit")
        assert "الدوحة" in hit.text
        browser.save_screenshot(str(ARTIFACTS / "search-results-ar.png"))
        hit.click()
        _wait(browser, lambda b: b.current_url.endswith("/doc/place/doha"))
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
