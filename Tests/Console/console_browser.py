#!/usr/bin/python3
"""Drives jump-consumer's operator console in headless Chromium (Debian's chromium and chromium-driver, through
Debian's python3-selenium): loads every page, checks what it shows, clicks "Redeliver" on one dead letter and
"Send now" for one audience (each asks to confirm; its outcome is a page of its own, which a reload does not repeat),
then loads every page at a phone's width (390 px: nothing past the viewport, buttons 44 px tall) and once with the
dark preference, and saves a screenshot of each page at each width.

  console_browser.py BASE_URL ARTIFACTS_DIR DEAD_LETTER_PLACE AUDIENCE_NAME HOSTILE_COMPANY_ID

Prints one JSON object with what it saw; exits 1 with the reason when a check fails.
"""
import json
import os
import re
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def fail(reason):
    print(json.dumps({"failed": reason}))
    sys.exit(1)


def check(condition, reason):
    if not condition:
        fail(reason)


def outcome(driver, what):
    """The notice an action's page shows; fails with the page's failure text when it shows one instead."""
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.notice, p.failure"))
    failures = driver.find_elements(By.CSS_SELECTOR, "p.failure")
    if failures:
        fail(f"{what}: {failures[0].text}")
    return driver.find_element(By.CSS_SELECTOR, "p.notice").text


def main():
    base, artifacts, place, audience, hostile = sys.argv[1:6]
    os.makedirs(artifacts, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en-US"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    seen = {}
    try:
        def arrived(condition, reason):
            """Waits (10 s at most) for a page that a click loads to be there: the old page may still answer."""
            def holds(_):
                try:
                    return condition()
                except Exception:  # an element of the page being left
                    return False
            try:
                WebDriverWait(driver, 10).until(holds)
            except Exception:
                fail(f"{reason} (at {driver.current_url})")

        def press(label):
            """Clicks the button `label` of the page a click is loading, once it is there."""
            xpath = f"//button[text()='{label}']"
            arrived(lambda: driver.find_elements(By.XPATH, xpath), f"no button {label!r}")
            driver.find_element(By.XPATH, xpath).click()

        def load(path, name):
            driver.get(base + path)
            check(driver.find_elements(By.TAG_NAME, "h1"), f"{path}: no heading")
            # No page carries a script: neither the console's own nor one smuggled in by an event.
            check(not driver.find_elements(By.TAG_NAME, "script"), f"{path}: a <script> element is on the page")
            driver.save_screenshot(os.path.join(artifacts, name + ".png"))
            return driver.find_element(By.TAG_NAME, "main").text

        overview = load("/console", "overview")
        check("Overview" in overview and "state worker" in overview, "overview: no state worker section")
        check(driver.find_element(By.ID, "readiness").text in ("Ready", "Not ready"), "overview: no readiness")
        lag = driver.find_element(By.ID, "lag-state")
        check(lag.text.startswith(("Caught up", "Behind by")) and lag.get_attribute("class") in ("ok", "behind"),
              f"overview: the state worker's lag is not marked: {lag.text!r} ({lag.get_attribute('class')})")
        check(driver.find_elements(By.CSS_SELECTOR, "svg rect"), "overview: the chart has no bar")
        seen["overview"] = overview.splitlines()[:12]

        state = load("/console/state?q=" + hostile, "state")
        names = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "td")]
        shown = next((name for name in names if "alert(1)" in name), None)
        check(shown is not None, "state: the hostile company is not listed")
        check("<script>" in shown and '"Q"' in shown, f"state: the name is not shown as text: {shown!r}")
        check("\u202e" not in shown and "\\u{202E}" in shown, f"state: the bidi override is not made visible: {shown!r}")
        seen["hostileName"] = shown
        # A search result leads to the company's page.
        driver.find_element(By.PARTIAL_LINK_TEXT, "alert(1)").click()
        arrived(lambda: "/console/company?id=" in driver.current_url, "the search result is not a link to its company")
        company = driver.find_element(By.TAG_NAME, "main").text
        check("exp.hostile" in company and "Expansions" in company, f"the company page: {company[:300]!r}")
        driver.save_screenshot(os.path.join(artifacts, "company.png"))

        letters = load("/console/dead-letters", "dead-letters")
        check(place in letters, f"dead letters: {place} is not listed")
        driver.find_element(By.XPATH, f"//button[text()='Redeliver {place}']").click()
        # An action asks first (a page whose form posts it again with confirm=yes); Cancel goes back.
        question = f"Redeliver dead letter {place}?"
        arrived(lambda: driver.find_element(By.TAG_NAME, "h1").text == question, f"no confirmation {question!r}")
        driver.save_screenshot(os.path.join(artifacts, "dead-letters-confirm.png"))
        driver.find_element(By.LINK_TEXT, "Cancel").click()
        arrived(lambda: driver.current_url.endswith("/console/dead-letters"), "cancel did not go back")
        check(not driver.find_elements(By.CSS_SELECTOR, "p.notice"), "cancel: something was done")
        check("Open" in driver.find_element(By.TAG_NAME, "main").text, "asking redelivered the letter")
        driver.find_element(By.XPATH, f"//button[text()='Redeliver {place}']").click()
        press(f"Yes, redeliver {place}")
        notice = outcome(driver, "redeliver")
        check(f"Redelivered {place}" in notice, f"dead letters: no redelivery notice: {notice!r}")
        # Post, redirect, get: the page of the outcome is a GET, so a reload shows it again and redelivers nothing.
        check("/console/dead-letters?done=" in driver.current_url, f"redeliver: the URL is {driver.current_url}")
        # The page again, but for how long ago each letter came ("11 s ago"), which a reload moves on.
        def unaged(text):
            return re.sub(r", [0-9a-z ]+ ago", "", text)
        before = unaged(driver.find_element(By.TAG_NAME, "main").text)
        driver.refresh()
        check(outcome(driver, "reload") == notice, "redeliver: a reload shows another outcome")
        # A second redelivery would show the letter redelivered to a new offset.
        after = unaged(driver.find_element(By.TAG_NAME, "main").text)
        check(after == before, f"a reload changed the page: {before!r} then {after!r}")
        driver.save_screenshot(os.path.join(artifacts, "dead-letters-redelivered.png"))
        seen["redelivered"] = notice
        # The letter's own page: the place to quote, its headers and payload, what became of it.
        letter = load(f"/console/dead-letters/{place}", "dead-letter")
        check(f"Quote {place}" in letter and "Redelivered to jump.events" in letter,
              f"the dead letter's page: {letter[:300]!r}")
        check(driver.find_elements(By.CSS_SELECTOR, "pre"), "the dead letter's page: no payload")

        digests = load("/console/digests", "digests-before")
        check("Send now" in digests, "digests: no send-now button")
        nexts = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "td.next-send")]
        check(len(nexts) == 2 and all(", in " in text for text in nexts), f"digests: no next send per audience: {nexts}")
        seen["nextSends"] = nexts
        # A preview of an audience's open window: what would be sent now, nothing closed.
        driver.find_elements(By.PARTIAL_LINK_TEXT, "Preview its open window")[0].click()
        arrived(lambda: driver.find_element(By.TAG_NAME, "h1").text.startswith("Preview: "), "no preview page")
        preview = driver.find_element(By.TAG_NAME, "main").text
        check("nothing is closed or sent" in preview and driver.find_elements(By.CSS_SELECTOR, "pre[lang]"),
              f"the preview: {preview[:300]!r}")
        driver.save_screenshot(os.path.join(artifacts, "digest-preview.png"))
        load("/console/digests", "digests-before")
        driver.find_element(By.XPATH, f"//button[text()='Send now: {audience}']").click()
        press(f"Yes, send now: {audience}")
        notice = outcome(driver, "send now")
        check(notice.startswith("Sent "), f"digests: no sent notice: {notice!r}")
        check("/console/digests?done=" in driver.current_url, f"send now: the URL is {driver.current_url}")
        driver.refresh()
        check(outcome(driver, "reload") == notice, "send now: a reload shows another outcome")
        texts = [pre.get_attribute("lang") for pre in driver.find_elements(By.CSS_SELECTOR, "pre")]
        check("es" in texts and "en" in texts, f"digests: not both languages: {texts}")
        driver.save_screenshot(os.path.join(artifacts, "digests.png"))
        seen["sent"] = notice
        # Every item of a digest, beyond the text's 25, on its own page: headlines in the audience's languages.
        driver.find_element(By.PARTIAL_LINK_TEXT, "every one").click()
        arrived(lambda: "/console/digest?id=" in driver.current_url, "no page of a digest's items")
        digest_path = driver.current_url[len(base):]
        rows = driver.find_elements(By.CSS_SELECTOR, "main tbody tr")
        languages = {p.get_attribute("lang") for p in driver.find_elements(By.CSS_SELECTOR, "main td p[lang]")}
        check(rows and {"es", "en"} <= languages, f"the digest's items: {len(rows)} rows, languages {languages}")
        driver.save_screenshot(os.path.join(artifacts, "digest.png"))
        seen["digestItems"] = len(rows)

        # A phone's width: no page scrolls sideways, no element reaches past the viewport, every button is a tap
        # target of at least 44 px; then the browser's dark preference is followed.
        driver.set_window_size(390, 844)
        phone = {}
        for path, name in [("/console", "overview"), ("/console/dead-letters", "dead-letters"),
                           (f"/console/dead-letters/{place}", "dead-letter"),
                           (f"/console/company?id={hostile}", "company"), ("/console/anomalies", "anomalies"),
                           (digest_path, "digest"),
                           ("/console/digests", "digests"), ("/console/state", "state")]:
            load(path, name + "-phone")
            scroll_width, width, wide, small = driver.execute_script("""
                const width = document.documentElement.clientWidth;
                const wide = [...document.querySelectorAll('body *')].filter(e => {
                    const r = e.getBoundingClientRect();
                    return r.width > 0 && (r.right > width + 1 || r.left < -1);
                }).map(e => e.tagName.toLowerCase() + ' ' + Math.round(e.getBoundingClientRect().right) + ' '
                    + (e.textContent || '').trim().slice(0, 40));
                const small = [...document.querySelectorAll('button, header a, a.tap')]
                    .filter(b => b.getBoundingClientRect().height < 44)
                    .map(b => b.textContent.trim().slice(0, 40));
                return [document.documentElement.scrollWidth, width, wide.slice(0, 5), small.slice(0, 5)];
            """)
            check(scroll_width <= width, f"{path} at 390 px: the page is {scroll_width} px wide: {wide}")
            check(not wide, f"{path} at 390 px: elements past the viewport: {wide}")
            check(not small, f"{path} at 390 px: buttons or navigation links under 44 px tall: {small}")
            phone[path] = width
        seen["phone"] = phone
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        load("/console/dead-letters", "dead-letters-phone-dark")
        background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        check(background == "rgb(17, 24, 33)", f"dark preference: the background is {background}")
    finally:
        driver.quit()
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main()
