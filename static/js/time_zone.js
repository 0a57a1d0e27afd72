// Sign-up: tell the server the browser's time zone, so the learner's study days start at
// their own midnight. Without JavaScript the field stays empty and the server uses UTC.
// https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Intl/DateTimeFormat/resolvedOptions
(function () {
  "use strict";
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return; // an old browser without Intl: UTC, as without JavaScript
  }
  document.querySelectorAll("input[data-browser-time-zone]").forEach((input) => {
    input.value = zone;
  });
})();
