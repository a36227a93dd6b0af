"""What the browser walks share: a headless Chromium, a click that waits for the next page,
and reading a page that may be reloading.

The walks import this module from their own folder (Python puts a script's folder first on
its path).
"""
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# How long a page may take: the suite's other tests share the machine's cores.
PAGE_SECONDS = 30


def chromium(arguments, capabilities=None):
    """Starts Debian's headless Chromium through its driver, with `arguments` added."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", *arguments):
        options.add_argument(argument)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(PAGE_SECONDS)
    return driver


def go(driver, element):
    """Clicks `element` and waits until the next page has replaced this one and has loaded.

    The page is marked with a script variable before the click; a new document does not have
    it. (Waiting for the old `<html>` element to go stale raced with Chromium: asking about a
    node while the document is being replaced may fail with an error other than "stale".)
    """
    driver.execute_script("window.gridsyncWalkLeaving = true")
    element.click()
    WebDriverWait(driver, PAGE_SECONDS, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.gridsyncWalkLeaving === undefined && document.readyState === 'complete'"))


def text_of(driver, tag):
    """The text of the page's first `tag` element, read again if the page reloads meanwhile."""
    deadline = time.time() + PAGE_SECONDS
    while True:
        try:
            return driver.find_element(By.TAG_NAME, tag).text
        except WebDriverException:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def alert_opened(driver):
    """Whether a script opened an alert (dismissing it)."""
    try:
        driver.switch_to.alert.dismiss()
        return True
    except NoAlertPresentException:
        return False
