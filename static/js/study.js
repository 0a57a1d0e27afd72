// Study sessions by keyboard: Space or Enter shows the answer and, on the answer side, grades
// Good (Anki's habit; on a checked question, Enter takes the grade proposed), 1-4 grade, U
// undoes the last grade or card action, and as in Anki "-" buries the card, "!" (Shift+1)
// suspends it, Ctrl+1..4 flag it (the same colour again clears the flag: the page's flag
// buttons carry that toggle). On a question's front, 1-6 or A-F pick its options and Enter
// checks them. Each key clicks the matching button, so htmx (or, without it, the plain form)
// does the rest. After htmx swaps in the next card, focus moves to it (or to its proposed
// grade) and the live region says what changed. Refused grades (4xx) are shown, since htmx
// does not swap error responses.
(function () {
  "use strict";

  // A question's front: 1-6 or A-F pick (a radio) or toggle (a checkbox) its options, Enter
  // checks. Other keys (bury, suspend, flag, undo) work as on any card.
  function questionKey(event) {
    if (event.ctrlKey) return null;
    if (event.key === "Enter") return "check";
    if (/^[1-6]$/.test(event.key)) return "pick-" + "ABCDEF"[Number(event.key) - 1];
    if (/^[a-f]$/i.test(event.key)) return "pick-" + event.key.toUpperCase();
    return null;
  }

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
    // An option's radio or checkbox keeps the keys; any other field types them.
    var option = target && target.matches && target.matches("input[data-pick]");
    if (target && !option && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var card = document.getElementById("study-card");
    var question = card && card.querySelector("form[data-question]");
    var key = (question && questionKey(event)) || keyFor(event);
    if (option && !/^(check|pick-)/.test(key || "")) return;
    if (!card || !key) return;
    // A card htmx has not finished processing would submit as a plain form: wait for it.
    if (window.htmx && !card.hasAttribute("data-ready")) {
      event.preventDefault();
      return;
    }
    // Space and Enter on a focused button, link or disclosure already activate it.
    var control = "a[href], button, summary, [role=button]";
    if (key === "space" && target && target.closest && target.closest(control)) return;
    // Space shows the answer on the front, and grades Good on the answer side; on a checked
    // question's back, Enter takes the grade proposed.
    var selector = key === "space" ? '[data-key="reveal"], [data-key="3"]' : '[data-key="' + key + '"]';
    if (key === "space" && event.key === "Enter" && card.querySelector("[data-proposed]")) {
      selector = "[data-proposed]";
    }
    if (key.indexOf("pick-") === 0) selector = '[data-pick="' + key.slice(5) + '"]';
    var button = card.querySelector(selector);
    if (!button) return;
    event.preventDefault();
    // A key held down (Space to see the answer, a grade) must not go on to grade the next card.
    if (event.repeat) return;
    // A radio is picked, never unpicked, by its key; a checkbox toggles.
    if (button.type === "radio" && button.checked) return;
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
    // A checked question's back focuses its proposed grade, so Enter confirms it.
    var proposed = element.querySelector("[autofocus]");
    (proposed || element).focus({ preventScroll: true });
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var error = document.querySelector("[data-study-error]");
    if (!error) return;
    error.textContent = event.detail.xhr.responseText || "That did not work; reload the page.";
    error.hidden = false;
  });
})();
