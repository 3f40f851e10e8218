"""The release pages and a past state in a real headless browser (as tests/test_pages_browser.py):
the list links each release, a release page lists what changed and links its
files, a Memento page says which release it shows; screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from conftest import SEEDS
from history_fixtures import REMOVED_FACT, TwoReleases, build_two
from live import serve_settings
from test_pages_browser import ARTIFACTS, browser  # noqa: F401 - the shared Chromium fixture


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    two = build_two(tmp_path_factory.mktemp("history-browser"), SEEDS)
    with serve_settings(two.settings) as url:
        yield two, url


def test_release_list_leads_to_the_changes_and_the_files(browser, site) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    two, url = site
    two: TwoReleases
    browser.get(url + "/releases")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.releases tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "code").text for r in rows] == [two.second.id, two.first.id]
    assert "current" in rows[0].text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "releases.png"))
    rows[0].find_element(By.CSS_SELECTOR, "a").click()
    assert browser.current_url.endswith(f"/releases/{two.second.id}")
    removed = browser.find_element(By.ID, "facts-removed")
    assert REMOVED_FACT in removed.text
    browser.save_screenshot(str(ARTIFACTS / "release-changes.png"))
    browser.find_element(By.LINK_TEXT, two.first.id).click()  # the previous release
    assert browser.current_url.endswith(f"/releases/{two.first.id}")
    link = browser.find_element(By.CSS_SELECTOR, 'a[href$="/dumps/SHA256SUMS"]').get_attribute("href")
    assert link.endswith(f"/releases/{two.first.id}/dumps/SHA256SUMS")


def test_a_past_state_says_which_release_it_shows(browser, site) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    two, url = site
    browser.get(f"{url}/releases/{two.first.id}/doc/state/qat")
    note = browser.find_element(By.CSS_SELECTOR, "p.memento")
    assert two.first.id in note.text and "/id/state/qat" in note.text
    assert "State of Qatar" not in browser.find_element(By.TAG_NAME, "h1").text
    browser.save_screenshot(str(ARTIFACTS / "memento.png"))
    browser.get(url + "/id/person/jens-stoltenberg")
    assert "410" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.ID, "replacement").click()
    assert browser.current_url.endswith("/doc/person/stoltenberg")
