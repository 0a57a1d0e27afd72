// After htmx swaps in another question, focus moves to its number, so a keyboard or screen
// reader user goes on from the new question rather than from the top of the page.
//
// A timed practice test's countdown: the <time> element's seconds, counted down each second
// and shown as minutes and seconds. The server holds the deadline and refuses answers after
// it; this only tells the learner how long is left. After htmx swaps in another question, the
// new element starts its own count.
(function () {
  "use strict";
  var timer = null;

  function show(element, seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    element.textContent = seconds > 0 ? minutes + ":" + (rest < 10 ? "0" : "") + rest : "time is up";
    element.setAttribute("datetime", "PT" + seconds + "S");
  }

  function start() {
    var element = document.getElementById("practice-time-left");
    if (timer) clearInterval(timer);
    if (!element) return;
    var end = Date.now() + Number(element.getAttribute("data-seconds")) * 1000;
    var tick = function () {
      show(element, Math.max(0, Math.round((end - Date.now()) / 1000)));
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", function (event) {
    start();
    var number = document.getElementById("practice-question-number");
    if (number && event.target && event.target.id === "practice-question") number.focus();
  });
})();
