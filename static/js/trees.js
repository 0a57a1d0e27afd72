// Decision-tree widgets: after htmx swaps in a new step, move keyboard focus to its question
// (or outcome) and say it in the polite live region beside the widget. Loaded on every page;
// it does nothing where there is no tree.
(function () {
  "use strict";
  if (!window.htmx) {
    return;
  }
  window.htmx.onLoad(function (element) {
    // Mark widgets htmx has processed: a link clicked before that is followed as a plain link
    // (which works, but reloads the page), and tests wait for the mark.
    var trees = element.classList && element.classList.contains("tree")
      ? [element]
      : element.querySelectorAll ? element.querySelectorAll(".tree") : [];
    Array.prototype.forEach.call(trees, function (tree) { tree.setAttribute("data-ready", ""); });
    if (!element.classList || !element.classList.contains("tree")) {
      return; // the first page load, or some other swap
    }
    var slot = element.closest(".tree-slot");
    var live = slot ? slot.querySelector("[data-tree-live]") : null;
    if (live) {
      live.textContent = element.getAttribute("data-announce") || "";
    }
    var heading = element.querySelector("[data-tree-focus]");
    if (heading) {
      heading.focus({ preventScroll: false });
    }
  });
})();
