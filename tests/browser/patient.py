"""`Patient`: answers the questions of the current page like a person, by keyboard only or
by pointer (click, or tap on a touch screen), then presses buttons (see `pages`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from questions import QuestionType, text

from .pages import (
    TIMEOUT_MS,
    button,
    choice_box,
    control,
    drv,
    expect,
    heading,
    message,
    radio,
    run_count,
    settle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


class Patient:
    """Answers the questions of the current page like a person, then presses buttons.

    keyboard=True: only the keyboard (Tab / Shift+Tab, arrows, Space, Enter, typing).
    touch=True: taps instead of clicks (a phone's context must have has_touch).
    """

    def __init__(self, page: Page, keyboard: bool = False, touch: bool = False) -> None:
        self.page = page
        self.keyboard = keyboard
        self.touch = touch

    # pages

    def fill(self, answers: Mapping[str, Any]) -> None:
        for qid, value in answers.items():
            self.answer(qid, value)

    def walk(
        self,
        pages_of_answers: Iterable[Mapping[str, Any]],
        on_arrival: Callable[[str], None] | None = None,
        before_next: Callable[[str], None] | None = None,
    ) -> None:
        """Fill each page in form order and press Next; each page must give way to the next.

        Callbacks get the page id: `on_arrival` as the page appears, `before_next` once it
        is filled in.
        """
        pages = drv.intake().form.pages
        for index, answers in enumerate(pages_of_answers):
            expect(heading(self.page, text(pages[index].title))).to_be_visible()
            if on_arrival is not None:
                on_arrival(pages[index].id)
            self.fill(answers)
            if before_next is not None:
                before_next(pages[index].id)
            self.press("Next")
        expect(heading(self.page, message("review_title"))).to_be_visible()

    def press(self, name: str) -> None:
        """Activate a button (Enter when by keyboard) and wait for the rerun it causes."""
        target = button(self.page, name)
        runs = run_count(self.page)
        if self.keyboard:
            self.focus(target)
            self.page.keyboard.press("Enter")
        else:
            self._pointer(target)
        settle(self.page, runs)

    # questions

    def answer(self, qid: str, value: Any) -> None:
        q = drv.question(qid)
        runs = run_count(self.page)
        if q.type is QuestionType.SELECT_MULTIPLE:
            changed = self._choose_many(qid, value or [])
        elif q.type is QuestionType.CHECKBOX:
            changed = self._tick(control(self.page, qid), bool(value))
        elif q.type is QuestionType.SELECT_ONE or q.widget == "scale":
            changed = self._choose_one(qid, value)
        elif q.type is QuestionType.DATE:
            changed = self._date(control(self.page, qid), value)
        else:
            changed = self._type(control(self.page, qid), "" if value is None else str(value))
        settle(self.page, runs if changed else None)

    def _type(self, box: Locator, value: str) -> bool:
        old = box.input_value()
        if self.keyboard:
            self.focus(box)
            self.page.keyboard.press("ControlOrMeta+a")
            if value:
                self.page.keyboard.type(value)
            else:
                self.page.keyboard.press("Delete")
            self.page.keyboard.press("Tab")  # leaving the field sends the value
        else:
            self._pointer(box)
            box.fill(value)
            self._leave()
        return old != value

    def _date(self, group: Locator, value: dt.date) -> bool:
        segments = group.get_by_role("spinbutton")
        old = segments.all_inner_texts()
        typed = [f"{value:%m}", f"{value:%d}", f"{value:%Y}"]  # the form shows MM/DD/YYYY
        month = segments.first
        if self.keyboard:
            self.focus(month)
        else:
            self._pointer(month)  # on a phone this also opens the calendar
        self.page.keyboard.type("".join(typed))  # each segment moves on when it is full
        # The date is sent when the focus leaves the whole widget, past its calendar
        # button (data-testid: the widget's outer element has no role).
        widget = group.locator("xpath=ancestor::*[@data-testid='stDateInput'][1]")
        if self.keyboard:
            while widget.evaluate("w => w.contains(document.activeElement)"):
                self.page.keyboard.press("Tab")
        else:  # click or tap the question's text, beside the field: the calendar closes
            self._pointer(widget.get_by_test_id("stWidgetLabel"))
        return old != typed

    def _tick(self, box: Locator, wanted: bool) -> bool:
        if box.is_checked() == wanted:
            return False
        if self.keyboard:
            self.focus(box)
            self.page.keyboard.press("Space")
        else:
            self._pointer(box)
        expect(box).to_be_checked(checked=wanted)
        return True

    def _choose_many(self, qid: str, codes: list[str]) -> bool:
        changed = False
        for choice in drv.intake().form.choices(drv.question(qid)):
            runs = run_count(self.page)
            if self._tick(choice_box(self.page, qid, choice.code), choice.code in codes):
                changed = True
                settle(self.page, runs)  # an exclusive choice or new question may follow
        return changed

    def _choose_one(self, qid: str, value: Any) -> bool:
        target = radio(self.page, qid, value)
        if target.is_checked():
            return False
        if not self.keyboard:
            self._pointer(target)
        else:
            group = control(self.page, qid)
            self.focus(group)
            # Where the focus landed in the group, and where the wanted option is.
            # Tab lands on the checked option, or on the first (last with Shift+Tab).
            focused = group.evaluate(
                """g => [...g.querySelectorAll('input[type=radio]')].map(
                       r => r === document.activeElement)"""
            )
            here = focused.index(True)
            there = group.get_by_role("radio").evaluate_all(
                "(rs, t) => rs.indexOf(t)", target.element_handle()
            )
            horizontal = group.get_attribute("aria-orientation") == "horizontal"
            forward, backward = ("ArrowRight", "ArrowLeft") if horizontal else (
                "ArrowDown", "ArrowUp")
            if here == there:
                self.page.keyboard.press("Space")
            for _ in range(abs(there - here)):  # arrows move the choice, as in any radio group
                self.page.keyboard.press(forward if there > here else backward)
        expect(target).to_be_checked()
        return True

    # moving around

    def focus(self, target: Locator, limit: int = 80) -> None:
        """Press Tab (or Shift+Tab, if the target is above) until the focus is on the target."""
        target.wait_for(state="visible", timeout=TIMEOUT_MS)
        for _ in range(limit):
            where = target.evaluate(
                """el => {
                     const a = document.activeElement;
                     if (a && (a === el || el.contains(a))) return 0;
                     if (!a || a === document.body || a.contains(el)) return 1;
                     return (el.compareDocumentPosition(a)
                             & Node.DOCUMENT_POSITION_FOLLOWING) ? -1 : 1;
                   }"""
            )
            if where == 0:
                return
            self.page.keyboard.press("Tab" if where > 0 else "Shift+Tab")
        raise AssertionError(f"{limit} Tab presses did not reach {target}")

    def _pointer(self, target: Locator) -> None:
        """Click, or tap on a phone. Radios and checkboxes are visually hidden inputs inside
        their label; the label is what a person clicks or taps."""
        if target.get_attribute("type") in ("radio", "checkbox"):
            target = target.locator("xpath=ancestor::label[1]")
        if self.touch:
            target.tap()
        else:
            target.click()

    def _leave(self) -> None:
        """Done with a field (tapping elsewhere, or the phone keyboard's Done): it sends the
        value, as Streamlit commits text and numbers when the field loses focus."""
        self.page.evaluate("document.activeElement && document.activeElement.blur()")


