// The lesson admin: as the body is edited, each inline card's "Section" select offers the
// headings of the body as typed (the server renders them with the code that saves lessons),
// so a card can point at a heading that is not saved yet. Without JavaScript the choices
// come from the stored body, and from the submitted one after a refused save.
// Loaded in the head with the admin's other media, so it waits for the form.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const body = document.getElementById("id_body");
  const group = document.getElementById("cards-group");
  if (!body || !group || !body.dataset.sectionsUrl) {
    return;
  }
  const form = body.form;
  let timer = null;
  let latest = 0;

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

  async function refresh() {
    const request = ++latest;
    const data = new FormData();
    data.append("body", body.value);
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    const response = await fetch(body.dataset.sectionsUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
    });
    if (!response.ok || request !== latest) {
      return;
    }
    const { choices } = await response.json();
    for (const select of group.querySelectorAll("select[name$='-section']")) {
      refill(select, choices);
    }
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
});
