"""Drive a searchable chooser (salesops.widgets → Tom Select) the way a person does: type part
of a name, wait for the server's matches, click one."""

from __future__ import annotations

from typing import Any


def choose(page: Any, select_id: str, typed: str, pick: str | None = None) -> None:
    wrapper = page.locator(f"#{select_id} + .ts-wrapper")
    field = wrapper.locator(".ts-control input")
    if page.locator(f"#{select_id}").evaluate("el => el.multiple"):
        field.click()
    else:  # a single chooser showing a value hides its input off-screen: open it by its control
        wrapper.locator(".ts-control").click()
    field.press_sequentially(typed, delay=30)
    option = wrapper.locator(".ts-dropdown .option", has_text=pick or typed).first
    option.wait_for()
    option.click()
    field.press("Escape")
