// Study sessions by keyboard: Space or Enter shows the answer and, on the answer side, grades
// Good (Anki's habit), 1-4 grade, U undoes the last grade or card action, and as in Anki "-"
// buries the card, "!" (Shift+1) suspends it, Ctrl+1..4 flag it (the same colour again clears
// the flag: the page's flag buttons carry that toggle). Each key clicks the matching button,
// so htmx (or, without it, the plain form) does the rest. After htmx swaps in the next card,
// focus moves to it and the live region says what changed. Refused grades (4xx) are shown,
// since htmx does not swap error responses.
(function () {
  "use strict";

  function keyFor(event) {
    if (event.ctrlKey) return /^[1-4]$/.test(event.key) ? "flag-" + event.key : null;
    if (event.key === "-") return "bury";
    if (event.key === "!") return "suspend";
    if (event.key === " " || event.key === "Enter") return "space";
    if (/^[1-4]$/.test(event.key)) return event.key;
    if (event.key === "u" || event.key === "U") return "u";
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var card = document.getElementById("study-card");
    var key = keyFor(event);
    if (!card || !key) return;
    // A card htmx has not finished processing would submit as a plain form: wait for it.
    if (window.htmx && !card.hasAttribute("data-ready")) {
      event.preventDefault();
      return;
    }
    // Space and Enter on a focused button, link or disclosure already activate it.
    var control = "a[href], button, summary, [role=button]";
    if (key === "space" && target && target.closest && target.closest(control)) return;
    // Space shows the answer on the front, and grades Good on the answer side.
    var selector = key === "space" ? '[data-key="reveal"], [data-key="3"]' : '[data-key="' + key + '"]';
    var button = card.querySelector(selector);
    if (!button) return;
    event.preventDefault();
    // A key held down (Space to see the answer, a grade) must not go on to grade the next card.
    if (event.repeat) return;
    button.click();
  });

  if (!window.htmx) return;

  window.htmx.onLoad(function (element) {
    var card = element.id === "study-card" ? element : element.querySelector("#study-card");
    if (card) card.setAttribute("data-ready", "");
    if (element.id !== "study-card") return; // the first page load: no focus move
    var live = document.querySelector("[data-study-live]");
    if (live) live.textContent = element.getAttribute("data-announce") || "";
    var error = document.querySelector("[data-study-error]");
    if (error) error.hidden = true;
    element.focus({ preventScroll: true });
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var error = document.querySelector("[data-study-error]");
    if (!error) return;
    error.textContent = event.detail.xhr.responseText || "That did not work; reload the page.";
    error.hidden = false;
  });
})();
