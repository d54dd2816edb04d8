"""Every setting is documented where a newcomer looks first: the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_settings import SETTINGS, Setting

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_is_documented_in_the_readme(setting: Setting) -> None:
    assert README.exists(), f"{README.name} is missing: it must document {setting.name}"
    assert setting.name in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_says_what_it_does(setting: Setting) -> None:
    assert setting.name.startswith("INTAKE_") and len(setting.help) > 20
