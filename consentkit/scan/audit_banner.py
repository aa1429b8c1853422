"""The first layer, as a visitor's browser renders it: consentkit's banner buttons and checkboxes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from .checks import Check

if TYPE_CHECKING:
    from playwright.sync_api import Page

BANNER: Final = "#consentkit-banner"
ACCEPT: Final = f'{BANNER} button[name="choice"][value="accept_all"]'
REJECT: Final = f'{BANNER} button[name="choice"][value="reject_all"]'
#: WCAG 2.x AA for normal text (docs/compliance.md item 3).
MIN_CONTRAST: Final = 4.5
#: Reject may be this much less prominent than accept (its text contrast, or its fill against the banner)
#: before the difference steers the visitor: PTS asks for no colour or contrast that favours accepting.
MAX_PROMINENCE_GAP: Final = 1.25

# Tag, size, font and WCAG 2.x contrasts of a button: its text against its own background, and that
# background (its fill) against the banner around it. A background is the nearest one that is set.
BUTTON_FACTS: Final = """element => {
  const channels = value => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = rgb => {
    const [r, g, b] = rgb.slice(0, 3).map(c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (x, y) => {
    const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05);
  };
  const backgroundOf = start => {
    for (let node = start; node && node.nodeType === 1; node = node.parentElement) {
      const value = channels(getComputedStyle(node).backgroundColor);
      if (value.length === 3 || (value.length === 4 && value[3] > 0)) return value;
    }
    return [255, 255, 255];
  };
  const style = getComputedStyle(element);
  const own = backgroundOf(element);
  const box = element.getBoundingClientRect();
  return {tag: element.tagName.toLowerCase(), width: box.width, height: box.height,
          contrast: contrast(channels(style.color), own), fill: contrast(own, backgroundOf(element.parentElement)),
          fontSize: parseFloat(style.fontSize), fontWeight: Number(style.fontWeight) || 400,
          visible: box.width > 0 && box.height > 0};
}"""

CHECKBOXES: Final = "boxes => boxes.map(box => ({value: box.value, checked: box.checked, disabled: box.disabled}))"


def check_buttons(page: Page, layer: Check, equal: Check) -> None:
    """Items 2 and 3: accept and reject on the first layer, real buttons of one size and style, readable,
    and reject no less prominent than accept."""
    facts = {}
    for label, selector in (("accept", ACCEPT), ("reject", REJECT)):
        button = page.locator(selector)
        if not button.count():
            layer.fail(f"no {label} button ({selector}) on the first layer")
            continue
        facts[label] = button.first.evaluate(BUTTON_FACTS)
    if len(facts) < 2:
        equal.fail("accept and reject cannot be compared: one of them is missing")
        return
    layer.evidence.append("both buttons are in the banner's first layer, one click each")
    for label, fact in facts.items():
        equal.evidence.append(
            f"{label}: <{fact['tag']}>, {fact['width']:.0f}×{fact['height']:.0f} px, contrast {fact['contrast']:.1f}:1,"
            f" fill {fact['fill']:.1f}:1 against the banner, {fact['fontSize']:g} px weight {fact['fontWeight']:g}"
        )
        if fact["tag"] != "button":
            equal.fail(f"{label} is a <{fact['tag']}>, not a <button>")
        if not fact["visible"]:
            layer.fail(f"{label} is not visible on the first layer")
        if fact["contrast"] < MIN_CONTRAST:
            equal.fail(f"{label} has a text contrast of {fact['contrast']:.2f}:1, under {MIN_CONTRAST}:1")
    _compare(facts["accept"], facts["reject"], equal)


def _compare(accept: dict[str, Any], reject: dict[str, Any], equal: Check) -> None:
    """Item 3's "one size and one style": whatever makes accept stand out more than reject steers."""
    if abs(accept["width"] - reject["width"]) > 1 or abs(accept["height"] - reject["height"]) > 1:
        equal.fail("accept and reject differ in size")
    for key, what in (("contrast", "text contrast"), ("fill", "fill against the banner")):
        if accept[key] > reject[key] * MAX_PROMINENCE_GAP:
            equal.fail(f"reject is less prominent than accept: {what} {reject[key]:.1f}:1 against {accept[key]:.1f}:1")
    if reject["fontSize"] < accept["fontSize"] or reject["fontWeight"] < accept["fontWeight"]:
        equal.fail(
            f"reject's text is smaller or lighter: {reject['fontSize']:g} px weight {reject['fontWeight']:g}"
            f" against {accept['fontSize']:g} px weight {accept['fontWeight']:g}"
        )


def check_checkboxes(page: Page, offered: Iterable[str], check: Check) -> None:
    """Items 4 and 5: no optional box ticked on the first layer, and one box per offered category."""
    boxes = page.eval_on_selector_all(f'{BANNER} input[type="checkbox"]', CHECKBOXES)
    for box in boxes:
        if box["disabled"]:
            check.evidence.append(f"a disabled box (necessary, always on): {'ticked' if box['checked'] else 'off'}")
        elif box["checked"]:
            check.fail(f"{box['value']} is ticked before the visitor chose")
        else:
            check.evidence.append(f"{box['value']}: off")
    values = {box["value"] for box in boxes if not box["disabled"]}
    for category in offered:
        if category not in values:
            check.fail(f"no box of its own for {category}")
