"""Drive a searchable chooser (salesops.widgets → Tom Select) the way a person does: type part
of a name, wait for the server's matches, click one."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect


def choose(page: Any, select_id: str, typed: str, pick: str | None = None) -> None:
    wrapper = page.locator(f"#{select_id} + .ts-wrapper")
    field = wrapper.locator(".ts-control input")
    if page.locator(f"#{select_id}").evaluate("el => el.multiple"):
        field.click()
    else:  # a single chooser showing a value hides its input off-screen: open it by its control
        wrapper.locator(".ts-control").click()
    # Typing starts once the list the chooser loads on focus is shown: an answer to that preload
    # arriving mid-typing can close the list again.
    expect(wrapper).to_have_class(re.compile(r"\bdropdown-active\b"))
    field.press_sequentially(typed, delay=30)
    option = wrapper.locator(".ts-dropdown .option", has_text=pick or typed).first
    option.wait_for(state="attached")  # the server's matches are in
    page.wait_for_load_state("networkidle")
    if not option.is_visible():
        # Tom Select sometimes closes a single chooser's list as a late answer comes in (seen
        # on pay operations, the team chooser right under the plan chooser); a person opens it
        # again by clicking the control, and the matches are still there.
        wrapper.locator(".ts-control").click()
    option.click()
    field.press("Escape")
    # Leave the chooser as a person does, and let the page settle: a focused single chooser with
    # a value is a line taller, and the next control moves up when it closes (a click aimed at
    # it while it moves lands beside it).
    page.locator(f"#{select_id}").evaluate("el => el.tomselect.blur()")
    expect(wrapper).not_to_have_class(re.compile(r"\bfocus\b"))
