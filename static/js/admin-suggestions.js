// The review of a lesson's suggested cards (notes/admin.py). "Select all" ticks every
// suggestion's checkbox (they belong to the bulk form through their `form` attribute); it is
// hidden without JavaScript, where "Accept all" and "Reject all" do the same. After htmx puts a
// decided suggestion in place, focus goes to what it says, so a keyboard or screen reader user
// is not left on a button that is gone.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const all = document.getElementById("select-all-suggestions");
  if (all) {
    all.closest("label").hidden = false;
    all.addEventListener("change", function () {
      for (const box of document.querySelectorAll("input[name='selected'][form='suggestions-bulk']")) {
        box.checked = all.checked;
      }
    });
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const row = event.detail.target;
    if (!row || !row.id || !row.id.startsWith("suggestion-")) {
      return;
    }
    const placed = document.getElementById(row.id);
    const said = placed && placed.querySelector(".suggestion__notice, .suggestion__errors");
    if (said) {
      said.setAttribute("tabindex", "-1");
      said.focus();
    }
  });
});
