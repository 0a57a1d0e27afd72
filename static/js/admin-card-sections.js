// The lesson admin: as the lesson is edited, each inline card's "Section" select offers the
// headings of the body as typed, so a card can point at a heading that is not saved yet. The
// live preview (portal/preview.py) renders the body as typed anyway, with the code that saves
// lessons; its answer carries the choices (#live-preview-data), read here after each swap, so
// the body is rendered once per pause in typing, not twice. Without JavaScript the choices come
// from the stored body, and from the submitted one after a refused save.
// Loaded in the head with the admin's other media, so it waits for the form.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const group = document.getElementById("cards-group");
  if (!group) {
    return;
  }

  function refill(select, choices) {
    const chosen = select.value;
    select.replaceChildren();
    const values = new Set();
    for (const [value, label] of choices) {
      select.add(new Option(label, value));
      values.add(value);
    }
    if (chosen && !values.has(chosen)) {
      // Kept, so that saving names the missing anchor rather than dropping it silently.
      select.add(new Option("#" + chosen, chosen));
    }
    select.value = chosen;
  }

  document.body.addEventListener("htmx:afterSwap", function () {
    const carried = document.getElementById("live-preview-data");
    if (!carried) {
      return; // a body that cannot be drawn: the choices stay as they were
    }
    const choices = JSON.parse(carried.dataset.json).section_choices;
    // Every inline select, the empty-form template's too, so "Add another Card" offers them.
    for (const select of group.querySelectorAll("select[name$='-section']")) {
      refill(select, choices);
    }
  });
});
